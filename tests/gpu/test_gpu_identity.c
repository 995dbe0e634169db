/* GPU differential test: the CUDA mirror (fr_cuda_attention_tiled) against
 * the C reference (fr_attention_tiled) with the same Bc, bit for bit.
 *
 *   test_gpu_identity            the full set (> 100 shapes, N up to 16384)
 *   test_gpu_identity --quick    a few small shapes, for compute-sanitizer
 *   --seed N                     another draw of the random shapes and data
 *
 * Exits 77 (ctest: skipped) when no CUDA device is usable. Outputs are
 * poisoned with a signalling-NaN pattern before every GPU run, so an element
 * the kernel leaves unwritten is caught even where the reference is NaN.
 * O and LSE must match bit for bit; the only slack is that a NaN matches any
 * NaN (payloads are not portable between the CPU and the GPU).
 *
 * The CPU reference is the slow part: it runs on all cores. A large problem is
 * split into windows of query rows, each an independent reference call on a
 * sub-problem whose rows see exactly the keys they see in the whole problem
 * (see reference_window), so each row's operations are unchanged.
 */
#define _POSIX_C_SOURCE 200809L

#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cuda_runtime_api.h>

#include "flashref.h"
#include "flashref_cuda.h"

#define SKIP_CODE 77
#define REPEATS 20
static const uint64_t POISON = 0x7ff4deadbeef0001ull; /* signalling NaN, never computed */

/* ---- random numbers (splitmix64) ------------------------------------------ */

typedef struct rng { uint64_t s; } rng;

static uint64_t rng_next(rng *r)
{
    uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}
static size_t rng_range(rng *r, size_t lo, size_t hi) { return lo + (size_t)(rng_next(r) % (hi - lo + 1)); }
static double rng_unit(rng *r) { return (double)(rng_next(r) >> 11) * 0x1p-53; }
static float rng_sym(rng *r) { return (float)(2.0 * rng_unit(r) - 1.0); }

/* ---- cases ---------------------------------------------------------------- */

typedef enum data_kind {
    DATA_RANDOM,  /* uniform in [-1, 1] */
    DATA_LARGE,   /* uniform in [-300, 300]: large logits */
    DATA_TIES,    /* small integers and repeated keys: equal scores, ties in the max */
    DATA_GAPS,    /* logits of +1e4, -1e4 and about 0 in one row */
    DATA_TINY,    /* logits near -740 and tiny values: subnormal p, p*v underflows, -0 */
    DATA_SPECIAL  /* inf, NaN and -0 among the inputs */
} data_kind;

static const char *const DATA_NAMES[] = {"random", "large", "ties", "gaps", "tiny", "special"};
static const char *const CAUSAL_NAMES[] = {"none", "top-left", "bottom-right"};

typedef struct test_case {
    fr_problem p;
    size_t bc;
    data_kind data;
    fr_cuda_memory where;
    int repeats;      /* GPU runs that must agree with each other bit for bit */
    uint64_t seed;
    float *q, *k, *v;
    double *o_ref, *lse_ref, *o_gpu, *lse_gpu;
    atomic_int ref_failed;
    fr_cuda_status gpu_status;
    int nondeterministic;
    char gpu_detail[200];
} test_case;

static size_t q_elems(const fr_problem *p) { return p->batch * p->q_heads * p->q_len * p->head_dim; }
static size_t kv_elems(const fr_problem *p) { return p->batch * p->kv_heads * p->kv_len * p->head_dim; }
static size_t lse_elems(const fr_problem *p) { return p->batch * p->q_heads * p->q_len; }

typedef struct case_list {
    test_case *items;
    size_t count, capacity;
} case_list;

static test_case *add_case(case_list *l, size_t batch, size_t hq, size_t hkv, size_t nq, size_t nk,
                           size_t d, fr_causal causal, size_t bc, data_kind data, uint64_t seed)
{
    if (l->count == l->capacity) {
        l->capacity = l->capacity ? 2 * l->capacity : 64;
        l->items = realloc(l->items, l->capacity * sizeof *l->items);
        if (l->items == NULL) {
            fprintf(stderr, "out of memory\n");
            exit(1);
        }
    }
    test_case *c = &l->items[l->count++];
    memset(c, 0, sizeof *c);
    c->p = fr_problem_make(batch, hq, hkv, nq, nk, d, causal);
    c->bc = bc;
    c->data = data;
    c->where = FR_CUDA_MEMORY_DEVICE;
    c->repeats = 1;
    c->seed = seed;
    return c;
}

/* Bc as the reference picks it for fast memory of m words. */
static size_t default_bc(size_t m, size_t d, size_t nq, size_t nk)
{
    fr_blocks b;
    if (m < fr_min_fast_words(d))
        m = fr_min_fast_words(d);
    if (fr_blocks_default(m, d, nq, nk, &b) != FR_OK)
        return 1;
    return b.cols;
}

static void build_cases(case_list *l, int quick, uint64_t seed)
{
    rng r = {seed};
    static const size_t dims[] = {1, 63, 64, 128, 256};
    if (quick) {
        /* Every tile configuration, every mask, one- and two-pass blocks, a
         * partial last block and fully masked rows; small enough for
         * compute-sanitizer. */
        add_case(l, 1, 2, 1, 70, 45, 64, FR_CAUSAL_NONE, 32, DATA_RANDOM, rng_next(&r));
        add_case(l, 1, 2, 2, 70, 45, 128, FR_CAUSAL_TOP_LEFT, 64, DATA_RANDOM, rng_next(&r));
        add_case(l, 1, 1, 1, 90, 40, 64, FR_CAUSAL_BOTTOM_RIGHT, 16, DATA_SPECIAL, rng_next(&r));
        add_case(l, 1, 1, 1, 33, 130, 256, FR_CAUSAL_BOTTOM_RIGHT, 100, DATA_GAPS, rng_next(&r));
        add_case(l, 2, 1, 1, 65, 65, 1, FR_CAUSAL_TOP_LEFT, 7, DATA_TIES, rng_next(&r));
        add_case(l, 1, 3, 1, 40, 77, 63, FR_CAUSAL_NONE, 130, DATA_TINY, rng_next(&r));
        add_case(l, 1, 1, 1, 50, 50, 20, FR_CAUSAL_NONE, 50, DATA_RANDOM, rng_next(&r))->where =
            FR_CUDA_MEMORY_HOST;
        add_case(l, 1, 2, 1, 64, 64, 128, FR_CAUSAL_NONE, 64, DATA_RANDOM, rng_next(&r))->repeats = 2;
        return;
    }
    /* Every padded head dimension under every mask, GQA, odd lengths. */
    for (size_t i = 0; i < 5; i++)
        for (int causal = 0; causal < 3; causal++)
            add_case(l, 2, 4, 2, 77, 129, dims[i], (fr_causal)causal,
                     default_bc(24576, dims[i], 77, 129), DATA_RANDOM, rng_next(&r));
    /* Nq != Nk both ways: bottom-right with Nq > Nk has fully masked rows. */
    for (size_t di = 0; di < 2; di++)
        for (int causal = 0; causal < 3; causal++) {
            size_t d = di ? 128 : 64;
            add_case(l, 1, 2, 1, 200, 67, d, (fr_causal)causal, 64, DATA_RANDOM, rng_next(&r));
            add_case(l, 1, 2, 2, 31, 300, d, (fr_causal)causal, 64, DATA_RANDOM, rng_next(&r));
        }
    /* Block sizes: narrower and wider than a tile, not dividing anything. */
    static const size_t bcs[] = {1, 7, 16, 32, 48, 64, 65, 128, 200, 1000};
    for (size_t di = 0; di < 2; di++)
        for (size_t i = 0; i < 10; i++)
            add_case(l, 1, 2, 1, 150, 333, di ? 128 : 64, (fr_causal)(i % 3), bcs[i],
                     DATA_RANDOM, rng_next(&r));
    /* Adversarial data. */
    for (int data = DATA_LARGE; data <= DATA_SPECIAL; data++)
        for (int causal = 0; causal < 3; causal++) {
            size_t d = dims[(size_t)(data + causal) % 5];
            add_case(l, 1, 2, 1, 97, 150, d, (fr_causal)causal, causal == 1 ? 32 : 64,
                     (data_kind)data, rng_next(&r));
        }
    add_case(l, 1, 1, 1, 300, 100, 64, FR_CAUSAL_BOTTOM_RIGHT, 64, DATA_GAPS, rng_next(&r));
    add_case(l, 1, 1, 1, 129, 257, 128, FR_CAUSAL_TOP_LEFT, 128, DATA_TIES, rng_next(&r));
    add_case(l, 1, 2, 2, 64, 1000, 64, FR_CAUSAL_NONE, 1000, DATA_TINY, rng_next(&r));
    /* Tiny shapes. */
    add_case(l, 1, 1, 1, 1, 1, 1, FR_CAUSAL_NONE, 1, DATA_RANDOM, rng_next(&r));
    add_case(l, 1, 1, 1, 1, 1, 256, FR_CAUSAL_TOP_LEFT, 1, DATA_RANDOM, rng_next(&r));
    add_case(l, 1, 1, 1, 2, 1, 64, FR_CAUSAL_BOTTOM_RIGHT, 1, DATA_RANDOM, rng_next(&r));
    add_case(l, 3, 8, 1, 5, 3, 63, FR_CAUSAL_NONE, 2, DATA_RANDOM, rng_next(&r));
    /* Random shapes, Bc from the reference's default rule for a random M or
     * picked directly. */
    for (int i = 0; i < 40; i++) {
        size_t hkv = rng_range(&r, 1, 3), group = rng_range(&r, 1, 3);
        size_t nq = rng_range(&r, 1, 300), nk = rng_range(&r, 1, 300);
        size_t d = rng_range(&r, 1, 256);
        size_t bc = (i % 2) ? default_bc(rng_range(&r, 1, 300000), d, nq, nk) : rng_range(&r, 1, 160);
        add_case(l, rng_range(&r, 1, 3), hkv * group, hkv, nq, nk, d,
                 (fr_causal)rng_range(&r, 0, 2), bc, (data_kind)(i % 6), rng_next(&r));
    }
    /* Host memory through the API. */
    add_case(l, 2, 2, 1, 100, 90, 64, FR_CAUSAL_TOP_LEFT, 64, DATA_RANDOM, rng_next(&r))->where =
        FR_CUDA_MEMORY_HOST;
    add_case(l, 1, 3, 3, 45, 180, 100, FR_CAUSAL_BOTTOM_RIGHT, 40, DATA_SPECIAL, rng_next(&r))->where =
        FR_CUDA_MEMORY_HOST;
    /* Run to run: REPEATS runs agree bit for bit. */
    add_case(l, 2, 8, 2, 1000, 1000, 64, FR_CAUSAL_NONE, 64, DATA_RANDOM, rng_next(&r))->repeats = REPEATS;
    add_case(l, 1, 4, 4, 777, 1500, 128, FR_CAUSAL_BOTTOM_RIGHT, 64, DATA_GAPS, rng_next(&r))->repeats = REPEATS;
    add_case(l, 1, 2, 1, 500, 500, 256, FR_CAUSAL_TOP_LEFT, 100, DATA_SPECIAL, rng_next(&r))->repeats = REPEATS;
    /* Long sequences. */
    add_case(l, 1, 2, 1, 4096, 4096, 64, FR_CAUSAL_NONE, 64, DATA_RANDOM, rng_next(&r));
    add_case(l, 1, 2, 2, 4096, 4096, 128, FR_CAUSAL_TOP_LEFT, 64, DATA_RANDOM, rng_next(&r));
    add_case(l, 1, 1, 1, 3000, 5001, 128, FR_CAUSAL_BOTTOM_RIGHT, 128, DATA_GAPS, rng_next(&r));
    add_case(l, 1, 1, 1, 16384, 16384, 64, FR_CAUSAL_NONE, 64, DATA_RANDOM, rng_next(&r));
    add_case(l, 1, 1, 1, 16384, 16384, 64, FR_CAUSAL_TOP_LEFT, 64, DATA_RANDOM, rng_next(&r));
    add_case(l, 1, 1, 1, 8192, 16384, 128, FR_CAUSAL_BOTTOM_RIGHT, 64, DATA_RANDOM, rng_next(&r));
}

/* ---- input data ------------------------------------------------------------ */

/* Fills row `row` of a [.., d] tensor with value everywhere. */
static void fill_row(float *t, size_t row, size_t d, float value)
{
    for (size_t x = 0; x < d; x++)
        t[row * d + x] = value;
}

static void make_inputs(test_case *c)
{
    const fr_problem *p = &c->p;
    size_t nq = q_elems(p), nkv = kv_elems(p), d = p->head_dim;
    rng r = {c->seed};
    c->q = malloc(nq * sizeof(float));
    c->k = malloc(nkv * sizeof(float));
    c->v = malloc(nkv * sizeof(float));
    c->o_ref = malloc(nq * sizeof(double));
    c->lse_ref = malloc(lse_elems(p) * sizeof(double));
    c->o_gpu = malloc(nq * sizeof(double));
    c->lse_gpu = malloc(lse_elems(p) * sizeof(double));
    if (!c->q || !c->k || !c->v || !c->o_ref || !c->lse_ref || !c->o_gpu || !c->lse_gpu) {
        fprintf(stderr, "out of memory\n");
        exit(1);
    }
    for (size_t i = 0; i < nq; i++)
        c->q[i] = rng_sym(&r);
    for (size_t i = 0; i < nkv; i++) {
        c->k[i] = rng_sym(&r);
        c->v[i] = rng_sym(&r);
    }
    /* A key row whose score against an all-ones query is about `logit`. */
    float unit = (float)(sqrt((double)d) / (double)d);
    size_t krows = nkv / d, qrows = nq / d;
    switch (c->data) {
    case DATA_RANDOM:
        break;
    case DATA_LARGE:
        for (size_t i = 0; i < nq; i++)
            c->q[i] *= 300.0f;
        for (size_t i = 0; i < nkv; i++)
            c->k[i] *= 300.0f;
        break;
    case DATA_TIES:
        for (size_t i = 0; i < nq; i++)
            c->q[i] = (float)((int)rng_range(&r, 0, 4) - 2);
        for (size_t i = 0; i < nkv; i++)
            c->k[i] = (float)((int)rng_range(&r, 0, 2) - 1);
        for (size_t row = 1; row < krows; row++)
            if (row % 3 != 0)   /* repeat the previous key: equal scores */
                memcpy(c->k + row * d, c->k + (row - 1) * d, d * sizeof(float));
        for (size_t row = 0; row < krows; row += 5)
            fill_row(c->k, row, d, 0.0f);
        break;
    case DATA_GAPS:
        for (size_t i = 0; i < nq; i++)
            c->q[i] = 1.0f;
        for (size_t row = 0; row < krows; row++) {
            int kind = (int)rng_range(&r, 0, 3);
            if (kind == 0)
                fill_row(c->k, row, d, 1e4f * unit);
            else if (kind == 1)
                fill_row(c->k, row, d, -1e4f * unit);
        }
        break;
    case DATA_TINY:
        for (size_t i = 0; i < nq; i++)
            c->q[i] = 1.0f;
        for (size_t row = 0; row < krows; row++)
            fill_row(c->k, row, d, (row % 17 == 0 ? 0.0f : -(float)(720.0 + 40.0 * rng_unit(&r))) * unit);
        for (size_t i = 0; i < nkv; i++)
            c->v[i] *= 1e-30f;
        break;
    case DATA_SPECIAL:
        for (size_t i = 0; i < nkv; i += 7)
            c->v[i] = -0.0f;
        for (size_t i = 3; i < nkv; i += 11)
            c->k[i] = -0.0f;
        c->v[rng_range(&r, 0, nkv - 1)] = INFINITY;
        c->v[rng_range(&r, 0, nkv - 1)] = -INFINITY;
        c->v[rng_range(&r, 0, nkv - 1)] = NAN;
        c->q[rng_range(&r, 0, nq - 1)] = NAN;
        if (qrows > 2)
            fill_row(c->q, rng_range(&r, 0, qrows - 1), d, 0.0f);   /* all scores equal */
        c->k[rng_range(&r, 0, nkv - 1)] = INFINITY;
        break;
    }
}

static void free_case(test_case *c)
{
    free(c->q);
    free(c->k);
    free(c->v);
    free(c->o_ref);
    free(c->lse_ref);
    free(c->o_gpu);
    free(c->lse_gpu);
}

/* ---- the CPU reference -------------------------------------------------------- */

static fr_status reference_call(const fr_problem *p, size_t bc, const float *q, const float *k,
                                const float *v, double *o, double *lse)
{
    fr_blocks b = {p->q_len < 64 ? p->q_len : 64, bc};
    return fr_attention_tiled(p, fr_fast_words_needed(b, p->head_dim), &b, q, k, v, o, lse, NULL);
}

/* Windows are possible when every row's keys are a prefix that a sub-problem
 * can reproduce: always without a mask, and for both causal masks when
 * Nq <= Nk (no row is fully masked, and no top-left row reaches Nk). */
static int windowable(const fr_problem *p)
{
    return p->causal == FR_CAUSAL_NONE || p->q_len <= p->kv_len;
}

/* The reference for query rows [a, b) of every head. The sub-problem keeps
 * the first nk2 keys and a mask under which row i - a sees what row i sees:
 *   none          nk2 = Nk
 *   top-left      bottom-right with nk2 = b: sees (i - a) + 1 + b - (b - a) = i + 1
 *   bottom-right  nk2 = Nk - Nq + b: sees i + 1 + Nk - Nq
 * Key blocks start at 0 with the same Bc and every block a row sees ends
 * before nk2, so each row's fr_tiled_key_block calls are the same. */
static int reference_window(test_case *c, size_t a, size_t b)
{
    const fr_problem *p = &c->p;
    if (a == 0 && b == p->q_len)
        return reference_call(p, c->bc, c->q, c->k, c->v, c->o_ref, c->lse_ref) != FR_OK;
    fr_problem s = *p;
    s.q_len = b - a;
    if (p->causal == FR_CAUSAL_NONE) {
        s.kv_len = p->kv_len;
    } else {
        s.causal = FR_CAUSAL_BOTTOM_RIGHT;
        s.kv_len = p->causal == FR_CAUSAL_TOP_LEFT ? b : p->kv_len - p->q_len + b;
    }
    size_t d = p->head_dim;
    float *q = malloc(q_elems(&s) * sizeof(float));
    float *k = malloc(kv_elems(&s) * sizeof(float));
    float *v = malloc(kv_elems(&s) * sizeof(float));
    double *o = malloc(q_elems(&s) * sizeof(double));
    double *lse = malloc(lse_elems(&s) * sizeof(double));
    int failed = 1;
    if (q && k && v && o && lse) {
        for (size_t h = 0; h < p->batch * p->q_heads; h++)
            memcpy(q + h * s.q_len * d, c->q + (h * p->q_len + a) * d, s.q_len * d * sizeof(float));
        for (size_t h = 0; h < p->batch * p->kv_heads; h++) {
            memcpy(k + h * s.kv_len * d, c->k + h * p->kv_len * d, s.kv_len * d * sizeof(float));
            memcpy(v + h * s.kv_len * d, c->v + h * p->kv_len * d, s.kv_len * d * sizeof(float));
        }
        if (reference_call(&s, c->bc, q, k, v, o, lse) == FR_OK) {
            for (size_t h = 0; h < p->batch * p->q_heads; h++) {
                memcpy(c->o_ref + (h * p->q_len + a) * d, o + h * s.q_len * d,
                       s.q_len * d * sizeof(double));
                memcpy(c->lse_ref + h * p->q_len + a, lse + h * s.q_len, s.q_len * sizeof(double));
            }
            failed = 0;
        }
    }
    free(q);
    free(k);
    free(v);
    free(o);
    free(lse);
    return failed;
}

typedef struct work_item {
    test_case *c;
    size_t a, b;
    double cost;
} work_item;

typedef struct work_queue {
    work_item *items;
    size_t count;
    atomic_size_t next;
} work_queue;

static void *reference_worker(void *arg)
{
    work_queue *wq = arg;
    for (;;) {
        size_t i = atomic_fetch_add(&wq->next, 1);
        if (i >= wq->count)
            return NULL;
        work_item *w = &wq->items[i];
        if (reference_window(w->c, w->a, w->b))
            atomic_store(&w->c->ref_failed, 1);
    }
}

static int by_cost_desc(const void *x, const void *y)
{
    double a = ((const work_item *)x)->cost, b = ((const work_item *)y)->cost;
    return (a < b) - (a > b);
}

static work_queue plan_reference(case_list *l)
{
    work_queue wq = {NULL, 0, 0};
    size_t cap = 0;
    for (size_t i = 0; i < l->count; i++) {
        test_case *c = &l->items[i];
        const fr_problem *p = &c->p;
        double cost = (double)p->batch * p->q_heads * p->q_len * p->kv_len * p->head_dim;
        size_t rows = p->q_len;
        if (cost > 2e8 && windowable(p))
            rows = 256;
        for (size_t a = 0; a < p->q_len; a += rows) {
            size_t b = a + rows < p->q_len ? a + rows : p->q_len;
            if (wq.count == cap) {
                cap = cap ? 2 * cap : 256;
                wq.items = realloc(wq.items, cap * sizeof *wq.items);
                if (wq.items == NULL) {
                    fprintf(stderr, "out of memory\n");
                    exit(1);
                }
            }
            wq.items[wq.count].c = c;
            wq.items[wq.count].a = a;
            wq.items[wq.count].b = b;
            wq.items[wq.count].cost = cost * (double)(b - a) / (double)p->q_len;
            wq.count++;
        }
    }
    qsort(wq.items, wq.count, sizeof *wq.items, by_cost_desc);
    return wq;
}

/* ---- the GPU side ---------------------------------------------------------------- */

static void poison(double *x, size_t n)
{
    for (size_t i = 0; i < n; i++)
        memcpy(&x[i], &POISON, sizeof POISON);
}

/* One GPU run into host buffers o and lse, outputs poisoned first (on the
 * device for device memory). */
static fr_cuda_status gpu_run(test_case *c, double *o, double *lse)
{
    const fr_problem *p = &c->p;
    size_t nq = q_elems(p), nkv = kv_elems(p), nl = lse_elems(p);
    poison(o, nq);
    poison(lse, nl);
    if (c->where == FR_CUDA_MEMORY_HOST)
        return fr_cuda_attention_tiled(p, c->bc, c->q, c->k, c->v, o, lse, FR_CUDA_MEMORY_HOST);
    float *dq = NULL, *dk = NULL, *dv = NULL;
    double *dO = NULL, *dl = NULL;
    fr_cuda_status st = FR_CUDA_ERR_RUNTIME;
    cudaError_t e = cudaSuccess;
    if ((e = cudaMalloc((void **)&dq, nq * sizeof(float))) == cudaSuccess &&
        (e = cudaMalloc((void **)&dk, nkv * sizeof(float))) == cudaSuccess &&
        (e = cudaMalloc((void **)&dv, nkv * sizeof(float))) == cudaSuccess &&
        (e = cudaMalloc((void **)&dO, nq * sizeof(double))) == cudaSuccess &&
        (e = cudaMalloc((void **)&dl, nl * sizeof(double))) == cudaSuccess &&
        (e = cudaMemcpy(dq, c->q, nq * sizeof(float), cudaMemcpyHostToDevice)) == cudaSuccess &&
        (e = cudaMemcpy(dk, c->k, nkv * sizeof(float), cudaMemcpyHostToDevice)) == cudaSuccess &&
        (e = cudaMemcpy(dv, c->v, nkv * sizeof(float), cudaMemcpyHostToDevice)) == cudaSuccess &&
        (e = cudaMemcpy(dO, o, nq * sizeof(double), cudaMemcpyHostToDevice)) == cudaSuccess &&
        (e = cudaMemcpy(dl, lse, nl * sizeof(double), cudaMemcpyHostToDevice)) == cudaSuccess) {
        st = fr_cuda_attention_tiled(p, c->bc, dq, dk, dv, dO, dl, FR_CUDA_MEMORY_DEVICE);
        if (st == FR_CUDA_OK &&
            ((e = cudaMemcpy(o, dO, nq * sizeof(double), cudaMemcpyDeviceToHost)) != cudaSuccess ||
             (e = cudaMemcpy(lse, dl, nl * sizeof(double), cudaMemcpyDeviceToHost)) != cudaSuccess))
            st = FR_CUDA_ERR_RUNTIME;
    }
    if (e != cudaSuccess)
        snprintf(c->gpu_detail, sizeof c->gpu_detail, "%s", cudaGetErrorString(e));
    else if (st != FR_CUDA_OK)
        snprintf(c->gpu_detail, sizeof c->gpu_detail, "%s", fr_cuda_error_detail());
    void *bufs[5] = {dq, dk, dv, dO, dl};
    for (int i = 0; i < 5; i++) {
        cudaError_t fe = bufs[i] ? cudaFree(bufs[i]) : cudaSuccess;
        if (fe != cudaSuccess && st == FR_CUDA_OK) {
            st = FR_CUDA_ERR_RUNTIME;
            snprintf(c->gpu_detail, sizeof c->gpu_detail, "cudaFree: %s", cudaGetErrorString(fe));
        }
    }
    return st;
}

static void gpu_case(test_case *c)
{
    c->gpu_status = gpu_run(c, c->o_gpu, c->lse_gpu);
    if (c->gpu_status != FR_CUDA_OK || c->repeats < 2)
        return;
    size_t nq = q_elems(&c->p), nl = lse_elems(&c->p);
    double *o = malloc(nq * sizeof(double)), *lse = malloc(nl * sizeof(double));
    if (o == NULL || lse == NULL) {
        fprintf(stderr, "out of memory\n");
        exit(1);
    }
    for (int run = 1; run < c->repeats; run++) {
        fr_cuda_status st = gpu_run(c, o, lse);
        if (st != FR_CUDA_OK) {
            c->gpu_status = st;
            break;
        }
        if (memcmp(o, c->o_gpu, nq * sizeof(double)) != 0 ||
            memcmp(lse, c->lse_gpu, nl * sizeof(double)) != 0)
            c->nondeterministic++;
    }
    free(o);
    free(lse);
}

/* ---- comparison ---------------------------------------------------------------- */

static int same_bits(double a, double b)
{
    return memcmp(&a, &b, sizeof a) == 0 || (a != a && b != b);
}

static int is_poison(double a)
{
    return memcmp(&a, &POISON, sizeof a) == 0;
}

typedef struct diff {
    size_t mismatches, unwritten, first;
    double want, got;
} diff;

static diff compare(const double *want, const double *got, size_t n)
{
    diff r = {0, 0, SIZE_MAX, 0.0, 0.0};
    for (size_t i = 0; i < n; i++) {
        if (is_poison(got[i]))
            r.unwritten++;
        if (is_poison(got[i]) || !same_bits(want[i], got[i])) {
            if (r.mismatches++ == 0) {
                r.first = i;
                r.want = want[i];
                r.got = got[i];
            }
        }
    }
    return r;
}

static void describe(char *buf, size_t size, const test_case *c)
{
    const fr_problem *p = &c->p;
    snprintf(buf, size, "B=%zu Hq=%zu Hkv=%zu Nq=%zu Nk=%zu d=%zu %s Bc=%zu %s%s%s", p->batch,
             p->q_heads, p->kv_heads, p->q_len, p->kv_len, p->head_dim, CAUSAL_NAMES[p->causal],
             c->bc, DATA_NAMES[c->data], c->where == FR_CUDA_MEMORY_HOST ? " host" : "",
             c->repeats > 1 ? " repeated" : "");
}

static int check_case(const test_case *c, size_t index)
{
    char name[200];
    describe(name, sizeof name, c);
    if (atomic_load(&c->ref_failed)) {
        printf("FAIL %3zu %s: the C reference returned an error\n", index, name);
        return 0;
    }
    if (c->gpu_status != FR_CUDA_OK) {
        printf("FAIL %3zu %s: %s (%s)\n", index, name, fr_cuda_status_message(c->gpu_status),
               c->gpu_detail);
        return 0;
    }
    diff o = compare(c->o_ref, c->o_gpu, q_elems(&c->p));
    diff l = compare(c->lse_ref, c->lse_gpu, lse_elems(&c->p));
    int ok = o.mismatches == 0 && l.mismatches == 0 && c->nondeterministic == 0;
    printf("%s %3zu %s", ok ? "ok  " : "FAIL", index, name);
    if (c->repeats > 1)
        printf(" (%d runs, %d differ)", c->repeats, c->nondeterministic);
    printf("\n");
    if (o.mismatches)
        printf("     O: %zu of %zu differ, %zu unwritten; first at %zu: want %a got %a\n",
               o.mismatches, q_elems(&c->p), o.unwritten, o.first, o.want, o.got);
    if (l.mismatches)
        printf("     LSE: %zu of %zu differ, %zu unwritten; first at %zu: want %a got %a\n",
               l.mismatches, lse_elems(&c->p), l.unwritten, l.first, l.want, l.got);
    return ok;
}

/* Errors come back as codes, with no launch. */
static int check_errors(void)
{
    int failed = 0;
    float f = 0.0f;
    double x = 0.0;
    fr_problem p = fr_problem_make(1, 1, 1, 4, 4, 8, FR_CAUSAL_NONE);
    struct {
        const char *what;
        fr_cuda_status got, want;
    } checks[5];
    checks[0].what = "null pointer";
    checks[0].got = fr_cuda_attention_tiled(&p, 4, NULL, &f, &f, &x, &x, FR_CUDA_MEMORY_HOST);
    checks[0].want = FR_CUDA_ERR_INVALID_ARGUMENT;
    checks[1].what = "block_cols 0";
    checks[1].got = fr_cuda_attention_tiled(&p, 0, &f, &f, &f, &x, &x, FR_CUDA_MEMORY_HOST);
    checks[1].want = FR_CUDA_ERR_INVALID_ARGUMENT;
    fr_problem bad = fr_problem_make(1, 3, 2, 4, 4, 8, FR_CAUSAL_NONE);
    checks[2].what = "Hkv not dividing Hq";
    checks[2].got = fr_cuda_attention_tiled(&bad, 4, &f, &f, &f, &x, &x, FR_CUDA_MEMORY_HOST);
    checks[2].want = FR_CUDA_ERR_INVALID_ARGUMENT;
    fr_problem wide = fr_problem_make(1, 1, 1, 4, 4, 257, FR_CAUSAL_NONE);
    checks[3].what = "d = 257";
    checks[3].got = fr_cuda_attention_tiled(&wide, 4, &f, &f, &f, &x, &x, FR_CUDA_MEMORY_HOST);
    checks[3].want = FR_CUDA_ERR_UNSUPPORTED;
    checks[4].what = "unknown memory kind";
    checks[4].got = fr_cuda_attention_tiled(&p, 4, &f, &f, &f, &x, &x, (fr_cuda_memory)7);
    checks[4].want = FR_CUDA_ERR_INVALID_ARGUMENT;
    for (int i = 0; i < 5; i++) {
        if (checks[i].got != checks[i].want) {
            printf("FAIL error path %s: got %s, want %s\n", checks[i].what,
                   fr_cuda_status_message(checks[i].got), fr_cuda_status_message(checks[i].want));
            failed++;
        }
    }
    if (failed == 0)
        printf("ok   error paths (5 checks)\n");
    return failed;
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

int main(int argc, char **argv)
{
    int quick = 0;
    uint64_t seed = 0x5eed0f1a54a77e57ull;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--quick") == 0)
            quick = 1;
        else if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc)
            seed = strtoull(argv[++i], NULL, 0);
        else {
            fprintf(stderr, "usage: %s [--quick] [--seed N]\n", argv[0]);
            return 2;
        }
    }
    if (fr_cuda_device_count() == 0) {
        int count = 0;
        cudaError_t e = cudaGetDeviceCount(&count);
        printf("test_gpu_identity: SKIPPED: no usable CUDA device (%s)\n",
               e == cudaSuccess ? "the runtime reports 0 devices" : cudaGetErrorString(e));
        return SKIP_CODE;
    }
    struct cudaDeviceProp prop;
    if (cudaGetDeviceProperties(&prop, 0) == cudaSuccess)
        printf("test_gpu_identity: %s, compute capability %d.%d\n", prop.name, prop.major, prop.minor);
    printf("test_gpu_identity: seed 0x%016" PRIx64 "%s\n", seed, quick ? " (quick)" : "");

    double t0 = now();
    case_list cases = {NULL, 0, 0};
    build_cases(&cases, quick, seed);
    for (size_t i = 0; i < cases.count; i++)
        make_inputs(&cases.items[i]);

    work_queue wq = plan_reference(&cases);
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    size_t nthreads = cores < 1 ? 1 : (size_t)cores;
    if (nthreads > 64)
        nthreads = 64;
    pthread_t threads[64];
    size_t started = 0;
    for (; started < nthreads; started++)
        if (pthread_create(&threads[started], NULL, reference_worker, &wq) != 0)
            break;
    if (started == 0)
        reference_worker(&wq);

    /* GPU runs while the CPU references proceed. */
    for (size_t i = 0; i < cases.count; i++)
        gpu_case(&cases.items[i]);
    double t_gpu = now() - t0;
    for (size_t i = 0; i < started; i++)
        pthread_join(threads[i], NULL);
    double t_all = now() - t0;

    size_t passed = 0, failed = 0;
    for (size_t i = 0; i < cases.count; i++) {
        if (check_case(&cases.items[i], i))
            passed++;
        else
            failed++;
    }
    if (check_errors() == 0)
        passed++;
    else
        failed++;
    printf("test_gpu_identity: GPU runs done after %.1f s, references after %.1f s on %zu threads\n",
           t_gpu, t_all, started ? started : (size_t)1);
    printf("%zu passed, %zu failed\n", passed, failed);
    for (size_t i = 0; i < cases.count; i++)
        free_case(&cases.items[i]);
    free(cases.items);
    free(wq.items);
    return failed ? 1 : 0;
}
