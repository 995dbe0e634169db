/* Proof of P3, src/lemmas_equivalence.h (ghost code of the functional pass
 * only: nothing here is compiled into the library). */
#include "lemmas_equivalence.h"

#if FR_REAL_MODEL
/*@ ghost
  // Row i of query head g of two outputs that both hold head g's output
  // is the same: both are the specification's (O = 0 and LSE = -inf where
  // the row sees no key).
  /@ requires row: i < nq;
     requires first: QueryHeadOutput{Here, Here}(q, k, v, d, scale, causal, nq, nk, q_heads, kv_heads, g,
                                                 o1, lse1);
     requires second: QueryHeadOutput{Here, Here}(q, k, v, d, scale, causal, nq, nk, q_heads, kv_heads, g,
                                                  o2, lse2);
     assigns \nothing;
     ensures same_output: \forall integer x; 0 <= x < d ==>
       RowOf(RowOf(o1, nq * d, g), d, i)[x] == RowOf(RowOf(o2, nq * d, g), d, i)[x];
     ensures same_lse: RowOf(lse1, nq, g)[i] == RowOf(lse2, nq, g)[i]; @/
  static void HeadRow_Same(const float *q, const float *k, const float *v, size_t d, double scale,
                           fr_causal causal, size_t nq, size_t nk, size_t q_heads, size_t kv_heads,
                           size_t g, size_t i,
                           const double *o1, const double *lse1, const double *o2, const double *lse2)
  {
    /@ assert rows: HeadRowOutput{Here, Here}(q + g * (nq * d), k + KvHead(g, q_heads, kv_heads) * (nk * d),
                                   v + KvHead(g, q_heads, kv_heads) * (nk * d), d, scale, causal,
                                   nq, nk, i, RowOf(o1, nq * d, g), RowOf(lse1, nq, g)) &&
         HeadRowOutput{Here, Here}(q + g * (nq * d), k + KvHead(g, q_heads, kv_heads) * (nk * d),
                                   v + KvHead(g, q_heads, kv_heads) * (nk * d), d, scale, causal,
                                   nq, nk, i, RowOf(o2, nq * d, g), RowOf(lse2, nq, g)); @/
  }

  void Attention_TiledEqualsStandard(const float *q, const float *k, const float *v, size_t d,
                                     double scale, fr_causal causal, size_t nq, size_t nk,
                                     size_t q_heads, size_t kv_heads, size_t n,
                                     const double *o_tiled, const double *lse_tiled,
                                     const double *o_standard, const double *lse_standard)
  {
    /@ assert heads: \forall integer g; 0 <= g < n ==>
         QueryHeadOutput{Here, Here}(q, k, v, d, scale, causal, nq, nk, q_heads, kv_heads, g,
                                     o_tiled, lse_tiled) &&
         QueryHeadOutput{Here, Here}(q, k, v, d, scale, causal, nq, nk, q_heads, kv_heads, g,
                                     o_standard, lse_standard); @/
    /@ loop invariant range: 0 <= g <= n;
       loop invariant done: \forall integer g2, i, x; 0 <= g2 < g && 0 <= i < nq && 0 <= x < d ==>
         RowOf(RowOf(o_tiled, nq * d, g2), d, i)[x] == RowOf(RowOf(o_standard, nq * d, g2), d, i)[x];
       loop invariant done_lse: \forall integer g2, i; 0 <= g2 < g && 0 <= i < nq ==>
         RowOf(lse_tiled, nq, g2)[i] == RowOf(lse_standard, nq, g2)[i];
       loop assigns g;
       loop variant n - g; @/
    for (size_t g = 0; g < n; g++) {
      /@ loop invariant range: 0 <= i <= nq;
         loop invariant done: \forall integer i2, x; 0 <= i2 < i && 0 <= x < d ==>
           RowOf(RowOf(o_tiled, nq * d, g), d, i2)[x] == RowOf(RowOf(o_standard, nq * d, g), d, i2)[x];
         loop invariant done_lse: \forall integer i2; 0 <= i2 < i ==>
           RowOf(lse_tiled, nq, g)[i2] == RowOf(lse_standard, nq, g)[i2];
         loop assigns i;
         loop variant nq - i; @/
      for (size_t i = 0; i < nq; i++) {
        HeadRow_Same(q, k, v, d, scale, causal, nq, nk, q_heads, kv_heads, g, i,
                     o_tiled, lse_tiled, o_standard, lse_standard);
      }
    }
  }
*/
#endif
