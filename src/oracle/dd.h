/* Double-double arithmetic for the oracle's fast path.
 *
 * A double-double (hi, lo) stands for the real hi + lo with |lo| <= ulp(hi)/2.
 * The error bounds quoted below are those of Joldes, Muller and Popescu,
 * "Tight and rigorous error bounds for basic building blocks of double-word
 * arithmetic", ACM TOMS 44(2), 2017, with u = 2^-53, and hold in the absence
 * of underflow; the callers keep every value they rely on above 2^-969 and
 * account separately for what falls below (error-bounds.md, "The oracle").
 *
 * Everything depends on IEEE double arithmetic with round-to-nearest and no
 * contraction of a*b+c (the project compiles with -ffp-contract=off); the
 * fused operations are the explicit fma() calls. */
#ifndef FLASHREF_ORACLE_DD_H
#define FLASHREF_ORACLE_DD_H

#include <math.h>
#include <stddef.h>

typedef struct fr_dd {
    double hi, lo;
} fr_dd;

/* a + b = s + e exactly (Knuth). */
static inline double fr_dd_two_sum(double a, double b, double *e)
{
    double s = a + b;
    double bb = s - a;
    *e = (a - (s - bb)) + (b - bb);
    return s;
}

/* a + b = s + e exactly when a == 0 or exponent(a) >= exponent(b) (Dekker). */
static inline double fr_dd_fast_two_sum(double a, double b, double *e)
{
    double s = a + b;
    *e = b - (s - a);
    return s;
}

/* a * b = p + e exactly unless a*b underflows. */
static inline double fr_dd_two_prod(double a, double b, double *e)
{
    double p = a * b;
    *e = fma(a, b, -p);
    return p;
}

static inline fr_dd fr_dd_make(double hi, double lo)
{
    fr_dd r;
    r.hi = fr_dd_two_sum(hi, lo, &r.lo);
    return r;
}

/* x + y, relative error <= 3u^2/(1-4u) (AccurateDWPlusDW). */
static inline fr_dd fr_dd_add(fr_dd x, fr_dd y)
{
    double sl, tl, vl, zl;
    double sh = fr_dd_two_sum(x.hi, y.hi, &sl);
    double th = fr_dd_two_sum(x.lo, y.lo, &tl);
    double c = sl + th;
    double vh = fr_dd_fast_two_sum(sh, c, &vl);
    double w = tl + vl;
    fr_dd r;
    r.hi = fr_dd_fast_two_sum(vh, w, &zl);
    r.lo = zl;
    return r;
}

/* x + y for a double y, relative error <= 2u^2 (DWPlusFP). */
static inline fr_dd fr_dd_add_d(fr_dd x, double y)
{
    double sl;
    double sh = fr_dd_two_sum(x.hi, y, &sl);
    double v = x.lo + sl;
    fr_dd r;
    r.hi = fr_dd_fast_two_sum(sh, v, &r.lo);
    return r;
}

/* x * y for a double y, relative error <= 2u^2 (DWTimesFP3). */
static inline fr_dd fr_dd_mul_d(fr_dd x, double y)
{
    double cl1;
    double ch = fr_dd_two_prod(x.hi, y, &cl1);
    double cl3 = fma(x.lo, y, cl1);
    fr_dd r;
    r.hi = fr_dd_fast_two_sum(ch, cl3, &r.lo);
    return r;
}

/* x * y, relative error <= 5u^2 (DWTimesDW3 is proved <= 4u^2; 5u^2 leaves room). */
static inline fr_dd fr_dd_mul(fr_dd x, fr_dd y)
{
    double cl1;
    double ch = fr_dd_two_prod(x.hi, y.hi, &cl1);
    double tl0 = x.lo * y.lo;
    double tl1 = fma(x.hi, y.lo, tl0);
    double cl2 = fma(x.lo, y.hi, tl1);
    double cl3 = cl1 + cl2;
    fr_dd r;
    r.hi = fr_dd_fast_two_sum(ch, cl3, &r.lo);
    return r;
}

/* x / y, relative error <= 15u^2 + 56u^3 (DWDivDW2). */
static inline fr_dd fr_dd_div(fr_dd x, fr_dd y)
{
    double th = x.hi / y.hi;
    fr_dd r = fr_dd_mul_d(y, th);
    double pil = x.hi - r.hi;
    double dl = x.lo - r.lo;
    double d = pil + dl;
    double tl = d / y.hi;
    fr_dd z;
    z.hi = fr_dd_fast_two_sum(th, tl, &z.lo);
    return z;
}

/* The certified exponential of the fast path, for arguments t in
 * [FR_DD_EXP_MIN_ARG, 0]; fr_dd_exp_init must have run (fr_oracle does it).
 * With t given as a double-double, the result is within relative error
 * FR_DD_EXP_REL_ERR of e^(t.hi + t.lo): see fr_dd_exp in oracle_dd.c for the
 * error budget. */
#define FR_DD_EXP_MIN_ARG (-650.0)
#define FR_DD_EXP_REL_ERR 0x1p-92

void fr_dd_exp_init(void);
fr_dd fr_dd_exp(fr_dd t);

/* In place, t[j] -> e^t[j] for each j < n: t.hi == 0 gives exactly 1, and
 * t.hi < FR_DD_EXP_MIN_ARG (-inf included) gives 0; the rest as fr_dd_exp. */
void fr_dd_exp_weights(fr_dd *t, size_t n);

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__)
/* The oracle's inner loops: AVX2 + FMA where the CPU has them, chosen at load
 * time; explicit fma() calls are then single instructions. */
#define FR_DD_HOT __attribute__((target_clones("arch=x86-64-v3", "default")))
#else
#define FR_DD_HOT
#endif

#endif /* FLASHREF_ORACLE_DD_H */
