/* Shared helpers of the reference tests: a seeded PRNG, a CHECK macro that
 * keeps going after a failure (so one run reports every broken property), the
 * random family of test shapes, and an attention written independently of
 * src/ (plain loops, libm exp and log, three passes over each row).
 *
 * Everything is static inline so each test includes only what it uses
 * without unused-function warnings. */
#ifndef FLASHREF_TESTS_COMMON_H
#define FLASHREF_TESTS_COMMON_H

#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flashref.h"

/* ---- failures ---------------------------------------------------------- */

static int g_failures = 0;

#define CHECK(cond, ...)                                                     \
    do {                                                                     \
        if (!(cond)) {                                                       \
            g_failures++;                                                    \
            if (g_failures <= 40) {                                          \
                fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);         \
                fprintf(stderr, __VA_ARGS__);                                \
                fputc('\n', stderr);                                         \
            }                                                                \
        }                                                                    \
    } while (0)

static inline int finish(const char *name)
{
    if (g_failures > 0) {
        fprintf(stderr, "%s: %d check(s) failed\n", name, g_failures);
        return 1;
    }
    printf("%s: all checks passed\n", name);
    return 0;
}

/* ---- PRNG (splitmix64: tiny, seedable, good enough for test data) ------ */

typedef struct rng { uint64_t s; } rng;

static inline uint64_t rng_next(rng *r)
{
    uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* Uniform in [lo, hi], both included; hi - lo small. */
static inline size_t rng_range(rng *r, size_t lo, size_t hi)
{
    return lo + (size_t)(rng_next(r) % (uint64_t)(hi - lo + 1));
}

/* Uniform in [0, 1). */
static inline double rng_unit(rng *r)
{
    return (double)(rng_next(r) >> 11) * 0x1p-53;
}

static inline int rng_chance(rng *r, double p) { return rng_unit(r) < p; }

/* The seed: argv[1] when given (decimal or 0x hex), else the default. */
static inline uint64_t seed_from_args(int argc, char **argv, uint64_t fallback,
                                      const char *name)
{
    uint64_t seed = fallback;
    if (argc > 1)
        seed = (uint64_t)strtoull(argv[1], NULL, 0);
    printf("%s: seed 0x%016" PRIx64 " (rerun with: %s 0x%016" PRIx64 ")\n",
           name, seed, name, seed);
    return seed;
}

/* ---- sizes --------------------------------------------------------------- */

static inline size_t q_elems(const fr_problem *p)
{
    return p->batch * p->q_heads * p->q_len * p->head_dim;
}
static inline size_t kv_elems(const fr_problem *p)
{
    return p->batch * p->kv_heads * p->kv_len * p->head_dim;
}
static inline size_t lse_elems(const fr_problem *p)
{
    return p->batch * p->q_heads * p->q_len;
}

/* Visibility written from the header's definitions (signed arithmetic, so the
 * bottom-right offset Nk - Nq may be negative), not from src/mask.c. */
static inline int ref_visible(fr_causal c, size_t i, size_t j, size_t nq, size_t nk)
{
    if (c == FR_CAUSAL_TOP_LEFT)
        return j <= i;
    if (c == FR_CAUSAL_BOTTOM_RIGHT)
        return (long long)j <= (long long)i + (long long)nk - (long long)nq;
    return 1;
}

static inline size_t ref_visible_count(fr_causal c, size_t i, size_t nq, size_t nk)
{
    size_t n = 0;
    for (size_t j = 0; j < nk; j++)
        n += (size_t)ref_visible(c, i, j, nq, nk);
    return n;
}

/* Br*(2d + Bc + 2) + 2*Bc*d, for small sizes. */
static inline uint64_t ref_words_needed(fr_blocks b, size_t d)
{
    return (uint64_t)b.rows * (2 * (uint64_t)d + b.cols + 2) + 2 * (uint64_t)b.cols * d;
}

/* ---- the test shapes ----------------------------------------------------- */

enum { LOGITS_PLAIN = 0, LOGITS_BIG_INPUTS = 1, LOGITS_BIG_SCALE = 2 };
enum { MEM_RANDOM = 0, MEM_MIN = 1, MEM_HUGE = 2 };

typedef struct tcase {
    fr_problem p;
    size_t M;              /* fast words */
    int user_blocks;       /* pass .blocks instead of NULL */
    fr_blocks blocks;
    int logits;            /* LOGITS_*: make scale*q.k reach about +-1e4 */
    int mem;               /* MEM_* */
    char tag[48];
} tcase;

/* Cases that the brief demands by name, before the random ones:
 * B, Hq, Hkv, Nq, Nk, d, causal, memory, user blocks, logits. */
typedef struct forced_case {
    size_t b, hq, hkv, nq, nk, d;
    int causal, mem, user, logits;
    const char *tag;
} forced_case;

static const forced_case k_forced[] = {
    {1, 1, 1, 1, 1, 1, 0, MEM_MIN, 0, 0, "N=1 d=1"},
    {1, 1, 1, 1, 1, 256, 2, MEM_MIN, 0, 0, "N=1 d=256 BR"},
    {2, 2, 1, 1, 1, 3, 1, MEM_RANDOM, 0, 0, "N=1 GQA"},
    {1, 2, 1, 1, 37, 16, 1, MEM_RANDOM, 0, 0, "Nq=1 TL"},
    {1, 2, 1, 1, 37, 16, 2, MEM_RANDOM, 0, 0, "Nq=1 BR"},
    {1, 2, 2, 45, 1, 8, 2, MEM_RANDOM, 0, 0, "Nk=1 BR masked rows"},
    {1, 2, 2, 45, 1, 8, 1, MEM_MIN, 0, 0, "Nk=1 TL"},
    {2, 4, 2, 67, 53, 3, 1, MEM_RANDOM, 0, 0, "Nq>Nk TL GQA"},
    {2, 4, 2, 67, 53, 3, 2, MEM_RANDOM, 0, 0, "Nq>Nk BR GQA"},
    {1, 4, 1, 53, 67, 3, 1, MEM_RANDOM, 0, 0, "Nq<Nk TL MQA"},
    {1, 4, 1, 53, 67, 3, 2, MEM_RANDOM, 0, 0, "Nq<Nk BR MQA"},
    {1, 3, 1, 70, 30, 64, 2, MEM_RANDOM, 1, 0, "Nq>Nk BR d=64 blocks"},
    {1, 3, 1, 30, 70, 64, 1, MEM_MIN, 0, 0, "Nq<Nk TL d=64 minM"},
    {1, 2, 1, 70, 30, 128, 1, MEM_RANDOM, 1, 0, "d=128 TL blocks"},
    {1, 1, 1, 30, 70, 128, 2, MEM_MIN, 0, 0, "d=128 BR minM"},
    {1, 1, 1, 20, 17, 256, 0, MEM_HUGE, 0, 0, "d=256 hugeM"},
    {1, 1, 1, 17, 20, 256, 2, MEM_RANDOM, 1, 0, "d=256 BR blocks"},
    {1, 1, 1, 300, 300, 1, 0, MEM_MIN, 0, 0, "N=300 d=1 minM"},
    {1, 1, 1, 300, 299, 1, 2, MEM_RANDOM, 0, 0, "N=300 d=1 BR"},
    {1, 2, 1, 257, 130, 8, 2, MEM_RANDOM, 0, LOGITS_BIG_INPUTS, "big logits BR"},
    {1, 2, 1, 130, 257, 8, 1, MEM_RANDOM, 1, LOGITS_BIG_SCALE, "big logits TL"},
    {1, 2, 2, 90, 90, 64, 0, MEM_RANDOM, 0, LOGITS_BIG_INPUTS, "big logits d=64"},
    {1, 1, 1, 40, 33, 256, 1, MEM_MIN, 0, LOGITS_BIG_SCALE, "big logits d=256 minM"},
    {2, 6, 3, 101, 97, 7, 0, MEM_HUGE, 1, 0, "hugeM user blocks"},
    {1, 1, 1, 64, 64, 64, 0, MEM_HUGE, 0, 0, "hugeM square"},
};

#define N_FORCED (sizeof k_forced / sizeof k_forced[0])

static const size_t k_dims[] = {1, 1, 2, 3, 3, 4, 5, 7, 8, 13, 16, 16, 32, 64, 64, 128, 256};

/* The largest N for head dimension d, to keep every test fast. */
static inline size_t max_len_for(size_t d)
{
    if (d <= 16) return 300;
    if (d <= 64) return 160;
    if (d <= 128) return 100;
    return 40;
}

/* Chooses M (and user blocks) for a case whose problem is set. */
static inline void choose_memory(rng *r, tcase *c, int mem, int user)
{
    size_t d = c->p.head_dim, nq = c->p.q_len, nk = c->p.kv_len;
    size_t lo = fr_min_fast_words(d);
    c->mem = mem;
    if (mem == MEM_MIN) {
        c->M = lo;
    } else if (mem == MEM_HUGE) {
        fr_blocks whole = {nq + 7, nk + 7};
        c->M = (size_t)ref_words_needed(whole, d) * 2 + 6 * d * d + rng_range(r, 0, 1000);
    } else {
        /* log-uniform in [4d+3, 50 d^2] (at least a few hundred words) */
        double hi = 50.0 * (double)d * (double)d;
        if (hi < (double)lo + 300.0)
            hi = (double)lo + 300.0;
        double t = rng_unit(r);
        c->M = (size_t)((double)lo * pow(hi / (double)lo, t));
        if (c->M < lo)
            c->M = lo;
    }
    c->user_blocks = user;
    if (user) {
        /* Bc then Br, uniform among the tilings that fit M; up to N + 2 so
         * blocks larger than the problem occur too. */
        size_t bc_max = (c->M - 2 * d - 2) / (2 * d + 1);
        if (bc_max > nk + 2)
            bc_max = nk + 2;
        size_t bc = rng_range(r, 1, bc_max);
        size_t br_max = (c->M - 2 * bc * d) / (2 * d + bc + 2);
        if (br_max > nq + 2)
            br_max = nq + 2;
        size_t br = rng_range(r, 1, br_max);
        c->blocks.rows = br;
        c->blocks.cols = bc;
    } else {
        c->blocks.rows = 0;
        c->blocks.cols = 0;
    }
}

/* Case number idx of the family: the forced cases first, then random ones
 * with B*Hq*Nq*Nk*d at most cost_cap. */
static inline void make_case(rng *r, size_t idx, double cost_cap, tcase *c)
{
    memset(c, 0, sizeof *c);
    if (idx < N_FORCED) {
        const forced_case *f = &k_forced[idx];
        c->p = fr_problem_make(f->b, f->hq, f->hkv, f->nq, f->nk, f->d, (fr_causal)f->causal);
        choose_memory(r, c, f->mem, f->user);
        c->logits = f->logits;
        snprintf(c->tag, sizeof c->tag, "%s", f->tag);
        return;
    }
    size_t d = k_dims[rng_range(r, 0, sizeof k_dims / sizeof k_dims[0] - 1)];
    size_t nmax = max_len_for(d);
    size_t nq = rng_chance(r, 0.1) ? 1 : rng_range(r, 2, nmax);
    size_t nk = rng_chance(r, 0.1) ? 1 : rng_chance(r, 0.15) ? nq : rng_range(r, 2, nmax);
    size_t hkv = rng_range(r, 1, 3), group = rng_range(r, 1, 3), b = rng_range(r, 1, 2);
    while ((double)b * (double)(hkv * group) * (double)nq * (double)nk * (double)d > cost_cap) {
        if (b > 1) b--;
        else if (hkv * group > 1) { if (hkv > 1) hkv--; else group--; }
        else if (nq >= nk && nq > 1) nq = nq * 3 / 4 > 0 ? nq * 3 / 4 : 1;
        else if (nk > 1) nk = nk * 3 / 4 > 0 ? nk * 3 / 4 : 1;
        else break;
    }
    fr_causal causal = (fr_causal)rng_range(r, 0, 2);
    c->p = fr_problem_make(b, hkv * group, hkv, nq, nk, d, causal);
    double u = rng_unit(r);
    int mem = u < 0.2 ? MEM_MIN : u < 0.35 ? MEM_HUGE : MEM_RANDOM;
    choose_memory(r, c, mem, rng_chance(r, 0.3));
    u = rng_unit(r);
    c->logits = u < 0.1 ? LOGITS_BIG_INPUTS : u < 0.2 ? LOGITS_BIG_SCALE : LOGITS_PLAIN;
    if (rng_chance(r, 0.1) && c->logits == LOGITS_PLAIN)
        c->p.scale = (rng_unit(r) * 4.0 - 2.0);   /* any finite scale, negative too */
    snprintf(c->tag, sizeof c->tag, "random #%zu", idx);
}

/* The blocks the library will use for the case. */
static inline fr_blocks case_blocks(const tcase *c)
{
    if (c->user_blocks)
        return c->blocks;
    fr_blocks b = {0, 0};
    fr_blocks_default(c->M, c->p.head_dim, c->p.q_len, c->p.kv_len, &b);
    return b;
}

static inline void print_case(FILE *f, const tcase *c)
{
    fr_blocks b = case_blocks(c);
    fprintf(f, "[%s] B=%zu Hq=%zu Hkv=%zu Nq=%zu Nk=%zu d=%zu causal=%d scale=%a M=%zu "
               "blocks=%zux%zu%s logits=%d",
            c->tag, c->p.batch, c->p.q_heads, c->p.kv_heads, c->p.q_len, c->p.kv_len,
            c->p.head_dim, (int)c->p.causal, c->p.scale, c->M, b.rows, b.cols,
            c->user_blocks ? " (user)" : "", c->logits);
}

/* ---- tensors ------------------------------------------------------------- */

typedef struct tensors {
    float *q, *k, *v;
    size_t nq_el, nkv_el, nlse;
} tensors;

static inline void *xmalloc(size_t bytes)
{
    void *p = malloc(bytes > 0 ? bytes : 1);
    if (p == NULL) {
        fprintf(stderr, "out of memory (%zu bytes)\n", bytes);
        exit(2);
    }
    return p;
}

static inline double dot_f(const float *a, const float *b, size_t d)
{
    /* Each product of two floats is exact in double, so this plain sum is the
     * same value whether or not the caller fuses it. */
    double s = 0.0;
    for (size_t x = 0; x < d; x++)
        s = s + (double)a[x] * (double)b[x];
    return s;
}

/* The kv head that query head hq reads: floor(hq * Hkv / Hq). */
static inline size_t ref_kv_head(const fr_problem *p, size_t hq)
{
    return hq * p->kv_heads / p->q_heads;
}

/* Largest |q.k| over the (batch, head, query, key) pairs the mask shows. */
static inline double max_abs_dot(const fr_problem *p, const tensors *t)
{
    size_t d = p->head_dim;
    double m = 0.0;
    for (size_t b = 0; b < p->batch; b++)
        for (size_t h = 0; h < p->q_heads; h++) {
            const float *q = t->q + (b * p->q_heads + h) * p->q_len * d;
            const float *k = t->k + (b * p->kv_heads + ref_kv_head(p, h)) * p->kv_len * d;
            for (size_t i = 0; i < p->q_len; i++)
                for (size_t j = 0; j < p->kv_len; j++)
                    if (ref_visible(p->causal, i, j, p->q_len, p->kv_len))
                        m = fmax(m, fabs(dot_f(q + i * d, k + j * d, d)));
        }
    return m;
}

/* Fills q, k, v with values in [-1, 1); for the big-logit cases rescales q
 * or the softmax scale so that the largest |scale * q.k| is about 1e4. */
static inline void make_tensors(rng *r, tcase *c, tensors *t)
{
    fr_problem *p = &c->p;
    t->nq_el = q_elems(p);
    t->nkv_el = kv_elems(p);
    t->nlse = lse_elems(p);
    t->q = (float *)xmalloc(t->nq_el * sizeof(float));
    t->k = (float *)xmalloc(t->nkv_el * sizeof(float));
    t->v = (float *)xmalloc(t->nkv_el * sizeof(float));
    for (size_t i = 0; i < t->nq_el; i++)
        t->q[i] = (float)(rng_unit(r) * 2.0 - 1.0);
    for (size_t i = 0; i < t->nkv_el; i++) {
        t->k[i] = (float)(rng_unit(r) * 2.0 - 1.0);
        t->v[i] = (float)(rng_unit(r) * 2.0 - 1.0);
    }
    if (c->logits != LOGITS_PLAIN) {
        double m = max_abs_dot(p, t);
        if (m > 0.0) {
            if (c->logits == LOGITS_BIG_SCALE) {
                p->scale = 1e4 / m;
            } else {
                double f = 1e4 / (m * p->scale);
                for (size_t i = 0; i < t->nq_el; i++)
                    t->q[i] = (float)((double)t->q[i] * f);
            }
        }
    }
}

static inline void free_tensors(tensors *t)
{
    free(t->q);
    free(t->k);
    free(t->v);
    t->q = t->k = t->v = NULL;
}

/* ---- running the library ------------------------------------------------- */

static inline fr_status run_algo(int tiled, const tcase *c, const tensors *t,
                                 double *o, double *lse, fr_io_stats *stats)
{
    const fr_blocks *b = c->user_blocks ? &c->blocks : NULL;
    if (tiled)
        return fr_attention_tiled(&c->p, c->M, b, t->q, t->k, t->v, o, lse, stats);
    return fr_attention_standard(&c->p, c->M, b, t->q, t->k, t->v, o, lse, stats);
}

/* ---- the independent attention ------------------------------------------- */

/* softmax(scale * q k^T) v with libm exp and log: pass 1 the row max, pass 2
 * the denominator, pass 3 the weighted sum. A row without a visible key gets
 * O = 0 and LSE = -inf. */
static inline void naive_attention(const fr_problem *p, const tensors *t,
                                   double *o, double *lse)
{
    size_t d = p->head_dim, nq = p->q_len, nk = p->kv_len;
    double *s = (double *)xmalloc(nk * sizeof(double));
    for (size_t b = 0; b < p->batch; b++)
        for (size_t h = 0; h < p->q_heads; h++) {
            size_t hk = ref_kv_head(p, h);
            const float *q = t->q + (b * p->q_heads + h) * nq * d;
            const float *k = t->k + (b * p->kv_heads + hk) * nk * d;
            const float *v = t->v + (b * p->kv_heads + hk) * nk * d;
            double *out = o + (b * p->q_heads + h) * nq * d;
            double *lrow = lse + (b * p->q_heads + h) * nq;
            for (size_t i = 0; i < nq; i++) {
                double m = -INFINITY;
                int any = 0;
                for (size_t j = 0; j < nk; j++) {
                    if (!ref_visible(p->causal, i, j, nq, nk))
                        continue;
                    s[j] = dot_f(q + i * d, k + j * d, d) * p->scale;
                    m = any ? (s[j] > m ? s[j] : m) : s[j];
                    any = 1;
                }
                for (size_t x = 0; x < d; x++)
                    out[i * d + x] = 0.0;
                if (!any) {
                    lrow[i] = -INFINITY;
                    continue;
                }
                double l = 0.0;
                for (size_t j = 0; j < nk; j++)
                    if (ref_visible(p->causal, i, j, nq, nk))
                        l += exp(s[j] - m);
                for (size_t j = 0; j < nk; j++) {
                    if (!ref_visible(p->causal, i, j, nq, nk))
                        continue;
                    double pj = exp(s[j] - m) / l;
                    for (size_t x = 0; x < d; x++)
                        out[i * d + x] += pj * (double)v[j * d + x];
                }
                lrow[i] = m + log(l);
            }
        }
    free(s);
}

/* ---- comparisons --------------------------------------------------------- */

/* max|a - ref| / max(max|ref|, DBL_MIN) over finite entries of ref; +inf when
 * a non-finite entry of either differs from the other (so -inf positions of
 * the LSE must match exactly and NaN anywhere fails). */
static inline double rel_diff(const double *a, const double *ref, size_t n)
{
    double num = 0.0, den = DBL_MIN;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(ref[i]) || !isfinite(a[i])) {
            if (!(a[i] == ref[i]))   /* also catches NaN */
                return INFINITY;
            continue;
        }
        num = fmax(num, fabs(a[i] - ref[i]));
        den = fmax(den, fabs(ref[i]));
    }
    return num / den;
}

static inline int bits_equal(const double *a, const double *b, size_t n)
{
    return memcmp(a, b, n * sizeof(double)) == 0;
}

#endif /* FLASHREF_TESTS_COMMON_H */
