#include "tiled.h"
#include "call.h"
#include "mask.h"
#include "online_softmax.h"
#include "prims.h"
#include "tile_ops.h"
#include "lemmas_size.h"
#include "lemmas_count.h"
#include "lemmas_bound.h"

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

void fr_tiled_heads(fr_head h, fr_blocks b, fr_fast_memory *fm, const fr_tiled_buffers *t,
                    size_t batch, size_t q_heads, size_t kv_heads,
                    const float *q, const float *k, const float *v,
                    double *o, double *lse)
{
    //@ ghost Group_Head(0, q_heads, kv_heads);
    size_t group = q_heads / kv_heads;
    size_t heads = batch * q_heads;
    //@ ghost size_t kv_total = batch * kv_heads;
    size_t q_words = h.q_len * h.d;
    size_t kv_words = h.kv_len * h.d;
    //@ assert values: heads == batch * q_heads && kv_total == batch * kv_heads;
    //@ assert words: q_words == h.q_len * h.d && kv_words == h.kv_len * h.d;
    /* The count proof: each head moves the same words. */
    //@ ghost TiledKeys_Below(h.causal, 0, h.q_len, h.kv_len, b.rows, b.cols);
    //@ assert per_head: TiledHeadReads(h.causal, h.q_len, h.kv_len, h.d, b.rows, b.cols) >= 0 && TiledHeadWrites(h.q_len, h.d) >= 0;
    /*@ loop invariant range: 0 <= head <= heads;
        loop invariant read: \at(fm->words_read, Pre) + Words(heads, TiledHeadReads(h.causal, h.q_len, h.kv_len, h.d, b.rows, b.cols)) <= UINT64_MAX ==>
          fm->words_read == \at(fm->words_read, Pre) + Words(head, TiledHeadReads(h.causal, h.q_len, h.kv_len, h.d, b.rows, b.cols));
        loop invariant written: \at(fm->words_written, Pre) + Words(heads, TiledHeadWrites(h.q_len, h.d)) <= UINT64_MAX ==>
          fm->words_written == \at(fm->words_written, Pre) + Words(head, TiledHeadWrites(h.q_len, h.d));
        loop assigns head, fm->words_read, fm->words_written,
                     t->q[0 .. b.rows * h.d - 1], t->k[0 .. b.cols * h.d - 1],
                     t->v[0 .. b.cols * h.d - 1], t->s[0 .. b.rows * b.cols - 1],
                     t->acc[0 .. b.rows * h.d - 1], t->m[0 .. b.rows - 1],
                     t->l[0 .. b.rows - 1], o[0 .. batch * q_heads * h.q_len * h.d - 1],
                     lse[0 .. batch * q_heads * h.q_len - 1];
        loop variant heads - head; */
    for (size_t head = 0; head < heads; head++) {
        /* (batch bi, query head hq) in order; hq reads kv head hq / group of bi */
        size_t bi = head / q_heads;
        size_t hq = head % q_heads;
        //@ ghost Div_Below(head, q_heads, batch);
        //@ ghost Group_Head(hq, q_heads, kv_heads);
        size_t hk = hq / group;
        //@ ghost Row_Fits(bi, batch, kv_heads);
        //@ assert kv_index: bi * kv_heads + hk + 1 <= kv_total;
        size_t kv_head = bi * kv_heads + hk;
        //@ ghost Row_Fits(head, heads, q_words);
        //@ ghost Row_Fits(head, heads, h.q_len);
        //@ ghost Row_Fits(kv_head, kv_total, kv_words);
        //@ assert q_slice: head * q_words + q_words <= batch * q_heads * h.q_len * h.d;
        //@ assert lse_slice: head * h.q_len + h.q_len <= batch * q_heads * h.q_len;
        //@ assert kv_slice: kv_head * kv_words + kv_words <= batch * kv_heads * h.kv_len * h.d;
        /*@ assert heads_before: Words(head + 1, TiledHeadReads(h.causal, h.q_len, h.kv_len, h.d, b.rows, b.cols)) <= Words(heads, TiledHeadReads(h.causal, h.q_len, h.kv_len, h.d, b.rows, b.cols)) &&
                                 Words(head + 1, TiledHeadWrites(h.q_len, h.d)) <= Words(heads, TiledHeadWrites(h.q_len, h.d)); */
        /*@ assert next_head: Words(head + 1, TiledHeadReads(h.causal, h.q_len, h.kv_len, h.d, b.rows, b.cols)) == Words(head, TiledHeadReads(h.causal, h.q_len, h.kv_len, h.d, b.rows, b.cols)) + TiledHeadReads(h.causal, h.q_len, h.kv_len, h.d, b.rows, b.cols) &&
                              Words(head + 1, TiledHeadWrites(h.q_len, h.d)) == Words(head, TiledHeadWrites(h.q_len, h.d)) + TiledHeadWrites(h.q_len, h.d); */
        fr_tiled_head(h, b, fm, t, q + head * q_words, k + kv_head * kv_words,
                      v + kv_head * kv_words, o + head * q_words, lse + head * h.q_len);
    }
}

fr_status fr_attention_tiled(const fr_problem *p, size_t fast_words,
                             const fr_blocks *blocks,
                             const float *q, const float *k, const float *v,
                             double *o, double *lse, fr_io_stats *stats)
{
    fr_status st = fr_call_check(p, q, k, v, o, lse);
    if (st != FR_OK)
        return st;
    /* Copied before anything is written: the facts about *p then cannot be
     * lost to a write WP cannot tell apart from it. */
    fr_head h;   /* field by field: WP's provers choke on a braced initializer with a double */
    h.q_len = p->q_len;
    h.kv_len = p->kv_len;
    h.d = p->head_dim;
    h.causal = p->causal;
    h.scale = p->scale;
    size_t batch = p->batch, q_heads = p->q_heads, kv_heads = p->kv_heads;
    //@ assert head: HeadOk(h.q_len, h.kv_len, h.d, h.causal);
    /*@ assert tensors:
          batch * q_heads * h.q_len * h.d <= SIZE_MAX && batch * kv_heads * h.kv_len * h.d <= SIZE_MAX &&
          batch * q_heads <= batch * q_heads * h.q_len <= batch * q_heads * h.q_len * h.d &&
          batch * kv_heads <= batch * kv_heads * h.kv_len * h.d &&
          \valid_read(q + (0 .. batch * q_heads * h.q_len * h.d - 1)) &&
          \valid_read(k + (0 .. batch * kv_heads * h.kv_len * h.d - 1)) &&
          \valid_read(v + (0 .. batch * kv_heads * h.kv_len * h.d - 1)) &&
          \valid(o + (0 .. batch * q_heads * h.q_len * h.d - 1)) &&
          \valid(lse + (0 .. batch * q_heads * h.q_len - 1)); */
    fr_call call;
    st = fr_call_begin(h.d, h.q_len, h.kv_len, fast_words, blocks, &call);
    if (st != FR_OK)
        return st;
    //@ assert blocks: BlocksFit(call.blocks, h.d, SIZE_MAX);
    fr_tiled_buffers t;
    st = fr_tiled_buffers_alloc(&call.fm, call.blocks, h.d, &t);
    if (st == FR_OK)
        fr_tiled_heads(h, call.blocks, &call.fm, &t, batch, q_heads, kv_heads,
                       q, k, v, o, lse);
    //@ assert fast_peak: st == FR_OK ==> call.fm.peak <= fast_words;
    /*@ assert read_count: st == FR_OK &&
          TiledReads(h.causal, h.q_len, h.kv_len, h.d, call.blocks.rows, call.blocks.cols, batch * q_heads) <= UINT64_MAX ==>
          call.fm.words_read == TiledReads(h.causal, h.q_len, h.kv_len, h.d, call.blocks.rows, call.blocks.cols, batch * q_heads); */
    /*@ assert write_count: st == FR_OK && TiledWrites(h.q_len, h.d, batch * q_heads) <= UINT64_MAX ==>
          call.fm.words_written == TiledWrites(h.q_len, h.d, batch * q_heads); */
    /* The bound proof (FlashAttention Thm 2): default blocks only. */
    //@ ghost size_t all_heads = batch * q_heads;
    //@ assert all_heads: all_heads == batch * q_heads;
    //@ ghost size_t rows = call.blocks.rows;
    //@ ghost size_t cols = call.blocks.cols;
    //@ ghost if (st == FR_OK && blocks == NULL) Bound_TiledDefault(h.causal, h.q_len, h.kv_len, h.d, fast_words, rows, cols, all_heads);
    /*@ assert within_bound: st == FR_OK && blocks == \null &&
          TiledReads(h.causal, h.q_len, h.kv_len, h.d, call.blocks.rows, call.blocks.cols, batch * q_heads) <= UINT64_MAX &&
          TiledWrites(h.q_len, h.d, batch * q_heads) <= UINT64_MAX ==>
          fast_words * (call.fm.words_read + call.fm.words_written) <=
          batch * q_heads * TiledBoundTimesM(h.q_len, h.kv_len, h.d, fast_words); */
    fr_call_end(&call, stats);
    return st;
}
