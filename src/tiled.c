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
#if FR_REAL_MODEL
    /*@ ghost (double *o, size_t n_o, double *lse, size_t n_lse) */
#endif
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
#if FR_REAL_MODEL
    /* The outputs' word counts, for the separation proofs. */
    //@ ghost size_t o_words = batch * q_heads * h.q_len * h.d;
    //@ ghost size_t lse_words = batch * q_heads * h.q_len;
    //@ assert words: o_words == batch * q_heads * h.q_len * h.d && lse_words == batch * q_heads * h.q_len;
#endif
    fr_call call;
    st = fr_call_begin(h.d, h.q_len, h.kv_len, fast_words, blocks, &call)
#if FR_REAL_MODEL
        /*@ ghost (o, o_words, lse, lse_words) */
#endif
        ;
    if (st != FR_OK)
        return st;
    //@ assert blocks: BlocksFit(call.blocks, h.d, SIZE_MAX);
    fr_tiled_buffers t;
    st = fr_tiled_buffers_alloc(&call.fm, call.blocks, h.d, &t)
#if FR_REAL_MODEL
        /*@ ghost (o, o_words, lse, lse_words) */
#endif
        ;
    if (st == FR_OK) {
        /*@ ghost FR_REAL(/@ assert o_apart: ApartFromBuffers(o, batch * q_heads * h.q_len * h.d, &t, call.blocks, h.d); @/ ;) */
        /*@ ghost FR_REAL(/@ assert lse_apart: ApartFromBuffers(lse, batch * q_heads * h.q_len, &t, call.blocks, h.d); @/ ;) */
        /*@ ghost FR_REAL(/@ assert o_lse_apart: \separated(o + (0 .. batch * q_heads * h.q_len * h.d - 1),
                                                         lse + (0 .. batch * q_heads * h.q_len - 1)); @/ ;) */
        /*@ ghost FR_REAL(/@ assert outputs_apart:
              OutputsApart(o, batch * q_heads * h.q_len * h.d, lse, batch * q_heads * h.q_len,
                           &t, call.blocks, h.d); @/ ;) */
        fr_tiled_heads(h, call.blocks, &call.fm, &t, batch, q_heads, kv_heads,
                       q, k, v, o, lse);
    }
    /*@ ghost FR_REAL(/@ assert output: st == FR_OK ==>
          HeadsOutput{Pre, Here}(q, k, v, h.d, h.scale, h.causal, h.q_len, h.kv_len,
                                 q_heads, kv_heads, batch * q_heads, o, lse); @/ ;) */
    /* The fast-memory, transfer-count and bound proofs: integer facts,
     * proved in the rte pass (src/real_model.h, FR_COUNT). */
#if !FR_REAL_MODEL
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
#endif
    fr_call_end(&call, stats);
    return st;
}
