#include "shapes.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const GPU_DATA_NAMES[] = {"random", "large", "ties", "gaps", "tiny", "special"};
const char *const GPU_CAUSAL_NAMES[] = {"none", "top-left", "bottom-right"};

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

static void out_of_memory(void)
{
    fprintf(stderr, "out of memory\n");
    exit(1);
}

/* ---- shapes ----------------------------------------------------------------- */

size_t gpu_q_elems(const fr_problem *p) { return p->batch * p->q_heads * p->q_len * p->head_dim; }
size_t gpu_kv_elems(const fr_problem *p) { return p->batch * p->kv_heads * p->kv_len * p->head_dim; }
size_t gpu_lse_elems(const fr_problem *p) { return p->batch * p->q_heads * p->q_len; }

static gpu_shape *add_case(gpu_shape_list *l, size_t batch, size_t hq, size_t hkv, size_t nq,
                           size_t nk, size_t d, fr_causal causal, size_t bc, gpu_data data,
                           uint64_t seed)
{
    if (l->count == l->capacity) {
        l->capacity = l->capacity ? 2 * l->capacity : 64;
        l->items = realloc(l->items, l->capacity * sizeof *l->items);
        if (l->items == NULL)
            out_of_memory();
    }
    gpu_shape *c = &l->items[l->count++];
    memset(c, 0, sizeof *c);
    c->p = fr_problem_make(batch, hq, hkv, nq, nk, d, causal);
    c->bc = bc;
    c->data = data;
    c->host = 0;
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

void gpu_shapes_build(gpu_shape_list *l, int quick, uint64_t seed)
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
        add_case(l, 1, 1, 1, 50, 50, 20, FR_CAUSAL_NONE, 50, DATA_RANDOM, rng_next(&r))->host = 1;
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
                     (gpu_data)data, rng_next(&r));
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
     * picked directly. The draws are sequenced explicitly (function arguments
     * are not), so every compiler and flag gives the same list. */
    for (int i = 0; i < 40; i++) {
        size_t hkv = rng_range(&r, 1, 3), group = rng_range(&r, 1, 3);
        size_t nq = rng_range(&r, 1, 300), nk = rng_range(&r, 1, 300);
        size_t d = rng_range(&r, 1, 256);
        size_t bc = (i % 2) ? default_bc(rng_range(&r, 1, 300000), d, nq, nk) : rng_range(&r, 1, 160);
        uint64_t shape_seed = rng_next(&r);
        fr_causal causal = (fr_causal)rng_range(&r, 0, 2);
        size_t batch = rng_range(&r, 1, 3);
        add_case(l, batch, hkv * group, hkv, nq, nk, d, causal, bc, (gpu_data)(i % 6), shape_seed);
    }
    /* Host memory through the API. */
    add_case(l, 2, 2, 1, 100, 90, 64, FR_CAUSAL_TOP_LEFT, 64, DATA_RANDOM, rng_next(&r))->host = 1;
    add_case(l, 1, 3, 3, 45, 180, 100, FR_CAUSAL_BOTTOM_RIGHT, 40, DATA_SPECIAL, rng_next(&r))->host = 1;
    /* Run to run: GPU_SHAPES_REPEATS runs agree bit for bit. */
    add_case(l, 2, 8, 2, 1000, 1000, 64, FR_CAUSAL_NONE, 64, DATA_RANDOM, rng_next(&r))->repeats =
        GPU_SHAPES_REPEATS;
    add_case(l, 1, 4, 4, 777, 1500, 128, FR_CAUSAL_BOTTOM_RIGHT, 64, DATA_GAPS, rng_next(&r))->repeats =
        GPU_SHAPES_REPEATS;
    add_case(l, 1, 2, 1, 500, 500, 256, FR_CAUSAL_TOP_LEFT, 100, DATA_SPECIAL, rng_next(&r))->repeats =
        GPU_SHAPES_REPEATS;
    /* Long sequences. */
    add_case(l, 1, 2, 1, 4096, 4096, 64, FR_CAUSAL_NONE, 64, DATA_RANDOM, rng_next(&r));
    add_case(l, 1, 2, 2, 4096, 4096, 128, FR_CAUSAL_TOP_LEFT, 64, DATA_RANDOM, rng_next(&r));
    add_case(l, 1, 1, 1, 3000, 5001, 128, FR_CAUSAL_BOTTOM_RIGHT, 128, DATA_GAPS, rng_next(&r));
    add_case(l, 1, 1, 1, 16384, 16384, 64, FR_CAUSAL_NONE, 64, DATA_RANDOM, rng_next(&r));
    add_case(l, 1, 1, 1, 16384, 16384, 64, FR_CAUSAL_TOP_LEFT, 64, DATA_RANDOM, rng_next(&r));
    add_case(l, 1, 1, 1, 8192, 16384, 128, FR_CAUSAL_BOTTOM_RIGHT, 64, DATA_RANDOM, rng_next(&r));
}

void gpu_shapes_free(gpu_shape_list *l)
{
    free(l->items);
    l->items = NULL;
    l->count = l->capacity = 0;
}

/* ---- input data ------------------------------------------------------------ */

/* Fills row `row` of a [.., d] tensor with value everywhere. */
static void fill_row(float *t, size_t row, size_t d, float value)
{
    for (size_t x = 0; x < d; x++)
        t[row * d + x] = value;
}

void gpu_shape_inputs(const gpu_shape *s, float *q, float *k, float *v)
{
    const fr_problem *p = &s->p;
    size_t nq = gpu_q_elems(p), nkv = gpu_kv_elems(p), d = p->head_dim;
    rng r = {s->seed};
    for (size_t i = 0; i < nq; i++)
        q[i] = rng_sym(&r);
    for (size_t i = 0; i < nkv; i++) {
        k[i] = rng_sym(&r);
        v[i] = rng_sym(&r);
    }
    /* A key row whose score against an all-ones query is about `logit`. */
    float unit = (float)(sqrt((double)d) / (double)d);
    size_t krows = nkv / d, qrows = nq / d;
    switch (s->data) {
    case DATA_RANDOM:
        break;
    case DATA_LARGE:
        for (size_t i = 0; i < nq; i++)
            q[i] *= 300.0f;
        for (size_t i = 0; i < nkv; i++)
            k[i] *= 300.0f;
        break;
    case DATA_TIES:
        for (size_t i = 0; i < nq; i++)
            q[i] = (float)((int)rng_range(&r, 0, 4) - 2);
        for (size_t i = 0; i < nkv; i++)
            k[i] = (float)((int)rng_range(&r, 0, 2) - 1);
        for (size_t row = 1; row < krows; row++)
            if (row % 3 != 0)   /* repeat the previous key: equal scores */
                memcpy(k + row * d, k + (row - 1) * d, d * sizeof(float));
        for (size_t row = 0; row < krows; row += 5)
            fill_row(k, row, d, 0.0f);
        break;
    case DATA_GAPS:
        for (size_t i = 0; i < nq; i++)
            q[i] = 1.0f;
        for (size_t row = 0; row < krows; row++) {
            int kind = (int)rng_range(&r, 0, 3);
            if (kind == 0)
                fill_row(k, row, d, 1e4f * unit);
            else if (kind == 1)
                fill_row(k, row, d, -1e4f * unit);
        }
        break;
    case DATA_TINY:
        for (size_t i = 0; i < nq; i++)
            q[i] = 1.0f;
        for (size_t row = 0; row < krows; row++)
            fill_row(k, row, d, (row % 17 == 0 ? 0.0f : -(float)(720.0 + 40.0 * rng_unit(&r))) * unit);
        for (size_t i = 0; i < nkv; i++)
            v[i] *= 1e-30f;
        break;
    case DATA_SPECIAL:
        for (size_t i = 0; i < nkv; i += 7)
            v[i] = -0.0f;
        for (size_t i = 3; i < nkv; i += 11)
            k[i] = -0.0f;
        v[rng_range(&r, 0, nkv - 1)] = INFINITY;
        v[rng_range(&r, 0, nkv - 1)] = -INFINITY;
        v[rng_range(&r, 0, nkv - 1)] = NAN;
        q[rng_range(&r, 0, nq - 1)] = NAN;
        if (qrows > 2)
            fill_row(q, rng_range(&r, 0, qrows - 1), d, 0.0f);   /* all scores equal */
        k[rng_range(&r, 0, nkv - 1)] = INFINITY;
        break;
    }
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
int gpu_shape_windowable(const fr_problem *p)
{
    return p->causal == FR_CAUSAL_NONE || p->q_len <= p->kv_len;
}

/* The sub-problem for rows [a, b) keeps the first nk2 keys and a mask under
 * which row i - a sees what row i sees:
 *   none          nk2 = Nk
 *   top-left      bottom-right with nk2 = b: sees (i - a) + 1 + b - (b - a) = i + 1
 *   bottom-right  nk2 = Nk - Nq + b: sees i + 1 + Nk - Nq
 * Key blocks start at 0 with the same Bc and every block a row sees ends
 * before nk2, so each row's fr_tiled_key_block calls are the same; rows never
 * interact, so the row blocking does not matter. */
int gpu_shape_reference(const gpu_shape *c, const float *cq, const float *ck, const float *cv,
                        size_t a, size_t b, double *o_out, double *lse_out)
{
    const fr_problem *p = &c->p;
    if (a == 0 && b == p->q_len)
        return reference_call(p, c->bc, cq, ck, cv, o_out, lse_out) != FR_OK;
    if (!gpu_shape_windowable(p) || a >= b || b > p->q_len)
        return 1;
    fr_problem s = *p;
    s.q_len = b - a;
    if (p->causal == FR_CAUSAL_NONE) {
        s.kv_len = p->kv_len;
    } else {
        s.causal = FR_CAUSAL_BOTTOM_RIGHT;
        s.kv_len = p->causal == FR_CAUSAL_TOP_LEFT ? b : p->kv_len - p->q_len + b;
    }
    size_t d = p->head_dim;
    float *q = malloc(gpu_q_elems(&s) * sizeof(float));
    float *k = malloc(gpu_kv_elems(&s) * sizeof(float));
    float *v = malloc(gpu_kv_elems(&s) * sizeof(float));
    double *o = malloc(gpu_q_elems(&s) * sizeof(double));
    double *lse = malloc(gpu_lse_elems(&s) * sizeof(double));
    int failed = 1;
    if (q && k && v && o && lse) {
        for (size_t h = 0; h < p->batch * p->q_heads; h++)
            memcpy(q + h * s.q_len * d, cq + (h * p->q_len + a) * d, s.q_len * d * sizeof(float));
        for (size_t h = 0; h < p->batch * p->kv_heads; h++) {
            memcpy(k + h * s.kv_len * d, ck + h * p->kv_len * d, s.kv_len * d * sizeof(float));
            memcpy(v + h * s.kv_len * d, cv + h * p->kv_len * d, s.kv_len * d * sizeof(float));
        }
        if (reference_call(&s, c->bc, q, k, v, o, lse) == FR_OK) {
            for (size_t h = 0; h < p->batch * p->q_heads; h++) {
                memcpy(o_out + (h * p->q_len + a) * d, o + h * s.q_len * d,
                       s.q_len * d * sizeof(double));
                memcpy(lse_out + h * p->q_len + a, lse + h * s.q_len, s.q_len * sizeof(double));
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

void gpu_shape_describe(char *buf, size_t size, const gpu_shape *c)
{
    const fr_problem *p = &c->p;
    snprintf(buf, size, "B=%zu Hq=%zu Hkv=%zu Nq=%zu Nk=%zu d=%zu %s Bc=%zu %s%s%s", p->batch,
             p->q_heads, p->kv_heads, p->q_len, p->kv_len, p->head_dim, GPU_CAUSAL_NAMES[p->causal],
             c->bc, GPU_DATA_NAMES[c->data], c->host ? " host" : "",
             c->repeats > 1 ? " repeated" : "");
}
