/* Phase 3 of the standard algorithm: O = P V, tile by tile. In the
 * functional pass O then holds, row by row, the row's probabilities times
 * values over the keys it sees (WeightedStored, spec/StandardHead.acsl),
 * from phase 2's P (ProbabilitiesStored); its transfer counts, FR_COUNT,
 * are proved in the rte pass. */
#include "standard.h"
#include "mask.h"
#include "tile_ops.h"
#include "lemmas_size.h"
#include "lemmas_count.h"
#include "lemmas_softmax.h"

#if FR_REAL_MODEL
/*@ ghost
  // Row r joins the rows before it (the step of fr_standard_output_tile's
  // row loop, stated apart from the loop's large context).
  /@ requires earlier: WeightedPartial(acc, q, k, v, d, scale, causal, nq, nk, i0, 0, r, w);
     requires row: RowWeighted(acc, q, k, v, d, scale, causal, nq, nk, i0, r, w);
     assigns \nothing;
     ensures next: WeightedPartial(acc, q, k, v, d, scale, causal, nq, nk, i0, 0, r + 1, w); @/
  static void WeightedPartial_Next(const double *acc, const float *q, const float *k, const float *v,
                                   size_t d, double scale, fr_causal causal, size_t nq, size_t nk,
                                   size_t i0, size_t r, size_t w)
  {
  }
*/
#endif

void fr_standard_output_tile(fr_head h, fr_blocks b, const double *p_tile, const double *v_tile,
                             double *acc, size_t i0, size_t rows, size_t j0, size_t cols)
#if FR_REAL_MODEL
    /*@ ghost (const float *q_in, const float *k_in, const float *v_in) */
#endif
{
    size_t d = h.d, nk = h.kv_len;
    (void)b;   /* its sizes appear only in the annotations */
    //@ ghost Mul_Mono(rows, b.rows, cols);
    //@ ghost Mul_Mono(cols, b.cols, b.rows);
    //@ assert p_tile: rows * cols <= b.rows * b.cols;
    /* Rows before r hold their sums up to j0 + cols; the words of rows r ..
     * are still those of the caller's (up to j0). */
    /*@ loop invariant range: 0 <= r <= rows;
        FR_REAL(loop invariant done: WeightedPartial(acc, q_in, k_in, v_in, h.d, h.scale, h.causal, h.q_len, nk,
                                                     i0, 0, r, j0 + cols);)
        FR_REAL(loop invariant rest: \forall integer e; r * d <= e < rows * d ==> acc[e] == \at(acc[e], Pre);)
        loop assigns r, acc[0 .. b.rows * h.d - 1];
        loop variant rows - r; */
    for (size_t r = 0; r < rows; r++) {
        //@ ghost Row_Fits(r, b.rows, d);
        //@ assert acc_row: r * d + d <= b.rows * d;
        //@ ghost Row_Fits(r, rows, cols);
        //@ assert p_row: r * cols + cols <= rows * cols;
        //@ assert v_part: 0 <= cols * d;
        size_t visible = fr_visible_keys(h.causal, i0 + r, h.q_len, nk);
        size_t n = fr_visible_in_block(visible, j0, cols);
        //@ ghost Mul_Mono(n, b.cols, d);
        //@ assert in_p: r * cols + n <= b.rows * b.cols;
        //@ assert in_v: n * d <= b.cols * d;
        /*@ assert sep: \separated(acc + r * d + (0 .. d - 1), p_tile + r * cols + (0 .. n - 1),
                                   v_tile + (0 .. n * d - 1)); */
        /*@ ghost FR_REAL(/@ assert visible: visible == VisibleKeys(h.causal, i0 + r, h.q_len, nk); @/ ;) */
        /*@ ghost FR_REAL(Row_Fits(r, rows, d);) */
        /*@ ghost FR_REAL(Row_Fits(i0 + r, h.q_len, h.d);) */
        /*@ ghost FR_REAL(/@ assert row_index: (size_t)(i0 + r) == i0 + r && (size_t)((i0 + r) * h.d) == (i0 + r) * h.d; @/ ;) */
        /*@ ghost FR_REAL(/@ assert tile_index: (size_t)(r * d) == r * d && (size_t)(r * cols) == r * cols; @/ ;) */
        /*@ ghost FR_REAL(/@ assert seen: (visible > j0 ==> SeenKeys(h.causal, i0 + r, h.q_len, nk, j0) == j0 &&
                                                      SeenKeys(h.causal, i0 + r, h.q_len, nk, j0 + cols) == j0 + n) &&
                                     (visible <= j0 ==> n == 0 &&
                                                      SeenKeys(h.causal, i0 + r, h.q_len, nk, j0) == visible &&
                                                      SeenKeys(h.causal, i0 + r, h.q_len, nk, j0 + cols) == visible); @/ ;) */
        /*@ ghost FR_REAL(/@ assert row_at_entry: RowWeighted{Pre}(acc, q_in, k_in, v_in, h.d, h.scale, h.causal, h.q_len, nk,
                                                        i0, r, j0); @/ ;) */
        /*@ ghost FR_REAL(/@ assert row_before: \forall integer x; 0 <= x < d ==>
                              TileValue(acc, d, r, x) ==
                              ProbabilityWeighted(q_in + (i0 + r) * h.d, k_in, v_in, h.d, h.scale, visible,
                                                  SeenKeys(h.causal, i0 + r, h.q_len, nk, j0), x); @/ ;) */
        /*@ ghost FR_REAL(/@ assert row_tile: \forall integer c; 0 <= c < n ==>
                              TileValue(p_tile, cols, r, c) ==
                              Probability(q_in + (i0 + r) * h.d, k_in, h.d, h.scale, visible, j0 + c); @/ ;) */
        /*@ ghost FR_REAL(/@ assert row_probabilities: \forall integer c; 0 <= c < n ==>
                              (p_tile + r * cols)[c] ==
                              Probability(q_in + (i0 + r) * h.d, k_in, h.d, h.scale, visible, j0 + c); @/ ;) */
#if FR_REAL_MODEL
        /*@ ghost if (visible > j0)
                    Tile_ProbabilityWeighted(p_tile + r * cols, v_tile, q_in + (i0 + r) * h.d, k_in, v_in, d,
                                             h.scale, visible, j0, n); */
#endif
        /*@ ghost FR_REAL(accumulating: ;) */
        fr_row_accumulate(acc + r * d, p_tile + r * cols, v_tile, n, d);
        /*@ ghost FR_REAL(/@ assert row_sum: \forall integer x; 0 <= x < d ==>
                              TileValue(acc, d, r, x) == \at(TileValue(acc, d, r, x), accumulating) +
                              \at(TileWeighted(p_tile + r * cols, v_tile, n, d, x), accumulating); @/ ;) */
        /*@ ghost FR_REAL(/@ assert nothing_seen: visible <= j0 ==> \forall integer x; 0 <= x < d ==>
                              \at(TileWeighted(p_tile + r * cols, v_tile, n, d, x), accumulating) == 0.0; @/ ;) */
        /*@ ghost FR_REAL(/@ assert row_seen: visible > j0 ==> \forall integer x; 0 <= x < d ==>
                              TileValue(acc, d, r, x) ==
                              ProbabilityWeighted(q_in + (i0 + r) * h.d, k_in, v_in, h.d, h.scale, visible, j0 + n, x); @/ ;) */
        /*@ ghost FR_REAL(/@ assert row_unseen: visible <= j0 ==> \forall integer x; 0 <= x < d ==>
                              TileValue(acc, d, r, x) ==
                              ProbabilityWeighted(q_in + (i0 + r) * h.d, k_in, v_in, h.d, h.scale, visible, visible, x); @/ ;) */
        /*@ ghost FR_REAL(/@ assert row_after: \forall integer x; 0 <= x < d ==>
                              TileValue(acc, d, r, x) ==
                              ProbabilityWeighted(q_in + (i0 + r) * h.d, k_in, v_in, h.d, h.scale, visible,
                                                  SeenKeys(h.causal, i0 + r, h.q_len, nk, j0 + cols), x); @/ ;) */
        /*@ ghost FR_REAL(/@ assert p_same: TileUnchanged{LoopCurrent, Here}((double *)p_tile, rows, cols); @/ ;) */
        /*@ ghost FR_REAL(/@ assert v_same: TileUnchanged{LoopCurrent, Here}((double *)v_tile, cols, d); @/ ;) */
        /*@ ghost FR_REAL(/@ assert other_rows: TileUnchangedBut{LoopCurrent, Here}(acc, rows, d, r); @/ ;) */
        /*@ ghost FR_REAL(Rows_Before(r, d);) */
        /*@ ghost FR_REAL(/@ assert rows_kept: \forall integer r1, x; 0 <= r1 < r && 0 <= x < d ==>
                              TileValue(acc, d, r1, x) == \at(TileValue(acc, d, r1, x), LoopCurrent); @/ ;) */
        /*@ ghost FR_REAL(/@ assert rows_kept_weighted: \forall integer r1; 0 <= r1 < r ==>
                              RowWeighted{LoopCurrent}(acc, q_in, k_in, v_in, h.d, h.scale, h.causal, h.q_len, nk,
                                                       i0, r1, j0 + cols) ==>
                              RowWeighted(acc, q_in, k_in, v_in, h.d, h.scale, h.causal, h.q_len, nk,
                                          i0, r1, j0 + cols); @/ ;) */
        /*@ ghost FR_REAL(/@ assert earlier_rows: WeightedPartial(acc, q_in, k_in, v_in, h.d, h.scale, h.causal, h.q_len, nk,
                                                          i0, 0, r, j0 + cols); @/ ;) */
        /*@ ghost FR_REAL(/@ assert this_row: RowWeighted(acc, q_in, k_in, v_in, h.d, h.scale, h.causal, h.q_len, nk,
                                                    i0, r, j0 + cols); @/ ;) */
        /*@ ghost FR_REAL(WeightedPartial_Next(acc, q_in, k_in, v_in, d, h.scale, h.causal, h.q_len, nk, i0, r,
                                               j0 + cols);) */
    }
}

/* Zeroes the accumulator acc [rows, d] of a query block: each row's sum
 * over no keys yet. */
/*@ requires fits: rows * d <= SIZE_MAX;
    requires acc: \valid(acc + (0 .. rows * d - 1));
    assigns acc[0 .. rows * d - 1];
    FR_REAL(ensures zero: \forall integer r, x; 0 <= r < rows && 0 <= x < d ==> TileValue(acc, d, r, x) == Nought;)
*/
static void fr_zero_rows(double *acc, size_t rows, size_t d)
{
    /*@ loop invariant range: 0 <= r <= rows;
        FR_REAL(loop invariant zero: \forall integer r1, x; 0 <= r1 < r && 0 <= x < d ==>
                  TileValue(acc, d, r1, x) == Nought;)
        loop assigns r, acc[0 .. rows * d - 1];
        loop variant rows - r; */
    for (size_t r = 0; r < rows; r++) {
        //@ ghost Row_Fits(r, rows, d);
        //@ assert acc_row: r * d + d <= rows * d;
        /*@ ghost FR_REAL(/@ assert tile_index: (size_t)(r * d) == r * d; @/ ;) */
        fr_row_zero(acc + r * d, d);
        /*@ ghost FR_REAL(/@ assert row_zero: \forall integer x; 0 <= x < d ==> TileValue(acc, d, r, x) == Nought; @/ ;) */
        /*@ ghost FR_REAL(/@ assert other_rows: TileUnchangedBut{LoopCurrent, Here}(acc, rows, d, r); @/ ;) */
        /*@ ghost FR_REAL(Rows_Before(r, d);) */
        /*@ ghost FR_REAL(/@ assert rows_kept: \forall integer r1, x; 0 <= r1 < r && 0 <= x < d ==>
                              TileValue(acc, d, r1, x) == \at(TileValue(acc, d, r1, x), LoopCurrent); @/ ;) */
        /*@ ghost FR_REAL(/@ assert next_row: (size_t)(r + 1) == r + 1; @/ ;) */
    }
}

/* Loads the tile of P [Nq, Nk] of query rows i0 .. i0 + rows - 1 and keys
 * j0 .. j0 + cols - 1 into p_tile [rows, cols]. The contract speaks of P's
 * own (i, j), as fr_store_score_tile's of S's: the address step is made
 * here, once. */
/*@ requires fm: \valid(fm);
    requires tile_fits: 1 <= rows && i0 + rows <= h.q_len && 1 <= cols && j0 + cols <= h.kv_len;
    requires scores: h.q_len * h.kv_len <= SIZE_MAX;
    requires p: \valid_read(p + (0 .. h.q_len * h.kv_len - 1));
    requires p_tile: \valid(p_tile + (0 .. rows * cols - 1));
    FR_REAL(requires apart: \separated(p + (0 .. h.q_len * h.kv_len - 1), p_tile + (0 .. rows * cols - 1));)
    FR_REAL(requires probabilities: ProbabilitiesStored((double *)p, q, k, h.d, h.scale, h.causal, h.q_len, h.kv_len,
                                                        h.q_len);)
    assigns fm->words_read, p_tile[0 .. rows * cols - 1];
    ensures counted: fm->words_read == (uint64_t)(\old(fm->words_read) + rows * cols);
    FR_REAL(ensures tile: ProbabilityTile(p_tile, q, k, h.d, h.scale, h.causal, h.q_len, h.kv_len,
                                          i0, rows, j0, cols);)
*/
static void fr_load_probability_tile(fr_head h, fr_fast_memory *fm, double *p_tile, const double *p,
                                     size_t i0, size_t rows, size_t j0, size_t cols)
#if FR_REAL_MODEL
    /*@ ghost (const float *q, const float *k) */
#endif
{
    size_t nk = h.kv_len;
    //@ ghost Slice_Fits(i0, rows, h.q_len, nk);
    //@ assert p_block: i0 * nk + rows * nk <= h.q_len * nk;
    //@ assert offset: (size_t)(i0 * nk) == i0 * nk && (size_t)(i0 * nk + j0) == i0 * nk + j0;
    //@ ghost Mul_Mono(cols, nk, rows);
    //@ assert extent: (rows - 1) * nk + cols <= rows * nk;
    const double *src = p + i0 * nk + j0;
    fr_load_f64(fm, p_tile, src, rows, cols, nk);
    /*@ ghost FR_REAL(/@ assert at_pre: \forall integer r, c; 0 <= r < rows && 0 <= c < cols ==>
                          \at(TileValue((double *)p + (i0 * h.kv_len + j0), h.kv_len, r, c), Pre) ==
                          \at(TileValue((double *)p, h.kv_len, i0 + r, j0 + c), Pre); @/ ;) */
    /*@ ghost FR_REAL(/@ assert loaded: \forall integer r, c; 0 <= r < rows && 0 <= c < cols ==>
                          TileValue(p_tile, cols, r, c) == \at(TileValue((double *)p, h.kv_len, i0 + r, j0 + c), Pre); @/ ;) */
    /*@ ghost FR_REAL(/@ assert stored: \forall integer i, j; 0 <= i < h.q_len && 0 <= j < h.kv_len ==>
                          \at(TileValue((double *)p, h.kv_len, i, j), Pre) ==
                          Probability(q + i * h.d, k, h.d, h.scale, VisibleKeys(h.causal, i, h.q_len, h.kv_len), j); @/ ;) */
}

/* Stores the accumulator acc [rows, d] of query rows i0 .. i0 + rows - 1,
 * which holds their sums over all the keys, into O [Nq, d]: O's rows
 * before i0 keep theirs, so rows 0 .. i0 + rows - 1 then hold theirs. */
/*@ requires fm: \valid(fm);
    requires head: HeadOk(h.q_len, h.kv_len, h.d, h.causal);
    requires block_fits: 1 <= rows && i0 + rows <= h.q_len;
    requires acc: \valid_read(acc + (0 .. rows * h.d - 1));
    requires o: \valid(o + (0 .. h.q_len * h.d - 1));
    FR_REAL(requires apart: \separated(o + (0 .. h.q_len * h.d - 1), acc + (0 .. rows * h.d - 1));)
    FR_REAL(requires block: WeightedPartial((double *)acc, q, k, v, h.d, h.scale, h.causal, h.q_len, h.kv_len,
                                            i0, 0, rows, h.kv_len);)
    FR_REAL(requires done: WeightedStored(o, q, k, v, h.d, h.scale, h.causal, h.q_len, h.kv_len, i0);)
    assigns fm->words_written, o[0 .. h.q_len * h.d - 1];
    ensures counted: fm->words_written == (uint64_t)(\old(fm->words_written) + rows * h.d);
    FR_REAL(ensures done: WeightedStored(o, q, k, v, h.d, h.scale, h.causal, h.q_len, h.kv_len, i0 + rows);)
*/
static void fr_store_output_block(fr_head h, fr_fast_memory *fm, double *o, const double *acc,
                                  size_t i0, size_t rows)
#if FR_REAL_MODEL
    /*@ ghost (const float *q, const float *k, const float *v) */
#endif
{
    size_t d = h.d;
    //@ ghost Slice_Fits(i0, rows, h.q_len, d);
    //@ assert o_rows: i0 * d + rows * d <= h.q_len * d;
    //@ assert o_extent: (rows - 1) * d + d == rows * d && i0 * d + ((rows - 1) * d + d) <= h.q_len * d;
    //@ assert offset: (size_t)(i0 * d) == i0 * d;
    fr_store_f64(fm, o + i0 * d, d, acc, rows, d);
    /*@ ghost FR_REAL(/@ assert rows_stored: RowsStored(o, (double *)acc, d, i0, rows); @/ ;) */
    /*@ ghost FR_REAL(/@ assert acc_kept: TileUnchanged{Pre, Here}((double *)acc, rows, d); @/ ;) */
    /*@ ghost FR_REAL(/@ assert earlier_words: TileUnchangedBut{Pre, Here}(o, i0 + 1, d, i0); @/ ;) */
    /*@ ghost FR_REAL(/@ assert earlier_rows: \forall integer i; 0 <= i < i0 ==>
                          RowWeighted{Pre}(o, q, k, v, h.d, h.scale, h.causal, h.q_len, h.kv_len, 0, i, h.kv_len) ==>
                          RowWeighted(o, q, k, v, h.d, h.scale, h.causal, h.q_len, h.kv_len, 0, i, h.kv_len); @/ ;) */
    /*@ ghost FR_REAL(/@ assert earlier: WeightedStored(o, q, k, v, h.d, h.scale, h.causal, h.q_len, h.kv_len, i0); @/ ;) */
#if FR_REAL_MODEL
    /* Row by row: each row's index in O is then one term, i0 + c. */
    /*@ ghost
      /@ loop invariant range: 0 <= c <= rows;
         loop invariant done: WeightedStored(o, q, k, v, h.d, h.scale, h.causal, h.q_len, h.kv_len, i0 + c);
         loop assigns c;
         loop variant rows - c; @/
      for (size_t c = 0; c < rows; c++) {
        /@ assert acc_row: RowWeighted{Pre}((double *)acc, q, k, v, h.d, h.scale, h.causal, h.q_len, h.kv_len,
                                            i0, c, h.kv_len); @/
        /@ assert acc_values: \forall integer x; 0 <= x < h.d ==>
             TileValue((double *)acc, h.d, c, x) == TileValue{Pre}((double *)acc, h.d, c, x); @/
        /@ assert o_values: \forall integer x; 0 <= x < h.d ==>
             TileValue(o, h.d, i0 + c, x) == TileValue((double *)acc, h.d, c, x); @/
        /@ assert row: RowWeighted(o, q, k, v, h.d, h.scale, h.causal, h.q_len, h.kv_len, 0, i0 + c, h.kv_len); @/
        WeightedPartial_Next(o, q, k, v, h.d, h.scale, h.causal, h.q_len, h.kv_len, 0, i0 + c, h.kv_len);
        /@ assert next: (size_t)(c + 1) == c + 1; @/
      }
    */
#endif
}

fr_status fr_standard_output(fr_head h, fr_blocks b, fr_fast_memory *fm,
                             const double *p, const float *v, double *o)
#if FR_REAL_MODEL
    /*@ ghost (const float *q, const float *k) */
#endif
{
    size_t d = h.d, nk = h.kv_len;
    size_t mark = fm->used;
    double *p_tile = fr_fast_alloc(fm, b.rows * b.cols);
    double *v_tile = fr_fast_alloc(fm, b.cols * d);
    double *acc = fr_fast_alloc(fm, b.rows * d);
    if (p_tile == NULL || v_tile == NULL || acc == NULL) {
        fr_fast_release(fm, mark);
        return FR_ERR_FAST_MEMORY_TOO_SMALL;
    }
    /*@ assert apart: \separated(p_tile + (0 .. b.rows * b.cols - 1), v_tile + (0 .. b.cols * d - 1),
                                 acc + (0 .. b.rows * d - 1)); */
    /* The count proof, as in fr_standard_scores: query block u starts at row
     * i0 == u * Br and reads its rows of P and all Nk rows of V. */
    //@ ghost size_t u = 0;
    /*@ loop invariant range: i0 < h.q_len;
        loop invariant block: i0 == u * b.rows;
        FR_COUNT(loop invariant read: \at(fm->words_read, Pre) + StandardOutputReads(h.q_len, nk, d, b.rows) <= UINT64_MAX ==>
          fm->words_read == \at(fm->words_read, Pre) + Words(i0, nk) + Words(Words(u, nk), d);)
        FR_COUNT(loop invariant written: \at(fm->words_written, Pre) + Words(h.q_len, d) <= UINT64_MAX ==>
          fm->words_written == \at(fm->words_written, Pre) + Words(i0, d);)
        FR_REAL(loop invariant p_kept: TileUnchanged{Pre, Here}((double *)p, h.q_len, nk);)
        FR_REAL(loop invariant done: WeightedStored(o, q, k, v, d, h.scale, h.causal, h.q_len, nk, i0);)
        loop assigns i0, u, fm->words_read, fm->words_written, fm->words[0 .. fm->capacity - 1], o[0 .. h.q_len * h.d - 1];
        loop variant h.q_len - i0; */
    for (size_t i0 = 0; i0 < h.q_len; i0 += b.rows) {
        /*@ ghost FR_REAL(block_start: ;) */
        size_t rows = h.q_len - i0 < b.rows ? h.q_len - i0 : b.rows;
        //@ assert block_rows: i0 + rows <= h.q_len;
        /*@ ghost FR_COUNT(TiledKeys_Below(h.causal, u, h.q_len, nk, b.rows, b.cols);) */
        /*@ ghost FR_COUNT(/@ assert blocks_so_far: u + 1 <= CeilDiv(h.q_len, b.rows); @/ ;) */
        /*@ ghost FR_COUNT(/@ assert read_room: Words(i0 + rows, nk) <= Words(h.q_len, nk) &&
              Words(u + 1, nk) <= Words(CeilDiv(h.q_len, b.rows), nk) &&
              Words(Words(u + 1, nk), d) <= Words(Words(CeilDiv(h.q_len, b.rows), nk), d); @/ ;) */
        /*@ ghost FR_COUNT(/@ assert write_room: Words(i0 + rows, d) <= Words(h.q_len, d); @/ ;) */
        /*@ ghost FR_COUNT(/@ assert o_add: Words(i0 + rows, d) == Words(i0, d) + rows * d; @/ ;) */
        //@ ghost Mul_Mono(rows, b.rows, d);
        //@ assert acc_tile: rows * d <= b.rows * d;
        fr_zero_rows(acc, rows, d);
        /*@ ghost FR_REAL(/@ assert nothing_seen: \forall integer r; 0 <= r < rows ==>
                              SeenKeys(h.causal, i0 + r, h.q_len, nk, 0) == 0; @/ ;) */
        /*@ ghost FR_REAL(/@ assert zero: WeightedPartial(acc, q, k, v, d, h.scale, h.causal, h.q_len, nk, i0, 0, rows, 0); @/ ;) */
        /*@ loop invariant range: j0 < nk;
            FR_COUNT(loop invariant read: \at(fm->words_read, Pre) + StandardOutputReads(h.q_len, nk, d, b.rows) <= UINT64_MAX ==>
              fm->words_read == \at(fm->words_read, Pre) + Words(i0, nk) + rows * j0 + Words(Words(u, nk) + j0, d);)
            FR_REAL(loop invariant partial: WeightedPartial(acc, q, k, v, d, h.scale, h.causal, h.q_len, nk,
                                                            i0, 0, rows, j0);)
            FR_REAL(loop invariant p_kept: TileUnchanged{Pre, Here}((double *)p, h.q_len, nk);)
            FR_REAL(loop invariant o_kept: TileUnchanged{block_start, Here}(o, h.q_len, d);)
            loop assigns j0, fm->words_read, fm->words[0 .. fm->capacity - 1];
            loop variant nk - j0; */
        for (size_t j0 = 0; j0 < nk; j0 += b.cols) {
            size_t cols = nk - j0 < b.cols ? nk - j0 : b.cols;
            //@ ghost size_t key_end = j0 + cols;
            //@ assert key_end: key_end == j0 + cols && key_end <= nk;
            /*@ ghost FR_COUNT(/@ assert v_keys: Words(u, nk) + key_end <= Words(u + 1, nk) == Words(u, nk) + nk; @/ ;) */
            /*@ ghost FR_COUNT(/@ assert v_room: Words(Words(u, nk) + key_end, d) <= Words(Words(u + 1, nk), d); @/ ;) */
            /*@ ghost FR_COUNT(/@ assert v_add: Words(Words(u, nk) + key_end, d) == Words(Words(u, nk) + j0, d) + cols * d; @/ ;) */
            /*@ ghost FR_COUNT(Mul_Mono(key_end, nk, rows);) */
            /*@ ghost FR_COUNT(/@ assert p_room: key_end * rows <= nk * rows && rows * key_end == rows * j0 + rows * cols; @/ ;) */
            /*@ ghost FR_COUNT(/@ assert p_words: Words(i0, nk) + rows * nk == Words(i0 + rows, nk); @/ ;) */
            //@ ghost Mul_Mono(rows, b.rows, cols);
            //@ ghost Mul_Mono(cols, b.cols, b.rows);
            //@ assert p_tile: rows * cols <= b.rows * b.cols;
            /*@ ghost FR_REAL(/@ assert probabilities: ProbabilitiesStored((double *)p, q, k, d, h.scale, h.causal,
                                                                   h.q_len, nk, h.q_len); @/ ;) */
            fr_load_probability_tile(h, fm, p_tile, p, i0, rows, j0, cols)
#if FR_REAL_MODEL
                /*@ ghost (q, k) */
#endif
                ;
            /*@ ghost FR_REAL(p_loaded: ;) */
            /*@ ghost FR_REAL(/@ assert acc_same: TileUnchanged{LoopCurrent, Here}(acc, rows, d); @/ ;) */
            //@ ghost Slice_Fits(j0, cols, nk, d);
            //@ assert kv_rows: j0 * d + cols * d <= nk * d;
            //@ ghost Mul_Mono(cols, b.cols, d);
            //@ assert kv_tile: cols * d <= b.cols * d;
            fr_load_f32(fm, v_tile, v + j0 * d, cols, d, d);
            /*@ ghost FR_REAL(Loaded_Copies(v_tile, v, d, j0, cols);) */
            /*@ ghost FR_REAL(/@ assert acc_kept: TileUnchanged{LoopCurrent, Here}(acc, rows, d); @/ ;) */
            /*@ ghost FR_REAL(/@ assert rows_kept: \forall integer r; 0 <= r < rows ==>
                                  RowWeighted{LoopCurrent}(acc, q, k, v, d, h.scale, h.causal, h.q_len, nk, i0, r, j0) ==>
                                  RowWeighted(acc, q, k, v, d, h.scale, h.causal, h.q_len, nk, i0, r, j0); @/ ;) */
            /*@ ghost FR_REAL(/@ assert p_tile_same: TileUnchanged{p_loaded, Here}(p_tile, rows, cols); @/ ;) */
            /*@ ghost FR_REAL(/@ assert partial_kept: WeightedPartial(acc, q, k, v, d, h.scale, h.causal, h.q_len, nk,
                                                                  i0, 0, rows, j0); @/ ;) */
            /*@ ghost FR_REAL(/@ assert p_tile_kept: ProbabilityTile(p_tile, q, k, d, h.scale, h.causal, h.q_len, nk,
                                                                 i0, rows, j0, cols); @/ ;) */
            fr_standard_output_tile(h, b, p_tile, v_tile, acc, i0, rows, j0, cols)
#if FR_REAL_MODEL
                /*@ ghost (q, k, v) */
#endif
                ;
            if (nk - j0 <= b.cols) {
                //@ assert all_keys: key_end == nk;
                break;
            }
            //@ assert next_j0: (size_t)(j0 + b.cols) == j0 + b.cols && cols == b.cols && key_end == j0 + b.cols;
        }
        /*@ ghost FR_COUNT(/@ assert block_read: \at(fm->words_read, Pre) + StandardOutputReads(h.q_len, nk, d, b.rows) <= UINT64_MAX ==>
              fm->words_read == \at(fm->words_read, Pre) + Words(i0 + rows, nk) + Words(Words(u + 1, nk), d); @/ ;) */
        /*@ ghost FR_REAL(/@ assert o_same: TileUnchanged{block_start, Here}(o, h.q_len, d); @/ ;) */
        /*@ ghost FR_REAL(/@ assert rows_kept: \forall integer i; 0 <= i < i0 ==>
                              RowWeighted{block_start}(o, q, k, v, d, h.scale, h.causal, h.q_len, nk, 0, i, nk) ==>
                              RowWeighted(o, q, k, v, d, h.scale, h.causal, h.q_len, nk, 0, i, nk); @/ ;) */
        /*@ ghost FR_REAL(/@ assert done_kept: WeightedStored(o, q, k, v, d, h.scale, h.causal, h.q_len, nk, i0); @/ ;) */
        fr_store_output_block(h, fm, o, acc, i0, rows)
#if FR_REAL_MODEL
            /*@ ghost (q, k, v) */
#endif
            ;
        /*@ ghost FR_COUNT(/@ assert block_written: \at(fm->words_written, Pre) + Words(h.q_len, d) <= UINT64_MAX ==>
              fm->words_written == \at(fm->words_written, Pre) + Words(i0 + rows, d); @/ ;) */
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
