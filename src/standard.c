#include "standard.h"
#include "call.h"
#include "mask.h"
#include "prims.h"
#include "tile_ops.h"
#include "lemmas_size.h"
#include "lemmas_count.h"
#include "lemmas_bound.h"

fr_status fr_standard_heads(fr_head h, fr_blocks b, fr_fast_memory *fm,
                            size_t batch, size_t q_heads, size_t kv_heads,
                            const float *q, const float *k, const float *v,
                            double *s, double *p, double *o, double *lse)
{
    fr_status st = FR_OK;
    //@ ghost Group_Head(0, q_heads, kv_heads);
    size_t group = q_heads / kv_heads;
    size_t heads = batch * q_heads;
    //@ ghost size_t kv_total = batch * kv_heads;
    size_t q_words = h.q_len * h.d;
    size_t kv_words = h.kv_len * h.d;
    //@ assert values: heads == batch * q_heads && kv_total == batch * kv_heads;
    //@ assert words: q_words == h.q_len * h.d && kv_words == h.kv_len * h.d;
    /* The count proof: each head moves the same words. */
    /*@ assert per_head: StandardHeadReads(h.q_len, h.kv_len, h.d, b.rows) >= 0 &&
          StandardHeadWrites(h.q_len, h.kv_len, h.d) >= 0; */
    /*@ loop invariant range: 0 <= head <= heads;
        loop invariant fast_memory: FastMemoryValid(fm) && fm->used == \at(fm->used, Pre);
        loop invariant read: st == FR_OK &&
            \at(fm->words_read, Pre) + Words(heads, StandardHeadReads(h.q_len, h.kv_len, h.d, b.rows)) <= UINT64_MAX ==>
          fm->words_read == \at(fm->words_read, Pre) + Words(head, StandardHeadReads(h.q_len, h.kv_len, h.d, b.rows));
        loop invariant written: st == FR_OK &&
            \at(fm->words_written, Pre) + Words(heads, StandardHeadWrites(h.q_len, h.kv_len, h.d)) <= UINT64_MAX ==>
          fm->words_written == \at(fm->words_written, Pre) + Words(head, StandardHeadWrites(h.q_len, h.kv_len, h.d));
        loop assigns head, st, fm->used, fm->peak, fm->words_read, fm->words_written,
                     fm->words[0 .. fm->capacity - 1],
                     s[0 .. h.q_len * h.kv_len - 1], p[0 .. h.q_len * h.kv_len - 1],
                     o[0 .. batch * q_heads * h.q_len * h.d - 1],
                     lse[0 .. batch * q_heads * h.q_len - 1];
        loop variant heads - head; */
    for (size_t head = 0; st == FR_OK && head < heads; head++) {
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
        st = fr_standard_head(h, b, fm, q + head * q_words, k + kv_head * kv_words,
                              v + kv_head * kv_words, s, p, o + head * q_words,
                              lse + head * h.q_len);
        /*@ assert heads_after: Words(head + 1, StandardHeadReads(h.q_len, h.kv_len, h.d, b.rows)) <= Words(heads, StandardHeadReads(h.q_len, h.kv_len, h.d, b.rows)) &&
                                 Words(head + 1, StandardHeadWrites(h.q_len, h.kv_len, h.d)) <= Words(heads, StandardHeadWrites(h.q_len, h.kv_len, h.d)); */
        /*@ assert next_head: Words(head + 1, StandardHeadReads(h.q_len, h.kv_len, h.d, b.rows)) == Words(head, StandardHeadReads(h.q_len, h.kv_len, h.d, b.rows)) + StandardHeadReads(h.q_len, h.kv_len, h.d, b.rows) &&
                              Words(head + 1, StandardHeadWrites(h.q_len, h.kv_len, h.d)) == Words(head, StandardHeadWrites(h.q_len, h.kv_len, h.d)) + StandardHeadWrites(h.q_len, h.kv_len, h.d); */
    }
    return st;
}

fr_status fr_attention_standard(const fr_problem *p, size_t fast_words,
                                const fr_blocks *blocks,
                                const float *q, const float *k, const float *v,
                                double *o, double *lse, fr_io_stats *stats)
{
    fr_status st = fr_call_check(p, q, k, v, o, lse);
    if (st != FR_OK)
        return st;
    /* Copied before anything is written, as in fr_attention_tiled. */
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
    //@ assert heads_fit: (size_t)(batch * q_heads) == batch * q_heads;
    //@ ghost size_t all_heads = batch * q_heads;
    fr_call call;
    st = fr_call_begin(h.d, h.q_len, h.kv_len, fast_words, blocks, &call);
    if (st != FR_OK)
        return st;
    //@ assert blocks: BlocksFit(call.blocks, h.d, SIZE_MAX);
    if (h.q_len > SIZE_MAX / h.kv_len || h.q_len * h.kv_len > SIZE_MAX / 8) {
        fr_call_end(&call, NULL);
        return FR_ERR_SIZE_OVERFLOW;
    }
    //@ assert scores: h.q_len * h.kv_len <= SIZE_MAX;
    size_t scores_words = h.q_len * h.kv_len;
    double *s = fr_host_alloc(scores_words);
    double *pm = fr_host_alloc(scores_words);
    if (s == NULL || pm == NULL)
        st = FR_ERR_OUT_OF_MEMORY;
    else
        st = fr_standard_heads(h, call.blocks, &call.fm, batch, q_heads, kv_heads,
                               q, k, v, s, pm, o, lse);
    fr_host_free(s);
    fr_host_free(pm);
    //@ assert fast_peak: st == FR_OK ==> call.fm.peak <= fast_words;
    /*@ assert read_count: st == FR_OK &&
          StandardReads(h.q_len, h.kv_len, h.d, call.blocks.rows, batch * q_heads) <= UINT64_MAX ==>
          call.fm.words_read == StandardReads(h.q_len, h.kv_len, h.d, call.blocks.rows, batch * q_heads); */
    /*@ assert write_count: st == FR_OK && StandardWrites(h.q_len, h.kv_len, h.d, batch * q_heads) <= UINT64_MAX ==>
          call.fm.words_written == StandardWrites(h.q_len, h.kv_len, h.d, batch * q_heads); */
    /* Theta((Nq + Nk) * d + Nq * Nk) for M >= d^2: default blocks only. */
    //@ ghost size_t rows = call.blocks.rows;
    //@ ghost if (st == FR_OK && blocks == NULL) Growth_StandardDefault(h.q_len, h.kv_len, h.d, fast_words, rows, all_heads);
    /*@ assert growth: st == FR_OK && blocks == \null &&
          StandardReads(h.q_len, h.kv_len, h.d, call.blocks.rows, batch * q_heads) <= UINT64_MAX &&
          StandardWrites(h.q_len, h.kv_len, h.d, batch * q_heads) <= UINT64_MAX ==>
          2 * batch * q_heads * StandardGrowth(h.q_len, h.kv_len, h.d) <=
            call.fm.words_read + call.fm.words_written &&
          (fast_words >= h.d * h.d ==>
            call.fm.words_read + call.fm.words_written <=
            28 * batch * q_heads * StandardGrowth(h.q_len, h.kv_len, h.d)); */
    fr_call_end(&call, stats);
    return st;
}
