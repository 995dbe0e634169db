/* The oracle: exact scores, a certified double-double enclosure of every
 * output, MPFR to round it, and an MPFR fallback with rising precision for
 * what the enclosure cannot decide. error-bounds.md ("The oracle's own
 * enclosure") derives the bounds used here. */
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <gmp.h>
#include <mpfr.h>

#include "oracle.h"
#include "dd.h"
#include "mask.h"

__extension__ typedef __int128 fr_i128;
__extension__ typedef unsigned __int128 fr_u128;


#define U53 0x1p-53
#define U106 0x1p-106
#define RENORM_EVERY 16                 /* R in the accumulation bound */
#define DROP_BELOW (-FR_DD_EXP_MIN_ARG) /* |t| above this: weight < e^-650 < 2^-937, dropped */
#define PREC_DECIDE 192                 /* MPFR precision of the fast enclosure's rounding */
#define PREC_START 128                  /* first precision of the slow path */
#define PREC_CAP (1u << 20)             /* never reached for irrational values in practice */

/* ---- float decomposition ------------------------------------------------ */

/* x = sign * m * 2^e with m odd; returns 0 for a zero. x finite. */
static int float_split(float x, int *sign, uint32_t *m, int *e)
{
    uint32_t bits;
    memcpy(&bits, &x, sizeof bits);
    uint32_t ex = (bits >> 23) & 0xffu, frac = bits & 0x7fffffu;
    uint32_t mant = ex == 0 ? frac : (frac | 0x800000u);
    int exp = ex == 0 ? -149 : (int)ex - 150;
    if (mant == 0)
        return 0;
    while ((mant & 1u) == 0) {
        mant >>= 1;
        exp++;
    }
    *sign = (bits >> 31) ? -1 : 1;
    *m = mant;
    *e = exp;
    return 1;
}

static int bit_length32(uint32_t m)
{
    int n = 0;
    while (m) {
        n++;
        m >>= 1;
    }
    return n;
}

static int bit_length128(fr_u128 a)
{
    int n = 0;
    uint64_t hi = (uint64_t)(a >> 64), lo = (uint64_t)a;
    if (hi) {
        n = 64;
        lo = hi;
    }
    while (lo) {
        n++;
        lo >>= 1;
    }
    return n;
}

static int row_is_finite(const float *x, size_t d)
{
    for (size_t c = 0; c < d; c++) {
        if (!isfinite(x[c]))
            return 0;
    }
    return 1;
}

/* ---- per kv head ---------------------------------------------------------- */

typedef struct head_ctx {
    size_t nk, d;
    const float *k, *v;
    int64_t *kint;      /* [nk][d] k / 2^ek when the grid fits 62 bits, else unused */
    int kint_ok;
    int ek;             /* exponent of the K grid */
    int k_bits;         /* |k| < 2^(ek + k_bits) for every k of the head */
    double *vd;         /* [nk][d] */
    double *vmax;       /* [d] max |v_jc| over the head's finite values */
    size_t *bad;        /* [nk + 1]: keys < j whose k or v row is not finite */
} head_ctx;

static void head_free(head_ctx *h)
{
    free(h->kint);
    free(h->vd);
    free(h->vmax);
    free(h->bad);
    memset(h, 0, sizeof *h);
}

static fr_status head_build(head_ctx *h, const float *k, const float *v, size_t nk, size_t d)
{
    memset(h, 0, sizeof *h);
    h->nk = nk;
    h->d = d;
    h->k = k;
    h->v = v;
    h->kint = malloc(nk * d * sizeof *h->kint);
    h->vd = malloc(nk * d * sizeof *h->vd);
    h->vmax = calloc(d, sizeof *h->vmax);
    h->bad = malloc((nk + 1) * sizeof *h->bad);
    if (!h->kint || !h->vd || !h->vmax || !h->bad) {
        head_free(h);
        return FR_ERR_OUT_OF_MEMORY;
    }
    int emin = INT_MAX, etop = INT_MIN;
    h->bad[0] = 0;
    for (size_t j = 0; j < nk; j++) {
        int fin = row_is_finite(k + j * d, d) && row_is_finite(v + j * d, d);
        h->bad[j + 1] = h->bad[j] + (fin ? 0 : 1);
        for (size_t c = 0; c < d; c++) {
            float x = k[j * d + c];
            int s, e;
            uint32_t m;
            if (isfinite(x) && float_split(x, &s, &m, &e)) {
                if (e < emin)
                    emin = e;
                if (e + bit_length32(m) > etop)
                    etop = e + bit_length32(m);
            }
            double vv = (double)v[j * d + c];
            h->vd[j * d + c] = vv;
            if (isfinite(vv) && fabs(vv) > h->vmax[c])
                h->vmax[c] = fabs(vv);
        }
    }
    if (emin == INT_MAX) {
        emin = 0;
        etop = 0;
    }
    h->ek = emin;
    h->k_bits = etop - emin;
    h->kint_ok = h->k_bits <= 62;
    if (h->kint_ok) {
        for (size_t i = 0; i < nk * d; i++) {
            int s, e;
            uint32_t m;
            if (isfinite(k[i]) && float_split(k[i], &s, &m, &e))
                h->kint[i] = (int64_t)s * (int64_t)((uint64_t)m << (e - emin));
            else
                h->kint[i] = 0;
        }
    }
    return FR_OK;
}

/* ---- per worker ----------------------------------------------------------- */

typedef struct shared shared;

typedef struct key_order {
    fr_i128 key;
    size_t idx;
} key_order;

typedef struct worker {
    shared *sh;
    pthread_t thread;
    /* scratch */
    int64_t *qint;
    fr_i128 *dot;
    mpz_t *zdot;
    size_t zcount;
    fr_dd *w;          /* e^(t_j) */
    double *acc_hi, *acc_lo, *sab;
    unsigned char *undecided;   /* [d + 1]: O elements, then the LSE */
    size_t *order;     /* keys sorted by exact score */
    key_order *korder;
    size_t *group_start;
    mpz_t *cg;         /* per group sums of v (units of 2^-149) */
    size_t cg_count;
    mpfr_t *eg;        /* per group e^(t_g) */
    mpfr_t *prod;
    mpfr_ptr *prod_ptr;
    size_t eg_count;
    mpfr_t lo, hi, nlo, nhi, dlo, dhi, tmp, tmp2, mexact, tg;
    mpz_t z, z2;
    fr_oracle_stats st;
    uint64_t unresolved;
} worker;

struct shared {
    const fr_problem *p;
    const float *q;
    const head_ctx *head;
    size_t b, hk, group;       /* batch, kv head, q heads per kv head */
    const size_t *rows;
    size_t row_count;
    size_t task_count, next_task;
    pthread_mutex_t lock;
    fr_oracle_out *out;
    int slow_only;
    double progress, t_start, t_last;
    uint64_t rows_done, rows_total;
};

static void worker_free(worker *w)
{
    free(w->qint);
    free(w->dot);
    if (w->zdot) {
        for (size_t i = 0; i < w->zcount; i++)
            mpz_clear(w->zdot[i]);
        free(w->zdot);
    }
    free(w->w);
    free(w->acc_hi);
    free(w->acc_lo);
    free(w->sab);
    free(w->undecided);
    free(w->order);
    free(w->korder);
    free(w->group_start);
    if (w->cg) {
        for (size_t i = 0; i < w->cg_count; i++)
            mpz_clear(w->cg[i]);
        free(w->cg);
    }
    if (w->eg) {
        for (size_t i = 0; i < w->eg_count; i++) {
            mpfr_clear(w->eg[i]);
            mpfr_clear(w->prod[i]);
        }
        free(w->eg);
        free(w->prod);
        free(w->prod_ptr);
    }
    mpfr_clears(w->lo, w->hi, w->nlo, w->nhi, w->dlo, w->dhi, w->tmp, w->tmp2, w->mexact,
                w->tg, (mpfr_ptr)0);
    mpz_clear(w->z);
    mpz_clear(w->z2);
}

static int worker_init(worker *w, size_t nk, size_t d)
{
    memset(w, 0, sizeof *w);
    mpfr_inits2(PREC_DECIDE, w->lo, w->hi, w->nlo, w->nhi, w->dlo, w->dhi, w->tmp, w->tmp2,
                w->mexact, w->tg, (mpfr_ptr)0);
    mpz_init(w->z);
    mpz_init(w->z2);
    w->qint = malloc(d * sizeof *w->qint);
    w->dot = malloc(nk * sizeof *w->dot);
    w->w = malloc(nk * sizeof *w->w);
    w->acc_hi = malloc(d * sizeof(double));
    w->acc_lo = malloc(d * sizeof(double));
    w->sab = malloc(d * sizeof(double));
    w->undecided = malloc(d + 1);
    w->order = malloc(nk * sizeof *w->order);
    w->korder = malloc(nk * sizeof *w->korder);
    w->group_start = malloc((nk + 1) * sizeof *w->group_start);
    return w->qint && w->dot && w->w && w->acc_hi && w->acc_lo && w->sab &&
           w->undecided && w->order && w->korder && w->group_start;
}

static int worker_zdot(worker *w, size_t n)
{
    if (w->zcount >= n)
        return 1;
    mpz_t *z = realloc(w->zdot, n * sizeof *z);
    if (z == NULL)
        return 0;
    w->zdot = z;
    for (size_t i = w->zcount; i < n; i++)
        mpz_init(w->zdot[i]);
    w->zcount = n;
    return 1;
}

static int worker_groups(worker *w, size_t g)
{
    if (w->cg_count < g) {
        mpz_t *c = realloc(w->cg, g * sizeof *c);
        if (c == NULL)
            return 0;
        w->cg = c;
        for (size_t i = w->cg_count; i < g; i++)
            mpz_init(w->cg[i]);
        w->cg_count = g;
    }
    if (w->eg_count < g) {
        mpfr_t *e = realloc(w->eg, g * sizeof *e);
        if (e == NULL)
            return 0;
        w->eg = e;
        mpfr_t *pr = realloc(w->prod, g * sizeof *pr);
        if (pr == NULL)
            return 0;
        w->prod = pr;
        mpfr_ptr *pp = realloc(w->prod_ptr, g * sizeof *pp);
        if (pp == NULL)
            return 0;
        w->prod_ptr = pp;
        for (size_t i = w->eg_count; i < g; i++) {
            mpfr_init2(w->eg[i], PREC_START);
            mpfr_init2(w->prod[i], PREC_START);
        }
        w->eg_count = g;
    }
    return 1;
}

/* ---- exact scores ----------------------------------------------------------- */

static void i128_to_mpz(mpz_t z, fr_i128 a)
{
    fr_u128 m = a < 0 ? (fr_u128)0 - (fr_u128)a : (fr_u128)a;
    mpz_set_ui(z, (unsigned long)(uint64_t)(m >> 64));
    mpz_mul_2exp(z, z, 64);
    mpz_add_ui(z, z, (unsigned long)(uint64_t)m);
    if (a < 0)
        mpz_neg(z, z);
}

/* |a| as mant * 2^shift with mant a normalized double-double, relative error
 * <= 2^-105 (the top 53 bits exactly, then the next 53 bits truncated). */
static fr_dd u128_to_dd(fr_u128 a, int *shift)
{
    fr_dd r = { 0.0, 0.0 };
    int nb = bit_length128(a);
    if (nb <= 53) {
        *shift = 0;
        r.hi = (double)(uint64_t)a;
        return r;
    }
    int s = nb - 53;
    fr_u128 top = a >> s;
    fr_u128 rem = a - (top << s);
    int nr = bit_length128(rem);
    int s2 = nr > 53 ? nr - 53 : 0;
    double lo = ldexp((double)(uint64_t)(rem >> s2), s2 - s);
    r.hi = fr_dd_fast_two_sum((double)(uint64_t)top, lo, &r.lo);
    *shift = s;
    return r;
}

static fr_dd mpz_to_dd(const mpz_t a, mpz_t tmp, int *shift)
{
    fr_dd r = { 0.0, 0.0 };
    size_t nb = mpz_sgn(a) == 0 ? 0 : mpz_sizeinbase(a, 2);
    if (nb <= 53) {
        *shift = 0;
        r.hi = fabs(mpz_get_d(a));
        return r;
    }
    int s = (int)nb - 53;
    mpz_abs(tmp, a);
    mpz_tdiv_q_2exp(tmp, tmp, (mp_bitcnt_t)s);
    double top = mpz_get_d(tmp);
    mpz_abs(tmp, a);
    mpz_tdiv_r_2exp(tmp, tmp, (mp_bitcnt_t)s);
    size_t nr = mpz_sgn(tmp) == 0 ? 0 : mpz_sizeinbase(tmp, 2);
    int s2 = nr > 53 ? (int)nr - 53 : 0;
    mpz_tdiv_q_2exp(tmp, tmp, (mp_bitcnt_t)s2);
    double lo = ldexp(mpz_get_d(tmp), s2 - s);
    r.hi = fr_dd_fast_two_sum(top, lo, &r.lo);
    *shift = s;
    return r;
}

/* What a row needs to know about its exact scores
 * s_j = scale * dot_j * 2^e, dot_j integers. */
typedef struct row_scores {
    int wide;           /* dots in w->zdot (GMP) rather than w->dot */
    int e;              /* exponent of the score grid */
    size_t ref;         /* a key with the largest score */
} row_scores;

static int cmp_key_order(const void *a, const void *b)
{
    const key_order *x = a, *y = b;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    return x->idx < y->idx ? -1 : (x->idx > y->idx);
}

/* qsort has no context argument: the scores being sorted, per thread. */
static _Thread_local mpz_t *t_sort_z;

static int cmp_mpz_index(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    int c = mpz_cmp(t_sort_z[x], t_sort_z[y]);
    if (c != 0)
        return c;
    return x < y ? -1 : (x > y);
}

/* Exact dots of row q against the visible keys 0..n-1. */
static int compute_scores(worker *w, const head_ctx *h, const float *q, size_t n, double scale,
                          row_scores *rs)
{
    size_t d = h->d;
    int qmin = INT_MAX, qtop = INT_MIN;
    for (size_t c = 0; c < d; c++) {
        int s, e;
        uint32_t m;
        if (float_split(q[c], &s, &m, &e)) {
            if (e < qmin)
                qmin = e;
            if (e + bit_length32(m) > qtop)
                qtop = e + bit_length32(m);
        }
    }
    if (qmin == INT_MAX) {
        qmin = 0;
        qtop = 0;
    }
    int q_bits = qtop - qmin;
    int log_d = 0;
    while (((size_t)1 << log_d) < d)
        log_d++;
    rs->e = qmin + h->ek;
    rs->wide = !(h->kint_ok && q_bits <= 62 && q_bits + h->k_bits + log_d + 2 <= 126);
    if (!rs->wide) {
        for (size_t c = 0; c < d; c++) {
            int s, e;
            uint32_t m;
            w->qint[c] = float_split(q[c], &s, &m, &e)
                             ? (int64_t)s * (int64_t)((uint64_t)m << (e - qmin))
                             : 0;
        }
        for (size_t j = 0; j < n; j++) {
            const int64_t *kr = h->kint + j * d;
            fr_i128 acc = 0;
            for (size_t c = 0; c < d; c++)
                acc += (fr_i128)w->qint[c] * kr[c];
            w->dot[j] = acc;
        }
    } else {
        if (!worker_zdot(w, n))
            return 0;
        for (size_t j = 0; j < n; j++) {
            mpz_set_ui(w->zdot[j], 0);
            const float *kr = h->k + j * d;
            for (size_t c = 0; c < d; c++) {
                int s1, e1, s2, e2;
                uint32_t m1, m2;
                if (!float_split(q[c], &s1, &m1, &e1) || !float_split(kr[c], &s2, &m2, &e2))
                    continue;
                mpz_set_ui(w->z, (unsigned long)((uint64_t)m1 * m2));
                mpz_mul_2exp(w->z, w->z, (mp_bitcnt_t)(e1 + e2 - rs->e));
                if (s1 * s2 > 0)
                    mpz_add(w->zdot[j], w->zdot[j], w->z);
                else
                    mpz_sub(w->zdot[j], w->zdot[j], w->z);
            }
        }
    }
    /* the largest score: the largest dot for scale > 0, the smallest for < 0 */
    size_t ref = 0;
    if (scale != 0.0) {
        for (size_t j = 1; j < n; j++) {
            int c = rs->wide ? mpz_cmp(w->zdot[j], w->zdot[ref])
                             : (w->dot[j] > w->dot[ref]) - (w->dot[j] < w->dot[ref]);
            if ((scale > 0 && c > 0) || (scale < 0 && c < 0))
                ref = j;
        }
    }
    rs->ref = ref;
    return 1;
}

/* |dot_j - dot_ref| as mant * 2^shift; zero when scale == 0 (all scores tie). */
static fr_dd delta_dd(worker *w, const row_scores *rs, size_t j, double scale, int *shift)
{
    if (scale == 0.0) {
        fr_dd z = { 0.0, 0.0 };
        *shift = 0;
        return z;
    }
    if (!rs->wide) {
        fr_i128 dl = w->dot[j] - w->dot[rs->ref];
        fr_u128 a = dl < 0 ? (fr_u128)0 - (fr_u128)dl : (fr_u128)dl;
        return u128_to_dd(a, shift);
    }
    mpz_sub(w->z2, w->zdot[j], w->zdot[rs->ref]);
    return mpz_to_dd(w->z2, w->z, shift);
}

/* dot_j - dot_ref exactly, into z. */
static void delta_mpz(worker *w, const row_scores *rs, size_t j, mpz_t z)
{
    if (!rs->wide) {
        i128_to_mpz(z, w->dot[j] - w->dot[rs->ref]);
    } else {
        mpz_sub(z, w->zdot[j], w->zdot[rs->ref]);
    }
}

/* t = scale * dlt * 2^e exactly (dlt in z); sets the precision of t. */
static void exact_t(mpfr_t t, const mpz_t dlt, double scale, int e)
{
    size_t nb = mpz_sgn(dlt) == 0 ? 1 : mpz_sizeinbase(dlt, 2);
    mpfr_set_prec(t, (mpfr_prec_t)(nb + 64));
    mpfr_set_z(t, dlt, MPFR_RNDN);
    mpfr_mul_d(t, t, scale, MPFR_RNDN);
    mpfr_mul_2si(t, t, e, MPFR_RNDN);
}

/* ---- the P V accumulation ------------------------------------------------- */

/* acc += sum_j w_j v_j in double-double, per column; sab += sum_j w_j.hi |v_j|.
 * Error (error-bounds.md): <= 1.01 u^2 (n (R + 2) + 4) sum_j |w_j v_jc|,
 * R = RENORM_EVERY, plus underflow. */
FR_DD_HOT static void accumulate(size_t n, size_t d, const fr_dd *wt, const double *v,
                              double *hi, double *lo, double *sab)
{
    size_t since = 0;
    for (size_t j = 0; j < n; j++) {
        double ph = wt[j].hi, pl = wt[j].lo;
        if (ph == 0.0)
            continue;
        const double *vr = v + j * d;
        for (size_t c = 0; c < d; c++) {
            double x = ph * vr[c];
            double xe = fma(ph, vr[c], -x);
            double y = pl * vr[c];
            double a = hi[c];
            double s = a + x;
            double bb = s - a;
            double se = (a - (s - bb)) + (x - bb);
            lo[c] = lo[c] + (se + (xe + y));
            hi[c] = s;
            sab[c] = fma(ph, fabs(vr[c]), sab[c]);
        }
        if (++since == RENORM_EVERY) {
            since = 0;
            for (size_t c = 0; c < d; c++) {
                double a = hi[c], b = lo[c];
                double s = a + b;
                double bb = s - a;
                lo[c] = (a - (s - bb)) + (b - bb);
                hi[c] = s;
            }
        }
    }
    for (size_t c = 0; c < d; c++) {
        double a = hi[c], b = lo[c];
        double s = a + b;
        double bb = s - a;
        lo[c] = (a - (s - bb)) + (b - bb);
        hi[c] = s;
    }
}

/* ---- rounding an enclosure ---------------------------------------------- */

/* If every real in [lo, hi] rounds to the same double and the same float
 * (round to nearest even is monotone, so checking the ends suffices), stores
 * them and returns 1. */
static int round_interval(mpfr_t lo, mpfr_t hi, double *o64, float *o32)
{
    double a = mpfr_get_d(lo, MPFR_RNDN), b = mpfr_get_d(hi, MPFR_RNDN);
    if (!(a == b))
        return 0;
    float fa = mpfr_get_flt(lo, MPFR_RNDN), fb = mpfr_get_flt(hi, MPFR_RNDN);
    if (!(fa == fb))
        return 0;
    *o64 = a == 0.0 ? 0.0 : a;
    *o32 = fa == 0.0f ? 0.0f : fa;
    return 1;
}

/* exact - o64 from the centre of [lo, hi]. */
static double residual(mpfr_t lo, mpfr_t hi, double o64, mpfr_t tmp)
{
    if (isinf(o64))
        return 0.0;
    mpfr_set_prec(tmp, mpfr_get_prec(lo) + 64);
    mpfr_add(tmp, lo, hi, MPFR_RNDN);
    mpfr_div_2ui(tmp, tmp, 1, MPFR_RNDN);
    mpfr_sub_d(tmp, tmp, o64, MPFR_RNDN);
    return mpfr_get_d(tmp, MPFR_RNDN);
}

/* [nlo, nhi] / [dlo, dhi] with 0 < dlo, outward, into [lo, hi]. */
static void interval_div(mpfr_t lo, mpfr_t hi, mpfr_t nlo, mpfr_t nhi, mpfr_t dlo, mpfr_t dhi)
{
    mpfr_div(lo, nlo, mpfr_sgn(nlo) >= 0 ? dhi : dlo, MPFR_RNDD);
    mpfr_div(hi, nhi, mpfr_sgn(nhi) >= 0 ? dlo : dhi, MPFR_RNDU);
}

/* ---- one row ------------------------------------------------------------------ */

typedef struct row_out {
    double *o64, *o_res;
    float *o32;
    double lse64, lse_res;
    float lse32;
} row_out;

/* m = scale * dot_ref * 2^e exactly, into w->mexact. */
static void exact_m(worker *w, const row_scores *rs, double scale)
{
    if (rs->wide)
        mpz_set(w->z2, w->zdot[rs->ref]);
    else
        i128_to_mpz(w->z2, w->dot[rs->ref]);
    exact_t(w->mexact, w->z2, scale, rs->e);
}

/* The fast enclosure: weights, P V, and the rounding of each output.
 * Marks what it could not decide in w->undecided. Returns how many. */
static size_t fast_row(worker *w, const head_ctx *h, size_t n, double scale,
                       const row_scores *rs, row_out *ro)
{
    size_t d = h->d;
    int se = 0;
    double sm = fabs(frexp(scale, &se));   /* |scale| = sm * 2^se, sm in [1/2, 1) */
    size_t dropped = 0;
    for (size_t j = 0; j < n; j++) {
        int shift = 0;
        fr_dd a = delta_dd(w, rs, j, scale, &shift);
        fr_dd t = { 0.0, 0.0 };
        if (a.hi != 0.0) {
            t = fr_dd_mul_d(a, sm);
            long tot = (long)shift + se + rs->e;
            if ((long)ilogb(t.hi) + tot >= 10) {   /* |t| >= 1024 */
                t.hi = -HUGE_VAL;
            } else {
                if (tot < -2000)
                    tot = -2000;
                t.hi = -ldexp(t.hi, (int)tot);
                t.lo = -ldexp(t.lo, (int)tot);
            }
            if (t.hi < -DROP_BELOW)
                dropped++;
        }
        w->w[j] = t;          /* t = s_j - m <= 0, turned into e^t below */
    }
    fr_dd_exp_weights(w->w, n);
    for (size_t c = 0; c < d; c++) {
        w->acc_hi[c] = 0.0;
        w->acc_lo[c] = 0.0;
        w->sab[c] = 0.0;
    }
    accumulate(n, d, w->w, h->vd, w->acc_hi, w->acc_lo, w->sab);
    fr_dd den = { 0.0, 0.0 };
    for (size_t j = 0; j < n; j++) {
        if (w->w[j].hi != 0.0)
            den = fr_dd_add(den, w->w[j]);
    }

    double nn = (double)n;
    double eps = FR_DD_EXP_REL_ERR;
    double under = nn * 0x1p-1071;
    double e_den = (eps + 3.01 * U106 * nn) * den.hi * (1.0 + 0x1p-40) +
                   (double)dropped * 0x1p-937 + under;
    /* D >= 1 (the reference key's weight is exactly 1), so dlo > 0 */
    mpfr_set_d(w->dlo, den.hi, MPFR_RNDN);
    mpfr_add_d(w->dlo, w->dlo, den.lo, MPFR_RNDN);
    mpfr_set(w->dhi, w->dlo, MPFR_RNDN);
    mpfr_sub_d(w->dlo, w->dlo, e_den, MPFR_RNDD);
    mpfr_add_d(w->dhi, w->dhi, e_den, MPFR_RNDU);

    size_t undecided = 0;
    double acc_factor = eps + 1.01 * U106 * (nn * (RENORM_EVERY + 2) + 4);
    for (size_t c = 0; c < d; c++) {
        double s_up = w->sab[c] * (1.0 + (nn + 4) * 0x1p-52);
        double e_num = acc_factor * s_up * (1.0 + 0x1p-40) +
                       (double)dropped * 0x1p-937 * h->vmax[c] + under;
        mpfr_set_d(w->nlo, w->acc_hi[c], MPFR_RNDN);
        mpfr_add_d(w->nlo, w->nlo, w->acc_lo[c], MPFR_RNDN);
        mpfr_set(w->nhi, w->nlo, MPFR_RNDN);
        mpfr_sub_d(w->nlo, w->nlo, e_num, MPFR_RNDD);
        mpfr_add_d(w->nhi, w->nhi, e_num, MPFR_RNDU);
        interval_div(w->lo, w->hi, w->nlo, w->nhi, w->dlo, w->dhi);
        double o64;
        float o32;
        if (!w->sh->slow_only && round_interval(w->lo, w->hi, &o64, &o32)) {
            w->undecided[c] = 0;
            if (ro->o64)
                ro->o64[c] = o64;
            if (ro->o32)
                ro->o32[c] = o32;
            if (ro->o_res)
                ro->o_res[c] = residual(w->lo, w->hi, o64, w->tmp);
            w->st.fast_outputs++;
        } else {
            w->undecided[c] = 1;
            undecided++;
        }
    }
    /* LSE = m + log D */
    exact_m(w, rs, scale);
    mpfr_log(w->lo, w->dlo, MPFR_RNDD);
    mpfr_log(w->hi, w->dhi, MPFR_RNDU);
    mpfr_add(w->lo, w->lo, w->mexact, MPFR_RNDD);
    mpfr_add(w->hi, w->hi, w->mexact, MPFR_RNDU);
    if (!w->sh->slow_only && round_interval(w->lo, w->hi, &ro->lse64, &ro->lse32)) {
        w->undecided[d] = 0;
        ro->lse_res = residual(w->lo, w->hi, ro->lse64, w->tmp);
        w->st.fast_outputs++;
    } else {
        w->undecided[d] = 1;
        undecided++;
    }
    return undecided;
}

/* v_jc as an integer multiple of 2^-149, added to z. */
static void add_float_scaled(mpz_t z, float x, mpz_t tmp)
{
    int s, e;
    uint32_t m;
    if (!float_split(x, &s, &m, &e))
        return;
    mpz_set_ui(tmp, m);
    mpz_mul_2exp(tmp, tmp, (mp_bitcnt_t)(e + 149));
    if (s > 0)
        mpz_add(z, z, tmp);
    else
        mpz_sub(z, z, tmp);
}

/* Keys grouped by exact score: w->order[group_start[g] .. group_start[g+1]).
 * With scale == 0 every score is 0: one group, whatever the dots. */
static size_t make_groups(worker *w, const row_scores *rs, size_t n, double scale)
{
    if (scale == 0.0) {
        for (size_t j = 0; j < n; j++)
            w->order[j] = j;
        w->group_start[0] = 0;
        w->group_start[1] = n;
        return 1;
    }
    if (!rs->wide) {
        for (size_t j = 0; j < n; j++) {
            w->korder[j].key = w->dot[j];
            w->korder[j].idx = j;
        }
        qsort(w->korder, n, sizeof *w->korder, cmp_key_order);
        for (size_t j = 0; j < n; j++)
            w->order[j] = w->korder[j].idx;
    } else {
        for (size_t j = 0; j < n; j++)
            w->order[j] = j;
        t_sort_z = w->zdot;
        qsort(w->order, n, sizeof *w->order, cmp_mpz_index);
    }
    size_t g = 0;
    for (size_t j = 0; j < n; j++) {
        int same = 0;
        if (j > 0) {
            size_t a = w->order[j - 1], b = w->order[j];
            same = rs->wide ? mpz_cmp(w->zdot[a], w->zdot[b]) == 0 : w->dot[a] == w->dot[b];
        }
        if (!same)
            w->group_start[g++] = j;
    }
    w->group_start[g] = n;
    return g;
}

/* Rounds the rational c / wgt (c in units of 2^-149) correctly. */
static void round_rational(worker *w, const mpz_t c, unsigned long wgt, double *o64, float *o32,
                           double *res)
{
    size_t nb = mpz_sgn(c) == 0 ? 1 : mpz_sizeinbase(c, 2);
    mpfr_set_prec(w->tmp2, (mpfr_prec_t)(nb + 8));
    mpfr_set_z_2exp(w->tmp2, c, -149, MPFR_RNDN);        /* exact */
    for (mpfr_prec_t prec = (mpfr_prec_t)(nb + 64);; prec *= 2) {
        mpfr_set_prec(w->lo, prec);
        mpfr_set_prec(w->hi, prec);
        int t = mpfr_div_ui(w->lo, w->tmp2, wgt, MPFR_RNDD);
        mpfr_div_ui(w->hi, w->tmp2, wgt, MPFR_RNDU);
        if (t == 0) {       /* exactly representable: round it directly */
            *o64 = mpfr_get_d(w->lo, MPFR_RNDN);
            *o32 = mpfr_get_flt(w->lo, MPFR_RNDN);
            if (*o64 == 0.0)
                *o64 = 0.0;
            if (*o32 == 0.0f)
                *o32 = 0.0f;
            *res = residual(w->lo, w->lo, *o64, w->tmp);
            break;
        }
        if (round_interval(w->lo, w->hi, o64, o32)) {
            *res = residual(w->lo, w->hi, *o64, w->tmp);
            break;
        }
    }
    mpfr_set_prec(w->lo, PREC_DECIDE);
    mpfr_set_prec(w->hi, PREC_DECIDE);
}

/* The slow path: MPFR with rising precision for the undecided outputs. */
static int slow_row(worker *w, const head_ctx *h, size_t n, double scale, const row_scores *rs,
                    row_out *ro)
{
    size_t d = h->d;
    size_t g = make_groups(w, rs, n, scale);
    if (!worker_groups(w, g))
        return 0;
    /* Rational outputs first: they need no exponential. */
    size_t pending = 0;
    unsigned char *todo = w->undecided;
    for (size_t c = 0; c <= d; c++) {
        if (!todo[c])
            continue;
        w->st.slow_outputs++;
        if (c == d) {
            if (g == 1 && n == 1) {     /* LSE = m exactly */
                exact_m(w, rs, scale);
                ro->lse64 = mpfr_get_d(w->mexact, MPFR_RNDN);
                ro->lse32 = mpfr_get_flt(w->mexact, MPFR_RNDN);
                ro->lse_res = residual(w->mexact, w->mexact, ro->lse64, w->tmp);
                w->st.rational_outputs++;
                todo[c] = 0;
            } else {
                pending++;
            }
            continue;
        }
        for (size_t gi = 0; gi < g; gi++) {
            mpz_set_ui(w->cg[gi], 0);
            for (size_t t = w->group_start[gi]; t < w->group_start[gi + 1]; t++)
                add_float_scaled(w->cg[gi], h->v[w->order[t] * d + c], w->z);
        }
        /* rational iff c_g / w_g is the same for every group (Lindemann-Weierstrass) */
        unsigned long w0 = (unsigned long)(w->group_start[1] - w->group_start[0]);
        int rational = 1;
        for (size_t gi = 1; gi < g && rational; gi++) {
            unsigned long wg = (unsigned long)(w->group_start[gi + 1] - w->group_start[gi]);
            mpz_mul_ui(w->z, w->cg[gi], w0);
            mpz_mul_ui(w->z2, w->cg[0], wg);
            rational = mpz_cmp(w->z, w->z2) == 0;
        }
        if (rational) {
            double o64, res;
            float o32;
            round_rational(w, w->cg[0], w0, &o64, &o32, &res);
            if (ro->o64)
                ro->o64[c] = o64;
            if (ro->o32)
                ro->o32[c] = o32;
            if (ro->o_res)
                ro->o_res[c] = res;
            w->st.rational_outputs++;
            todo[c] = 0;
        } else {
            pending++;
        }
    }
    if (pending == 0)
        return 1;

    exact_m(w, rs, scale);
    for (mpfr_prec_t prec = PREC_START; pending > 0; prec *= 2) {
        if ((unsigned)prec > w->st.max_precision)
            w->st.max_precision = (unsigned)prec;
        if ((unsigned long)prec > PREC_CAP) {
            for (size_t c = 0; c <= d; c++) {
                if (!todo[c])
                    continue;
                w->unresolved++;
                if (c == d) {
                    ro->lse64 = NAN;
                    ro->lse32 = NAN;
                } else {
                    if (ro->o64)
                        ro->o64[c] = NAN;
                    if (ro->o32)
                        ro->o32[c] = NAN;
                }
            }
            return 1;
        }
        /* e^(t_g), RNDN at prec: relative error <= 2^-prec */
        for (size_t gi = 0; gi < g; gi++) {
            delta_mpz(w, rs, w->order[w->group_start[gi]], w->z);
            exact_t(w->tg, w->z, scale, rs->e);
            mpfr_set_prec(w->eg[gi], prec);
            mpfr_set_prec(w->prod[gi], prec);
            mpfr_exp(w->eg[gi], w->tg, MPFR_RNDN);
            w->prod_ptr[gi] = w->prod[gi];
        }
        mpfr_prec_t wp = prec + 32;
        mpfr_set_prec(w->dlo, wp);
        mpfr_set_prec(w->dhi, wp);
        mpfr_set_prec(w->nlo, wp);
        mpfr_set_prec(w->nhi, wp);
        mpfr_set_prec(w->lo, wp);
        mpfr_set_prec(w->hi, wp);
        mpfr_set_prec(w->tmp2, wp);
        /* D = sum w_g e^(t_g): |computed - D| <= 2^(4-prec) D */
        for (size_t gi = 0; gi < g; gi++)
            mpfr_mul_ui(w->prod[gi], w->eg[gi],
                        (unsigned long)(w->group_start[gi + 1] - w->group_start[gi]), MPFR_RNDN);
        mpfr_sum(w->dlo, w->prod_ptr, (unsigned long)g, MPFR_RNDN);
        mpfr_mul_2si(w->tmp2, w->dlo, 4 - (long)prec, MPFR_RNDU);
        mpfr_add(w->dhi, w->dlo, w->tmp2, MPFR_RNDU);
        mpfr_sub(w->dlo, w->dlo, w->tmp2, MPFR_RNDD);
        if (todo[d]) {
            mpfr_log(w->lo, w->dlo, MPFR_RNDD);
            mpfr_log(w->hi, w->dhi, MPFR_RNDU);
            mpfr_add(w->lo, w->lo, w->mexact, MPFR_RNDD);
            mpfr_add(w->hi, w->hi, w->mexact, MPFR_RNDU);
            if (round_interval(w->lo, w->hi, &ro->lse64, &ro->lse32)) {
                ro->lse_res = residual(w->lo, w->hi, ro->lse64, w->tmp);
                todo[d] = 0;
                pending--;
            }
        }
        for (size_t c = 0; c < d; c++) {
            if (!todo[c])
                continue;
            for (size_t gi = 0; gi < g; gi++) {
                mpz_set_ui(w->cg[gi], 0);
                for (size_t t = w->group_start[gi]; t < w->group_start[gi + 1]; t++)
                    add_float_scaled(w->cg[gi], h->v[w->order[t] * d + c], w->z);
                mpfr_mul_z(w->prod[gi], w->eg[gi], w->cg[gi], MPFR_RNDN);
                mpfr_mul_2si(w->prod[gi], w->prod[gi], -149, MPFR_RNDN);
            }
            /* N: |computed - N| <= 2^(1-prec)|N^| + 2^(3-prec) sum |c_g e_g| */
            mpfr_sum(w->nlo, w->prod_ptr, (unsigned long)g, MPFR_RNDN);
            for (size_t gi = 0; gi < g; gi++)
                mpfr_abs(w->prod[gi], w->prod[gi], MPFR_RNDN);
            mpfr_sum(w->tmp2, w->prod_ptr, (unsigned long)g, MPFR_RNDU);
            mpfr_mul_2si(w->tmp2, w->tmp2, 3 - (long)prec, MPFR_RNDU);
            mpfr_abs(w->nhi, w->nlo, MPFR_RNDN);
            mpfr_mul_2si(w->nhi, w->nhi, 1 - (long)prec, MPFR_RNDU);
            mpfr_add(w->tmp2, w->tmp2, w->nhi, MPFR_RNDU);
            mpfr_add(w->nhi, w->nlo, w->tmp2, MPFR_RNDU);
            mpfr_sub(w->nlo, w->nlo, w->tmp2, MPFR_RNDD);
            interval_div(w->lo, w->hi, w->nlo, w->nhi, w->dlo, w->dhi);
            double o64;
            float o32;
            if (round_interval(w->lo, w->hi, &o64, &o32)) {
                if (ro->o64)
                    ro->o64[c] = o64;
                if (ro->o32)
                    ro->o32[c] = o32;
                if (ro->o_res)
                    ro->o_res[c] = residual(w->lo, w->hi, o64, w->tmp);
                todo[c] = 0;
                pending--;
            }
        }
    }
    mpfr_prec_t pd = PREC_DECIDE;
    mpfr_set_prec(w->dlo, pd);
    mpfr_set_prec(w->dhi, pd);
    mpfr_set_prec(w->nlo, pd);
    mpfr_set_prec(w->nhi, pd);
    mpfr_set_prec(w->lo, pd);
    mpfr_set_prec(w->hi, pd);
    return 1;
}

static int do_row(worker *w, size_t hq, size_t i)
{
    shared *sh = w->sh;
    const fr_problem *p = sh->p;
    const head_ctx *h = sh->head;
    size_t d = p->head_dim;
    size_t row = (sh->b * p->q_heads + hq) * p->q_len + i;
    fr_oracle_out *out = sh->out;
    row_out ro;
    ro.o64 = out->o64 ? out->o64 + row * d : NULL;
    ro.o32 = out->o32 ? out->o32 + row * d : NULL;
    ro.o_res = out->o_res ? out->o_res + row * d : NULL;
    ro.lse64 = 0.0;
    ro.lse32 = 0.0f;
    ro.lse_res = 0.0;
    const float *q = sh->q + row * d;
    size_t n = fr_visible_keys(p->causal, i, p->q_len, p->kv_len);
    unsigned char kind = FR_ORACLE_ROW_EXACT;
    w->st.rows++;
    if (n == 0) {
        kind = FR_ORACLE_ROW_MASKED;
        w->st.masked_rows++;
        for (size_t c = 0; c < d; c++) {
            if (ro.o64) ro.o64[c] = 0.0;
            if (ro.o32) ro.o32[c] = 0.0f;
            if (ro.o_res) ro.o_res[c] = 0.0;
        }
        ro.lse64 = -HUGE_VAL;
        ro.lse32 = -HUGE_VALF;
    } else if (!row_is_finite(q, d) || h->bad[n] > 0) {
        kind = FR_ORACLE_ROW_NONFINITE;
        w->st.nonfinite_rows++;
        for (size_t c = 0; c < d; c++) {
            if (ro.o64) ro.o64[c] = NAN;
            if (ro.o32) ro.o32[c] = NAN;
            if (ro.o_res) ro.o_res[c] = 0.0;
        }
        ro.lse64 = NAN;
        ro.lse32 = NAN;
    } else {
        row_scores rs;
        if (!compute_scores(w, h, q, n, p->scale, &rs))
            return 0;
        if (rs.wide)
            w->st.wide_rows++;
        if (fast_row(w, h, n, p->scale, &rs, &ro) > 0) {
            if (!slow_row(w, h, n, p->scale, &rs, &ro))
                return 0;
        }
    }
    if (out->lse64) out->lse64[row] = ro.lse64;
    if (out->lse32) out->lse32[row] = ro.lse32;
    if (out->lse_res) out->lse_res[row] = ro.lse_res;
    if (out->row) out->row[row] = kind;
    return 1;
}

static double now_seconds(void)
{
    struct timespec ts;
    if (timespec_get(&ts, TIME_UTC) != TIME_UTC)
        return 0.0;
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void *worker_main(void *arg)
{
    worker *w = arg;
    shared *sh = w->sh;
    /* e^t for very negative t must not underflow; the range is per thread and
     * the first worker runs on the caller's thread, so it is restored below. */
    mpfr_exp_t emin = mpfr_get_emin(), emax = mpfr_get_emax();
    mpfr_set_emin(mpfr_get_emin_min());
    mpfr_set_emax(mpfr_get_emax_max());
    for (;;) {
        pthread_mutex_lock(&sh->lock);
        size_t task = sh->next_task < sh->task_count ? sh->next_task++ : SIZE_MAX;
        pthread_mutex_unlock(&sh->lock);
        if (task == SIZE_MAX)
            break;
        size_t hq = sh->hk * sh->group + task / sh->row_count;
        size_t i = sh->rows ? sh->rows[task % sh->row_count] : task % sh->row_count;
        if (!do_row(w, hq, i)) {
            w->unresolved = UINT64_MAX;   /* out of memory: reported by the caller */
            break;
        }
        if (sh->progress > 0) {
            pthread_mutex_lock(&sh->lock);
            sh->rows_done++;
            double t = now_seconds();
            if (t - sh->t_last >= sh->progress) {
                sh->t_last = t;
                fprintf(stderr, "oracle: %llu/%llu rows (%.0f%%), %.1f s\n",
                        (unsigned long long)sh->rows_done, (unsigned long long)sh->rows_total,
                        100.0 * (double)sh->rows_done / (double)sh->rows_total, t - sh->t_start);
            }
            pthread_mutex_unlock(&sh->lock);
        }
    }
    mpfr_set_emin(emin);
    mpfr_set_emax(emax);
    return NULL;
}

/* A worker on a thread of its own: MPFR's per-thread caches go with it. */
static void *worker_thread(void *arg)
{
    worker_main(arg);
    mpfr_free_cache2(MPFR_FREE_LOCAL_CACHE);
    return NULL;
}

fr_status fr_oracle_attention(const fr_problem *p, const float *q, const float *k,
                              const float *v, const fr_oracle_options *opt,
                              fr_oracle_out *out, fr_oracle_stats *stats)
{
    double t0 = now_seconds();
    if (fr_problem_check(p) != FR_OK || q == NULL || k == NULL || v == NULL || out == NULL)
        return FR_ERR_INVALID_ARGUMENT;
    fr_oracle_options o = { NULL, 0, 0, 0.0, 0 };
    if (opt)
        o = *opt;
    if (o.rows) {
        for (size_t r = 0; r < o.row_count; r++) {
            if (o.rows[r] >= p->q_len)
                return FR_ERR_INVALID_ARGUMENT;
        }
    }
    size_t row_count = o.rows ? o.row_count : p->q_len;
    int threads = o.threads > 0 ? o.threads : 2;
    if (!mpfr_buildopt_tls_p())
        threads = 1;          /* MPFR's flags and caches would be shared */
    if (threads > 64)
        threads = 64;
    fr_dd_exp_init();

    worker *ws = calloc((size_t)threads, sizeof *ws);
    if (ws == NULL)
        return FR_ERR_OUT_OF_MEMORY;
    fr_status st = FR_OK;
    int inited = 0;
    for (; inited < threads; inited++) {
        if (!worker_init(&ws[inited], p->kv_len, p->head_dim)) {
            inited++;
            st = FR_ERR_OUT_OF_MEMORY;
            break;
        }
    }
    shared sh;
    memset(&sh, 0, sizeof sh);
    pthread_mutex_init(&sh.lock, NULL);
    sh.p = p;
    sh.q = q;
    sh.group = p->q_heads / p->kv_heads;
    sh.rows = o.rows;
    sh.row_count = row_count;
    sh.out = out;
    sh.slow_only = o.slow_only;
    sh.progress = o.progress;
    sh.t_start = t0;
    sh.t_last = t0;
    sh.rows_total = (uint64_t)p->batch * p->q_heads * row_count;
    size_t kv_elems = p->kv_len * p->head_dim;
    for (size_t b = 0; st == FR_OK && b < p->batch && row_count > 0; b++) {
        for (size_t hk = 0; st == FR_OK && hk < p->kv_heads; hk++) {
            head_ctx head;
            size_t off = (b * p->kv_heads + hk) * kv_elems;
            st = head_build(&head, k + off, v + off, p->kv_len, p->head_dim);
            if (st != FR_OK)
                break;
            sh.head = &head;
            sh.b = b;
            sh.hk = hk;
            sh.task_count = sh.group * row_count;
            sh.next_task = 0;
            /* a thread that cannot start leaves its rows to the others */
            unsigned char started[64] = { 0 };
            for (int t = 0; t < threads; t++) {
                ws[t].sh = &sh;
                if (t > 0)
                    started[t] = pthread_create(&ws[t].thread, NULL, worker_thread, &ws[t]) == 0;
            }
            worker_main(&ws[0]);
            for (int t = 1; t < threads; t++) {
                if (started[t])
                    pthread_join(ws[t].thread, NULL);
            }
            for (int t = 0; t < threads; t++) {
                if (ws[t].unresolved == UINT64_MAX)
                    st = FR_ERR_OUT_OF_MEMORY;
            }
            head_free(&head);
        }
    }
    fr_oracle_stats total;
    memset(&total, 0, sizeof total);
    uint64_t unresolved = 0;
    for (int t = 0; t < inited; t++) {
        fr_oracle_stats *s = &ws[t].st;
        total.rows += s->rows;
        total.masked_rows += s->masked_rows;
        total.nonfinite_rows += s->nonfinite_rows;
        total.wide_rows += s->wide_rows;
        total.fast_outputs += s->fast_outputs;
        total.slow_outputs += s->slow_outputs;
        total.rational_outputs += s->rational_outputs;
        if (s->max_precision > total.max_precision)
            total.max_precision = s->max_precision;
        if (ws[t].unresolved != UINT64_MAX)
            unresolved += ws[t].unresolved;
        worker_free(&ws[t]);
    }
    free(ws);
    pthread_mutex_destroy(&sh.lock);
    total.seconds = now_seconds() - t0;
    total.unresolved_outputs = unresolved;
    if (unresolved > 0)
        fprintf(stderr, "oracle: %llu outputs left undecided at %u bits (written as NaN)\n",
                (unsigned long long)unresolved, PREC_CAP);
    if (stats)
        *stats = total;
    return st;
}

/* ---- row sampling --------------------------------------------------------- */

static uint64_t splitmix(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

size_t fr_oracle_sample_rows(const fr_problem *p, size_t count, uint64_t seed, size_t *rows)
{
    size_t nq = p->q_len;
    if (count >= nq) {
        for (size_t i = 0; i < nq; i++)
            rows[i] = i;
        return nq;
    }
    unsigned char *mark = calloc(nq, 1);
    if (mark == NULL)
        return 0;
    size_t chosen = 0;
    mark[0] = 1;
    chosen++;
    if (!mark[nq - 1]) {
        mark[nq - 1] = 1;
        chosen++;
    }
    for (size_t i = 0; i < nq; i++) {
        if (!mark[i] && fr_visible_keys(p->causal, i, nq, p->kv_len) == 0) {
            mark[i] = 1;
            chosen++;
        }
    }
    uint64_t s = seed;
    while (chosen < count) {
        size_t i = (size_t)(splitmix(&s) % nq);
        if (!mark[i]) {
            mark[i] = 1;
            chosen++;
        }
    }
    size_t n = 0;
    for (size_t i = 0; i < nq; i++) {
        if (mark[i])
            rows[n++] = i;
    }
    free(mark);
    return n;
}
