#include "standard.h"
#include "call.h"
#include "mask.h"
#include "tile_ops.h"
#include "lemmas_size.h"
#include "lemmas_count.h"
#include "lemmas_bound.h"
#if FR_REAL_MODEL
#include "lemmas_tiled.h"
#endif

/* One head of fr_standard_heads: query head number head, whose Q and O rows
 * start at word q_at, its LSE at lse_at, and its kv head's K and V rows at
 * kv_at. A function of its own, as fr_tiled_head_at, so that the proof that
 * the heads before it are kept has a context without the loop's invariants. */
/*@ requires head: HeadOk(h.q_len, h.kv_len, h.d, h.causal);
    requires blocks: BlocksFit(b, h.d, SIZE_MAX);
    requires fast_memory: FastMemoryValid(fm);
    requires scores: h.q_len * h.kv_len <= SIZE_MAX;
    requires q: \valid_read(q + q_at + (0 .. h.q_len * h.d - 1));
    requires k: \valid_read(k + kv_at + (0 .. h.kv_len * h.d - 1));
    requires v: \valid_read(v + kv_at + (0 .. h.kv_len * h.d - 1));
    requires s: \valid(s + (0 .. h.q_len * h.kv_len - 1));
    requires p: \valid(p + (0 .. h.q_len * h.kv_len - 1));
    requires o: \valid(o + q_at + (0 .. h.q_len * h.d - 1));
    requires lse: \valid(lse + lse_at + (0 .. h.q_len - 1));
    FR_REAL(requires apart: \separated(s + (0 .. h.q_len * h.kv_len - 1), p + (0 .. h.q_len * h.kv_len - 1),
                                        o + (0 .. q_at + h.q_len * h.d - 1),
                                        lse + (0 .. lse_at + h.q_len - 1),
                                        fm->words + (0 .. fm->capacity - 1));)
    FR_REAL(requires slices: q_at == head * (h.q_len * h.d) && lse_at == head * h.q_len;)
    assigns fm->used, fm->peak, fm->words_read, fm->words_written,
            fm->words[0 .. fm->capacity - 1], s[0 .. h.q_len * h.kv_len - 1], p[0 .. h.q_len * h.kv_len - 1],
            o[q_at .. q_at + h.q_len * h.d - 1], lse[lse_at .. lse_at + h.q_len - 1];
    ensures fast_memory: FastMemoryValid(fm) && fm->used == \old(fm->used);
    FR_COUNT(ensures read_count: \result == FR_OK &&
        \old(fm->words_read) + StandardHeadReads(h.q_len, h.kv_len, h.d, b.rows) <= UINT64_MAX ==>
      fm->words_read == \old(fm->words_read) + StandardHeadReads(h.q_len, h.kv_len, h.d, b.rows);)
    FR_COUNT(ensures write_count: \result == FR_OK &&
        \old(fm->words_written) + StandardHeadWrites(h.q_len, h.kv_len, h.d) <= UINT64_MAX ==>
      fm->words_written == \old(fm->words_written) + StandardHeadWrites(h.q_len, h.kv_len, h.d);)
    FR_REAL(ensures output: \result == FR_OK ==>
              HeadOutput{Pre, Post}(q + q_at, k + kv_at, v + kv_at, h.d, h.scale, h.causal,
                                    h.q_len, h.kv_len, h.q_len, o + q_at, lse + lse_at);)
    FR_REAL(ensures heads_before: \forall integer g; 0 <= g < head ==>
              TileUnchanged{Pre, Post}(RowOf(o, h.q_len * h.d, g), h.q_len, h.d) &&
              TileUnchanged{Pre, Post}(RowOf(lse, h.q_len, g), h.q_len, 1);)
*/
static fr_status fr_standard_head_at(fr_head h, fr_blocks b, fr_fast_memory *fm,
                                     const float *q, const float *k, const float *v,
                                     double *s, double *p, double *o, double *lse,
                                     size_t q_at, size_t kv_at, size_t lse_at, size_t head)
{
    (void)head;   /* its value appears only in the annotations */
    /* Each word before the slices lies apart from every range the call
     * writes, word by word, as in fr_tiled_head_at. */
    /*@ ghost FR_REAL(/@ assert o_apart_slices: \forall integer e; 0 <= e < q_at ==>
                 \separated(o + e, lse + lse_at + (0 .. h.q_len - 1)) &&
                 \separated(o + e, o + q_at + (0 .. h.q_len * h.d - 1)) &&
                 \separated(o + e, s + (0 .. h.q_len * h.kv_len - 1), p + (0 .. h.q_len * h.kv_len - 1),
                             fm->words + (0 .. fm->capacity - 1)); @/ ;) */
    /*@ ghost FR_REAL(/@ assert lse_apart_slices: \forall integer e; 0 <= e < lse_at ==>
                 \separated(lse + e, lse + lse_at + (0 .. h.q_len - 1)) &&
                 \separated(lse + e, o + q_at + (0 .. h.q_len * h.d - 1)) &&
                 \separated(lse + e, s + (0 .. h.q_len * h.kv_len - 1), p + (0 .. h.q_len * h.kv_len - 1),
                             fm->words + (0 .. fm->capacity - 1)); @/ ;) */
    fr_status st = fr_standard_head(h, b, fm, q + q_at, k + kv_at, v + kv_at, s, p,
                                    o + q_at, lse + lse_at);
    /* So the words of heads 0 .. head - 1 are kept, hence their rows
     * (TileUnchanged_Row), restated as the tiles HeadOutput_Frame takes. */
    /*@ ghost FR_REAL(/@ assert words_before: TileUnchanged{Pre, Here}(o, head, h.q_len * h.d) &&
                                              TileUnchanged{Pre, Here}(lse, head, h.q_len); @/ ;) */
    /*@ ghost FR_REAL(/@ assert rows_before: \forall integer g; 0 <= g < head ==>
                                RowUnchanged{Pre, Here}(o, h.q_len * h.d, g) &&
                                RowUnchanged{Pre, Here}(lse, h.q_len, g); @/ ;) */
    /*@ ghost FR_REAL(/@ assert rows_as_tiles: \forall integer g; 0 <= g < head ==>
                                (RowUnchanged{Pre, Here}(o, h.q_len * h.d, g) ==>
                                 TileUnchanged{Pre, Here}(RowOf(o, h.q_len * h.d, g), h.q_len, h.d)) &&
                                (RowUnchanged{Pre, Here}(lse, h.q_len, g) ==>
                                 TileUnchanged{Pre, Here}(RowOf(lse, h.q_len, g), h.q_len, 1)); @/ ;) */
    return st;
}

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
    /*@ ghost FR_COUNT(/@ assert per_head: StandardHeadReads(h.q_len, h.kv_len, h.d, b.rows) >= 0 &&
          StandardHeadWrites(h.q_len, h.kv_len, h.d) >= 0; @/ ;) */
    /*@ loop invariant range: 0 <= head <= heads;
        loop invariant fast_memory: FastMemoryValid(fm) && fm->used == \at(fm->used, Pre);
        FR_COUNT(loop invariant read: st == FR_OK &&
            \at(fm->words_read, Pre) + Words(heads, StandardHeadReads(h.q_len, h.kv_len, h.d, b.rows)) <= UINT64_MAX ==>
          fm->words_read == \at(fm->words_read, Pre) + Words(head, StandardHeadReads(h.q_len, h.kv_len, h.d, b.rows));)
        FR_COUNT(loop invariant written: st == FR_OK &&
            \at(fm->words_written, Pre) + Words(heads, StandardHeadWrites(h.q_len, h.kv_len, h.d)) <= UINT64_MAX ==>
          fm->words_written == \at(fm->words_written, Pre) + Words(head, StandardHeadWrites(h.q_len, h.kv_len, h.d));)
        FR_REAL(loop invariant output: st == FR_OK ==>
          HeadsOutput{Pre, Here}(q, k, v, h.d, h.scale, h.causal, h.q_len, h.kv_len,
                                 q_heads, kv_heads, head, o, lse);)
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
        /* The output proof: this head's slices are the tensor's head number
         * head, and the call writes nothing of the heads before it. */
        /*@ ghost FR_REAL(/@ assert kv_split: bi == head / q_heads && hq == head % q_heads &&
                                    group == q_heads / kv_heads && hk == hq / group; @/ ;) */
        /*@ ghost FR_REAL(/@ assert kv_of_head: kv_head == KvHead(head, q_heads, kv_heads); @/ ;) */
        /*@ ghost FR_REAL(/@ assert offsets: (size_t)(head * q_words) == head * q_words &&
                                   (size_t)(head * h.q_len) == head * h.q_len &&
                                   (size_t)(kv_head * kv_words) == kv_head * kv_words; @/ ;) */
        /*@ ghost FR_REAL(before_head: ;) */
        st = fr_standard_head_at(h, b, fm, q, k, v, s, p, o, lse,
                                 head * q_words, kv_head * kv_words, head * h.q_len, head);
        /*@ ghost FR_COUNT(/@ assert heads_after: Words(head + 1, StandardHeadReads(h.q_len, h.kv_len, h.d, b.rows)) <= Words(heads, StandardHeadReads(h.q_len, h.kv_len, h.d, b.rows)) &&
                                 Words(head + 1, StandardHeadWrites(h.q_len, h.kv_len, h.d)) <= Words(heads, StandardHeadWrites(h.q_len, h.kv_len, h.d)); @/ ;) */
        /*@ ghost FR_COUNT(/@ assert next_head: Words(head + 1, StandardHeadReads(h.q_len, h.kv_len, h.d, b.rows)) == Words(head, StandardHeadReads(h.q_len, h.kv_len, h.d, b.rows)) + StandardHeadReads(h.q_len, h.kv_len, h.d, b.rows) &&
                              Words(head + 1, StandardHeadWrites(h.q_len, h.kv_len, h.d)) == Words(head, StandardHeadWrites(h.q_len, h.kv_len, h.d)) + StandardHeadWrites(h.q_len, h.kv_len, h.d); @/ ;) */
        /*@ ghost FR_REAL(/@ assert earlier_each: st == FR_OK ==> \forall integer g; 0 <= g < head ==>
                                QueryHeadOutput{Pre, before_head}(q, k, v, h.d, h.scale, h.causal, h.q_len,
                                                                 h.kv_len, q_heads, kv_heads, g, o, lse) ==>
                                QueryHeadOutput{Pre, Here}(q, k, v, h.d, h.scale, h.causal, h.q_len,
                                                           h.kv_len, q_heads, kv_heads, g, o, lse); @/ ;) */
        /*@ ghost FR_REAL(/@ assert earlier_heads: st == FR_OK ==>
                                HeadsOutput{Here, Here}(q, k, v, h.d, h.scale, h.causal, h.q_len,
                                                        h.kv_len, q_heads, kv_heads, head, o, lse); @/ ;) */
        /*@ ghost FR_REAL(if (st == FR_OK) HeadsOutput_Next(q, k, v, h.d, h.scale, h.causal, h.q_len, h.kv_len,
                                                            q_heads, kv_heads, head, o, lse);) */
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
    if (h.q_len > SIZE_MAX / h.kv_len || h.q_len * h.kv_len > SIZE_MAX / 8) {
        fr_call_end(&call, NULL);
        return FR_ERR_SIZE_OVERFLOW;
    }
    //@ ghost Mul_Fits(h.q_len, h.kv_len, SIZE_MAX);
    //@ assert scores: h.q_len * h.kv_len <= SIZE_MAX;
    //@ assert workspace_fits: 2 * (h.q_len * h.kv_len) <= SIZE_MAX;
    size_t scores_words = h.q_len * h.kv_len;
    /* S and P, one block: apart from each other by construction, and from
     * O, LSE and the arena by fr_host_alloc's contract. */
    double *workspace = fr_host_alloc(2 * scores_words)
#if FR_REAL_MODEL
        /*@ ghost (o, o_words, lse, lse_words, call.fm.words, call.fm.capacity) */
#endif
        ;
    if (workspace == NULL) {
        st = FR_ERR_OUT_OF_MEMORY;
    } else {
        double *s = workspace;
        double *pm = workspace + scores_words;
        st = fr_standard_heads(h, call.blocks, &call.fm, batch, q_heads, kv_heads,
                               q, k, v, s, pm, o, lse);
    }
    fr_host_free(workspace);
    /*@ ghost FR_REAL(/@ assert output: st == FR_OK ==>
          HeadsOutput{Pre, Here}(q, k, v, h.d, h.scale, h.causal, h.q_len, h.kv_len,
                                 q_heads, kv_heads, batch * q_heads, o, lse); @/ ;) */
    /* The fast-memory, transfer-count and growth proofs: integer facts,
     * proved in the rte pass (src/real_model.h, FR_COUNT). */
#if !FR_REAL_MODEL
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
#endif
    fr_call_end(&call, stats);
    return st;
}
