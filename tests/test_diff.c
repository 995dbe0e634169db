/* Differential test: the tiled algorithm against the standard one, and both
 * against an attention written in the test (tests/common.h), on a seeded
 * random family of shapes that always contains the special cases.
 *
 * The independent attention is what catches a bug shared by both algorithms
 * (the mask, the head mapping, the scale), which a tiled-vs-standard
 * comparison alone cannot see.
 *
 * Usage: test_diff [seed [cases]] */
#include "common.h"

#define TOL 1e-12

typedef struct coverage {
    size_t n1, ragged_q, ragged_k, nq_gt_nk, nq_lt_nk, gqa, mqa;
    size_t tl_gt, tl_lt, br_gt, br_lt, masked_rows, big_logits, min_mem, huge_mem, user;
    size_t dims[5];   /* 1, 3, 64, 128, 256 */
} coverage;

static void note_coverage(coverage *cv, const tcase *c, size_t masked)
{
    const fr_problem *p = &c->p;
    fr_blocks b = case_blocks(c);
    cv->n1 += p->q_len == 1 || p->kv_len == 1;
    cv->ragged_q += p->q_len % b.rows != 0;
    cv->ragged_k += p->kv_len % b.cols != 0;
    cv->nq_gt_nk += p->q_len > p->kv_len;
    cv->nq_lt_nk += p->q_len < p->kv_len;
    cv->gqa += p->kv_heads < p->q_heads;
    cv->mqa += p->kv_heads == 1 && p->q_heads > 1;
    cv->tl_gt += p->causal == FR_CAUSAL_TOP_LEFT && p->q_len > p->kv_len;
    cv->tl_lt += p->causal == FR_CAUSAL_TOP_LEFT && p->q_len < p->kv_len;
    cv->br_gt += p->causal == FR_CAUSAL_BOTTOM_RIGHT && p->q_len > p->kv_len;
    cv->br_lt += p->causal == FR_CAUSAL_BOTTOM_RIGHT && p->q_len < p->kv_len;
    cv->masked_rows += masked;
    cv->big_logits += c->logits != LOGITS_PLAIN;
    cv->min_mem += c->M == fr_min_fast_words(p->head_dim);
    cv->huge_mem += c->mem == MEM_HUGE;
    cv->user += (size_t)c->user_blocks;
    static const size_t dims[5] = {1, 3, 64, 128, 256};
    for (int i = 0; i < 5; i++)
        cv->dims[i] += p->head_dim == dims[i];
}

/* Largest |scale * q.k| over visible pairs, recomputed from the inputs. */
static double max_visible_logit(const fr_problem *p, const tensors *t)
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
                        m = fmax(m, fabs(dot_f(q + i * d, k + j * d, d) * p->scale));
        }
    return m;
}

int main(int argc, char **argv)
{
    uint64_t seed = seed_from_args(argc, argv, 0x5eedf1a5e0d1ffull, "test_diff");
    size_t ncases = argc > 2 ? (size_t)strtoul(argv[2], NULL, 0) : 240;
    if (ncases < N_FORCED)
        ncases = N_FORCED;
    rng r = {seed};
    coverage cv;
    memset(&cv, 0, sizeof cv);
    double worst_o = 0.0, worst_l = 0.0, worst_no = 0.0, worst_nl = 0.0, biggest_logit = 0.0;

    for (size_t idx = 0; idx < ncases; idx++) {
        tcase c;
        tensors t;
        make_case(&r, idx, 1.2e6, &c);
        make_tensors(&r, &c, &t);
        const fr_problem *p = &c.p;
        double *o_t = xmalloc(t.nq_el * sizeof(double)), *o_s = xmalloc(t.nq_el * sizeof(double));
        double *o_n = xmalloc(t.nq_el * sizeof(double));
        double *l_t = xmalloc(t.nlse * sizeof(double)), *l_s = xmalloc(t.nlse * sizeof(double));
        double *l_n = xmalloc(t.nlse * sizeof(double));
        int failures_before = g_failures;

        fr_status st_t = run_algo(1, &c, &t, o_t, l_t, NULL);
        fr_status st_s = run_algo(0, &c, &t, o_s, l_s, NULL);
        naive_attention(p, &t, o_n, l_n);
        CHECK(st_t == FR_OK && st_s == FR_OK, "case %zu: status tiled %d standard %d", idx,
              (int)st_t, (int)st_s);
        if (st_t != FR_OK || st_s != FR_OK)
            goto next;

        /* Fully masked rows: O = 0 exactly and LSE = -inf, in both. */
        size_t masked = 0;
        for (size_t i = 0; i < p->q_len; i++) {
            if (ref_visible_count(p->causal, i, p->q_len, p->kv_len) != 0)
                continue;
            for (size_t bh = 0; bh < p->batch * p->q_heads; bh++) {
                size_t row = bh * p->q_len + i;
                masked++;
                CHECK(l_t[row] == -INFINITY && l_s[row] == -INFINITY,
                      "case %zu row %zu: masked LSE tiled %g standard %g", idx, i, l_t[row],
                      l_s[row]);
                for (size_t x = 0; x < p->head_dim; x++) {
                    size_t e = row * p->head_dim + x;
                    CHECK(o_t[e] == 0.0 && o_s[e] == 0.0,
                          "case %zu row %zu: masked O tiled %g standard %g", idx, i, o_t[e],
                          o_s[e]);
                }
            }
        }
        /* Everything else finite, even with logits of 1e4. */
        for (size_t e = 0; e < t.nq_el; e++)
            CHECK(isfinite(o_t[e]) && isfinite(o_s[e]), "case %zu: O[%zu] not finite", idx, e);
        for (size_t e = 0; e < t.nlse; e++) {
            size_t i = e % p->q_len;
            if (ref_visible_count(p->causal, i, p->q_len, p->kv_len) != 0)
                CHECK(isfinite(l_t[e]) && isfinite(l_s[e]), "case %zu: LSE[%zu] not finite",
                      idx, e);
        }

        double d_o = rel_diff(o_t, o_s, t.nq_el), d_l = rel_diff(l_t, l_s, t.nlse);
        double n_o = fmax(rel_diff(o_t, o_n, t.nq_el), rel_diff(o_s, o_n, t.nq_el));
        double n_l = fmax(rel_diff(l_t, l_n, t.nlse), rel_diff(l_s, l_n, t.nlse));
        CHECK(d_o <= TOL, "case %zu: O tiled vs standard %.3g", idx, d_o);
        CHECK(d_l <= TOL, "case %zu: LSE tiled vs standard %.3g", idx, d_l);
        CHECK(n_o <= TOL, "case %zu: O vs independent %.3g", idx, n_o);
        CHECK(n_l <= TOL, "case %zu: LSE vs independent %.3g", idx, n_l);
        worst_o = fmax(worst_o, d_o);
        worst_l = fmax(worst_l, d_l);
        worst_no = fmax(worst_no, n_o);
        worst_nl = fmax(worst_nl, n_l);
        if (c.logits != LOGITS_PLAIN) {
            double big = max_visible_logit(p, &t);
            biggest_logit = fmax(biggest_logit, big);
            CHECK(big > 0.5e4 && big < 2e4, "case %zu: largest logit %g, wanted ~1e4", idx, big);
        }
        note_coverage(&cv, &c, masked);
    next:
        if (g_failures != failures_before) {
            fprintf(stderr, "  in case %zu ", idx);
            print_case(stderr, &c);
            fputc('\n', stderr);
        }
        free(o_t); free(o_s); free(o_n); free(l_t); free(l_s); free(l_n);
        free_tensors(&t);
    }

    /* The family must have contained every special case (guards against a
     * generator change or a seed that silently drops one). */
    CHECK(ncases >= 200, "only %zu cases", ncases);
    CHECK(cv.n1 > 0 && cv.ragged_q > 0 && cv.ragged_k > 0, "coverage: N=1 / ragged blocks");
    CHECK(cv.nq_gt_nk > 0 && cv.nq_lt_nk > 0 && cv.gqa > 0 && cv.mqa > 0, "coverage: shapes");
    CHECK(cv.tl_gt > 0 && cv.tl_lt > 0 && cv.br_gt > 0 && cv.br_lt > 0, "coverage: causal");
    CHECK(cv.masked_rows > 0 && cv.big_logits > 0, "coverage: masked rows / big logits");
    CHECK(cv.min_mem > 0 && cv.huge_mem > 0 && cv.user > 0, "coverage: memory / blocks");
    for (int i = 0; i < 5; i++)
        CHECK(cv.dims[i] > 0, "coverage: head dim #%d", i);

    printf("test_diff: %zu cases; max rel diff tiled/standard O %.3g LSE %.3g; "
           "vs independent O %.3g LSE %.3g; largest logit %.4g\n",
           ncases, worst_o, worst_l, worst_no, worst_nl, biggest_logit);
    printf("test_diff: coverage N=1 %zu, ragged %zu/%zu, Nq>Nk %zu, Nq<Nk %zu, GQA %zu, "
           "MQA %zu, TL %zu/%zu, BR %zu/%zu, masked rows %zu, big logits %zu, min M %zu, "
           "huge M %zu, user blocks %zu, d=1/3/64/128/256 %zu/%zu/%zu/%zu/%zu\n",
           cv.n1, cv.ragged_q, cv.ragged_k, cv.nq_gt_nk, cv.nq_lt_nk, cv.gqa, cv.mqa,
           cv.tl_gt, cv.tl_lt, cv.br_gt, cv.br_lt, cv.masked_rows, cv.big_logits, cv.min_mem,
           cv.huge_mem, cv.user, cv.dims[0], cv.dims[1], cv.dims[2], cv.dims[3], cv.dims[4]);
    return finish("test_diff");
}
