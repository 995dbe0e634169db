/* Consistency of the functional pass's assumptions: with every definition
 * of spec/Exp.acsl, spec/Log.acsl, spec/Attention.acsl and
 * spec/OnlineSoftmax.acsl (the axioms of Exp and Log included) and the
 * real-model contracts of the trust base (fr_exp, fr_log, fr_shift_point,
 * fma; each used through one call), WP must NOT prove \false. Run by
 * consistency with -DFLASHREF_REAL_MODEL. */
#include "prims.h"
#include "lemmas_softmax.h"

double fr_spec_consistency_real(double x)
{
    double e = fr_exp(x);
    double m = fr_shift_point(e);
    double y = fr_fma(x, m, fr_log(e));
    /*@ assert spec_consistent: \false; */
    return y;
}
