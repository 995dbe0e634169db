/* Consistency of the functional pass's assumptions: with every definition
 * of spec/Exp.acsl, spec/Log.acsl, spec/Attention.acsl and
 * spec/OnlineSoftmax.acsl (the axioms of Exp and Log included) and the
 * real-model contracts of the trust base (fr_exp, fr_log, fr_shift_point,
 * fr_neg_inf, fma, and fr_host_alloc's block apart from three live ones; each used
 * through one call), WP must NOT prove \false. Run by consistency with
 * -DFLASHREF_REAL_MODEL. */
#include "prims.h"
#include "call.h"
#include "lemmas_softmax.h"

/*@ requires live: \valid(o + (0 .. 3)) && \valid(lse + (0 .. 1)) && \valid(w + (0 .. 2)); */
double fr_spec_consistency_real(double x, double *o, double *lse, double *w)
{
    double e = fr_exp(x);
    double m = fr_shift_point(e);
    double y = fr_fma(x, m, fr_log(e)) + fr_neg_inf();
    double *words = fr_host_alloc(8) /*@ ghost (o, 4, lse, 2, w, 3) */;
    if (words != 0)
        y = y + words[0];
    /*@ assert spec_consistent: \false; */
    return y;
}
