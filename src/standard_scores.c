/* Phase 1 of the standard algorithm: S = scale * Q K^T, tile by tile, with
 * -inf where the mask hides a key. In the functional pass S then holds, in
 * the keys each query row sees, the specification's scores (ScoresStored,
 * spec/StandardScores.acsl); its transfer counts, FR_COUNT, are proved in
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

  // A tile's scores word by word (one quantifier over (r, c): the form
  // that matches a word at an address computed from S's own (i, j)).
  /@ requires tile: TileScores(s, q, k, d, scale, causal, nq, nk, i0, rows, j0, cols);
     assigns \nothing;
     ensures words: \forall integer r, c; 0 <= r < rows && 0 <= c < cols &&
               j0 + c < VisibleKeys(causal, i0 + r, nq, nk) ==>
               TileValue(s, cols, r, c) == Score(q + (i0 + r) * d, k, d, scale, j0 + c); @/
  static void TileScores_Words(const double *s, const float *q, const float *k, size_t d, double scale,
                               fr_causal causal, size_t nq, size_t nk, size_t i0, size_t rows,
                               size_t j0, size_t cols)
  {
    /@ assert rows: \forall integer r; 0 <= r < rows ==>
         RowScores(s, q, k, d, scale, causal, nq, nk, i0, r, j0, cols); @/
    /@ assert row_words: \forall integer r, c; 0 <= r < rows && 0 <= c < cols &&
         RowScores(s, q, k, d, scale, causal, nq, nk, i0, r, j0, cols) &&
         j0 + c < VisibleKeys(causal, i0 + r, nq, nk) ==>
         TileValue(s, cols, r, c) == Score(q + (i0 + r) * d, k, d, scale, j0 + c); @/
  }
*/
#endif

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
        fr_score_row(s_row, q_tile + r * d, k_tile, n, d, h.scale)
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

/* Stores the score tile s_tile [rows, cols] of query rows i0 .. and keys
 * j0 .. into S [Nq, Nk]. The contract speaks of S's own (i, j): the
 * store's is relative to the tile, and the step between the two (an
 * address identity, a matching loop as a lemma) is made here once, at its
 * two states, rather than in the phase's loop. */
/*@ requires fm: \valid(fm);
    requires tile_fits: 1 <= rows && i0 + rows <= h.q_len && 1 <= cols && j0 + cols <= h.kv_len;
    requires scores: h.q_len * h.kv_len <= SIZE_MAX;
    requires s_tile: \valid_read(s_tile + (0 .. rows * cols - 1));
    requires s: \valid(s + (0 .. h.q_len * h.kv_len - 1));
    FR_REAL(requires apart: \separated(s + (0 .. h.q_len * h.kv_len - 1), s_tile + (0 .. rows * cols - 1));)
    FR_REAL(requires tile: TileScores(s_tile, q, k, h.d, h.scale, h.causal, h.q_len, h.kv_len, i0, rows, j0, cols);)
    FR_REAL(requires done: \forall integer i; 0 <= i < i0 ==>
              ScoresPrefix(s, q, k, h.d, h.scale, h.causal, h.q_len, h.kv_len, i, h.kv_len);)
    FR_REAL(requires part: \forall integer i; i0 <= i < i0 + rows ==>
              ScoresPrefix(s, q, k, h.d, h.scale, h.causal, h.q_len, h.kv_len, i, j0);)
    assigns fm->words_written, s[0 .. h.q_len * h.kv_len - 1];
    ensures counted: fm->words_written == (uint64_t)(\old(fm->words_written) + rows * cols);
    FR_REAL(ensures done: \forall integer i; 0 <= i < i0 ==>
              ScoresPrefix(s, q, k, h.d, h.scale, h.causal, h.q_len, h.kv_len, i, h.kv_len);)
    FR_REAL(ensures part: \forall integer i; i0 <= i < i0 + rows ==>
              ScoresPrefix(s, q, k, h.d, h.scale, h.causal, h.q_len, h.kv_len, i, j0 + cols);)
*/
static void fr_store_score_tile(fr_head h, fr_fast_memory *fm, double *s, const double *s_tile,
                                size_t i0, size_t rows, size_t j0, size_t cols)
#if FR_REAL_MODEL
    /*@ ghost (const float *q, const float *k) */
#endif
{
    size_t nk = h.kv_len;
    //@ ghost Slice_Fits(i0, rows, h.q_len, nk);
    //@ assert s_block: i0 * nk + rows * nk <= h.q_len * nk;
    //@ assert offset: (size_t)(i0 * nk) == i0 * nk && (size_t)(i0 * nk + j0) == i0 * nk + j0;
    double *dst = s + i0 * nk + j0;
    /*@ ghost FR_REAL(TileScores_Words(s_tile, q, k, h.d, h.scale, h.causal, h.q_len, h.kv_len, i0, rows, j0, cols);) */
    /*@ ghost FR_REAL(/@ assert tile_abs: \forall integer i, j, r, c; i == i0 + r && j == j0 + c &&
                          0 <= r < rows && 0 <= c < cols && j < VisibleKeys(h.causal, i, h.q_len, h.kv_len) ==>
                          TileValue(s_tile, cols, r, c) == Score(q + i * h.d, k, h.d, h.scale, j); @/ ;) */
    /*@ ghost FR_REAL(/@ assert tile_scores: \forall integer i, j; i0 <= i < i0 + rows && j0 <= j < j0 + cols &&
                          j < VisibleKeys(h.causal, i, h.q_len, h.kv_len) ==>
                          TileValue(s_tile, cols, i - i0, j - j0) == Score(q + i * h.d, k, h.d, h.scale, j); @/ ;) */
    fr_store_f64(fm, dst, nk, s_tile, rows, cols);
    /*@ ghost FR_REAL(/@ assert here: \forall integer i, j; 0 <= i < i0 + rows && 0 <= j < nk ==>
                          TileValue(s, nk, i, j) == TileValue(dst, nk, i - i0, j - j0); @/ ;) */
    /*@ ghost FR_REAL(/@ assert before: \forall integer i, j; 0 <= i < i0 + rows && 0 <= j < nk ==>
                          \at(TileValue(s, h.kv_len, i, j), Pre) ==
                          \at(TileValue(s + (i0 * h.kv_len + j0), h.kv_len, i - i0, j - j0), Pre); @/ ;) */
    /*@ ghost FR_REAL(/@ assert kept: \forall integer i, j; 0 <= i < i0 + rows && 0 <= j < nk &&
                          (i < i0 || j < j0) ==>
                          TileValue(s, nk, i, j) == \at(TileValue(s, h.kv_len, i, j), Pre); @/ ;) */
    /*@ ghost FR_REAL(/@ assert stored: \forall integer i, j; i0 <= i < i0 + rows && j0 <= j < j0 + cols ==>
                          TileValue(s, nk, i, j) == \at(TileValue(s_tile, cols, i - i0, j - j0), Pre); @/ ;) */
    /*@ ghost FR_REAL(/@ assert tile_words: \forall integer i, j; i0 <= i < i0 + rows && j0 <= j < j0 + cols &&
                          j < VisibleKeys(h.causal, i, h.q_len, h.kv_len) ==>
                          TileValue(s, nk, i, j) == Score(q + i * h.d, k, h.d, h.scale, j); @/ ;) */
    /*@ ghost FR_REAL(/@ assert tile_prefix: \forall integer i; i0 <= i < i0 + rows ==>
                          ScoresPrefix{Pre}(s, q, k, h.d, h.scale, h.causal, h.q_len, h.kv_len, i, j0) ==>
                          ScoresPrefix(s, q, k, h.d, h.scale, h.causal, h.q_len, h.kv_len, i, j0 + cols); @/ ;) */
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
    /*@ ghost FR_REAL(Rows_Before(h.q_len, nk);) */
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
        FR_REAL(loop invariant done: \forall integer i; 0 <= i < i0 ==>
                  ScoresPrefix(s, q, k, d, h.scale, h.causal, h.q_len, nk, i, nk);)
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
        /*@ ghost FR_REAL(/@ assert s_same: TileUnchanged{LoopCurrent, Here}(s, h.q_len, nk); @/ ;) */
        /*@ ghost FR_REAL(/@ assert s_kept: \forall integer i, j; 0 <= i < h.q_len && 0 <= j < nk ==>
                              TileValue(s, nk, i, j) == \at(TileValue(s, nk, i, j), LoopCurrent); @/ ;) */
        /*@ ghost FR_REAL(/@ assert done_kept: \forall integer i; 0 <= i < i0 ==>
                              ScoresPrefix{LoopCurrent}(s, q, k, d, h.scale, h.causal, h.q_len, nk, i, nk) ==>
                              ScoresPrefix(s, q, k, d, h.scale, h.causal, h.q_len, nk, i, nk); @/ ;) */
        /*@ ghost FR_COUNT(/@ assert q_read: \at(fm->words_read, Pre) + StandardScoresReads(h.q_len, nk, d, b.rows) <= UINT64_MAX ==>
              fm->words_read == \at(fm->words_read, Pre) + Words(i0 + rows, d) + Words(Words(u, nk), d); @/ ;) */
        /*@ loop invariant range: j0 < nk;
            FR_COUNT(loop invariant read: \at(fm->words_read, Pre) + StandardScoresReads(h.q_len, nk, d, b.rows) <= UINT64_MAX ==>
              fm->words_read == \at(fm->words_read, Pre) + Words(i0 + rows, d) + Words(Words(u, nk) + j0, d);)
            FR_COUNT(loop invariant written: \at(fm->words_written, Pre) + Words(h.q_len, nk) <= UINT64_MAX ==>
              fm->words_written == \at(fm->words_written, Pre) + Words(i0, nk) + rows * j0;)
            FR_REAL(loop invariant query_tile: TileCopies(q_tile, q, d, i0, rows);)
            FR_REAL(loop invariant done: \forall integer i; 0 <= i < i0 ==>
                      ScoresPrefix(s, q, k, d, h.scale, h.causal, h.q_len, nk, i, nk);)
            FR_REAL(loop invariant part: \forall integer i; i0 <= i < i0 + rows ==>
                      ScoresPrefix(s, q, k, d, h.scale, h.causal, h.q_len, nk, i, j0);)
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
            /*@ ghost FR_REAL(/@ assert s_same: TileUnchanged{LoopCurrent, Here}(s, h.q_len, nk); @/ ;) */
            /*@ ghost FR_REAL(/@ assert s_kept: \forall integer i, j; 0 <= i < h.q_len && 0 <= j < nk ==>
                                  TileValue(s, nk, i, j) == \at(TileValue(s, nk, i, j), LoopCurrent); @/ ;) */
            /*@ ghost FR_REAL(/@ assert done_kept: \forall integer i; 0 <= i < i0 ==>
                                  ScoresPrefix{LoopCurrent}(s, q, k, d, h.scale, h.causal, h.q_len, nk, i, nk) ==>
                                  ScoresPrefix(s, q, k, d, h.scale, h.causal, h.q_len, nk, i, nk); @/ ;) */
            /*@ ghost FR_REAL(/@ assert part_kept: \forall integer i; i0 <= i < i0 + rows ==>
                                  ScoresPrefix{LoopCurrent}(s, q, k, d, h.scale, h.causal, h.q_len, nk, i, j0) ==>
                                  ScoresPrefix(s, q, k, d, h.scale, h.causal, h.q_len, nk, i, j0); @/ ;) */
            fr_store_score_tile(h, fm, s, s_tile, i0, rows, j0, cols)
#if FR_REAL_MODEL
                /*@ ghost (q, k) */
#endif
                ;
            /*@ ghost FR_REAL(/@ assert query_stays: TileUnchanged{LoopCurrent, Here}(q_tile, b.rows, d); @/ ;) */
            /*@ ghost FR_REAL(/@ assert query_after: TileCopies(q_tile, q, d, i0, rows); @/ ;) */
            if (nk - j0 <= b.cols) {
                //@ assert all_keys: key_end == nk;
                /*@ ghost FR_REAL(/@ assert rows_done: \forall integer i; 0 <= i < i0 + rows ==>
                                      ScoresPrefix(s, q, k, d, h.scale, h.causal, h.q_len, nk, i, nk); @/ ;) */
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
            /*@ ghost FR_REAL(/@ assert stored: ScoresStored(s, q, k, d, h.scale, h.causal, h.q_len, nk); @/ ;) */
            /*@ ghost FR_COUNT(/@ assert all_blocks: u + 1 == CeilDiv(h.q_len, b.rows); @/ ;) */
            break;
        }
        //@ assert next_i0: (size_t)(i0 + b.rows) == i0 + b.rows && rows == b.rows;
        //@ ghost u = u + 1;
    }
    fr_fast_release(fm, mark);
    return FR_OK;
}
