/* The floating-point primitives of src/prims.h against MPFR:
 *   (a) the 2^(j/64) table is hi = RN(2^(j/64)), lo = RN(2^(j/64) - hi);
 *   (b) fr_exp and fr_log are faithful (error < 1 ulp), measured on about
 *       2e6 points and on the special values and thresholds;
 *   (c) fr_fma rounds once; fr_two_sum is exact; fr_max propagates NaN.
 *
 * The ulp error is (exact - got) / ulp(exact) evaluated inside MPFR, with
 * ulp(y) = 2^(max(floor(log2 |y|), -1022) - 52), so results in the subnormal
 * range are measured in units of 2^-1074 and a tiny difference is never
 * rounded to double before it is scaled.
 *
 * Usage: test_prims [seed] */
#include <mpfr.h>

#include "common.h"
#include "prims.h"

#define PREC 160

/* <math.h> hides LN2 and friends in strict C11. */
#define LN2 0x1.62e42fefa39efp-1
#define EULER_E 0x1.5bf0a8b145769p+1
#define SQRT2 0x1.6a09e667f3bcdp+0

static mpfr_t g_exact, g_got, g_diff, g_two1024;

/* Error of got against the exact value held in g_exact, in ulps of the exact
 * value; +inf when got is not one of the two doubles around it. An infinite
 * got stands for 2^1024, so it is faithful exactly when the exact value is
 * above DBL_MAX (and exact when the exact value is itself infinite). */
static double ulp_error(double got)
{
    if (mpfr_nan_p(g_exact))
        return isnan(got) ? 0.0 : INFINITY;
    if (isnan(got))
        return INFINITY;
    if (mpfr_inf_p(g_exact))
        return (isinf(got) && (got > 0) == (mpfr_sgn(g_exact) > 0)) ? 0.0 : INFINITY;
    if (mpfr_zero_p(g_exact))
        return got == 0.0 ? 0.0 : INFINITY;
    if (isinf(got)) {
        if ((got > 0) != (mpfr_sgn(g_exact) > 0))
            return INFINITY;
        mpfr_set(g_got, g_two1024, MPFR_RNDN);
        if (got < 0)
            mpfr_neg(g_got, g_got, MPFR_RNDN);
        if (mpfr_cmpabs(g_exact, g_two1024) >= 0)
            return 0.0;
    } else {
        mpfr_set_d(g_got, got, MPFR_RNDN);
    }
    long e = (long)mpfr_get_exp(g_exact) - 1;      /* floor(log2 |exact|) */
    long u = (e < -1022 ? -1022 : e) - 52;
    mpfr_sub(g_diff, g_exact, g_got, MPFR_RNDN);
    mpfr_abs(g_diff, g_diff, MPFR_RNDN);
    mpfr_mul_2si(g_diff, g_diff, -u, MPFR_RNDN);
    return mpfr_get_d(g_diff, MPFR_RNDU);
}

typedef struct stats {
    const char *name;
    double max, sum, worst_x;
    size_t n;
} stats;

static void record(stats *s, double x, double err)
{
    s->n++;
    if (isfinite(err))
        s->sum += err;
    if (!(err <= s->max)) {
        s->max = err;
        s->worst_x = x;
    }
    CHECK(err < 1.0, "%s(%a) = %a is %.4g ulp from the exact value", s->name, x,
          strcmp(s->name, "exp") == 0 ? fr_exp(x) : fr_log(x), err);
}

/* Subnormal results get a second rounding in ldexp, so they are reported
 * apart from the rest. */
static stats g_exp_subnormal = {"exp", 0, 0, 0, 0};

static void check_exp(stats *s, double x)
{
    mpfr_set_d(g_exact, x, MPFR_RNDN);
    mpfr_exp(g_exact, g_exact, MPFR_RNDN);
    int tiny = mpfr_regular_p(g_exact) && mpfr_cmp_d(g_exact, DBL_MIN) < 0;
    record(tiny ? &g_exp_subnormal : s, x, ulp_error(fr_exp(x)));
}

static void check_log(stats *s, double x)
{
    mpfr_set_d(g_exact, x, MPFR_RNDN);
    mpfr_log(g_exact, g_exact, MPFR_RNDN);
    record(s, x, ulp_error(fr_log(x)));
}

/* ---- (a) the table ------------------------------------------------------- */

static void check_table(void)
{
    static const double table[128] = { FR_EXP2_TABLE_VALUES };
    mpfr_t t, rest;
    mpfr_inits2(2000, t, rest, (mpfr_ptr)0);
    for (int j = 0; j < 64; j++) {
        mpfr_set_si(t, j, MPFR_RNDN);
        mpfr_div_2ui(t, t, 6, MPFR_RNDN);            /* j/64, exact */
        mpfr_exp2(t, t, MPFR_RNDN);
        double hi = mpfr_get_d(t, MPFR_RNDN);
        mpfr_sub_d(rest, t, hi, MPFR_RNDN);          /* exact at 2000 bits */
        double lo = mpfr_get_d(rest, MPFR_RNDN);
        CHECK(memcmp(&hi, &table[2 * j], sizeof hi) == 0, "table[%d].hi = %a, MPFR gives %a",
              j, table[2 * j], hi);
        CHECK(memcmp(&lo, &table[2 * j + 1], sizeof lo) == 0, "table[%d].lo = %a, MPFR gives %a",
              j, table[2 * j + 1], lo);
        CHECK(fr_exp2_table(2 * j) == table[2 * j] && fr_exp2_table(2 * j + 1) == table[2 * j + 1],
              "fr_exp2_table(%d) is not the table", j);
    }
    mpfr_clears(t, rest, (mpfr_ptr)0);
}

/* ---- (b) exp and log ------------------------------------------------------ */

static double uniform(rng *r, double lo, double hi)
{
    return lo + (hi - lo) * rng_unit(r);
}

/* d and its n neighbours on each side. */
static void around(stats *s, void (*f)(stats *, double), double d, int n)
{
    double lo = d, hi = d;
    f(s, d);
    for (int i = 0; i < n; i++) {
        lo = nextafter(lo, -INFINITY);
        hi = nextafter(hi, INFINITY);
        f(s, lo);
        f(s, hi);
    }
}

/* RN(log(2^k)) for the thresholds of exp. */
static double log_pow2(long k)
{
    mpfr_t t;
    mpfr_init2(t, PREC);
    mpfr_set_ui_2exp(t, 1, k, MPFR_RNDN);
    mpfr_log(t, t, MPFR_RNDN);
    double d = mpfr_get_d(t, MPFR_RNDN);
    mpfr_clear(t);
    return d;
}

static double log_dbl_max(void)
{
    mpfr_t t;
    mpfr_init2(t, PREC);
    mpfr_set_d(t, DBL_MAX, MPFR_RNDN);
    mpfr_log(t, t, MPFR_RNDN);
    double d = mpfr_get_d(t, MPFR_RNDN);
    mpfr_clear(t);
    return d;
}

static void exp_points(rng *r, stats *s)
{
    for (int i = 0; i < 700000; i++)
        check_exp(s, uniform(r, -745.2, 709.8));
    for (int i = 0; i < 100000; i++)                 /* subnormal results */
        check_exp(s, uniform(r, -745.2, -708.3));
    for (int i = 0; i < 100000; i++)
        check_exp(s, uniform(r, -2.0, 2.0));
    for (int i = 0; i < 100000; i++) {               /* |x| tiny: exp(x) near 1 */
        double x = ldexp(rng_unit(r) + 0.5, -(int)rng_range(r, 2, 1074));
        check_exp(s, rng_chance(r, 0.5) ? -x : x);
    }
    /* special values */
    CHECK(fr_exp(0.0) == 1.0 && fr_exp(-0.0) == 1.0, "exp(+-0) != 1");
    CHECK(fr_exp(INFINITY) == INFINITY, "exp(inf) = %a", fr_exp(INFINITY));
    CHECK(fr_exp(-INFINITY) == 0.0 && !signbit(fr_exp(-INFINITY)), "exp(-inf) = %a",
          fr_exp(-INFINITY));
    CHECK(isnan(fr_exp(NAN)) && isnan(fr_exp(-NAN)), "exp(NaN) not NaN");
    CHECK(fr_exp(DBL_MAX) == INFINITY && fr_exp(-DBL_MAX) == 0.0, "exp(+-DBL_MAX)");
    const double specials[] = {0.0, -0.0, INFINITY, -INFINITY, NAN, 1.0, -1.0, DBL_MIN,
                               -DBL_MIN, DBL_TRUE_MIN, -DBL_TRUE_MIN, DBL_MAX, -DBL_MAX,
                               0.5 * LN2 / 64, -0.5 * LN2 / 64, LN2, -LN2};
    for (size_t i = 0; i < sizeof specials / sizeof specials[0]; i++)
        check_exp(s, specials[i]);
    /* thresholds: the library's own and the exact ones, with neighbours */
    around(s, check_exp, FR_EXP_OVERFLOW_X, 8);
    around(s, check_exp, FR_EXP_UNDERFLOW_X, 8);
    around(s, check_exp, log_dbl_max(), 8);
    around(s, check_exp, log_pow2(1024), 8);
    around(s, check_exp, log_pow2(-1022), 8);     /* DBL_MIN */
    around(s, check_exp, log_pow2(-1074), 8);     /* DBL_TRUE_MIN */
    around(s, check_exp, log_pow2(-1075), 8);     /* half of it */
    for (int k = -64; k <= 64; k++)               /* table boundaries */
        around(s, check_exp, k * (LN2 / 64), 2);
}

static void log_points(rng *r, stats *s)
{
    for (int i = 0; i < 500000; i++) {               /* every positive double, by bits */
        uint64_t bits;
        do
            bits = rng_next(r) & 0x7fffffffffffffffull;
        while (bits == 0 || bits >= 0x7ff0000000000000ull);
        double x;
        memcpy(&x, &bits, sizeof x);
        check_log(s, x);
    }
    for (int i = 0; i < 30000; i++) {                /* subnormals */
        uint64_t bits = 1 + rng_next(r) % ((1ull << 52) - 1);
        if (rng_chance(r, 0.3))
            bits >>= rng_range(r, 1, 51);
        if (bits == 0)
            bits = 1;
        double x;
        memcpy(&x, &bits, sizeof x);
        check_log(s, x);
    }
    for (int i = 0; i < 300000; i++)
        check_log(s, uniform(r, 1.0, 0x1p31));
    for (int i = 0; i < 100000; i++) {               /* near 1, where log(x) is small */
        double t = ldexp(rng_unit(r), -(int)rng_range(r, 1, 60));
        check_log(s, rng_chance(r, 0.5) ? 1.0 + t : 1.0 - t);
    }
    for (int i = 0; i < 40000; i++) {                /* around the sqrt(1/2) switch */
        double x = ldexp(FR_SQRT_HALF, (int)rng_range(r, 0, 2000) - 1000);
        int steps = (int)rng_range(r, 0, 20);
        for (int k = 0; k < steps; k++)
            x = nextafter(x, rng_chance(r, 0.5) ? 0.0 : INFINITY);
        check_log(s, x);
    }
    /* special values */
    CHECK(fr_log(1.0) == 0.0, "log(1) = %a", fr_log(1.0));
    CHECK(fr_log(0.0) == -INFINITY && fr_log(-0.0) == -INFINITY, "log(+-0) != -inf");
    CHECK(fr_log(INFINITY) == INFINITY, "log(inf) = %a", fr_log(INFINITY));
    CHECK(isnan(fr_log(-1.0)) && isnan(fr_log(-INFINITY)) && isnan(fr_log(-DBL_TRUE_MIN)),
          "log(negative) not NaN");
    CHECK(isnan(fr_log(NAN)), "log(NaN) not NaN");
    const double specials[] = {1.0, 2.0, 0.5, 0.0, -0.0, INFINITY, NAN, -1.0, DBL_MIN,
                               DBL_TRUE_MIN, DBL_MAX, 0x1p31, EULER_E, FR_SQRT_HALF, SQRT2};
    for (size_t i = 0; i < sizeof specials / sizeof specials[0]; i++)
        check_log(s, specials[i]);
    around(s, check_log, 1.0, 64);
    around(s, check_log, DBL_MIN, 8);
    around(s, check_log, DBL_TRUE_MIN, 8);
    around(s, check_log, DBL_MAX, 8);
    around(s, check_log, FR_SQRT_HALF, 8);
    around(s, check_log, 2 * FR_SQRT_HALF, 8);
}

/* ---- (c) fma, two-sum, max -------------------------------------------------- */

static double random_moderate(rng *r)
{
    double m = rng_unit(r) + 0.5;
    double x = ldexp(m, (int)rng_range(r, 0, 60) - 30);
    return rng_chance(r, 0.5) ? -x : x;
}

static void check_fma_and_friends(rng *r)
{
    /* (1 + 2^-52)(1 - 2^-52) - 1 = -2^-104: one rounding keeps it, two lose it */
    volatile double a = 0x1.0000000000001p0, b = 0x1.ffffffffffffep-1, c = -1.0;
    double fused = fr_fma(a, b, c);
    double separate = a * b + c;
    CHECK(fused == -0x1p-104, "fr_fma(1+2^-52, 1-2^-52, -1) = %a, want -0x1p-104", fused);
    CHECK(separate == 0.0, "a*b + c = %a: the compiler contracted it", separate);

    mpfr_t ma, mb, mc, exact;
    mpfr_inits2(400, ma, mb, mc, exact, (mpfr_ptr)0);
    for (int i = 0; i < 20000; i++) {
        double x = random_moderate(r), y = random_moderate(r), z = random_moderate(r);
        mpfr_set_d(ma, x, MPFR_RNDN);
        mpfr_set_d(mb, y, MPFR_RNDN);
        mpfr_set_d(mc, z, MPFR_RNDN);
        mpfr_mul(exact, ma, mb, MPFR_RNDN);          /* exact: 106 bits */
        mpfr_add(exact, exact, mc, MPFR_RNDN);       /* exact: exponents within 400 bits */
        double want = mpfr_get_d(exact, MPFR_RNDN);
        CHECK(fr_fma(x, y, z) == want, "fr_fma(%a, %a, %a) = %a, want %a", x, y, z,
              fr_fma(x, y, z), want);

        double err = 0.0, sum = fr_two_sum(x, z, &err);
        mpfr_add(exact, ma, mc, MPFR_RNDN);
        mpfr_sub_d(exact, exact, sum, MPFR_RNDN);
        mpfr_sub_d(exact, exact, err, MPFR_RNDN);
        CHECK(mpfr_zero_p(exact) && sum == x + z, "fr_two_sum(%a, %a) not exact", x, z);
    }
    mpfr_clears(ma, mb, mc, exact, (mpfr_ptr)0);

    CHECK(isnan(fr_max(NAN, 1.0)) && isnan(fr_max(1.0, NAN)) && isnan(fr_max(NAN, -INFINITY)),
          "fr_max drops a NaN");
    CHECK(fr_max(-INFINITY, 2.0) == 2.0 && fr_max(3.0, 2.0) == 3.0, "fr_max");
    CHECK(fr_neg_inf() == -INFINITY, "fr_neg_inf");
}

int main(int argc, char **argv)
{
    uint64_t seed = seed_from_args(argc, argv, 0x9e1f7a0c2dull, "test_prims");
    rng r = {seed};
    mpfr_inits2(PREC, g_exact, g_got, g_diff, g_two1024, (mpfr_ptr)0);
    mpfr_set_ui_2exp(g_two1024, 1, 1024, MPFR_RNDN);

    check_table();
    stats se = {"exp", 0, 0, 0, 0}, sl = {"log", 0, 0, 0, 0};
    exp_points(&r, &se);
    log_points(&r, &sl);
    check_fma_and_friends(&r);

    stats *sub = &g_exp_subnormal;
    printf("test_prims: exp on %zu points with normal results: max %.4f ulp (at %a), "
           "mean %.4f ulp\n", se.n, se.max, se.worst_x, se.sum / (double)se.n);
    printf("test_prims: exp on %zu points with subnormal results: max %.4f ulp (at %a), "
           "mean %.4f ulp\n", sub->n, sub->max, sub->worst_x, sub->sum / (double)sub->n);
    printf("test_prims: log on %zu points: max %.4f ulp (at %a), mean %.4f ulp\n", sl.n, sl.max,
           sl.worst_x, sl.sum / (double)sl.n);
    mpfr_clears(g_exact, g_got, g_diff, g_two1024, (mpfr_ptr)0);
    mpfr_free_cache();
    return finish("test_prims");
}
