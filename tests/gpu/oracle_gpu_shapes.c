/* The exact oracle on the shapes and inputs of the GPU differential test
 * (shapes.c, the full and the quick set): fr_attention_tiled with each
 * shape's Bc must stay within bound (a) on every checked element of O and
 * LSE. test_gpu_identity requires the CUDA mirror to be bit-identical to that
 * very call on these inputs, so the two tests together bound the GPU's error
 * against the oracle, though the GPU machine builds without GMP/MPFR.
 *
 *   oracle_gpu_shapes [--seed N] [--budget SECONDS]
 *
 * A shape is checked on every row of every head when its estimated cost fits
 * the budget (per shape), and otherwise on evenly spaced query rows (the
 * first and the last among them, at least 3) of every head, or, when even 3
 * rows per head do not fit, of evenly spaced heads (the first and the last
 * among them, at least 2). The estimate only decides how much is checked,
 * never what passes.
 *
 * The reference is computed head by head (heads never interact in
 * fr_attention_tiled, so each gets the bits of the whole call) and, for a
 * subset of rows of a windowable shape, in one-row windows
 * (gpu_shape_reference). Rows with a NaN or an infinity among their inputs
 * have no real exact result and are counted, not compared; their bits are
 * test_gpu_identity's business. */
#define _POSIX_C_SOURCE 200809L

#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bounds.h"
#include "flashref.h"
#include "mask.h"
#include "oracle.h"
#include "shapes.h"

#define DEFAULT_BUDGET 0.5   /* seconds per shape, estimated */
#define MIN_ROWS 3
#define MIN_HEADS 2
#define ORACLE_THREADS 2

/* The cost estimate, in seconds of one x86-64 core at -O2, roughly.
 * The oracle's fast path costs about ORACLE_KEY_COL per visible key and
 * column; some data send a share of a row's outputs to its MPFR slow path,
 * which costs about slow_row() per row: with gaps, a mean of tied keys lies
 * within e^-10^4 of a float rounding boundary and takes 2^14-bit
 * exponentials to decide; tiny and large data need 2^11 bits and more. The
 * reference costs reference_key_col() per key and column, 50 times more with
 * tiny data, whose products are subnormal. */
#define ORACLE_KEY_COL 9e-8

static double slow_row(gpu_data data)
{
    switch (data) {
    case DATA_GAPS: return 8e-2;
    case DATA_TINY:
    case DATA_LARGE: return 1e-2;
    case DATA_RANDOM:
    case DATA_TIES:
    case DATA_SPECIAL: break;
    }
    return 0.0;
}

static double reference_key_col(gpu_data data)
{
    return data == DATA_TINY ? 1e-7 : 2e-9;
}

typedef struct ratio {
    uint64_t compared, over;
    double max;
    char worst[240];
} ratio;

typedef struct totals {
    size_t shapes, sampled_shapes;
    uint64_t rows, masked_rows, nonfinite_rows, unbounded_rows;
    ratio o, lse;
} totals;

typedef struct selection {
    size_t *rows, n_rows;      /* query positions, increasing */
    size_t *heads, n_heads;    /* flattened b * Hq + h, increasing */
} selection;

typedef struct buffers {
    float *q, *k, *v;
    double *o, *lse;                            /* the reference, [B,Hq,Nq,d] and [B,Hq,Nq] */
    double *o64, *o_res, *lse64, *lse_res;      /* the oracle on one head, [Nq,d] and [Nq] */
    double *bound;
    unsigned char *kind;
    selection sel;
} buffers;

static void buffers_free(buffers *b)
{
    free(b->q);
    free(b->k);
    free(b->v);
    free(b->o);
    free(b->lse);
    free(b->o64);
    free(b->o_res);
    free(b->lse64);
    free(b->lse_res);
    free(b->bound);
    free(b->kind);
    free(b->sel.rows);
    free(b->sel.heads);
}

static int buffers_alloc(buffers *b, const fr_problem *p)
{
    size_t nq = gpu_q_elems(p), nkv = gpu_kv_elems(p), nl = gpu_lse_elems(p);
    size_t d = p->head_dim, n = p->q_len;
    memset(b, 0, sizeof *b);
    b->q = malloc(nq * sizeof *b->q);
    b->k = malloc(nkv * sizeof *b->k);
    b->v = malloc(nkv * sizeof *b->v);
    b->o = malloc(nq * sizeof *b->o);
    b->lse = malloc(nl * sizeof *b->lse);
    b->o64 = malloc(n * d * sizeof *b->o64);
    b->o_res = malloc(n * d * sizeof *b->o_res);
    b->lse64 = malloc(n * sizeof *b->lse64);
    b->lse_res = malloc(n * sizeof *b->lse_res);
    b->bound = malloc(d * sizeof *b->bound);
    b->kind = malloc(n);
    b->sel.rows = malloc(n * sizeof *b->sel.rows);
    b->sel.heads = malloc(p->batch * p->q_heads * sizeof *b->sel.heads);
    return b->q && b->k && b->v && b->o && b->lse && b->o64 && b->o_res && b->lse64 &&
           b->lse_res && b->bound && b->kind && b->sel.rows && b->sel.heads;
}

/* n of 0 .. total-1, evenly spaced, the first and the last among them. */
static size_t spaced(size_t n, size_t total, size_t *out)
{
    if (n >= total || n < 2) {
        n = n >= total ? total : 1;
        for (size_t j = 0; j < n; j++)
            out[j] = j;
        return n;
    }
    for (size_t j = 0; j < n; j++)
        out[j] = (j * (total - 1) + (n - 1) / 2) / (n - 1);
    return n;
}

static size_t clamp_count(double fit, size_t lo, size_t hi)
{
    if (fit < (double)lo)
        return lo;
    return fit < (double)hi ? (size_t)fit : hi;
}

static void choose(const gpu_shape *s, double budget, selection *sel)
{
    const fr_problem *p = &s->p;
    size_t nq = p->q_len, heads = p->batch * p->q_heads;
    double keys = 0.0;   /* key x column pairs of one head */
    for (size_t i = 0; i < nq; i++)
        keys += (double)fr_visible_keys(p->causal, i, nq, p->kv_len) * (double)p->head_dim;
    double oracle_row = ORACLE_KEY_COL * (keys / (double)nq + (double)p->head_dim) +
                        slow_row(s->data);
    double reference_head = reference_key_col(s->data) * keys;
    size_t n_rows = nq, n_heads = heads;
    if ((double)heads * ((double)nq * oracle_row + reference_head) > budget) {
        /* in windows the reference costs what its rows cost; whole, a head */
        double per_row = oracle_row, per_head = reference_head;
        if (gpu_shape_windowable(p))
            per_row += reference_head / (double)nq, per_head = 0.0;
        n_rows = clamp_count(floor((budget / (double)heads - per_head) / per_row), MIN_ROWS, nq);
        if (n_rows == MIN_ROWS)
            n_heads = clamp_count(floor(budget / (MIN_ROWS * per_row + per_head)), MIN_HEADS, heads);
    }
    sel->n_rows = spaced(n_rows, nq, sel->rows);
    sel->n_heads = spaced(n_heads, heads, sel->heads);
}

/* Where an element is, for the worst case's description. */
typedef struct site {
    const char *set;
    size_t shape, b, h, row, col;   /* col SIZE_MAX: the LSE */
} site;

static void describe(ratio *r, const site *at, const char *values)
{
    if (at->col == SIZE_MAX)
        snprintf(r->worst, sizeof r->worst, "%s %zu b%zu h%zu row %zu: %s", at->set, at->shape,
                 at->b, at->h, at->row, values);
    else
        snprintf(r->worst, sizeof r->worst, "%s %zu b%zu h%zu row %zu col %zu: %s", at->set,
                 at->shape, at->b, at->h, at->row, at->col, values);
}

/* err = |computed - exact| with the exact value as o64 + residual; an error
 * above the bound by more than the residual's own accuracy is over. */
static void measure(ratio *r, double computed, double exact, double residual, double bound,
                    const site *at)
{
    char values[120];
    r->compared++;
    if (isinf(exact)) {
        /* a masked row's LSE: -inf exactly, and nothing else is right */
        if (!(computed == exact)) {
            r->over++;
            r->max = HUGE_VAL;
            snprintf(values, sizeof values, "exact %g, computed %.17g", exact, computed);
            describe(r, at, values);
        }
        return;
    }
    double err = computed == computed ? fabs((computed - exact) - residual) : HUGE_VAL;
    double q = bound > 0.0 ? err / bound : (err > 0.0 ? HUGE_VAL : 0.0);
    if (err > bound + 0x1p-70 * (fabs(exact) + 1.0))
        r->over++;
    if (q > r->max || r->worst[0] == '\0') {
        r->max = q;
        snprintf(values, sizeof values, "exact %.17g, error %.3g, bound %.3g", exact, err, bound);
        describe(r, at, values);
    }
}

static void merge(ratio *total, const ratio *part)
{
    total->compared += part->compared;
    total->over += part->over;
    if (part->max > total->max || total->worst[0] == '\0') {
        total->max = part->max;
        memcpy(total->worst, part->worst, sizeof total->worst);
    }
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* The kv head, flattened, that flattened query head b * Hq + h reads. */
static size_t kv_head_of(const fr_problem *p, size_t head)
{
    size_t b = head / p->q_heads, h = head % p->q_heads;
    return b * p->kv_heads + h / (p->q_heads / p->kv_heads);
}

/* The reference for the selected rows of the selected heads. */
static int reference(const gpu_shape *s, buffers *b)
{
    const fr_problem *p = &s->p;
    size_t nq = p->q_len, d = p->head_dim;
    gpu_shape one = *s;
    one.p.batch = one.p.q_heads = one.p.kv_heads = 1;
    int windows = b->sel.n_rows < nq && gpu_shape_windowable(p);
    for (size_t x = 0; x < b->sel.n_heads; x++) {
        size_t head = b->sel.heads[x];
        size_t kv_head = kv_head_of(p, head);
        const float *q = b->q + head * nq * d;
        const float *k = b->k + kv_head * p->kv_len * d, *v = b->v + kv_head * p->kv_len * d;
        double *o = b->o + head * nq * d, *lse = b->lse + head * nq;
        if (!windows) {
            if (gpu_shape_reference(&one, q, k, v, 0, nq, o, lse))
                return 1;
            continue;
        }
        for (size_t j = 0; j < b->sel.n_rows; j++) {
            size_t i = b->sel.rows[j];
            if (gpu_shape_reference(&one, q, k, v, i, i + 1, o, lse))
                return 1;
        }
    }
    return 0;
}

static int check_shape(const gpu_shape *s, const char *set, size_t index, double budget,
                       totals *t)
{
    const fr_problem *p = &s->p;
    size_t d = p->head_dim, nq = p->q_len;
    double t_start = now();
    char name[200];
    gpu_shape_describe(name, sizeof name, s);
    buffers b;
    if (!buffers_alloc(&b, p)) {
        printf("FAIL %s %3zu %s: out of memory\n", set, index, name);
        buffers_free(&b);
        return 0;
    }
    gpu_shape_inputs(s, b.q, b.k, b.v);
    choose(s, budget, &b.sel);
    size_t n_rows = b.sel.n_rows, n_heads = b.sel.n_heads, heads = p->batch * p->q_heads;
    int all_rows = n_rows == nq, all_heads = n_heads == heads;
    if (reference(s, &b)) {
        printf("FAIL %s %3zu %s: the C reference returned an error\n", set, index, name);
        buffers_free(&b);
        return 0;
    }

    /* Each head on its own: the oracle and the bound of a row depend only on
     * its q, its visible keys and values and the scale. */
    fr_problem one = *p;
    one.batch = one.q_heads = one.kv_heads = 1;
    fr_bound_model model = fr_bound_model_fp64_tiled(s->bc);
    fr_oracle_out out = {b.o64, NULL, b.o_res, b.lse64, NULL, b.lse_res, b.kind};
    fr_oracle_options opt = {all_rows ? NULL : b.sel.rows, all_rows ? 0 : n_rows,
                             ORACLE_THREADS, 0.0, 0};
    ratio o = {0, 0, 0.0, ""}, lse = {0, 0, 0.0, ""};
    uint64_t rows = 0, masked = 0, nonfinite = 0, unbounded = 0;
    const char *error = NULL;
    for (size_t x = 0; x < n_heads && error == NULL; x++) {
        size_t head = b.sel.heads[x], bi = head / p->q_heads, h = head % p->q_heads;
        size_t kv_head = kv_head_of(p, head);
        const float *q = b.q + head * nq * d;
        const float *k = b.k + kv_head * p->kv_len * d, *v = b.v + kv_head * p->kv_len * d;
        fr_oracle_stats os;
        fr_status st = fr_oracle_attention(&one, q, k, v, &opt, &out, &os);
        if (st != FR_OK || os.unresolved_outputs > 0) {
            error = st != FR_OK ? fr_status_message(st) : "the oracle left outputs unresolved";
            break;
        }
        for (size_t j = 0; j < n_rows; j++) {
            size_t i = b.sel.rows[j], row = head * nq + i;
            rows++;
            if (b.kind[i] == FR_ORACLE_ROW_NONFINITE) {
                nonfinite++;
                continue;
            }
            masked += b.kind[i] == FR_ORACLE_ROW_MASKED;
            double lb = 0.0;
            st = fr_error_bound_row(&model, &one, q, k, v, 0, 0, i, b.o64 + i * d, b.lse64[i],
                                    b.bound, &lb);
            if (st != FR_OK) {
                error = fr_status_message(st);
                break;
            }
            int finite = isfinite(lb);
            site at = {set, index, bi, h, i, 0};
            for (at.col = 0; at.col < d; at.col++) {
                size_t c = at.col;
                finite &= isfinite(b.bound[c]) != 0;
                measure(&o, b.o[row * d + c], b.o64[i * d + c], b.o_res[i * d + c], b.bound[c],
                        &at);
            }
            at.col = SIZE_MAX;
            measure(&lse, b.lse[row], b.lse64[i], b.lse_res[i], lb, &at);
            unbounded += !finite;
        }
    }
    buffers_free(&b);
    if (error != NULL) {
        printf("FAIL %s %3zu %s: %s\n", set, index, name, error);
        return 0;
    }

    int ok = o.over == 0 && lse.over == 0 && unbounded == 0;
    printf("%s %s %3zu %s: ", ok ? "ok  " : "FAIL", set, index, name);
    if (all_rows)
        printf("all %zu rows", nq);
    else
        printf("%zu of %zu rows", n_rows, nq);
    if (all_heads)
        printf(" x all %zu heads", heads);
    else
        printf(" x %zu of %zu heads", n_heads, heads);
    if (masked)
        printf(", %" PRIu64 " masked", masked);
    if (nonfinite)
        printf(", %" PRIu64 " NaN/inf rows not compared", nonfinite);
    printf("; max err/bound O %.3g LSE %.3g; %.2f s\n", o.max, lse.max, now() - t_start);
    if (o.over)
        printf("     O: %" PRIu64 " of %" PRIu64 " over the bound; worst %s\n", o.over, o.compared,
               o.worst);
    if (lse.over)
        printf("     LSE: %" PRIu64 " of %" PRIu64 " over the bound; worst %s\n", lse.over,
               lse.compared, lse.worst);
    if (unbounded)
        printf("     %" PRIu64 " rows with finite inputs have no finite bound\n", unbounded);

    t->shapes++;
    t->sampled_shapes += !(all_rows && all_heads);
    t->rows += rows;
    t->masked_rows += masked;
    t->nonfinite_rows += nonfinite;
    t->unbounded_rows += unbounded;
    merge(&t->o, &o);
    merge(&t->lse, &lse);
    return ok;
}

int main(int argc, char **argv)
{
    uint64_t seed = GPU_SHAPES_SEED;
    double budget = DEFAULT_BUDGET;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc) {
            seed = strtoull(argv[++i], NULL, 0);
        } else if (strcmp(argv[i], "--budget") == 0 && i + 1 < argc) {
            budget = strtod(argv[++i], NULL);
        } else {
            fprintf(stderr, "usage: %s [--seed N] [--budget SECONDS]\n", argv[0]);
            return 2;
        }
    }
    printf("oracle_gpu_shapes: the shapes and inputs of test_gpu_identity (seed 0x%016" PRIx64
           "), fr_attention_tiled with each shape's Bc against the oracle, bound (a)\n",
           seed);
    printf("oracle_gpu_shapes: every row of every head where the estimated cost fits %.3g s; "
           "beyond, evenly spaced rows (first and last included, >= %d) of every head, or of "
           "evenly spaced heads (first and last included, >= %d)\n",
           budget, MIN_ROWS, MIN_HEADS);

    double t0 = now();
    totals t;
    memset(&t, 0, sizeof t);
    size_t failed = 0, set_sizes[2] = {0, 0};
    static const char *const set_names[2] = {"full", "quick"};
    for (int quick = 0; quick < 2; quick++) {
        gpu_shape_list shapes = {NULL, 0, 0};
        gpu_shapes_build(&shapes, quick, seed);
        set_sizes[quick] = shapes.count;
        for (size_t i = 0; i < shapes.count; i++)
            failed += !check_shape(&shapes.items[i], set_names[quick], i, budget, &t);
        gpu_shapes_free(&shapes);
    }
    double seconds = now() - t0;

    printf("oracle_gpu_shapes: %zu of %zu shapes checked (%zu full set, %zu quick set), %zu on "
           "every row, %zu on a subset\n",
           t.shapes, set_sizes[0] + set_sizes[1], set_sizes[0], set_sizes[1],
           t.shapes - t.sampled_shapes, t.sampled_shapes);
    printf("rows     %" PRIu64 " (over all heads): %" PRIu64 " with visible keys, %" PRIu64
           " fully masked, %" PRIu64 " with NaN/inf inputs not compared\n",
           t.rows, t.rows - t.masked_rows - t.nonfinite_rows, t.masked_rows, t.nonfinite_rows);
    printf("O        %" PRIu64 " elements, %" PRIu64 " over the bound, max error/bound %.4g (%s)\n",
           t.o.compared, t.o.over, t.o.max, t.o.worst);
    printf("LSE      %" PRIu64 " values, %" PRIu64 " over the bound, max error/bound %.4g (%s)\n",
           t.lse.compared, t.lse.over, t.lse.max, t.lse.worst);
    if (t.unbounded_rows)
        printf("unbounded %" PRIu64 " rows with finite inputs have no finite bound\n",
               t.unbounded_rows);
    printf("time     %.1f s\n", seconds);
    printf("result   %s (%zu of %zu shapes failed)\n", failed ? "FAIL" : "ok", failed,
           set_sizes[0] + set_sizes[1]);
    return failed ? 1 : 0;
}
