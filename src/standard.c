#include "standard.h"
#include "call.h"
#include "mask.h"
#include "prims.h"
#include "tile_ops.h"

fr_status fr_standard_scores(const fr_head *h, fr_blocks b, fr_fast_memory *fm,
                             const float *q, const float *k, double *s)
{
    size_t d = h->d, nk = h->kv_len;
    size_t mark = fm->used;
    double *q_tile = fr_fast_alloc(fm, b.rows * d);
    double *k_tile = fr_fast_alloc(fm, b.cols * d);
    double *s_tile = fr_fast_alloc(fm, b.rows * b.cols);
    if (q_tile == NULL || k_tile == NULL || s_tile == NULL) {
        fr_fast_release(fm, mark);
        return FR_ERR_FAST_MEMORY_TOO_SMALL;
    }
    for (size_t i0 = 0; i0 < h->q_len; i0 += b.rows) {
        size_t rows = h->q_len - i0 < b.rows ? h->q_len - i0 : b.rows;
        fr_load_f32(fm, q_tile, q + i0 * d, rows, d, d);
        for (size_t j0 = 0; j0 < nk; j0 += b.cols) {
            size_t cols = nk - j0 < b.cols ? nk - j0 : b.cols;
            fr_load_f32(fm, k_tile, k + j0 * d, cols, d, d);
            for (size_t r = 0; r < rows; r++) {
                double *s_row = s_tile + r * cols;
                size_t visible = fr_visible_keys(h->causal, i0 + r, h->q_len, nk);
                size_t n = fr_visible_in_block(visible, j0, cols);
                fr_score_row(s_row, q_tile + r * d, k_tile, n, d, h->scale);
                fr_row_fill(s_row + n, cols - n, fr_neg_inf());
            }
            fr_store_f64(fm, s + i0 * nk + j0, nk, s_tile, rows, cols);
            if (nk - j0 <= b.cols)
                break;
        }
        if (h->q_len - i0 <= b.rows)
            break;
    }
    fr_fast_release(fm, mark);
    return FR_OK;
}

fr_status fr_standard_softmax_row(const fr_head *h, fr_blocks b, fr_fast_memory *fm,
                                  size_t i, const double *s_row, double *p_row,
                                  double *lse_i)
{
    size_t nk = h->kv_len;
    size_t mark = fm->used;
    double *chunk = fr_fast_alloc(fm, b.cols);
    double *lse_word = fr_fast_alloc(fm, 1);
    if (chunk == NULL || lse_word == NULL) {
        fr_fast_release(fm, mark);
        return FR_ERR_FAST_MEMORY_TOO_SMALL;
    }
    size_t visible = fr_visible_keys(h->causal, i, h->q_len, nk);
    double m = 0.0, l = 0.0;
    /* Pass A: the row max over visible keys. */
    for (size_t j0 = 0; j0 < nk; j0 += b.cols) {
        size_t cols = nk - j0 < b.cols ? nk - j0 : b.cols;
        fr_load_f64(fm, chunk, s_row + j0, 1, cols, cols);
        size_t n = fr_visible_in_block(visible, j0, cols);
        if (n > 0) {
            double chunk_max = fr_row_max(chunk, n);
            m = j0 == 0 ? chunk_max : fr_max(m, chunk_max);
        }
        if (nk - j0 <= b.cols)
            break;
    }
    /* Pass B: the denominator. */
    for (size_t j0 = 0; j0 < nk; j0 += b.cols) {
        size_t cols = nk - j0 < b.cols ? nk - j0 : b.cols;
        fr_load_f64(fm, chunk, s_row + j0, 1, cols, cols);
        size_t n = fr_visible_in_block(visible, j0, cols);
        l = fr_exp_shift_accumulate(chunk, n, fr_shift_point(m), l);
        if (nk - j0 <= b.cols)
            break;
    }
    /* Pass C: the probabilities. */
    for (size_t j0 = 0; j0 < nk; j0 += b.cols) {
        size_t cols = nk - j0 < b.cols ? nk - j0 : b.cols;
        fr_load_f64(fm, chunk, s_row + j0, 1, cols, cols);
        size_t n = fr_visible_in_block(visible, j0, cols);
        fr_softmax_chunk(chunk, n, cols, fr_shift_point(m), l);
        fr_store_f64(fm, p_row + j0, cols, chunk, 1, cols);
        if (nk - j0 <= b.cols)
            break;
    }
    lse_word[0] = visible == 0 || l == 0.0 ? fr_neg_inf() : fr_add(m, fr_log(l));
    fr_store_f64(fm, lse_i, 1, lse_word, 1, 1);
    fr_fast_release(fm, mark);
    return FR_OK;
}

fr_status fr_standard_output(const fr_head *h, fr_blocks b, fr_fast_memory *fm,
                             const double *p, const float *v, double *o)
{
    size_t d = h->d, nk = h->kv_len;
    size_t mark = fm->used;
    double *p_tile = fr_fast_alloc(fm, b.rows * b.cols);
    double *v_tile = fr_fast_alloc(fm, b.cols * d);
    double *acc = fr_fast_alloc(fm, b.rows * d);
    if (p_tile == NULL || v_tile == NULL || acc == NULL) {
        fr_fast_release(fm, mark);
        return FR_ERR_FAST_MEMORY_TOO_SMALL;
    }
    for (size_t i0 = 0; i0 < h->q_len; i0 += b.rows) {
        size_t rows = h->q_len - i0 < b.rows ? h->q_len - i0 : b.rows;
        for (size_t r = 0; r < rows; r++)
            fr_row_zero(acc + r * d, d);
        for (size_t j0 = 0; j0 < nk; j0 += b.cols) {
            size_t cols = nk - j0 < b.cols ? nk - j0 : b.cols;
            fr_load_f64(fm, p_tile, p + i0 * nk + j0, rows, cols, nk);
            fr_load_f32(fm, v_tile, v + j0 * d, cols, d, d);
            for (size_t r = 0; r < rows; r++) {
                size_t visible = fr_visible_keys(h->causal, i0 + r, h->q_len, nk);
                size_t n = fr_visible_in_block(visible, j0, cols);
                fr_row_accumulate(acc + r * d, p_tile + r * cols, v_tile, n, d);
            }
            if (nk - j0 <= b.cols)
                break;
        }
        fr_store_f64(fm, o + i0 * d, d, acc, rows, d);
        if (h->q_len - i0 <= b.rows)
            break;
    }
    fr_fast_release(fm, mark);
    return FR_OK;
}

fr_status fr_standard_head(const fr_head *h, fr_blocks b, fr_fast_memory *fm,
                           const float *q, const float *k, const float *v,
                           double *s, double *p, double *o, double *lse)
{
    fr_status st = fr_standard_scores(h, b, fm, q, k, s);
    for (size_t i = 0; st == FR_OK && i < h->q_len; i++)
        st = fr_standard_softmax_row(h, b, fm, i, s + i * h->kv_len, p + i * h->kv_len,
                                     lse + i);
    if (st == FR_OK)
        st = fr_standard_output(h, b, fm, p, v, o);
    return st;
}

fr_status fr_attention_standard(const fr_problem *p, size_t fast_words,
                                const fr_blocks *blocks,
                                const float *q, const float *k, const float *v,
                                double *o, double *lse, fr_io_stats *stats)
{
    fr_call call;
    fr_status st = fr_call_begin(p, fast_words, blocks, q, k, v, o, lse, &call);
    if (st != FR_OK)
        return st;
    size_t scores_words = 0;
    if (p->q_len > SIZE_MAX / p->kv_len || p->q_len * p->kv_len > SIZE_MAX / 8) {
        fr_call_end(&call, NULL);
        return FR_ERR_SIZE_OVERFLOW;
    }
    scores_words = p->q_len * p->kv_len;
    double *s = fr_host_alloc(scores_words);
    double *pm = fr_host_alloc(scores_words);
    if (s == NULL || pm == NULL)
        st = FR_ERR_OUT_OF_MEMORY;
    if (st == FR_OK) {
        fr_head h = { p->q_len, p->kv_len, p->head_dim, p->causal, p->scale };
        size_t group = p->q_heads / p->kv_heads;
        for (size_t bi = 0; st == FR_OK && bi < p->batch; bi++) {
            for (size_t hq = 0; st == FR_OK && hq < p->q_heads; hq++) {
                size_t hk = hq / group;
                size_t q_off = fr_head_offset(bi, hq, p->q_heads, p->q_len, p->head_dim);
                size_t kv_off = fr_head_offset(bi, hk, p->kv_heads, p->kv_len, p->head_dim);
                size_t lse_off = fr_head_offset(bi, hq, p->q_heads, p->q_len, 1);
                st = fr_standard_head(&h, call.blocks, &call.fm, q + q_off, k + kv_off,
                                      v + kv_off, s, pm, o + q_off, lse + lse_off);
            }
        }
    }
    fr_host_free(s);
    fr_host_free(pm);
    fr_call_end(&call, stats);
    return st;
}
