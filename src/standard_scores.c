/* Phase 1 of the standard algorithm: S = scale * Q K^T, tile by tile, with
 * -inf where the mask hides a key. In the functional pass S then holds, in
 * the keys each query row sees, the specification's scores
 * (spec/StandardRows.acsl); its transfer counts, FR_COUNT, are proved in
 * the rte pass. */
#include "standard.h"
#include "mask.h"
#include "prims.h"
#include "tile_ops.h"
#include "lemmas_size.h"
#include "lemmas_softmax.h"

#if FR_REAL_MODEL
/*@ ghost
  // One more row of a tile of S (a lemma function: as an assertion in
  // fr_standard_score_tile's context the step timed out).
  /@ requires before: TileScores(s, q, k, d, scale, causal, nq, nk, i0, r, j0, cols);
     requires row: RowScores(s, q, k, d, scale, causal, nq, nk, i0, r, j0, cols);
     assigns \nothing;
     ensures scores: TileScores(s, q, k, d, scale, causal, nq, nk, i0, r + 1, j0, cols); @/
  static void TileScores_Next(const double *s, const float *q, const float *k, size_t d, double scale,
                              fr_causal causal, size_t nq, size_t nk, size_t i0, size_t r,
                              size_t j0, size_t cols)
  {
  }
*/
#endif

/* fr_score_row for a query row given as a copy of q_in (RowCopies, the
 * form fr_standard_score_tile holds it in: stated apart, so that the step
 * from the copy to fr_score_row's word-by-word requirement is made in a
 * small context). */
/*@ requires fits: n * d <= SIZE_MAX;
    requires valid_s: \valid(s + (0 .. n - 1));
    requires valid_q: \valid_read(q + (0 .. d - 1));
    requires valid_tile: \valid_read(k_tile + (0 .. n * d - 1));
    requires separated: \separated(s + (0 .. n - 1), q + (0 .. d - 1), k_tile + (0 .. n * d - 1));
    FR_REAL(requires keys_fit: j0 + n <= SIZE_MAX;)
    FR_REAL(requires query: RowCopies(q, q_in, d);)
    FR_REAL(requires keys: \forall integer c, x; 0 <= c < n && 0 <= x < d ==>
              TileValue(k_tile, d, c, x) == Value(k_in, d, j0 + c, x);)
    assigns s[0 .. n - 1];
    FR_REAL(ensures scores: \forall integer c; 0 <= c < n ==> s[c] == Score(q_in, k_in, d, scale, j0 + c);)
*/
static void fr_score_copied_row(double *s, const double *q, const double *k_tile,
                                size_t n, size_t d, double scale)
#if FR_REAL_MODEL
    /*@ ghost (const float *q_in, const float *k_in, size_t j0) */
#endif
{
    fr_score_row(s, q, k_tile, n, d, scale)
#if FR_REAL_MODEL
        /*@ ghost (q_in, k_in, j0) */
#endif
        ;
}

void fr_standard_score_tile(fr_head h, fr_blocks b, const double *q_tile, const double *k_tile,
                            double *s_tile, size_t i0, size_t rows, size_t j0, size_t cols)
#if FR_REAL_MODEL
    /*@ ghost (const float *q_in, const float *k_in) */
#endif
{
    size_t d = h.d;
    (void)b;   /* its sizes appear only in the annotations */
    //@ ghost Mul_Mono(rows, b.rows, cols);
    //@ ghost Mul_Mono(cols, b.cols, b.rows);
    //@ assert s_tile: rows * cols <= b.rows * b.cols;
    /*@ loop invariant range: 0 <= r <= rows;
        FR_REAL(loop invariant scores: TileScores(s_tile, q_in, k_in, h.d, h.scale, h.causal, h.q_len, h.kv_len,
                                                  i0, r, j0, cols);)
        FR_REAL(loop invariant query_tile: TileCopies(q_tile, q_in, h.d, i0, rows);)
        FR_REAL(loop invariant key_tile: TileCopies(k_tile, k_in, h.d, j0, cols);)
        loop assigns r, s_tile[0 .. b.rows * b.cols - 1];
        loop variant rows - r; */
    for (size_t r = 0; r < rows; r++) {
        //@ ghost Row_Fits(r, rows, cols);
        //@ assert s_row: r * cols + cols <= rows * cols;
        //@ ghost Row_Fits(r, b.rows, d);
        //@ assert q_row: r * d + d <= b.rows * d;
        //@ ghost Mul_Mono(cols, b.cols, d);
        //@ assert k_part: 0 <= cols * d <= b.cols * d;
        double *s_row = s_tile + r * cols;
        size_t visible = fr_visible_keys(h.causal, i0 + r, h.q_len, h.kv_len);
        size_t n = fr_visible_in_block(visible, j0, cols);
        //@ assert visible: visible == VisibleKeys(h.causal, i0 + r, h.q_len, h.kv_len);
        //@ ghost Row_Fits(i0 + r, h.q_len, h.d);
        //@ assert row_index: (size_t)(i0 + r) == i0 + r && (size_t)((i0 + r) * h.d) == (i0 + r) * h.d;
        //@ assert tile_index: (size_t)(r * d) == r * d && (size_t)(r * cols) == r * cols;
        //@ assert in_block: n <= cols && (size_t)(j0 + n) == j0 + n;
        /*@ ghost FR_REAL(TileCopies_Row(q_tile, q_in, d, i0, rows, r);) */
        /*@ ghost FR_REAL(/@ assert row_apart: \separated(s_row + (0 .. cols - 1), q_tile + (0 .. b.rows * d - 1),
                                                       k_tile + (0 .. b.cols * d - 1)); @/ ;) */
        fr_score_copied_row(s_row, q_tile + r * d, k_tile, n, d, h.scale)
#if FR_REAL_MODEL
            /*@ ghost (q_in + (i0 + r) * h.d, k_in, j0) */
#endif
            ;
        fr_row_fill(s_row + n, cols - n, fr_neg_inf());
        /*@ ghost FR_REAL(/@ assert query_kept: TileUnchanged{LoopCurrent, Here}((double *)q_tile, b.rows, d); @/ ;) */
        /*@ ghost FR_REAL(/@ assert key_kept: TileUnchanged{LoopCurrent, Here}((double *)k_tile, b.cols, d); @/ ;) */
        /*@ ghost FR_REAL(/@ assert other_rows: TileUnchangedBut{LoopCurrent, Here}(s_tile, rows, cols, r); @/ ;) */
        /*@ ghost FR_REAL(Rows_Before(r, cols);) */
        /*@ ghost FR_REAL(/@ assert rows_same: \forall integer r1, c; 0 <= r1 < r && 0 <= c < cols ==>
                              TileValue(s_tile, cols, r1, c) == \at(TileValue(s_tile, cols, r1, c), LoopCurrent); @/ ;) */
        /*@ ghost FR_REAL(/@ assert rows_kept: \forall integer r1; 0 <= r1 < r ==>
                              RowScores{LoopCurrent}(s_tile, q_in, k_in, h.d, h.scale, h.causal, h.q_len, h.kv_len,
                                                     i0, r1, j0, cols) ==>
                              RowScores(s_tile, q_in, k_in, h.d, h.scale, h.causal, h.q_len, h.kv_len, i0, r1, j0, cols); @/ ;) */
        /*@ ghost FR_REAL(/@ assert row_words: \forall integer c; 0 <= c < cols &&
                              j0 + c < VisibleKeys(h.causal, i0 + r, h.q_len, h.kv_len) ==>
                              TileValue(s_tile, cols, r, c) == Score(q_in + (i0 + r) * h.d, k_in, h.d, h.scale, j0 + c); @/ ;) */
        /*@ ghost FR_REAL(/@ assert row_scores: RowScores(s_tile, q_in, k_in, h.d, h.scale, h.causal, h.q_len, h.kv_len,
                                                      i0, r, j0, cols); @/ ;) */
        /*@ ghost FR_REAL(/@ assert scored_before: TileScores(s_tile, q_in, k_in, h.d, h.scale, h.causal, h.q_len, h.kv_len,
                                                         i0, r, j0, cols); @/ ;) */
        /*@ ghost FR_REAL(TileScores_Next(s_tile, q_in, k_in, h.d, h.scale, h.causal, h.q_len, h.kv_len, i0, r, j0, cols);) */
        /*@ ghost FR_REAL(/@ assert scored: TileScores(s_tile, q_in, k_in, h.d, h.scale, h.causal, h.q_len, h.kv_len,
                                                  i0, r + 1, j0, cols); @/ ;) */
        //@ assert next_row: (size_t)(r + 1) == r + 1;
    }
}

fr_status fr_standard_scores(fr_head h, fr_blocks b, fr_fast_memory *fm,
                             const float *q, const float *k, double *s)
{
    size_t d = h.d, nk = h.kv_len;
    size_t mark = fm->used;
    double *q_tile = fr_fast_alloc(fm, b.rows * d);
    double *k_tile = fr_fast_alloc(fm, b.cols * d);
    double *s_tile = fr_fast_alloc(fm, b.rows * b.cols);
    if (q_tile == NULL || k_tile == NULL || s_tile == NULL) {
        fr_fast_release(fm, mark);
        return FR_ERR_FAST_MEMORY_TOO_SMALL;
    }
    /*@ assert apart: \separated(s_tile + (0 .. b.rows * b.cols - 1), q_tile + (0 .. b.rows * d - 1),
                                 k_tile + (0 .. b.cols * d - 1)); */
    /* The count proof: query block u starts at row i0 == u * Br and every
     * block reads all Nk keys; the equations hold as long as the phase's
     * total fits in the 64-bit counters. */
    //@ ghost size_t u = 0;
    /*@ loop invariant range: i0 < h.q_len;
        loop invariant block: i0 == u * b.rows;
        FR_COUNT(loop invariant read: \at(fm->words_read, Pre) + StandardScoresReads(h.q_len, nk, d, b.rows) <= UINT64_MAX ==>
          fm->words_read == \at(fm->words_read, Pre) + Words(i0, d) + Words(Words(u, nk), d);)
        FR_COUNT(loop invariant written: \at(fm->words_written, Pre) + Words(h.q_len, nk) <= UINT64_MAX ==>
          fm->words_written == \at(fm->words_written, Pre) + Words(i0, nk);)
        loop assigns i0, u, fm->words_read, fm->words_written, fm->words[0 .. fm->capacity - 1], s[0 .. h.q_len * h.kv_len - 1];
        loop variant h.q_len - i0; */
    for (size_t i0 = 0; i0 < h.q_len; i0 += b.rows) {
        size_t rows = h.q_len - i0 < b.rows ? h.q_len - i0 : b.rows;
        /*@ ghost FR_COUNT(TiledKeys_Below(h.causal, u, h.q_len, nk, b.rows, b.cols);) */
        /*@ ghost FR_COUNT(/@ assert blocks_so_far: u + 1 <= CeilDiv(h.q_len, b.rows) && i0 + rows <= h.q_len; @/ ;) */
        /*@ ghost FR_COUNT(/@ assert read_room: Words(i0 + rows, d) <= Words(h.q_len, d) &&
              Words(u + 1, nk) <= Words(CeilDiv(h.q_len, b.rows), nk) &&
              Words(Words(u + 1, nk), d) <= Words(Words(CeilDiv(h.q_len, b.rows), nk), d); @/ ;) */
        /*@ ghost FR_COUNT(/@ assert write_room: Words(i0 + rows, nk) <= Words(h.q_len, nk); @/ ;) */
        /*@ ghost FR_COUNT(/@ assert q_add: Words(i0 + rows, d) == Words(i0, d) + rows * d; @/ ;) */
        //@ ghost Slice_Fits(i0, rows, h.q_len, d);
        //@ assert q_rows: i0 * d + rows * d <= h.q_len * d;
        //@ ghost Mul_Mono(rows, b.rows, d);
        //@ assert q_tile: rows * d <= b.rows * d;
        fr_load_f32(fm, q_tile, q + i0 * d, rows, d, d);
        /*@ ghost FR_REAL(Loaded_Copies(q_tile, q, d, i0, rows);) */
        /*@ ghost FR_COUNT(/@ assert q_read: \at(fm->words_read, Pre) + StandardScoresReads(h.q_len, nk, d, b.rows) <= UINT64_MAX ==>
              fm->words_read == \at(fm->words_read, Pre) + Words(i0 + rows, d) + Words(Words(u, nk), d); @/ ;) */
        /*@ loop invariant range: j0 < nk;
            FR_COUNT(loop invariant read: \at(fm->words_read, Pre) + StandardScoresReads(h.q_len, nk, d, b.rows) <= UINT64_MAX ==>
              fm->words_read == \at(fm->words_read, Pre) + Words(i0 + rows, d) + Words(Words(u, nk) + j0, d);)
            FR_COUNT(loop invariant written: \at(fm->words_written, Pre) + Words(h.q_len, nk) <= UINT64_MAX ==>
              fm->words_written == \at(fm->words_written, Pre) + Words(i0, nk) + rows * j0;)
            FR_REAL(loop invariant query_tile: TileCopies(q_tile, q, d, i0, rows);)
            loop assigns j0, fm->words_read, fm->words_written, fm->words[0 .. fm->capacity - 1], s[0 .. h.q_len * h.kv_len - 1];
            loop variant nk - j0; */
        for (size_t j0 = 0; j0 < nk; j0 += b.cols) {
            size_t cols = nk - j0 < b.cols ? nk - j0 : b.cols;
            //@ ghost size_t key_end = j0 + cols;
            //@ assert key_end: key_end == j0 + cols && key_end <= nk;
            /*@ ghost FR_COUNT(/@ assert k_keys: Words(u, nk) + key_end <= Words(u + 1, nk) == Words(u, nk) + nk; @/ ;) */
            /*@ ghost FR_COUNT(/@ assert k_room: Words(Words(u, nk) + key_end, d) <= Words(Words(u + 1, nk), d); @/ ;) */
            /*@ ghost FR_COUNT(/@ assert k_add: Words(Words(u, nk) + key_end, d) == Words(Words(u, nk) + j0, d) + cols * d; @/ ;) */
            //@ ghost Mul_Mono(key_end, nk, rows);
            //@ assert s_room: key_end * rows <= nk * rows && rows * key_end == rows * j0 + rows * cols;
            /*@ ghost FR_COUNT(/@ assert s_words: Words(i0, nk) + rows * nk == Words(i0 + rows, nk); @/ ;) */
            //@ ghost Slice_Fits(j0, cols, nk, d);
            //@ assert kv_rows: j0 * d + cols * d <= nk * d;
            //@ ghost Mul_Mono(cols, b.cols, d);
            //@ assert kv_tile: cols * d <= b.cols * d;
            fr_load_f32(fm, k_tile, k + j0 * d, cols, d, d);
            /*@ ghost FR_REAL(Loaded_Copies(k_tile, k, d, j0, cols);) */
            /*@ ghost FR_REAL(/@ assert query_same: TileUnchanged{LoopCurrent, Here}(q_tile, b.rows, d); @/ ;) */
            /*@ ghost FR_REAL(/@ assert query_kept: TileCopies(q_tile, q, d, i0, rows); @/ ;) */
            //@ ghost Mul_Mono(rows, b.rows, cols);
            //@ ghost Mul_Mono(cols, b.cols, b.rows);
            //@ assert s_tile: rows * cols <= b.rows * b.cols;
            fr_standard_score_tile(h, b, q_tile, k_tile, s_tile, i0, rows, j0, cols)
#if FR_REAL_MODEL
                /*@ ghost (q, k) */
#endif
                ;
            //@ ghost Slice_Fits(i0, rows, h.q_len, nk);
            //@ assert s_block: i0 * nk + rows * nk <= h.q_len * nk;
            fr_store_f64(fm, s + i0 * nk + j0, nk, s_tile, rows, cols);
            /*@ ghost FR_REAL(/@ assert query_stays: TileUnchanged{LoopCurrent, Here}(q_tile, b.rows, d); @/ ;) */
            /*@ ghost FR_REAL(/@ assert query_after: TileCopies(q_tile, q, d, i0, rows); @/ ;) */
            if (nk - j0 <= b.cols) {
                //@ assert all_keys: key_end == nk;
                break;
            }
            //@ assert next_j0: (size_t)(j0 + b.cols) == j0 + b.cols && cols == b.cols && key_end == j0 + b.cols;
        }
        /*@ ghost FR_COUNT(/@ assert block_read: \at(fm->words_read, Pre) + StandardScoresReads(h.q_len, nk, d, b.rows) <= UINT64_MAX ==>
              fm->words_read == \at(fm->words_read, Pre) + Words(i0 + rows, d) + Words(Words(u + 1, nk), d); @/ ;) */
        /*@ ghost FR_COUNT(/@ assert block_written: \at(fm->words_written, Pre) + Words(h.q_len, nk) <= UINT64_MAX ==>
              fm->words_written == \at(fm->words_written, Pre) + Words(i0 + rows, nk); @/ ;) */
        //@ ghost Mul_Ge(u, b.rows);
        //@ assert next: u <= i0 && (size_t)(u + 1) == u + 1 && (u + 1) * b.rows == i0 + b.rows;
        if (h.q_len - i0 <= b.rows) {
            /*@ ghost FR_COUNT(Last_Block(u + 1, h.q_len, b.rows);) */
            //@ assert all_rows: i0 + rows == h.q_len;
            /*@ ghost FR_COUNT(/@ assert all_blocks: u + 1 == CeilDiv(h.q_len, b.rows); @/ ;) */
            break;
        }
        //@ assert next_i0: (size_t)(i0 + b.rows) == i0 + b.rows && rows == b.rows;
        //@ ghost u = u + 1;
    }
    fr_fast_release(fm, mark);
    return FR_OK;
}
