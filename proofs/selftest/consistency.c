/* Consistency of the specification: in a context holding every definition
 * and lemma of spec/ (each lemma becomes a hypothesis of later goals) and the
 * assumed contracts of the trust base (spec/TrustBase.acsl, used through one
 * call each), WP must NOT prove \false. If it did, the assumptions would be
 * contradictory and every other proof vacuous. */
#include "flashref.h"
#include "call.h"
#include "tiled.h"
#include "standard.h"
#include "lemmas_size.h"
#include "prims.h"

double fr_spec_consistency(double x)
{
    double *words = fr_host_alloc(1);
    double y = fr_fma(x, x, x);
    fr_host_free(words);
    /*@ assert spec_consistent: \false; */
    return y;
}
