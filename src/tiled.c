#include "tiled.h"
#include "call.h"
#include "mask.h"
#include "online_softmax.h"
#include "prims.h"
#include "tile_ops.h"

fr_status fr_tiled_buffers_alloc(fr_fast_memory *fm, fr_blocks b, size_t d,
                                 fr_tiled_buffers *t)
{
    t->q = fr_fast_alloc(fm, b.rows * d);
    t->k = fr_fast_alloc(fm, b.cols * d);
    t->v = fr_fast_alloc(fm, b.cols * d);
    t->s = fr_fast_alloc(fm, b.rows * b.cols);
    t->acc = fr_fast_alloc(fm, b.rows * d);
    t->m = fr_fast_alloc(fm, b.rows);
    t->l = fr_fast_alloc(fm, b.rows);
    if (t->q == NULL || t->k == NULL || t->v == NULL || t->s == NULL ||
        t->acc == NULL || t->m == NULL || t->l == NULL)
        return FR_ERR_FAST_MEMORY_TOO_SMALL;
    return FR_OK;
}

void fr_tiled_key_block(const fr_head *h, fr_blocks b, const fr_tiled_buffers *t,
                        size_t i0, size_t rows, size_t j0, size_t cols)
{
    for (size_t r = 0; r < rows; r++) {
        size_t visible = fr_visible_keys(h->causal, i0 + r, h->q_len, h->kv_len);
        size_t n = fr_visible_in_block(visible, j0, cols);
        if (n == 0)
            continue;
        double *s = t->s + r * b.cols;
        double *acc = t->acc + r * h->d;
        fr_score_row(s, t->q + r * h->d, t->k, n, h->d, h->scale);
        if (j0 == 0)
            fr_online_first_block(s, n, t->v, h->d, t->m + r, t->l + r, acc);
        else
            fr_online_next_block(s, n, t->v, h->d, t->m + r, t->l + r, acc);
    }
}

void fr_tiled_finalize(const fr_head *h, fr_blocks b, const fr_tiled_buffers *t,
                       size_t i0, size_t rows)
{
    (void)b;
    for (size_t r = 0; r < rows; r++) {
        double *acc = t->acc + r * h->d;
        /* l == 0: every visible score is -inf, as good as fully masked */
        if (fr_visible_keys(h->causal, i0 + r, h->q_len, h->kv_len) == 0 || t->l[r] == 0.0) {
            fr_row_zero(acc, h->d);
            t->m[r] = fr_neg_inf();
        } else {
            fr_row_divide(acc, h->d, t->l[r]);
            t->m[r] = fr_add(t->m[r], fr_log(t->l[r]));
        }
    }
}

void fr_tiled_head(const fr_head *h, fr_blocks b, fr_fast_memory *fm,
                   const fr_tiled_buffers *t,
                   const float *q, const float *k, const float *v,
                   double *o, double *lse)
{
    size_t d = h->d;
    for (size_t i0 = 0; i0 < h->q_len; i0 += b.rows) {
        size_t rows = h->q_len - i0 < b.rows ? h->q_len - i0 : b.rows;
        fr_load_f32(fm, t->q, q + i0 * d, rows, d, d);
        /* Masks are monotone in the row: the block's last row sees the most keys. */
        size_t key_end = fr_visible_keys(h->causal, i0 + rows - 1, h->q_len, h->kv_len);
        for (size_t j0 = 0; j0 < key_end; j0 += b.cols) {
            size_t cols = h->kv_len - j0 < b.cols ? h->kv_len - j0 : b.cols;
            fr_load_f32(fm, t->k, k + j0 * d, cols, d, d);
            fr_load_f32(fm, t->v, v + j0 * d, cols, d, d);
            fr_tiled_key_block(h, b, t, i0, rows, j0, cols);
            if (h->kv_len - j0 <= b.cols)
                break;
        }
        fr_tiled_finalize(h, b, t, i0, rows);
        fr_store_f64(fm, o + i0 * d, d, t->acc, rows, d);
        fr_store_f64(fm, lse + i0, 1, t->m, rows, 1);
        if (h->q_len - i0 <= b.rows)
            break;
    }
}

fr_status fr_attention_tiled(const fr_problem *p, size_t fast_words,
                             const fr_blocks *blocks,
                             const float *q, const float *k, const float *v,
                             double *o, double *lse, fr_io_stats *stats)
{
    fr_call call;
    fr_status st = fr_call_begin(p, fast_words, blocks, q, k, v, o, lse, &call);
    if (st != FR_OK)
        return st;
    fr_tiled_buffers t;
    st = fr_tiled_buffers_alloc(&call.fm, call.blocks, p->head_dim, &t);
    if (st == FR_OK) {
        fr_head h = { p->q_len, p->kv_len, p->head_dim, p->causal, p->scale };
        size_t group = p->q_heads / p->kv_heads;
        for (size_t bi = 0; bi < p->batch; bi++) {
            for (size_t hq = 0; hq < p->q_heads; hq++) {
                size_t hk = hq / group;
                size_t q_off = fr_head_offset(bi, hq, p->q_heads, p->q_len, p->head_dim);
                size_t kv_off = fr_head_offset(bi, hk, p->kv_heads, p->kv_len, p->head_dim);
                size_t lse_off = fr_head_offset(bi, hq, p->q_heads, p->q_len, 1);
                fr_tiled_head(&h, call.blocks, &call.fm, &t, q + q_off, k + kv_off,
                              v + kv_off, o + q_off, lse + lse_off);
            }
        }
    }
    fr_call_end(&call, stats);
    return st;
}
