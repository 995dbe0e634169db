/* The tables of the certified double-double exponential and the function
 * itself. The constants come from MPFR at start-up rather than from literals,
 * so that nothing depends on a transcription being right. */
#include <pthread.h>
#include <mpfr.h>
#include "dd.h"

/* ln2/256 = FR_L1 + FR_L2 + FR_L3 (+ < 2^-147 relative): L1 has 32 significant
 * bits, so kd * L1 is exact for |kd| < 2^21. */
static double g_l1, g_l2, g_l3;
static double g_inv_l;                 /* RN(256/ln2), only used to pick kd */
static fr_dd g_table[256];             /* 2^(j/256), relative error <= u^2 */
static fr_dd g_coef[6];                /* 1/k!, k = 0..5, as double-doubles */
static double g_tail[5];               /* 1/k!, k = 6..10 */
static pthread_once_t g_once = PTHREAD_ONCE_INIT;

static fr_dd dd_from_mpfr(mpfr_t x, mpfr_t tmp)
{
    fr_dd r;
    r.hi = mpfr_get_d(x, MPFR_RNDN);
    mpfr_sub_d(tmp, x, r.hi, MPFR_RNDN);
    r.lo = mpfr_get_d(tmp, MPFR_RNDN);
    return r;
}

static void init_tables(void)
{
    mpfr_t x, t, l;
    mpfr_inits2(256, x, t, l, (mpfr_ptr)0);
    mpfr_const_log2(l, MPFR_RNDN);
    mpfr_div_ui(l, l, 256, MPFR_RNDN);
    {
        mpfr_t l1;
        mpfr_init2(l1, 32);
        mpfr_set(l1, l, MPFR_RNDN);
        g_l1 = mpfr_get_d(l1, MPFR_RNDN);
        mpfr_clear(l1);
    }
    mpfr_sub_d(x, l, g_l1, MPFR_RNDN);
    g_l2 = mpfr_get_d(x, MPFR_RNDN);
    mpfr_sub_d(x, x, g_l2, MPFR_RNDN);
    g_l3 = mpfr_get_d(x, MPFR_RNDN);
    mpfr_ui_div(x, 1, l, MPFR_RNDN);
    g_inv_l = mpfr_get_d(x, MPFR_RNDN);
    for (int j = 0; j < 256; j++) {
        mpfr_set_ui(x, (unsigned long)j, MPFR_RNDN);
        mpfr_div_ui(x, x, 256, MPFR_RNDN);
        mpfr_ui_pow(x, 2, x, MPFR_RNDN);
        g_table[j] = dd_from_mpfr(x, t);
    }
    mpfr_set_ui(x, 1, MPFR_RNDN);
    for (int k = 0; k <= 10; k++) {
        if (k > 0)
            mpfr_div_ui(x, x, (unsigned long)k, MPFR_RNDN);
        if (k <= 5)
            g_coef[k] = dd_from_mpfr(x, t);
        else
            g_tail[k - 6] = mpfr_get_d(x, MPFR_RNDN);
    }
    mpfr_clears(x, t, l, (mpfr_ptr)0);
}

void fr_dd_exp_init(void)
{
    pthread_once(&g_once, init_tables);
}

/* e^t for t = t.hi + t.lo in [-650, 0], normalized (|t.lo| <= ulp(t.hi)/2).
 *
 * Error budget (u = 2^-53), relative to e^t:
 *   reduction  t = kd*ln2/256 + r with kd = nearest integer of t.hi*256/ln2,
 *              |kd| < 2^18. kd*L1 is exact, the TwoSum/TwoProd steps are
 *              exact and only the four additions gathering the low part round,
 *              each by at most u*2^-43.5 (|t.lo| <= 650u is the largest
 *              addend): |computed r - r| <= 2^-94.4, so a factor
 *              e^(+-2^-94.4). The neglected tail of ln2/256 contributes
 *              < 2^-129.  |r| <= 2^-9.52.
 *   e^r        degree-10 Taylor polynomial, truncation < r^11/11! < 2^-129;
 *              degrees 6..10 in double (their total is < 2^-57, so their
 *              rounding is < 2^-110), degrees 0..5 by double-double Horner:
 *              the last step 1 + r*H errs by <= 3u^2 (addition) + 5u^2*|r*H|
 *              (product), earlier steps are damped by |r| <= 2^-9.5:
 *              <= 3.1u^2 in all.
 *   2^(j/256)  table <= u^2, product <= 5u^2.
 *   2^e        exact (the result stays above 2^-938, the low part's possible
 *              underflow costs < 2^-137 relatively).
 * Total: (1 + 2^-94.4)(1 + 9.2u^2) - 1 < 2^-94.3. FR_DD_EXP_REL_ERR (2^-92)
 * also absorbs the caller's own error on t (<= 650 * 2^-104.4 = 2^-95.06). */
static inline fr_dd dd_exp(fr_dd t)
{
    double kd = (t.hi * g_inv_l + 0x1.8p52) - 0x1.8p52;
    double ae, be, ce;
    double a = fr_dd_two_sum(t.hi, -kd * g_l1, &ae);
    double b = fr_dd_two_prod(kd, g_l2, &be);
    double c = fr_dd_two_sum(a, -b, &ce);
    double lo = (((t.lo + ae) - be) + ce) - kd * g_l3;
    fr_dd r;
    r.hi = fr_dd_two_sum(c, lo, &r.lo);

    double q = g_tail[4];
    for (int k = 3; k >= 0; k--)
        q = q * r.hi + g_tail[k];
    fr_dd h = { q, 0.0 };
    for (int k = 5; k >= 0; k--)
        h = fr_dd_add(g_coef[k], fr_dd_mul(r, h));

    int biased = (int)kd + 256 * 4096;          /* > 0 so / and % floor */
    int j = biased % 256;
    int e = biased / 256 - 4096;
    fr_dd y = fr_dd_mul(g_table[j], h);
    y.hi = ldexp(y.hi, e);
    y.lo = ldexp(y.lo, e);
    return y;
}

fr_dd fr_dd_exp(fr_dd t)
{
    return dd_exp(t);
}

FR_DD_HOT void fr_dd_exp_weights(fr_dd *t, size_t n)
{
    for (size_t j = 0; j < n; j++) {
        if (t[j].hi == 0.0) {
            t[j].hi = 1.0;
            t[j].lo = 0.0;
        } else if (!(t[j].hi >= FR_DD_EXP_MIN_ARG)) {
            t[j].hi = 0.0;
            t[j].lo = 0.0;
        } else {
            t[j] = dd_exp(t[j]);
        }
    }
}
