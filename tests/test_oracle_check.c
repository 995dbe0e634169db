/* `flashref check` against planted faults: one element off by twice its
 * bound, one NaN, two heads swapped, the wrong causal alignment, a wrong LSE;
 * each must fail (exit 1) while the correct outputs of the double reference
 * and of the emulated fp32 and tensor-core kernels pass (exit 0). Then the
 * same through .npy files and the command line, usage errors (exit 2), JSON
 * and row sampling. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "emulate.h"
#include "flashref.h"
#include "oracle.h"
#include "sweep.h"

static int g_fail = 0;

#define EXPECT(cond, ...)                                                   \
    do {                                                                    \
        if (!(cond)) {                                                      \
            g_fail++;                                                       \
            fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);            \
            fprintf(stderr, __VA_ARGS__);                                   \
            fputc('\n', stderr);                                            \
        }                                                                   \
    } while (0)

typedef struct data {
    fr_problem p;
    size_t nq, nkv, nr;
    float *q, *k, *v;
    double *o, *lse;      /* the reference, tiled */
    size_t bc;
} data;

static void make_data(data *x, fr_causal causal, size_t nq_len, size_t nk_len)
{
    x->p = fr_problem_make(1, 4, 2, nq_len, nk_len, 16, causal);
    x->nq = 4 * nq_len * 16;
    x->nkv = 2 * nk_len * 16;
    x->nr = 4 * nq_len;
    x->q = malloc(x->nq * 4);
    x->k = malloc(x->nkv * 4);
    x->v = malloc(x->nkv * 4);
    x->o = malloc(x->nq * 8);
    x->lse = malloc(x->nr * 8);
    fr_family_fill(FR_FAMILY_RANDOM, &x->p, 5, x->q, x->k, x->v);
    fr_blocks blk = { 8, 16 };
    x->bc = 16;
    fr_attention_tiled(&x->p, fr_fast_words_needed(blk, 16), &blk, x->q, x->k, x->v, x->o, x->lse,
                       NULL);
}

static void free_data(data *x)
{
    free(x->q);
    free(x->k);
    free(x->v);
    free(x->o);
    free(x->lse);
}

static fr_check_request request(const data *x, const double *o, const double *lse,
                                fr_bound_model m)
{
    fr_check_request r;
    memset(&r, 0, sizeof r);
    r.problem = x->p;
    r.q = x->q;
    r.k = x->k;
    r.v = x->v;
    r.o = o;
    r.lse = lse;
    r.o_format = FR_CHECK_F64;
    r.lse_format = FR_CHECK_F64;
    r.model = m;
    r.threads = 2;
    return r;
}

static void test_in_memory(void)
{
    data x;
    make_data(&x, FR_CAUSAL_BOTTOM_RIGHT, 48, 64);
    double *o = malloc(x.nq * 8), *lse = malloc(x.nr * 8), *bound = malloc(x.nq * 8);
    fr_check_report rep;
    fr_bound_model models[3] = { fr_bound_model_fp64(0), fr_bound_model_fp64(x.bc),
                                 fr_bound_model_fp64_tiled(x.bc) };
    for (int m = 0; m < 3; m++) {
        fr_check_request r = request(&x, x.o, x.lse, models[m]);
        EXPECT(fr_check_run(&r, &rep, bound) == FR_OK && !rep.failed && rep.o.over == 0,
               "the reference passes under %s (bc %zu)", models[m].name, models[m].block_cols);
        if (m == 2)
            printf("reference under %s: max error/bound O %.3f LSE %.3f, max %.2f ulp\n",
                   models[m].name, rep.o.max_ratio, rep.lse.max_ratio, rep.o.max_ulps);
    }
    fr_check_request r = request(&x, o, lse, fr_bound_model_fp64_tiled(x.bc));
    EXPECT(fr_check_run(&r, &rep, bound) == FR_OK, "bounds");

    /* one element off by twice its bound */
    memcpy(o, x.o, x.nq * 8);
    memcpy(lse, x.lse, x.nr * 8);
    size_t at = 3 * 48 * 16 + 40 * 16 + 7;    /* head 3, row 40, column 7 */
    o[at] += 2.0 * bound[at];
    EXPECT(fr_check_run(&r, &rep, NULL) == FR_OK && rep.failed && rep.o.over == 1 &&
               rep.o.worst_ratio.h == 3 && rep.o.worst_ratio.i == 40 && rep.o.worst_ratio.c == 7,
           "an element off by 2 bounds is caught and located (over %llu, at h%zu i%zu c%zu)",
           (unsigned long long)rep.o.over, rep.o.worst_ratio.h, rep.o.worst_ratio.i,
           rep.o.worst_ratio.c);
    EXPECT(rep.o.max_ratio > 1.9 && rep.o.max_ratio < 2.1, "ratio about 2, got %g",
           rep.o.max_ratio);

    /* one NaN */
    memcpy(o, x.o, x.nq * 8);
    o[5 * 16 + 2] = NAN;
    EXPECT(fr_check_run(&r, &rep, NULL) == FR_OK && rep.failed && rep.o.nonfinite == 1,
           "a NaN is caught");

    /* two heads swapped */
    memcpy(o, x.o, x.nq * 8);
    memcpy(o, x.o + 48 * 16, 48 * 16 * 8);
    memcpy(o + 48 * 16, x.o, 48 * 16 * 8);
    EXPECT(fr_check_run(&r, &rep, NULL) == FR_OK && rep.failed && rep.o.over > 100,
           "swapped heads are caught (%llu over)", (unsigned long long)rep.o.over);

    /* a wrong LSE */
    memcpy(o, x.o, x.nq * 8);
    lse[17] = nextafter(nextafter(lse[17], HUGE_VAL), HUGE_VAL) + 1e-9;
    EXPECT(fr_check_run(&r, &rep, NULL) == FR_OK && rep.failed && rep.lse.over == 1 &&
               rep.o.over == 0, "a wrong LSE is caught");

    /* the wrong causal alignment: computed top-left, checked as bottom-right */
    data tl;
    make_data(&tl, FR_CAUSAL_TOP_LEFT, 48, 64);
    fr_check_request rw = request(&x, tl.o, tl.lse, fr_bound_model_fp64(0));
    EXPECT(fr_check_run(&rw, &rep, NULL) == FR_OK && rep.failed && rep.o.over > 100,
           "top-left output checked as bottom-right is caught");
    free_data(&tl);

    /* the emulated kernels pass under their models */
    float *of = malloc(x.nq * 4), *lf = malloc(x.nr * 4);
    fr_emulate_fp32(&x.p, 32, x.q, x.k, x.v, of, lf);
    for (size_t i = 0; i < x.nq; i++)
        o[i] = of[i];
    for (size_t i = 0; i < x.nr; i++)
        lse[i] = lf[i];
    fr_check_request r32 = request(&x, o, lse, fr_bound_model_fp32(32));
    r32.o_format = FR_CHECK_F32;
    r32.lse_format = FR_CHECK_F32;
    EXPECT(fr_check_run(&r32, &rep, NULL) == FR_OK && !rep.failed, "fp32 kernel passes");
    printf("fp32 kernel under fp32: max error/bound O %.3f LSE %.3f, max %.2f ulp\n",
           rep.o.max_ratio, rep.lse.max_ratio, rep.o.max_ulps);
    r32.model = fr_bound_model_fp64(0);
    EXPECT(fr_check_run(&r32, &rep, NULL) == FR_OK && rep.failed,
           "the fp32 kernel does not pass as a double kernel");

    data h;
    make_data(&h, FR_CAUSAL_TOP_LEFT, 32, 80);
    for (size_t i = 0; i < h.nq; i++)
        h.q[i] = fr_round_half(h.q[i], FR_HALF_FP16);
    for (size_t i = 0; i < h.nkv; i++) {
        h.k[i] = fr_round_half(h.k[i], FR_HALF_FP16);
        h.v[i] = fr_round_half(h.v[i], FR_HALF_FP16);
    }
    fr_emulate_tc(&h.p, 32, 8, FR_HALF_FP16, h.q, h.k, h.v, of, lf);
    double *oh = malloc(h.nq * 8), *lh = malloc(h.nr * 8);
    for (size_t i = 0; i < h.nq; i++)
        oh[i] = of[i];
    for (size_t i = 0; i < h.nr; i++)
        lh[i] = lf[i];
    fr_check_request r16 = request(&h, oh, lh, fr_bound_model_fp16_p(32, 8));
    r16.o_format = FR_CHECK_F16;
    r16.lse_format = FR_CHECK_F32;
    EXPECT(fr_check_run(&r16, &rep, NULL) == FR_OK && !rep.failed, "fp16-P kernel passes");
    printf("tensor-core fp16 kernel under fp16-p: max error/bound O %.3f LSE %.3f, "
           "max %.2f ulp (fp16)\n", rep.o.max_ratio, rep.lse.max_ratio, rep.o.max_ulps);
    r16.model = fr_bound_model_fp32(32);
    r16.o_format = FR_CHECK_F32;
    EXPECT(fr_check_run(&r16, &rep, NULL) == FR_OK && rep.failed,
           "the fp16-P kernel does not pass as an fp32 kernel");
    free(oh);
    free(lh);
    free_data(&h);

    /* sampling: a fault in a sampled row is caught, the correct output passes */
    memcpy(o, x.o, x.nq * 8);
    memcpy(lse, x.lse, x.nr * 8);
    fr_check_request rs = request(&x, o, lse, fr_bound_model_fp64(0));
    rs.rows = 6;
    rs.seed = 3;
    EXPECT(fr_check_run(&rs, &rep, NULL) == FR_OK && !rep.failed && rep.rows == 4 * 6,
           "sampled check passes (%llu rows)", (unsigned long long)rep.rows);
    o[(1 * 48 + 47) * 16 + 3] += 1e-6;       /* the last row is always sampled */
    EXPECT(fr_check_run(&rs, &rep, NULL) == FR_OK && rep.failed, "sampled check catches");

    free(of);
    free(lf);
    free(o);
    free(lse);
    free(bound);
    free_data(&x);
}

/* ---- .npy files and the command line ------------------------------------------ */

static int write_npy(const char *path, const char *descr, const size_t *shape, size_t ndim,
                     const void *data, size_t item, size_t count)
{
    char dict[256];
    int n = snprintf(dict, sizeof dict, "{'descr': '%s', 'fortran_order': False, 'shape': (",
                     descr);
    for (size_t i = 0; i < ndim; i++)
        n += snprintf(dict + n, sizeof dict - (size_t)n, ndim == 1 ? "%zu,)" : (i + 1 < ndim ? "%zu, " : "%zu)"), shape[i]);
    n += snprintf(dict + n, sizeof dict - (size_t)n, ", }");
    size_t total = 10 + (size_t)n + 1;
    size_t pad = (64 - total % 64) % 64;
    size_t hlen = (size_t)n + pad + 1;
    FILE *f = fopen(path, "wb");
    if (f == NULL)
        return 0;
    unsigned char pre[10] = { 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, (unsigned char)(hlen & 0xff),
                              (unsigned char)(hlen >> 8) };
    fwrite(pre, 1, 10, f);
    fwrite(dict, 1, (size_t)n, f);
    for (size_t i = 0; i < pad; i++)
        fputc(' ', f);
    fputc('\n', f);
    fwrite(data, item, count, f);   /* the test runs on little-endian hosts */
    fclose(f);
    return 1;
}

static int cli(int argc, const char **argv)
{
    fflush(stdout);
    return fr_cli_check(argc, (char **)argv);
}

static void test_command_line(void)
{
    data x;
    make_data(&x, FR_CAUSAL_BOTTOM_RIGHT, 48, 64);
    size_t qs[4] = { 1, 4, 48, 16 }, ks[4] = { 1, 2, 64, 16 }, ls[3] = { 1, 4, 48 };
    int ok = write_npy("toc_q.npy", "<f4", qs, 4, x.q, 4, x.nq) &&
             write_npy("toc_k.npy", "<f4", ks, 4, x.k, 4, x.nkv) &&
             write_npy("toc_v.npy", "<f4", ks, 4, x.v, 4, x.nkv) &&
             write_npy("toc_o.npy", "<f8", qs, 4, x.o, 8, x.nq) &&
             write_npy("toc_lse.npy", "<f8", ls, 3, x.lse, 8, x.nr);
    EXPECT(ok, "writing .npy files");
    double *bad = malloc(x.nq * 8);
    memcpy(bad, x.o, x.nq * 8);
    bad[100] = NAN;
    write_npy("toc_bad.npy", "<f8", qs, 4, bad, 8, x.nq);
    /* the fp32 kernel's output as float32 */
    float *of = malloc(x.nq * 4), *lf = malloc(x.nr * 4);
    fr_emulate_fp32(&x.p, 64, x.q, x.k, x.v, of, lf);
    write_npy("toc_o32.npy", "<f4", qs, 4, of, 4, x.nq);
    write_npy("toc_l32.npy", "<f4", ls, 3, lf, 4, x.nr);

    const char *good[] = { "check", "--q", "toc_q.npy", "--k", "toc_k.npy", "--v", "toc_v.npy",
                           "--o", "toc_o.npy", "--lse", "toc_lse.npy", "--causal=bottom-right",
                           "--model", "fp64" };
    EXPECT(cli(14, good) == 0, "the reference passes through the command line");
    const char *tiled[] = { "check", "--q", "toc_q.npy", "--k", "toc_k.npy", "--v", "toc_v.npy",
                            "--o", "toc_o.npy", "--causal", "bottom-right", "--model",
                            "fp64-tiled", "--block-cols", "16", "--json" };
    EXPECT(cli(16, tiled) == 0, "fp64-tiled with --json");
    const char *nan_o[] = { "check", "--q", "toc_q.npy", "--k", "toc_k.npy", "--v", "toc_v.npy",
                            "--o", "toc_bad.npy", "--causal", "bottom-right", "--model", "fp64" };
    EXPECT(cli(13, nan_o) == 1, "a NaN fails with exit 1");
    const char *causal[] = { "check", "--q", "toc_q.npy", "--k", "toc_k.npy", "--v", "toc_v.npy",
                             "--o", "toc_o.npy", "--causal", "top-left", "--model", "fp64" };
    EXPECT(cli(13, causal) == 1, "the wrong causal alignment fails with exit 1");
    const char *f32[] = { "check", "--q", "toc_q.npy", "--k", "toc_k.npy", "--v", "toc_v.npy",
                          "--o", "toc_o32.npy", "--lse", "toc_l32.npy", "--causal",
                          "bottom-right", "--block-cols", "64", "--rows", "10", "--seed", "4" };
    EXPECT(cli(19, f32) == 0, "the fp32 kernel passes the default fp32 model, sampled");
    const char *missing[] = { "check", "--k", "toc_k.npy", "--v", "toc_v.npy", "--o",
                              "toc_o.npy" };
    EXPECT(cli(7, missing) == 2, "a missing --q is a usage error");
    const char *model[] = { "check", "--q", "toc_q.npy", "--k", "toc_k.npy", "--v", "toc_v.npy",
                            "--o", "toc_o.npy", "--model", "fp8" };
    EXPECT(cli(11, model) == 2, "an unknown model is a usage error");
    const char *shape[] = { "check", "--q", "toc_q.npy", "--k", "toc_k.npy", "--v", "toc_v.npy",
                            "--o", "toc_lse.npy" };
    EXPECT(cli(9, shape) == 2, "an O of the wrong shape is a usage error");
    const char *nofile[] = { "check", "--q", "toc_nothing.npy", "--k", "toc_k.npy", "--v",
                             "toc_v.npy", "--o", "toc_o.npy" };
    EXPECT(cli(9, nofile) == 2, "a missing file is an error of the request");
    const char *help[] = { "check", "--help" };
    EXPECT(cli(2, help) == 0, "--help");
    const char *names[] = { "toc_q.npy", "toc_k.npy", "toc_v.npy", "toc_o.npy", "toc_lse.npy",
                            "toc_bad.npy", "toc_o32.npy", "toc_l32.npy" };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        remove(names[i]);
    free(bad);
    free(of);
    free(lf);
    free_data(&x);
}

/* N = 16384 through row sampling: the kernel output holds only the sampled
 * rows (the rest stays 0, which the check must not look at). */
static void test_large(void)
{
    fr_problem p = fr_problem_make(1, 2, 1, 16384, 16384, 64, FR_CAUSAL_NONE);
    size_t nq = 2 * 16384 * 64, nkv = 16384 * 64, nr = 2 * 16384;
    float *q = malloc(nq * 4), *k = malloc(nkv * 4), *v = malloc(nkv * 4);
    double *o = calloc(nq, 8), *lse = calloc(nr, 8);
    size_t *rows = malloc(16384 * sizeof *rows);
    fr_family_fill(FR_FAMILY_RANDOM, &p, 21, q, k, v);
    size_t n = fr_oracle_sample_rows(&p, 24, 11, rows);
    EXPECT(n == 24, "24 sampled rows");
    fr_problem one = fr_problem_make(1, 1, 1, 1, 16384, 64, FR_CAUSAL_NONE);
    fr_blocks blk = { 1, 64 };
    for (size_t h = 0; h < 2; h++) {
        for (size_t r = 0; r < n; r++) {
            size_t row = h * 16384 + rows[r];
            fr_attention_tiled(&one, fr_fast_words_needed(blk, 64), &blk, q + row * 64, k, v,
                               o + row * 64, lse + row, NULL);
        }
    }
    size_t qs[4] = { 1, 2, 16384, 64 }, ks[4] = { 1, 1, 16384, 64 }, ls[3] = { 1, 2, 16384 };
    write_npy("toc_bq.npy", "<f4", qs, 4, q, 4, nq);
    write_npy("toc_bk.npy", "<f4", ks, 4, k, 4, nkv);
    write_npy("toc_bv.npy", "<f4", ks, 4, v, 4, nkv);
    write_npy("toc_bo.npy", "<f8", qs, 4, o, 8, nq);
    write_npy("toc_bl.npy", "<f8", ls, 3, lse, 8, nr);
    const char *args[] = { "check", "--q", "toc_bq.npy", "--k", "toc_bk.npy", "--v",
                           "toc_bv.npy", "--o", "toc_bo.npy", "--lse", "toc_bl.npy", "--model",
                           "fp64-tiled", "--block-cols", "64", "--rows", "24", "--seed", "11" };
    EXPECT(cli(19, args) == 0, "N = 16384, 24 sampled rows per head, passes");
    o[(16384 + rows[5]) * 64 + 9] += 1e-9;
    write_npy("toc_bo.npy", "<f8", qs, 4, o, 8, nq);
    EXPECT(cli(19, args) == 1, "N = 16384: a fault in a sampled row fails");
    const char *names[] = { "toc_bq.npy", "toc_bk.npy", "toc_bv.npy", "toc_bo.npy", "toc_bl.npy" };
    for (size_t i = 0; i < 5; i++)
        remove(names[i]);
    free(q);
    free(k);
    free(v);
    free(o);
    free(lse);
    free(rows);
}

int main(void)
{
    test_in_memory();
    test_command_line();
    test_large();
    if (g_fail) {
        fprintf(stderr, "test_oracle_check: %d failure(s)\n", g_fail);
        return 1;
    }
    printf("test_oracle_check: all checks passed\n");
    return 0;
}
