/* The steps of the tiled algorithm for the rows of one query block: one
 * row against one key block, the loop over the block's rows for one key
 * block, and the rows' final O and LSE. A file of its own because it is in
 * the functional pass (proofs/functional-files.txt), where they are proved
 * to carry each row's RowState over the block's keys and to produce the
 * specification's output of every row; the rest of src/tiled.c (the loops
 * over query and key blocks, the transfer counts) is not yet. */
#include "tiled.h"
#include "mask.h"
#include "online_softmax.h"
#include "lemmas_size.h"
#include "lemmas_softmax.h"

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
