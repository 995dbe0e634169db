/* The tiled algorithm for one head, from the rows of one query block up:
 * one row against one key block, the loop over the block's rows for one
 * key block, the loop over key blocks, the rows' final O and LSE, their
 * store to slow memory, and the head's loop over query blocks. A file of
 * its own because it is in the functional pass
 * (proofs/functional-files.txt), where they are proved to carry each row's
 * RowState over the keys it sees and to leave the specification's output
 * in every row of the head's O and LSE; src/tiled.c (the buffers, the loop
 * over heads, the entry point) is not yet. The transfer-count clauses
 * (FR_COUNT) are proved in the rte pass. */
#include "tiled.h"
#include "mask.h"
#include "online_softmax.h"
#include "lemmas_size.h"
#include "lemmas_softmax.h"
#include "lemmas_tiled.h"
#include "lemmas_count.h"

void fr_tiled_key_row(fr_head h, fr_blocks b, const fr_tiled_buffers *t,
                      size_t i0, size_t r, size_t j0, size_t cols)
#if FR_REAL_MODEL
    /*@ ghost (const float *q_in, const float *k_in, const float *v_in, size_t rows) */
#endif
{
    size_t visible = fr_visible_keys(h.causal, i0 + r, h.q_len, h.kv_len);
    size_t n = fr_visible_in_block(visible, j0, cols);
    //@ assert visible: visible == VisibleKeys(h.causal, i0 + r, h.q_len, h.kv_len);
    /*@ ghost FR_REAL(/@ assert row_seen: RowSeen{Pre, Pre}(q_in, k_in, v_in, h.d, h.scale, h.causal, h.q_len,
                                                h.kv_len, i0, r, j0, t->m, t->l, t->acc); @/ ;) */
    if (n == 0) {
        /*@ ghost FR_REAL(/@ assert unseen: SeenKeys(h.causal, i0 + r, h.q_len, h.kv_len, j0 + cols) ==
                                            SeenKeys(h.causal, i0 + r, h.q_len, h.kv_len, j0); @/ ;) */
        /*@ ghost FR_REAL(/@ assert row_done: RowSeen{Pre, Here}(q_in, k_in, v_in, h.d, h.scale, h.causal, h.q_len,
                                                     h.kv_len, i0, r, j0 + cols, t->m, t->l, t->acc); @/ ;) */
        return;
    }
    //@ ghost Row_Fits(r, b.rows, b.cols);
    //@ assert s_row: r * b.cols + b.cols <= b.rows * b.cols;
    //@ ghost Row_Fits(r, b.rows, h.d);
    //@ assert d_row: r * h.d + h.d <= b.rows * h.d;
    //@ ghost Mul_Mono(n, b.cols, h.d);
    //@ assert tile: n * h.d <= b.cols * h.d;
    //@ ghost Row_Fits(i0 + r, h.q_len, h.d);
    //@ assert row_index: (size_t)(i0 + r) == i0 + r;
    //@ assert q_index: (size_t)((i0 + r) * h.d) == (i0 + r) * h.d;
    //@ assert acc_index: (size_t)(r * h.d) == r * h.d;
    /*@ ghost FR_REAL(TileCopies_Row(t->q, q_in, h.d, i0, rows, r);) */
    /*@ ghost FR_REAL(/@ assert key_tile: \forall integer c, x; 0 <= c < cols && 0 <= x < h.d ==>
            TileValue(t->k, h.d, c, x) == Value(k_in, h.d, j0 + c, x); @/ ;) */
    /*@ ghost FR_REAL(/@ assert value_tile: \forall integer c, x; 0 <= c < cols && 0 <= x < h.d ==>
            TileValue(t->v, h.d, c, x) == Value(v_in, h.d, j0 + c, x); @/ ;) */
    /*@ ghost FR_REAL(/@ assert seen: n == SeenKeys(h.causal, i0 + r, h.q_len, h.kv_len, j0 + cols) - j0 &&
                                       (j0 >= 1 ==> SeenKeys(h.causal, i0 + r, h.q_len, h.kv_len, j0) == j0); @/ ;) */
    double *s = t->s + r * b.cols;
    double *acc = t->acc + r * h.d;
    fr_online_block(s, t->q + r * h.d, t->k, t->v, n, h.d, h.scale, j0,
                    t->m + r, t->l + r, acc)
#if FR_REAL_MODEL
        /*@ ghost (q_in + (i0 + r) * h.d, k_in, v_in) */
#endif
        ;
    /* The frames of the other rows and of the tiles. */
    /*@ assert apart_tiles: \separated(t->acc + (r * h.d .. r * h.d + h.d - 1),
                                       t->s + (r * b.cols .. r * b.cols + b.cols - 1),
                                       t->m + r, t->l + r, t->q + (0 .. b.rows * h.d - 1),
                                       t->k + (0 .. b.cols * h.d - 1), t->v + (0 .. b.cols * h.d - 1)); */
    /*@ assert apart_rows: \separated(t->acc + (0 .. b.rows * h.d - 1),
                                      t->s + (r * b.cols .. r * b.cols + b.cols - 1),
                                      t->m + r, t->l + r); */
    /*@ assert apart_states: \forall integer c; 0 <= c < b.rows && c != r ==>
          \separated(t->acc + (r * h.d .. r * h.d + h.d - 1),
                     t->s + (r * b.cols .. r * b.cols + b.cols - 1),
                     t->m + r, t->l + r, t->m + c, t->l + c); */
    /*@ ghost FR_REAL(/@ assert query_frame: TileUnchanged{Pre, Here}(t->q, b.rows, h.d); @/ ;) */
    /*@ ghost FR_REAL(/@ assert key_frame: TileUnchanged{Pre, Here}(t->k, b.cols, h.d); @/ ;) */
    /*@ ghost FR_REAL(/@ assert value_frame: TileUnchanged{Pre, Here}(t->v, b.cols, h.d); @/ ;) */
    /*@ ghost FR_REAL(/@ assert other_rows: TileUnchangedBut{Pre, Here}(t->acc, b.rows, h.d, r); @/ ;) */
    /*@ ghost FR_REAL(/@ assert others_kept: RowsKeptBut{Pre, Here}(t->m, t->l, t->acc, h.d, rows, r); @/ ;) */
    /*@ ghost FR_REAL(/@ assert row_done: RowSeen{Pre, Here}(q_in, k_in, v_in, h.d, h.scale, h.causal,
                                                  h.q_len, h.kv_len, i0, r, j0 + cols,
                                                  t->m, t->l, t->acc); @/ ;) */
}

void fr_tiled_key_block(fr_head h, fr_blocks b, const fr_tiled_buffers *t,
                        size_t i0, size_t rows, size_t j0, size_t cols)
#if FR_REAL_MODEL
    /*@ ghost (const float *q_in, const float *k_in, const float *v_in) */
#endif
{
    /*@ loop invariant range: 0 <= r <= rows;
        FR_REAL(loop invariant seen: BlockRowsSeen{Here, Here}(q_in, k_in, v_in, h.d, h.scale, h.causal,
                                                   h.q_len, h.kv_len, i0, rows, r, j0, j0 + cols,
                                                   t->m, t->l, t->acc);)
        FR_REAL(loop invariant query_tile: TileCopies(t->q, q_in, h.d, i0, rows);)
        FR_REAL(loop invariant key_tile: TileCopies(t->k, k_in, h.d, j0, cols);)
        FR_REAL(loop invariant value_tile: TileCopies(t->v, v_in, h.d, j0, cols);)
        loop assigns r, t->s[0 .. b.rows * b.cols - 1], t->acc[0 .. b.rows * h.d - 1],
                     t->m[0 .. b.rows - 1], t->l[0 .. b.rows - 1];
        loop variant rows - r; */
    for (size_t r = 0; r < rows; r++)
        fr_tiled_key_row(h, b, t, i0, r, j0, cols)
#if FR_REAL_MODEL
            /*@ ghost (q_in, k_in, v_in, rows) */
#endif
            ;
}

void fr_tiled_finalize(fr_head h, fr_blocks b, const fr_tiled_buffers *t,
                       size_t i0, size_t rows)
#if FR_REAL_MODEL
    /*@ ghost (const float *q_in, const float *k_in, const float *v_in) */
#endif
{
    (void)b;   /* its sizes appear only in the contract */
    /*@ ghost FR_REAL(BlockRowsSeen_States(q_in, k_in, v_in, h.d, h.scale, h.causal, h.q_len, h.kv_len,
                                           i0, rows, t->m, t->l, t->acc);) */
    /*@ loop invariant range: 0 <= r <= rows;
        FR_REAL(loop invariant done: \forall integer c; 0 <= c < r ==>
                  RowOutput{Pre, Here}(q_in + (i0 + c) * h.d, k_in, v_in, h.d, h.scale,
                                       VisibleKeys(h.causal, i0 + c, h.q_len, h.kv_len),
                                       RowOf(t->acc, h.d, c), t->m[c]);)
        FR_REAL(loop invariant pending: \forall integer c; r <= c < rows ==>
                  VisibleKeys(h.causal, i0 + c, h.q_len, h.kv_len) >= 1 ==>
                  RowStateAt{Pre, Here}(q_in + (i0 + c) * h.d, k_in, v_in, h.d, h.scale,
                                        VisibleKeys(h.causal, i0 + c, h.q_len, h.kv_len),
                                        \at(t->m[c], Pre), \at(t->l[c], Pre),
                                        RowOf(t->acc, h.d, c));)
        FR_REAL(loop invariant maxima: \forall integer c; r <= c < rows ==> t->m[c] == \at(t->m[c], Pre);)
        loop assigns r, t->acc[0 .. b.rows * h.d - 1], t->m[0 .. b.rows - 1];
        loop variant rows - r; */
    for (size_t r = 0; r < rows; r++) {
        //@ ghost Row_Fits(r, b.rows, h.d);
        //@ assert d_row: r * h.d + h.d <= b.rows * h.d;
        size_t visible = fr_visible_keys(h.causal, i0 + r, h.q_len, h.kv_len);
        //@ assert visible: visible == VisibleKeys(h.causal, i0 + r, h.q_len, h.kv_len);
        //@ ghost Row_Fits(i0 + r, h.q_len, h.d);
        //@ assert row_index: (size_t)(i0 + r) == i0 + r;
        //@ assert q_index: (size_t)((i0 + r) * h.d) == (i0 + r) * h.d;
        //@ assert acc_index: (size_t)(r * h.d) == r * h.d;
        /*@ ghost FR_REAL(/@ assert state: visible >= 1 ==>
              RowStateAt{Pre, Here}(q_in + (i0 + r) * h.d, k_in, v_in, h.d, h.scale, visible,
                                    t->m[r], t->l[r], RowOf(t->acc, h.d, r)); @/ ;) */
        fr_online_finish(visible, t->m + r, t->l + r, t->acc + r * h.d, h.d)
#if FR_REAL_MODEL
            /*@ ghost (q_in + (i0 + r) * h.d, k_in, v_in, h.scale) */
#endif
            ;
        /*@ ghost FR_REAL(/@ assert others_kept: TileUnchangedBut{LoopCurrent, Here}(t->acc, b.rows, h.d, r); @/ ;) */
        /*@ ghost FR_REAL(/@ assert rows_kept: \forall integer c; 0 <= c < rows && c != r ==>
                RowUnchanged{LoopCurrent, Here}(t->acc, h.d, c); @/ ;) */
        /*@ ghost FR_REAL(/@ assert pending_kept: \forall integer c; r < c < rows ==>
                VisibleKeys(h.causal, i0 + c, h.q_len, h.kv_len) >= 1 ==>
                RowStateAt{Pre, Here}(q_in + (i0 + c) * h.d, k_in, v_in, h.d, h.scale,
                                      VisibleKeys(h.causal, i0 + c, h.q_len, h.kv_len),
                                      \at(t->m[c], Pre), \at(t->l[c], Pre),
                                      RowOf(t->acc, h.d, c)); @/ ;) */
        /*@ ghost FR_REAL(/@ assert done_rows: \forall integer c; 0 <= c < r ==>
                RowOutput{Pre, Here}(q_in + (i0 + c) * h.d, k_in, v_in, h.d, h.scale,
                                     VisibleKeys(h.causal, i0 + c, h.q_len, h.kv_len),
                                     RowOf(t->acc, h.d, c), \at(t->m[c], LoopCurrent)); @/ ;) */
        /*@ ghost FR_REAL(/@ assert lse_kept: \forall integer c; 0 <= c < r ==>
                t->m[c] == \at(t->m[c], LoopCurrent); @/ ;) */
        /*@ ghost FR_REAL(/@ assert done_kept: \forall integer c; 0 <= c < r ==>
                RowOutput{Pre, Here}(q_in + (i0 + c) * h.d, k_in, v_in, h.d, h.scale,
                                     VisibleKeys(h.causal, i0 + c, h.q_len, h.kv_len),
                                     RowOf(t->acc, h.d, c), t->m[c]); @/ ;) */
        /*@ ghost FR_REAL(/@ assert row_done:
                RowOutput{Pre, Here}(q_in + (i0 + r) * h.d, k_in, v_in, h.d, h.scale, visible,
                                     RowOf(t->acc, h.d, r), t->m[r]); @/ ;) */
    }
}

void fr_tiled_key_blocks(fr_head h, fr_blocks b, fr_fast_memory *fm, const fr_tiled_buffers *t,
                         const float *k, const float *v, size_t i0, size_t rows)
    /*@ ghost (const float *q_in, size_t u, uint64_t reads_at_start) */
{
    size_t d = h.d;
    /*@ ghost FR_COUNT(TiledKeys_Below(h.causal, u, h.q_len, h.kv_len, b.rows, b.cols);) */
    /*@ ghost FR_COUNT(/@ assert keys_sum: TiledKeys(h.causal, u, h.q_len, h.kv_len, b.rows, b.cols) +
                         KeysLoaded(h.causal, u, h.q_len, h.kv_len, b.rows, b.cols) ==
                         TiledKeys(h.causal, u + 1, h.q_len, h.kv_len, b.rows, b.cols); @/ ;) */
    /* Masks are monotone in the row: the block's last row sees the most keys. */
    size_t key_end = fr_visible_keys(h.causal, i0 + rows - 1, h.q_len, h.kv_len);
    //@ assert key_end: key_end == VisibleKeys(h.causal, i0 + rows - 1, h.q_len, h.kv_len);
    //@ ghost size_t jb = 0;
    //@ ghost size_t loaded = 0;
    size_t j0 = 0;   /* outside the loop: the count and output proofs read it after */
    /*@ ghost FR_REAL(/@ assert none_seen: BlockRowsSeen{Here, Here}(q_in, k, v, d, h.scale, h.causal, h.q_len,
                                               h.kv_len, i0, rows, 0, 0, 0, t->m, t->l, t->acc); @/ ;) */
    /*@ loop invariant range: j0 < h.kv_len;
        loop invariant key_block: j0 == jb * b.cols && loaded == j0;
        FR_COUNT(loop invariant in_block: j0 <= KeysLoaded(h.causal, u, h.q_len, h.kv_len, b.rows, b.cols);)
        FR_COUNT(loop invariant read: reads_at_start +
            TiledHeadReads(h.causal, h.q_len, h.kv_len, h.d, b.rows, b.cols) <= UINT64_MAX ==>
          fm->words_read == reads_at_start + Words(i0 + rows, d) +
            2 * Words(TiledKeys(h.causal, u, h.q_len, h.kv_len, b.rows, b.cols) + j0, d);)
        FR_REAL(loop invariant seen: BlockRowsSeen{Here, Here}(q_in, k, v, d, h.scale, h.causal, h.q_len,
                                                   h.kv_len, i0, rows, 0, j0, j0, t->m, t->l, t->acc);)
        FR_REAL(loop invariant query_tile: TileCopies(t->q, q_in, d, i0, rows);)
        loop assigns j0, jb, loaded, fm->words_read,
                     t->k[0 .. b.cols * h.d - 1], t->v[0 .. b.cols * h.d - 1],
                     t->s[0 .. b.rows * b.cols - 1], t->acc[0 .. b.rows * h.d - 1],
                     t->m[0 .. b.rows - 1], t->l[0 .. b.rows - 1];
        loop variant key_end - j0; */
    for (; j0 < key_end; j0 += b.cols) {
        size_t cols = h.kv_len - j0 < b.cols ? h.kv_len - j0 : b.cols;
        /*@ ghost FR_COUNT(Ceil_Cover(jb, b.cols, key_end);) */
        /*@ ghost FR_COUNT(/@ assert within: j0 + cols <= KeysLoaded(h.causal, u, h.q_len, h.kv_len, b.rows, b.cols); @/ ;) */
        /*@ ghost FR_COUNT(/@ assert keys_total: TiledKeys(h.causal, u, h.q_len, h.kv_len, b.rows, b.cols) + j0 + cols <= TiledKeys(h.causal, CeilDiv(h.q_len, b.rows), h.q_len, h.kv_len, b.rows, b.cols); @/ ;) */
        //@ assert cols_in: j0 + cols <= h.kv_len;
        /*@ ghost FR_COUNT(Key_Words(h.causal, u, j0 + cols, h.q_len, h.kv_len, b.rows, b.cols, d);) */
        /*@ ghost FR_COUNT(/@ assert key_add: Words(TiledKeys(h.causal, u, h.q_len, h.kv_len, b.rows, b.cols) + j0 + cols, d) == Words(TiledKeys(h.causal, u, h.q_len, h.kv_len, b.rows, b.cols) + j0, d) + Words(cols, d); @/ ;) */
        /*@ ghost FR_COUNT(/@ assert col_words: Words(cols, d) == cols * d; @/ ;) */
        //@ ghost Slice_Fits(j0, cols, h.kv_len, d);
        //@ assert kv_rows: j0 * d + cols * d <= h.kv_len * d;
        //@ ghost Mul_Mono(cols, b.cols, d);
        //@ assert kv_tile: cols * d <= b.cols * d;
        fr_load_f32(fm, t->k, k + j0 * d, cols, d, d);
        /*@ ghost FR_COUNT(/@ assert k_read: reads_at_start +
            TiledHeadReads(h.causal, h.q_len, h.kv_len, h.d, b.rows, b.cols) <= UINT64_MAX ==>
              fm->words_read == reads_at_start + Words(i0 + rows, d) +
                2 * Words(TiledKeys(h.causal, u, h.q_len, h.kv_len, b.rows, b.cols) + j0, d) + Words(cols, d); @/ ;) */
        fr_load_f32(fm, t->v, v + j0 * d, cols, d, d);
        /*@ ghost FR_COUNT(/@ assert v_read: reads_at_start +
            TiledHeadReads(h.causal, h.q_len, h.kv_len, h.d, b.rows, b.cols) <= UINT64_MAX ==>
              fm->words_read == reads_at_start + Words(i0 + rows, d) +
                2 * Words(TiledKeys(h.causal, u, h.q_len, h.kv_len, b.rows, b.cols) + j0 + cols, d); @/ ;) */
        //@ ghost loaded = j0 + cols;
        /* The loads leave the Q tile and the rows' states as they were. */
        /*@ ghost FR_REAL(Loaded_Copies(t->k, k, d, j0, cols);) */
        /*@ ghost FR_REAL(Loaded_Copies(t->v, v, d, j0, cols);) */
        /*@ ghost FR_REAL(/@ assert query_kept: TileUnchanged{LoopCurrent, Here}(t->q, b.rows, d); @/ ;) */
        /*@ ghost FR_REAL(/@ assert query_here: TileCopies(t->q, q_in, d, i0, rows); @/ ;) */
        /*@ ghost FR_REAL(/@ assert acc_kept: TileUnchanged{LoopCurrent, Here}(t->acc, b.rows, d); @/ ;) */
        /*@ ghost FR_REAL(/@ assert max_kept: TileUnchanged{LoopCurrent, Here}(t->m, b.rows, 1); @/ ;) */
        /*@ ghost FR_REAL(/@ assert sum_kept: TileUnchanged{LoopCurrent, Here}(t->l, b.rows, 1); @/ ;) */
        /*@ ghost FR_REAL(/@ assert states_kept: BlockStateKept{LoopCurrent, Here}(t->m, t->l, t->acc, d, rows); @/ ;) */
        /*@ ghost FR_REAL(/@ assert seen_kept: BlockRowsSeen{Here, Here}(q_in, k, v, d, h.scale, h.causal, h.q_len,
                                                 h.kv_len, i0, rows, 0, j0, j0, t->m, t->l, t->acc); @/ ;) */
        /*@ ghost FR_REAL(/@ assert seen_here: BlockRowsSeen{Here, Here}(q_in, k, v, d, h.scale, h.causal, h.q_len,
                                                 h.kv_len, i0, rows, 0, j0, j0 + cols, t->m, t->l, t->acc); @/ ;) */
        fr_tiled_key_block(h, b, t, i0, rows, j0, cols)
#if FR_REAL_MODEL
            /*@ ghost (q_in, k, v) */
#endif
            ;
        if (h.kv_len - j0 <= b.cols) {
            //@ assert last_block: j0 + cols == h.kv_len;
            /*@ ghost FR_REAL(/@ assert last_seen: BlockRowsSeen{Here, Here}(q_in, k, v, d, h.scale, h.causal,
                                                    h.q_len, h.kv_len, i0, rows, 0, h.kv_len, h.kv_len,
                                                    t->m, t->l, t->acc); @/ ;) */
            break;
        }
        //@ assert full_block: cols == b.cols;
        /*@ ghost FR_REAL(/@ assert next_seen: BlockRowsSeen{Here, Here}(q_in, k, v, d, h.scale, h.causal,
                                                 h.q_len, h.kv_len, i0, rows, 0, j0 + b.cols, j0 + b.cols,
                                                 t->m, t->l, t->acc); @/ ;) */
        //@ assert next_key_block: (size_t)(jb + 1) == jb + 1 && (size_t)(j0 + b.cols) == j0 + b.cols;
        //@ assert next_start: (jb + 1) * b.cols == j0 + b.cols;
        //@ ghost jb = jb + 1;
    }
    /*@ ghost FR_COUNT(if (loaded == j0) Ceil_Reached(jb, b.cols, key_end);) */
    /* Left after the last block (break: last_seen) or past the keys any
     * row sees (the loop's test). */
    /*@ ghost FR_REAL(if (j0 >= key_end)
          BlockRowsSeen_AllKeys(q_in, k, v, d, h.scale, h.causal, h.q_len, h.kv_len, i0, rows, j0,
                                t->m, t->l, t->acc);) */

    /*@ ghost FR_REAL(/@ assert all_seen: BlockRowsSeen{Here, Here}(q_in, k, v, d, h.scale, h.causal, h.q_len,
                                             h.kv_len, i0, rows, 0, h.kv_len, h.kv_len,
                                             t->m, t->l, t->acc); @/ ;) */
    /*@ ghost FR_COUNT(/@ assert block_keys: loaded == KeysLoaded(h.causal, u, h.q_len, h.kv_len, b.rows, b.cols); @/ ;) */
    /*@ ghost FR_COUNT(/@ assert block_read: reads_at_start +
            TiledHeadReads(h.causal, h.q_len, h.kv_len, h.d, b.rows, b.cols) <= UINT64_MAX ==>
          fm->words_read == reads_at_start + Words(i0 + rows, d) +
            2 * Words(TiledKeys(h.causal, u + 1, h.q_len, h.kv_len, b.rows, b.cols), d); @/ ;) */
}

void fr_tiled_store(fr_head h, fr_blocks b, fr_fast_memory *fm, const fr_tiled_buffers *t,
                    size_t i0, size_t rows, double *o, double *lse)
#if FR_REAL_MODEL
    /*@ ghost (const float *q_in, const float *k_in, const float *v_in) */
#endif
{
    (void)b;   /* its sizes appear only in the contract and the proof */
    size_t d = h.d;
    //@ ghost Slice_Fits(i0, rows, h.q_len, d);
    //@ assert o_rows: i0 * d + rows * d <= h.q_len * d;
    //@ ghost Mul_Mono(rows, b.rows, d);
    //@ assert o_tile: rows * d <= b.rows * d;
    fr_store_f64(fm, o + i0 * d, d, t->acc, rows, d);
    fr_store_f64(fm, lse + i0, 1, t->m, rows, 1);
    /* The block's rows are still in fast memory, the head's rows before i0
     * where they were. */
    /*@ ghost FR_REAL(/@ assert acc_kept: TileUnchanged{Pre, Here}(t->acc, b.rows, d); @/ ;) */
    /*@ ghost FR_REAL(/@ assert m_kept: TileUnchanged{Pre, Here}(t->m, b.rows, 1); @/ ;) */
    /*@ ghost FR_REAL(/@ assert block: BlockOutput{Here, Here}(q_in, k_in, v_in, d, h.scale, h.causal,
                                             h.q_len, h.kv_len, i0, rows, t->acc, t->m); @/ ;) */
    /*@ ghost FR_REAL(/@ assert o_kept: TileUnchanged{Pre, Here}(o, i0, d); @/ ;) */
    /*@ ghost FR_REAL(/@ assert lse_kept: TileUnchanged{Pre, Here}(lse, i0, 1); @/ ;) */
    /*@ ghost FR_REAL(/@ assert done: HeadOutput{Here, Here}(q_in, k_in, v_in, d, h.scale, h.causal,
                                            h.q_len, h.kv_len, i0, o, lse); @/ ;) */
    /*@ ghost FR_REAL(/@ assert o_stored: WordsStored(o + i0 * d, t->acc, rows * d); @/ ;) */
    /*@ ghost FR_REAL(HeadOutput_Store(q_in, k_in, v_in, d, h.scale, h.causal, h.q_len, h.kv_len,
                                       i0, rows, o, lse, t->acc, t->m);) */
}

void fr_tiled_head(fr_head h, fr_blocks b, fr_fast_memory *fm,
                   const fr_tiled_buffers *t,
                   const float *q, const float *k, const float *v,
                   double *o, double *lse)
{
    size_t d = h.d;
    /* The count proof: query block u starts at row i0 == u * Br; the words
     * read so far are the Q rows before i0 and the K and V rows of blocks
     * 0 .. u-1 (TiledKeys). Each equation holds as long as the head's total
     * fits in the 64-bit counter (beyond it the counter wraps). */
    //@ ghost size_t u = 0;
    //@ ghost uint64_t reads_at_start = fm->words_read;
    /*@ loop invariant range: i0 < h.q_len;
        loop invariant block: i0 == u * b.rows;
        FR_COUNT(loop invariant read: \at(fm->words_read, Pre) +
            TiledHeadReads(h.causal, h.q_len, h.kv_len, h.d, b.rows, b.cols) <= UINT64_MAX ==>
          fm->words_read == \at(fm->words_read, Pre) + Words(i0, d) +
            2 * Words(TiledKeys(h.causal, u, h.q_len, h.kv_len, b.rows, b.cols), d);)
        FR_COUNT(loop invariant written: \at(fm->words_written, Pre) + TiledHeadWrites(h.q_len, h.d) <= UINT64_MAX ==>
          fm->words_written == \at(fm->words_written, Pre) + Words(i0, d) + i0;)
        FR_REAL(loop invariant stored: HeadOutput{Here, Here}(q, k, v, d, h.scale, h.causal, h.q_len,
                                                    h.kv_len, i0, o, lse);)
        loop assigns i0, u, fm->words_read, fm->words_written,
                     t->q[0 .. b.rows * h.d - 1], t->k[0 .. b.cols * h.d - 1],
                     t->v[0 .. b.cols * h.d - 1], t->s[0 .. b.rows * b.cols - 1],
                     t->acc[0 .. b.rows * h.d - 1], t->m[0 .. b.rows - 1],
                     t->l[0 .. b.rows - 1], o[0 .. h.q_len * h.d - 1], lse[0 .. h.q_len - 1];
        loop variant h.q_len - i0; */
    for (size_t i0 = 0; i0 < h.q_len; i0 += b.rows) {
        size_t rows = h.q_len - i0 < b.rows ? h.q_len - i0 : b.rows;
        /*@ ghost FR_COUNT(TiledKeys_Below(h.causal, u, h.q_len, h.kv_len, b.rows, b.cols);) */
        //@ assert rows: rows == BlockRows(u, h.q_len, b.rows) && i0 + rows <= h.q_len;
        //@ ghost Slice_Fits(i0, rows, h.q_len, d);
        //@ assert q_rows: i0 * d + rows * d <= h.q_len * d;
        //@ ghost Mul_Mono(rows, b.rows, d);
        //@ assert q_tile: rows * d <= b.rows * d;
        /*@ ghost FR_COUNT(/@ assert q_words: Words(i0 + rows, d) <= Words(h.q_len, d) && Words(rows, d) == rows * d; @/ ;) */
        /*@ ghost FR_COUNT(/@ assert q_add: Words(i0 + rows, d) == Words(i0, d) + Words(rows, d); @/ ;) */
        /*@ ghost FR_COUNT(/@ assert keys_before: TiledKeys(h.causal, u, h.q_len, h.kv_len, b.rows, b.cols) <= TiledKeys(h.causal, CeilDiv(h.q_len, b.rows), h.q_len, h.kv_len, b.rows, b.cols); @/ ;) */
        /*@ ghost FR_COUNT(Key_Words(h.causal, u, 0, h.q_len, h.kv_len, b.rows, b.cols, d);) */
        fr_load_f32(fm, t->q, q + i0 * d, rows, d, d);
        /*@ ghost FR_REAL(Loaded_Copies(t->q, q, d, i0, rows);) */
        /* O and LSE stay as they are until the store, one call at a time
         * (across the three calls at once, the frame timed out). */
        /*@ ghost FR_REAL(/@ assert o_after_q: TileUnchanged{LoopCurrent, Here}(o, h.q_len, d); @/ ;) */
        /*@ ghost FR_REAL(/@ assert lse_after_q: TileUnchanged{LoopCurrent, Here}(lse, h.q_len, 1); @/ ;) */
        /*@ ghost FR_REAL(/@ assert stored_after_q: HeadOutput{Here, Here}(q, k, v, d, h.scale, h.causal,
                                                      h.q_len, h.kv_len, i0, o, lse); @/ ;) */
        /*@ ghost FR_REAL(query_loaded: ;) */
        /*@ ghost FR_COUNT(/@ assert q_read: \at(fm->words_read, Pre) +
                TiledHeadReads(h.causal, h.q_len, h.kv_len, h.d, b.rows, b.cols) <= UINT64_MAX ==>
              fm->words_read == \at(fm->words_read, Pre) + Words(i0 + rows, d) + 2 * Words(TiledKeys(h.causal, u, h.q_len, h.kv_len, b.rows, b.cols), d); @/ ;) */
        fr_tiled_key_blocks(h, b, fm, t, k, v, i0, rows) /*@ ghost (q, u, reads_at_start) */;
        /*@ ghost FR_REAL(/@ assert o_after_keys: TileUnchanged{query_loaded, Here}(o, h.q_len, d); @/ ;) */
        /*@ ghost FR_REAL(/@ assert lse_after_keys: TileUnchanged{query_loaded, Here}(lse, h.q_len, 1); @/ ;) */
        /*@ ghost FR_REAL(/@ assert stored_after_keys: HeadOutput{Here, Here}(q, k, v, d, h.scale, h.causal,
                                                         h.q_len, h.kv_len, i0, o, lse); @/ ;) */
        /*@ ghost FR_REAL(keys_seen: ;) */
        /*@ ghost FR_COUNT(/@ assert block_read: \at(fm->words_read, Pre) +
                TiledHeadReads(h.causal, h.q_len, h.kv_len, h.d, b.rows, b.cols) <= UINT64_MAX ==>
              fm->words_read == \at(fm->words_read, Pre) + Words(i0 + rows, d) +
                2 * Words(TiledKeys(h.causal, u + 1, h.q_len, h.kv_len, b.rows, b.cols), d); @/ ;) */
        fr_tiled_finalize(h, b, t, i0, rows)
#if FR_REAL_MODEL
            /*@ ghost (q, k, v) */
#endif
            ;
        /*@ ghost FR_COUNT(/@ assert out_words: Words(i0 + rows, d) + i0 + rows <= Words(h.q_len, d) + h.q_len; @/ ;) */
        /*@ ghost FR_REAL(/@ assert o_after_final: TileUnchanged{keys_seen, Here}(o, h.q_len, d); @/ ;) */
        /*@ ghost FR_REAL(/@ assert lse_after_final: TileUnchanged{keys_seen, Here}(lse, h.q_len, 1); @/ ;) */
        /*@ ghost FR_REAL(/@ assert stored_after_final: HeadOutput{Here, Here}(q, k, v, d, h.scale, h.causal, h.q_len,
                                                   h.kv_len, i0, o, lse); @/ ;) */
        fr_tiled_store(h, b, fm, t, i0, rows, o, lse)
#if FR_REAL_MODEL
            /*@ ghost (q, k, v) */
#endif
            ;
        /*@ ghost FR_COUNT(/@ assert out_written: \at(fm->words_written, Pre) + TiledHeadWrites(h.q_len, h.d) <= UINT64_MAX ==>
              fm->words_written == \at(fm->words_written, Pre) + Words(i0 + rows, d) + i0 + rows; @/ ;) */
        //@ ghost Mul_Ge(u, b.rows);
        //@ assert next: u <= i0 && (size_t)(u + 1) == u + 1 && (u + 1) * b.rows == i0 + b.rows;
        if (h.q_len - i0 <= b.rows) {
            /*@ ghost FR_COUNT(Last_Block(u + 1, h.q_len, b.rows);) */
            /*@ ghost FR_COUNT(/@ assert all_rows: i0 + rows == h.q_len; @/ ;) */
            /*@ ghost FR_REAL(/@ assert all_stored: HeadOutput{Here, Here}(q, k, v, d, h.scale, h.causal,
                                                     h.q_len, h.kv_len, h.q_len, o, lse); @/ ;) */
            break;
        }
        //@ assert next_i0: (size_t)(i0 + b.rows) == i0 + b.rows && rows == b.rows;
        //@ ghost u = u + 1;
    }
}

/* One head of fr_tiled_heads: query head number head, whose Q and O rows
 * start at word q_at, its LSE at lse_at, and its kv head's K and V rows at
 * kv_at. A function of its own so that the proof that the heads before it
 * are kept has a context without the loop's invariants. */
/*@ requires head: HeadOk(h.q_len, h.kv_len, h.d, h.causal);
    requires blocks: BlocksFit(b, h.d, SIZE_MAX);
    requires fast_memory: \valid(fm);
    requires buffers: TiledBuffersValid(t, b, h.d);
    requires q: \valid_read(q + q_at + (0 .. h.q_len * h.d - 1));
    requires k: \valid_read(k + kv_at + (0 .. h.kv_len * h.d - 1));
    requires v: \valid_read(v + kv_at + (0 .. h.kv_len * h.d - 1));
    requires o: \valid(o + q_at + (0 .. h.q_len * h.d - 1));
    requires lse: \valid(lse + lse_at + (0 .. h.q_len - 1));
    FR_REAL(requires outputs_apart: OutputsApart(o, q_at + h.q_len * h.d, lse, lse_at + h.q_len, t, b, h.d);)
    FR_REAL(requires slices: q_at == head * (h.q_len * h.d) && lse_at == head * h.q_len;)
    assigns fm->words_read, fm->words_written,
            t->q[0 .. b.rows * h.d - 1], t->k[0 .. b.cols * h.d - 1],
            t->v[0 .. b.cols * h.d - 1], t->s[0 .. b.rows * b.cols - 1],
            t->acc[0 .. b.rows * h.d - 1], t->m[0 .. b.rows - 1], t->l[0 .. b.rows - 1],
            o[q_at .. q_at + h.q_len * h.d - 1], lse[lse_at .. lse_at + h.q_len - 1];
    FR_REAL(ensures output: HeadOutput{Pre, Post}(q + q_at, k + kv_at, v + kv_at, h.d, h.scale, h.causal,
                                                  h.q_len, h.kv_len, h.q_len, o + q_at, lse + lse_at);)
    FR_REAL(ensures heads_before: \forall integer g; 0 <= g < head ==>
              TileUnchanged{Pre, Post}(RowOf(o, h.q_len * h.d, g), h.q_len, h.d) &&
              TileUnchanged{Pre, Post}(RowOf(lse, h.q_len, g), h.q_len, 1);)
    FR_COUNT(ensures read_count: \old(fm->words_read) +
        TiledHeadReads(h.causal, h.q_len, h.kv_len, h.d, b.rows, b.cols) <= UINT64_MAX ==>
      fm->words_read == \old(fm->words_read) +
        TiledHeadReads(h.causal, h.q_len, h.kv_len, h.d, b.rows, b.cols);)
    FR_COUNT(ensures write_count: \old(fm->words_written) + TiledHeadWrites(h.q_len, h.d) <= UINT64_MAX ==>
      fm->words_written == \old(fm->words_written) + TiledHeadWrites(h.q_len, h.d);)
*/
static void fr_tiled_head_at(fr_head h, fr_blocks b, fr_fast_memory *fm, const fr_tiled_buffers *t,
                             const float *q, const float *k, const float *v, double *o, double *lse,
                             size_t q_at, size_t kv_at, size_t lse_at, size_t head)
{
    (void)head;   /* its value appears only in the annotations */
    /* Each word before the slices lies apart from every range the call
     * writes: stated word by word, so that the frame after the call is
     * immediate (left to the provers, it took 44 s). */
    /*@ ghost FR_REAL(/@ assert o_apart_slices: \forall integer e; 0 <= e < q_at ==>
                 \separated(o + e, lse + lse_at + (0 .. h.q_len - 1)) &&
                 \separated(o + e, o + q_at + (0 .. h.q_len * h.d - 1)); @/ ;) */
    /*@ ghost FR_REAL(/@ assert o_apart_buffers: \forall integer e; 0 <= e < q_at ==>
                 ApartFromBuffers(o + e, 1, t, b, h.d); @/ ;) */
    /*@ ghost FR_REAL(/@ assert lse_apart_slices: \forall integer e; 0 <= e < lse_at ==>
                 \separated(lse + e, lse + lse_at + (0 .. h.q_len - 1)) &&
                 \separated(lse + e, o + q_at + (0 .. h.q_len * h.d - 1)); @/ ;) */
    /*@ ghost FR_REAL(/@ assert lse_apart_buffers: \forall integer e; 0 <= e < lse_at ==>
                 ApartFromBuffers(lse + e, 1, t, b, h.d); @/ ;) */
    fr_tiled_head(h, b, fm, t, q + q_at, k + kv_at, v + kv_at, o + q_at, lse + lse_at);
    /* So the words of heads 0 .. head - 1 are kept, hence their rows
     * (TileUnchanged_Row), restated as the tiles HeadOutput_Frame takes: as
     * an implication per head, since no goal term is a RowUnchanged that
     * would instantiate the quantified rows. */
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
    /*@ ghost FR_COUNT(TiledKeys_Below(h.causal, 0, h.q_len, h.kv_len, b.rows, b.cols);) */
    /*@ ghost FR_COUNT(/@ assert per_head: TiledHeadReads(h.causal, h.q_len, h.kv_len, h.d, b.rows, b.cols) >= 0 && TiledHeadWrites(h.q_len, h.d) >= 0; @/ ;) */
    /*@ loop invariant range: 0 <= head <= heads;
        FR_COUNT(loop invariant read: \at(fm->words_read, Pre) + Words(heads, TiledHeadReads(h.causal, h.q_len, h.kv_len, h.d, b.rows, b.cols)) <= UINT64_MAX ==>
          fm->words_read == \at(fm->words_read, Pre) + Words(head, TiledHeadReads(h.causal, h.q_len, h.kv_len, h.d, b.rows, b.cols));)
        FR_COUNT(loop invariant written: \at(fm->words_written, Pre) + Words(heads, TiledHeadWrites(h.q_len, h.d)) <= UINT64_MAX ==>
          fm->words_written == \at(fm->words_written, Pre) + Words(head, TiledHeadWrites(h.q_len, h.d));)
        FR_REAL(loop invariant output: HeadsOutput{Pre, Here}(q, k, v, h.d, h.scale, h.causal, h.q_len, h.kv_len,
                                                            q_heads, kv_heads, head, o, lse);)
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
        /*@ ghost FR_COUNT(/@ assert heads_before: Words(head + 1, TiledHeadReads(h.causal, h.q_len, h.kv_len, h.d, b.rows, b.cols)) <= Words(heads, TiledHeadReads(h.causal, h.q_len, h.kv_len, h.d, b.rows, b.cols)) &&
                                 Words(head + 1, TiledHeadWrites(h.q_len, h.d)) <= Words(heads, TiledHeadWrites(h.q_len, h.d)); @/ ;) */
        /*@ ghost FR_COUNT(/@ assert next_head: Words(head + 1, TiledHeadReads(h.causal, h.q_len, h.kv_len, h.d, b.rows, b.cols)) == Words(head, TiledHeadReads(h.causal, h.q_len, h.kv_len, h.d, b.rows, b.cols)) + TiledHeadReads(h.causal, h.q_len, h.kv_len, h.d, b.rows, b.cols) &&
                              Words(head + 1, TiledHeadWrites(h.q_len, h.d)) == Words(head, TiledHeadWrites(h.q_len, h.d)) + TiledHeadWrites(h.q_len, h.d); @/ ;) */
        /* The output proof: this head's slices are the tensor's head number
         * head, and the call writes nothing of the heads before it. */
        /*@ ghost FR_REAL(/@ assert kv_split: bi == head / q_heads && hq == head % q_heads &&
                                    group == q_heads / kv_heads && hk == hq / group; @/ ;) */
        /*@ ghost FR_REAL(/@ assert kv_of_head: kv_head == KvHead(head, q_heads, kv_heads); @/ ;) */
        /*@ ghost FR_REAL(/@ assert offsets: (size_t)(head * q_words) == head * q_words &&
                                   (size_t)(head * h.q_len) == head * h.q_len &&
                                   (size_t)(kv_head * kv_words) == kv_head * kv_words; @/ ;) */
        /*@ ghost FR_REAL(before_head: ;) */
        fr_tiled_head_at(h, b, fm, t, q, k, v, o, lse, head * q_words, kv_head * kv_words, head * h.q_len, head);
        /*@ ghost FR_REAL(/@ assert earlier_each: \forall integer g; 0 <= g < head ==>
                                QueryHeadOutput{Pre, before_head}(q, k, v, h.d, h.scale, h.causal, h.q_len,
                                                                 h.kv_len, q_heads, kv_heads, g, o, lse) ==>
                                QueryHeadOutput{Pre, Here}(q, k, v, h.d, h.scale, h.causal, h.q_len,
                                                           h.kv_len, q_heads, kv_heads, g, o, lse); @/ ;) */
        /*@ ghost FR_REAL(/@ assert earlier_heads: HeadsOutput{Here, Here}(q, k, v, h.d, h.scale, h.causal, h.q_len,
                                                     h.kv_len, q_heads, kv_heads, head, o, lse); @/ ;) */
        /*@ ghost FR_REAL(HeadsOutput_Next(q, k, v, h.d, h.scale, h.causal, h.q_len, h.kv_len,
                                           q_heads, kv_heads, head, o, lse);) */
    }
}
