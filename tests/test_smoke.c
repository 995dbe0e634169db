#include <stdio.h>
#include <stdlib.h>
#include <math.h>
#include "flashref.h"
static double u(unsigned *s){ *s = *s*1103515245u+12345u; return ((*s>>8)&0xffff)/65536.0*2-1; }
int main(void){
  for (int causal=0; causal<3; causal++){
  fr_problem p = fr_problem_make(2,4,2,37,29,16,(fr_causal)causal);
  size_t nq=2*4*37*16, nk=2*2*29*16; unsigned s=1;
  float *q=malloc(nq*4),*k=malloc(nk*4),*v=malloc(nk*4);
  for(size_t i=0;i<nq;i++) q[i]=u(&s);
  for(size_t i=0;i<nk;i++){k[i]=u(&s);v[i]=u(&s);}
  double *o1=malloc(nq*8),*o2=malloc(nq*8),*l1=malloc(2*4*37*8),*l2=malloc(2*4*37*8);
  fr_io_stats st1, st2; size_t M=1000;
  int e1=fr_attention_tiled(&p,M,NULL,q,k,v,o1,l1,&st1), e2=fr_attention_standard(&p,M,NULL,q,k,v,o2,l2,&st2);
  fr_blocks b; fr_blocks_default(M,16,37,29,&b); fr_io_count c1,c2; fr_io_tiled(&p,b,&c1); fr_io_standard(&p,b,&c2);
  double md=0; for(size_t i=0;i<nq;i++) md=fmax(md,fabs(o1[i]-o2[i]));
  double ml=0; for(size_t i=0;i<2*4*37;i++) if(isfinite(l1[i])) ml=fmax(ml,fabs(l1[i]-l2[i])); else if (l1[i]!=l2[i]) ml=1e9;
  printf("causal %d e %d %d blocks %zu %zu maxdiff %g lse %g tiled %llu/%llu cf %llu/%llu std %llu/%llu cf %llu/%llu peak %zu %zu\n",causal,e1,e2,b.rows,b.cols,md,ml,
   (unsigned long long)st1.io.words_read,(unsigned long long)st1.io.words_written,(unsigned long long)c1.words_read,(unsigned long long)c1.words_written,
   (unsigned long long)st2.io.words_read,(unsigned long long)st2.io.words_written,(unsigned long long)c2.words_read,(unsigned long long)c2.words_written, st1.fast_peak, st2.fast_peak);
  }
  return 0;
}
