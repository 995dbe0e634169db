/* The last step of the tiled algorithm for one query block: each row's
 * running state becomes its O row and LSE. A file of its own because it is
 * in the functional pass (proofs/functional-files.txt), where it is proved
 * to produce the specification's attention output of every row; the rest
 * of src/tiled.c (loops, transfer counts) is not yet. */
#include "tiled.h"
#include "mask.h"
#include "online_softmax.h"
#include "lemmas_size.h"

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
