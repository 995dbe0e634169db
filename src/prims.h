/* Floating-point primitives of flashref: the only place where the algorithms
 * do floating-point arithmetic.
 *
 * Why one header: the C reference (gcc, -ffp-contract=off) and the CUDA mirror
 * kernel (nvcc, -fmad=false) compile this same source, so both perform the
 * same IEEE-754 double operations in the same order and agree bit for bit.
 * Each primitive is one correctly rounded operation, except fr_exp and fr_log,
 * which are faithful (error < 1 ulp; tests/test_prims.c measures them against
 * MPFR). From libm they use only fma (one rounding, the same on the host and
 * the device); scaling by powers of two and splitting off the exponent are
 * done on the IEEE-754 bits below, exactly as ldexp and frexp would, so that
 * their contracts are ours rather than the C library's.
 */
#ifndef FLASHREF_PRIMS_H
#define FLASHREF_PRIMS_H

#include <math.h>
#include <stdint.h>
#include "exp2_table.h"
#include "real_model.h"

#ifdef __CUDACC__
#define FR_PRIM __host__ __device__ static inline
#else
#define FR_PRIM static inline
#endif

#ifdef __FRAMAC__
/* Frama-C's libc declares fma without a contract. Assumed: fma changes no
 * program state. glibc's fma has no errno wrapper ("These functions do not
 * set errno", fma(3)) and CUDA's fma is one DFMA instruction. */
/*@ assigns \result \from x, y, z;
    FR_REAL(ensures exact: \result == x * y + z;) */
extern double fma(double x, double y, double z);
#endif

/*@ assigns \nothing; ensures \result == (double)x; */
FR_PRIM double fr_widen(float x) { return (double)x; }

/*@ assigns \nothing; FR_REAL(ensures exact: \result == a + b;) */
FR_PRIM double fr_add(double a, double b) { return a + b; }

/*@ assigns \nothing; FR_REAL(ensures exact: \result == a - b;) */
FR_PRIM double fr_sub(double a, double b) { return a - b; }

/*@ assigns \nothing; FR_REAL(ensures exact: \result == a * b;) */
FR_PRIM double fr_mul(double a, double b) { return a * b; }

/*@ assigns \nothing; FR_REAL(ensures exact: b != 0 ==> \result == a / b;) */
FR_PRIM double fr_div(double a, double b) { return a / b; }

/* a*b + c with one rounding. */
/*@ assigns \nothing; FR_REAL(ensures exact: \result == a * b + c;) */
FR_PRIM double fr_fma(double a, double b, double c) { return fma(a, b, c); }

/* The larger of a and b; NaN if either is NaN (so NaN scores poison the row
 * deterministically instead of being skipped). */
/*@ assigns \nothing; FR_REAL(ensures larger: \result == Larger(a, b);) */
FR_PRIM double fr_max(double a, double b)
{
    if (a != a) return a;
    if (b != b) return b;
    return a > b ? a : b;
}

/* The point a row's scores are shifted by before exp: its running max m,
 * except that a max of -inf (every score so far is -inf) shifts by 0, so the
 * weights come out exp(-inf - 0) = 0 instead of exp(-inf - (-inf)) = NaN.
 * Equal to m for every other m. */
#if defined(__FRAMAC__) && defined(FLASHREF_REAL_MODEL)
/* Real model: no double is -inf, so the shift point is m itself (trust
 * base, spec/TrustBase.acsl item 6). */
/*@ assigns \nothing; ensures identity: \result == m; */
double fr_shift_point(double m);
#else
/*@ assigns \nothing; */
FR_PRIM double fr_shift_point(double m) { return m == -HUGE_VAL ? 0.0 : m; }
#endif

/* -inf, the LSE of a row with no visible key. */
#if defined(__FRAMAC__) && defined(FLASHREF_REAL_MODEL)
/* Real model: -inf is the opaque MinusInfinity of spec/Attention.acsl
 * (trust base, spec/TrustBase.acsl item 6b). */
/*@ assigns \nothing; ensures minus_infinity: \result == MinusInfinity; */
double fr_neg_inf(void);
#else
/*@ assigns \nothing; */
FR_PRIM double fr_neg_inf(void) { return -HUGE_VAL; }
#endif

/* Reinterprets a double's bits (union punning: defined in C11, and what nvcc
 * compiles for the device as well). */
typedef union {
    uint64_t u;
    double d;
} fr_double_bits;

#define FR_EXPONENT_MASK UINT64_C(0x7ff0000000000000)
#define FR_HALF_EXPONENT UINT64_C(0x3fe0000000000000)   /* exponent bits of [1/2, 1) */

/* 2^e, exactly: a normal double is built from its biased exponent. */
/*@ requires range: -1022 <= e <= 1023;
    assigns \nothing; */
FR_PRIM double fr_pow2(int e)
{
    fr_double_bits b;
    b.u = (uint64_t)(e + 1023) << 52;
    return b.d;
}

/* ldexp(y, e) for y = 0, +-inf, NaN or |y| >= 2^-944 (fr_exp passes y in
 * [1/2, 2)). Multiplying by an exact power of two rounds at most once, so the
 * first factor is chosen to keep the intermediate product exact (normal, or
 * overflowing only when y*2^e overflows too) and only the last one rounds:
 * the result is y*2^e correctly rounded, as ldexp's, in the subnormal and the
 * overflow range as well. */
/*@ requires range: -1100 <= e <= 1100;
    assigns \nothing; */
FR_PRIM double fr_ldexp(double y, int e)
{
    if (e > 1023) return (y * fr_pow2(e - 1023)) * fr_pow2(1023);
    if (e < -1022) return (y * fr_pow2(e + 1022)) * fr_pow2(-1022);
    return y * fr_pow2(e);
}

/* The bit-level helpers of fr_log below are proved in the run-time-error
 * pass; the real model cannot follow union punning, so there fr_log is
 * only declared, with the contract of the trust base. */
#if !(defined(__FRAMAC__) && defined(FLASHREF_REAL_MODEL))
/* frexp(x, e) for finite x != 0: x = m * 2^*e with 1/2 <= |m| < 1, exact.
 * A subnormal x is first scaled by 2^54 (exact) to make it normal. The
 * contract's range holds for x = 0, inf and NaN too, though there the result
 * is not frexp's. */
/*@ requires \valid(e);
    assigns *e;
    ensures range: -1076 <= *e <= 1025; */
FR_PRIM double fr_frexp(double x, int *e)
{
    fr_double_bits b;
    int shift = 0;
    b.d = x;
    if ((b.u & FR_EXPONENT_MASK) == 0) {
        b.d = x * 0x1p54;
        shift = 54;
    }
    /* % rather than &: the same bits, in a form whose bound the provers see */
    *e = (int)((b.u >> 52) % 2048) - 1022 - shift;
    b.u = (b.u & ~FR_EXPONENT_MASK) | FR_HALF_EXPONENT;
    return b.d;
}

#endif

/* exp(x), faithful.
 * x = k*ln2/64 + r with |r| <= ln2/128, k = 64e + j; exp(x) = 2^e * 2^(j/64) * exp(r).
 * 2^(j/64) comes from a double-double table, exp(r) from its Taylor series to r^6
 * (truncation < 3e-20), so before the final addition the error is under 2^-59
 * and the result is within 0.52 ulp; fr_ldexp scales exactly (one rounding
 * only for subnormal results). */
#define FR_EXP_OVERFLOW_X  0x1.62e42fefa39efp+9   /* RN(log(DBL_MAX)), below it */
#define FR_EXP_UNDERFLOW_X -0x1.74910d52d3052p+9  /* below log(2^-1075): result rounds to 0 */
#define FR_64_OVER_LN2     0x1.71547652b82fep+6
#define FR_LN2_OVER_64_HI  0x1.62e42fefa39efp-7
#define FR_LN2_OVER_64_LO  0x1.abc9e3b39803fp-62
#define FR_ROUND_SHIFT     0x1.8p52               /* adding and subtracting rounds to an integer */
#define FR_EXP_K_LIMIT     70000                  /* |k| < 68804 on [UNDERFLOW_X, OVERFLOW_X] */

#ifdef __CUDACC__
__device__ static const double fr_exp2_table_device[128] = { FR_EXP2_TABLE_VALUES };
#endif
static const double fr_exp2_table_host[128] = { FR_EXP2_TABLE_VALUES };

/* (int)kd for kd = t - FR_ROUND_SHIFT in fr_exp, read from t's bits instead
 * of converted: for fr_exp's admitted x, t lies in [2^52, 2^53), where
 * consecutive doubles are consecutive integers, so the bit patterns of t and
 * FR_ROUND_SHIFT differ by exactly kd. The SMT provers used for the
 * run-time-error proof do not manage the bound on a double that (int)kd
 * needs; on integers it is immediate. The clamp never acts on the admitted
 * range (|kd| < 68804) and bounds k, hence j and e, for that proof. */
/*@ assigns \nothing;
    ensures range: -70000 <= \result <= 70000;   // FR_EXP_K_LIMIT
*/
FR_PRIM int fr_exp_k(double t)
{
    fr_double_bits b, shift;
    b.d = t;
    shift.d = FR_ROUND_SHIFT;
    if (b.u >= shift.u) {
        uint64_t d = b.u - shift.u;
        return d <= FR_EXP_K_LIMIT ? (int)d : FR_EXP_K_LIMIT;
    }
    uint64_t d = shift.u - b.u;
    return d <= FR_EXP_K_LIMIT ? -(int)d : -FR_EXP_K_LIMIT;
}

/*@ requires index: 0 <= i < 128; assigns \nothing; */
FR_PRIM double fr_exp2_table(int i)
{
#ifdef __CUDA_ARCH__
    return fr_exp2_table_device[i];
#else
    return fr_exp2_table_host[i];
#endif
}

#if defined(__FRAMAC__) && defined(FLASHREF_REAL_MODEL)
/* Real model: fr_exp is exp (trust base, spec/TrustBase.acsl item 6; its
 * rounding error is bounded and tested in tests/test_prims.c). */
/*@ assigns \nothing; ensures exact: \result == Exp(x); */
double fr_exp(double x);
#else
/*@ assigns \nothing; */
FR_PRIM double fr_exp(double x)
{
    if (x != x) return x;
    if (x > FR_EXP_OVERFLOW_X) return HUGE_VAL;
    if (x < FR_EXP_UNDERFLOW_X) return 0.0;
    double t = x * FR_64_OVER_LN2 + FR_ROUND_SHIFT;
    double kd = t - FR_ROUND_SHIFT;
    int k = fr_exp_k(t);
    double r = fma(-kd, FR_LN2_OVER_64_HI, x);
    r = fma(-kd, FR_LN2_OVER_64_LO, r);
    int biased = k + 64 * 2048;                  /* > 0, so / and % floor */
    int j = biased % 64;
    int e = biased / 64 - 2048;
    double poly = fma(r, 1.0 / 720.0, 1.0 / 120.0);
    poly = fma(r, poly, 1.0 / 24.0);
    poly = fma(r, poly, 1.0 / 6.0);
    poly = fma(r, poly, 0.5);
    double q = fma(r * r, poly, r);               /* exp(r) - 1 */
    double t_hi = fr_exp2_table(2 * j);
    double t_lo = fr_exp2_table(2 * j + 1);
    double y = t_hi + fma(t_hi, q, t_lo);
    return fr_ldexp(y, e);
}
#endif

/* a + b = *sum + *err exactly (Knuth's TwoSum, branch-free). */
/*@ requires \valid(err); assigns *err; */
FR_PRIM double fr_two_sum(double a, double b, double *err)
{
    double s = a + b;
    double bb = s - a;
    *err = (a - (s - bb)) + (b - bb);
    return s;
}

/* log(x), faithful.
 * x = 2^e * m, m in [sqrt(1/2), sqrt(2)), f = m - 1 (exact), s = f/(2+f):
 * log(m) = f - f^2/2 + s*(f^2/2 + R(s^2)) with fdlibm's e_log.c polynomial R.
 * The large terms e*ln2_hi (exact: ln2_hi ends in 32 zero bits), f and -f^2/2
 * (split exactly by fma) are added with TwoSum, so only the final addition
 * rounds at the scale of the result: the error stays near 0.5 ulp. */
#define FR_LN2_HI     0x1.62e42feep-1
#define FR_LN2_LO     0x1.a39ef35793c76p-33
#define FR_SQRT_HALF  0x1.6a09e667f3bcdp-1
#define FR_LG1 0x1.5555555555593p-1
#define FR_LG2 0x1.999999997fa04p-2
#define FR_LG3 0x1.2492494229359p-2
#define FR_LG4 0x1.c71c51d8e78afp-3
#define FR_LG5 0x1.7466496cb03dep-3
#define FR_LG6 0x1.39a09d078c69fp-3
#define FR_LG7 0x1.2f112df3e5244p-3

#if defined(__FRAMAC__) && defined(FLASHREF_REAL_MODEL)
/* Real model: log is Log (trust base, spec/TrustBase.acsl item 6b). */
/*@ assigns \nothing;
    ensures log: x > 0 ==> \result == Log(x); */
double fr_log(double x);
#else
/*@ assigns \nothing; */
FR_PRIM double fr_log(double x)
{
    if (x != x) return x;
    if (x < 0.0) return NAN;
    if (x == 0.0) return -HUGE_VAL;
    if (x > 0x1.fffffffffffffp+1023) return x;   /* +inf */
    int e = 0;
    double m = fr_frexp(x, &e);                   /* m in [1/2, 1) */
    if (m < FR_SQRT_HALF) { m = m + m; e = e - 1; }
    double f = m - 1.0;
    double s = f / (2.0 + f);
    double z = s * s;
    double w = z * z;
    double t1 = w * fma(w, fma(w, FR_LG6, FR_LG4), FR_LG2);
    double t2 = z * fma(w, fma(w, fma(w, FR_LG7, FR_LG5), FR_LG3), FR_LG1);
    double half_f = 0.5 * f;
    double hfsq = half_f * f;
    double hfsq_lo = fma(half_f, f, -hfsq);       /* f^2/2 = hfsq + hfsq_lo exactly */
    double dk = (double)e;
    double err1 = 0.0, err2 = 0.0;
    double sum1 = fr_two_sum(dk * FR_LN2_HI, f, &err1);
    double sum2 = fr_two_sum(sum1, -hfsq, &err2);
    double tail = fma(s, hfsq + (t2 + t1), fma(dk, FR_LN2_LO, -hfsq_lo));
    return sum2 + ((err1 + err2) + tail);
}

#endif

#endif /* FLASHREF_PRIMS_H */
