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
 * (see gpu_shape_reference in shapes.c), so each row's operations are
 * unchanged. The shapes and inputs live in shapes.c, shared with the oracle
 * test oracle_gpu_shapes.
 */
#define _POSIX_C_SOURCE 200809L

#include <inttypes.h>
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
#include "shapes.h"

#define SKIP_CODE 77
static const uint64_t POISON = 0x7ff4deadbeef0001ull; /* signalling NaN, never computed */

/* ---- cases ---------------------------------------------------------------- */

typedef struct test_case {
    gpu_shape s;
    float *q, *k, *v;
    double *o_ref, *lse_ref, *o_gpu, *lse_gpu;
    atomic_int ref_failed;
    fr_cuda_status gpu_status;
    int nondeterministic;
    char gpu_detail[200];
} test_case;

typedef struct case_list {
    test_case *items;
    size_t count;
} case_list;

static case_list build_cases(int quick, uint64_t seed)
{
    gpu_shape_list shapes = {NULL, 0, 0};
    gpu_shapes_build(&shapes, quick, seed);
    case_list l = {calloc(shapes.count, sizeof(test_case)), shapes.count};
    if (l.items == NULL) {
        fprintf(stderr, "out of memory\n");
        exit(1);
    }
    for (size_t i = 0; i < shapes.count; i++)
        l.items[i].s = shapes.items[i];
    gpu_shapes_free(&shapes);
    return l;
}

/* ---- input data ------------------------------------------------------------ */

static void make_inputs(test_case *c)
{
    const fr_problem *p = &c->s.p;
    size_t nq = gpu_q_elems(p), nkv = gpu_kv_elems(p), nl = gpu_lse_elems(p);
    c->q = malloc(nq * sizeof(float));
    c->k = malloc(nkv * sizeof(float));
    c->v = malloc(nkv * sizeof(float));
    c->o_ref = malloc(nq * sizeof(double));
    c->lse_ref = malloc(nl * sizeof(double));
    c->o_gpu = malloc(nq * sizeof(double));
    c->lse_gpu = malloc(nl * sizeof(double));
    if (!c->q || !c->k || !c->v || !c->o_ref || !c->lse_ref || !c->o_gpu || !c->lse_gpu) {
        fprintf(stderr, "out of memory\n");
        exit(1);
    }
    gpu_shape_inputs(&c->s, c->q, c->k, c->v);
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
        test_case *c = w->c;
        if (gpu_shape_reference(&c->s, c->q, c->k, c->v, w->a, w->b, c->o_ref, c->lse_ref))
            atomic_store(&c->ref_failed, 1);
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
        const fr_problem *p = &c->s.p;
        double cost = (double)p->batch * p->q_heads * p->q_len * p->kv_len * p->head_dim;
        size_t rows = p->q_len;
        if (cost > 2e8 && gpu_shape_windowable(p))
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
    const fr_problem *p = &c->s.p;
    size_t nq = gpu_q_elems(p), nkv = gpu_kv_elems(p), nl = gpu_lse_elems(p);
    poison(o, nq);
    poison(lse, nl);
    if (c->s.host)
        return fr_cuda_attention_tiled(p, c->s.bc, c->q, c->k, c->v, o, lse, FR_CUDA_MEMORY_HOST);
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
        st = fr_cuda_attention_tiled(p, c->s.bc, dq, dk, dv, dO, dl, FR_CUDA_MEMORY_DEVICE);
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
    if (c->gpu_status != FR_CUDA_OK || c->s.repeats < 2)
        return;
    size_t nq = gpu_q_elems(&c->s.p), nl = gpu_lse_elems(&c->s.p);
    double *o = malloc(nq * sizeof(double)), *lse = malloc(nl * sizeof(double));
    if (o == NULL || lse == NULL) {
        fprintf(stderr, "out of memory\n");
        exit(1);
    }
    for (int run = 1; run < c->s.repeats; run++) {
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

static int check_case(const test_case *c, size_t index)
{
    char name[200];
    gpu_shape_describe(name, sizeof name, &c->s);
    if (atomic_load(&c->ref_failed)) {
        printf("FAIL %3zu %s: the C reference returned an error\n", index, name);
        return 0;
    }
    if (c->gpu_status != FR_CUDA_OK) {
        printf("FAIL %3zu %s: %s (%s)\n", index, name, fr_cuda_status_message(c->gpu_status),
               c->gpu_detail);
        return 0;
    }
    diff o = compare(c->o_ref, c->o_gpu, gpu_q_elems(&c->s.p));
    diff l = compare(c->lse_ref, c->lse_gpu, gpu_lse_elems(&c->s.p));
    int ok = o.mismatches == 0 && l.mismatches == 0 && c->nondeterministic == 0;
    printf("%s %3zu %s", ok ? "ok  " : "FAIL", index, name);
    if (c->s.repeats > 1)
        printf(" (%d runs, %d differ)", c->s.repeats, c->nondeterministic);
    printf("\n");
    if (o.mismatches)
        printf("     O: %zu of %zu differ, %zu unwritten; first at %zu: want %a got %a\n",
               o.mismatches, gpu_q_elems(&c->s.p), o.unwritten, o.first, o.want, o.got);
    if (l.mismatches)
        printf("     LSE: %zu of %zu differ, %zu unwritten; first at %zu: want %a got %a\n",
               l.mismatches, gpu_lse_elems(&c->s.p), l.unwritten, l.first, l.want, l.got);
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
    uint64_t seed = GPU_SHAPES_SEED;
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
    case_list cases = build_cases(quick, seed);
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
