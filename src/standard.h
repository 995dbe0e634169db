/* Standard attention for one head: S and P materialised in slow memory. */
#ifndef FLASHREF_STANDARD_H
#define FLASHREF_STANDARD_H

#include "tiled.h"

#if FR_REAL_MODEL
#include "StandardScores.acsl"
#include "StandardHead.acsl"
#endif

/* One tile of phase 1 in fast memory: s_tile[r][c] = scale * (q row r . k row c)
 * for the keys row i0 + r sees among j0 .. j0 + cols - 1, -inf for the others.
 * q_tile [rows, d], k_tile [cols, d], s_tile [rows, cols]. In the functional
 * pass the tiles are copies of rows of the head's Q and K, q_in and k_in
 * (ghost parameters), and the visible words are their scores. */
/*@ requires head: HeadOk(h.q_len, h.kv_len, h.d, h.causal);
    requires blocks: BlocksFit(b, h.d, SIZE_MAX);
    requires query_rows: 1 <= rows <= b.rows && i0 + rows <= h.q_len;
    requires key_cols: 1 <= cols <= b.cols && j0 + cols <= h.kv_len;
    requires tiles: \valid_read(q_tile + (0 .. b.rows * h.d - 1)) &&
                    \valid_read(k_tile + (0 .. b.cols * h.d - 1)) &&
                    \valid(s_tile + (0 .. b.rows * b.cols - 1));
    requires separated: \separated(s_tile + (0 .. b.rows * b.cols - 1), q_tile + (0 .. b.rows * h.d - 1),
                                   k_tile + (0 .. b.cols * h.d - 1));
    FR_REAL(requires query_tile: TileCopies(q_tile, q_in, h.d, i0, rows);)
    FR_REAL(requires key_tile: TileCopies(k_tile, k_in, h.d, j0, cols);)
    assigns s_tile[0 .. b.rows * b.cols - 1];
    FR_REAL(ensures scores: TileScores(s_tile, q_in, k_in, h.d, h.scale, h.causal, h.q_len, h.kv_len,
                                       i0, rows, j0, cols);)
*/
void fr_standard_score_tile(fr_head h, fr_blocks b, const double *q_tile, const double *k_tile,
                            double *s_tile, size_t i0, size_t rows, size_t j0, size_t cols)
#if FR_REAL_MODEL
    /*@ ghost (const float *q_in, const float *k_in) */
#endif
    ;

/* Phase 1: S = scale * Q K^T, tile by tile; masked entries hold -inf.
 * q [Nq, d], k [Nk, d], s [Nq, Nk]. In the functional pass each tile it
 * stores holds the scores of the keys its rows see (fr_standard_score_tile),
 * and so, given S apart from fast memory, does S as a whole: every row, in
 * the keys it sees (ScoresStored). */
/*@ requires head: HeadOk(h.q_len, h.kv_len, h.d, h.causal);
    requires blocks: BlocksFit(b, h.d, SIZE_MAX);
    requires fast_memory: FastMemoryValid(fm);
    requires scores: h.q_len * h.kv_len <= SIZE_MAX;
    requires q: \valid_read(q + (0 .. h.q_len * h.d - 1));
    requires k: \valid_read(k + (0 .. h.kv_len * h.d - 1));
    requires s: \valid(s + (0 .. h.q_len * h.kv_len - 1));
    FR_REAL(requires apart: \separated(s + (0 .. h.q_len * h.kv_len - 1), fm->words + (0 .. fm->capacity - 1));)
    assigns fm->used, fm->peak, fm->words_read, fm->words_written,
            fm->words[0 .. fm->capacity - 1], s[0 .. h.q_len * h.kv_len - 1];
    ensures fast_memory: FastMemoryValid(fm) && fm->used == \old(fm->used);
    FR_COUNT(ensures read_count: \result == FR_OK &&
        \old(fm->words_read) + StandardScoresReads(h.q_len, h.kv_len, h.d, b.rows) <= UINT64_MAX ==>
      fm->words_read == \old(fm->words_read) + StandardScoresReads(h.q_len, h.kv_len, h.d, b.rows);)
    FR_COUNT(ensures write_count: \result == FR_OK && \old(fm->words_written) + Words(h.q_len, h.kv_len) <= UINT64_MAX ==>
      fm->words_written == \old(fm->words_written) + Words(h.q_len, h.kv_len);)
    FR_REAL(ensures scores: \result == FR_OK ==>
              ScoresStored(s, q, k, h.d, h.scale, h.causal, h.q_len, h.kv_len);)
*/
fr_status fr_standard_scores(fr_head h, fr_blocks b, fr_fast_memory *fm,
                             const float *q, const float *k, double *s);

/* Phase 2, one row: m = max of visible s, l = sum exp(s - m),
 * P = exp(s - m) / l (0 where masked), LSE = m + log l (-inf without a
 * visible key; P = 0 and LSE = -inf when every visible score is -inf). Streams the row through fast memory in chunks of Bc, three
 * passes. s_row, p_row [Nk].
 * In the functional pass: when the visible words of s_row are the scores of
 * the query q_in against the keys k_in (ghost parameters), P's row holds
 * their softmax probabilities (0 for the keys the row does not see) and
 * LSE their log-sum-exp (spec/StandardRows.acsl), given s_row, p_row and
 * lse_i apart from each other and from fast memory. */
/*@ requires head: HeadOk(h.q_len, h.kv_len, h.d, h.causal);
    requires blocks: BlocksFit(b, h.d, SIZE_MAX);
    requires fast_memory: FastMemoryValid(fm);
    requires row: i < h.q_len;
    requires s_row: \valid_read(s_row + (0 .. h.kv_len - 1));
    requires p_row: \valid(p_row + (0 .. h.kv_len - 1));
    requires lse_i: \valid(lse_i);
    FR_REAL(requires scores: ScoresRow(s_row, q_in, k_in, h.d, h.scale,
                                        VisibleKeys(h.causal, i, h.q_len, h.kv_len));)
    FR_REAL(requires apart: \separated(s_row + (0 .. h.kv_len - 1), p_row + (0 .. h.kv_len - 1), lse_i,
                                        fm->words + (0 .. fm->capacity - 1));)
    assigns fm->used, fm->peak, fm->words_read, fm->words_written,
            fm->words[0 .. fm->capacity - 1], p_row[0 .. h.kv_len - 1], *lse_i;
    ensures fast_memory: FastMemoryValid(fm) && fm->used == \old(fm->used);
    FR_COUNT(ensures read_count: \result == FR_OK && \old(fm->words_read) + 3 * h.kv_len <= UINT64_MAX ==>
      fm->words_read == \old(fm->words_read) + 3 * h.kv_len;)
    FR_COUNT(ensures write_count: \result == FR_OK && \old(fm->words_written) + h.kv_len + 1 <= UINT64_MAX ==>
      fm->words_written == \old(fm->words_written) + h.kv_len + 1;)
    FR_REAL(ensures probabilities: \result == FR_OK ==>
              ProbabilityRow(p_row, q_in, k_in, h.d, h.scale,
                             VisibleKeys(h.causal, i, h.q_len, h.kv_len), h.kv_len);)
    FR_REAL(ensures lse: \result == FR_OK && VisibleKeys(h.causal, i, h.q_len, h.kv_len) >= 1 ==>
              *lse_i == Lse(q_in, k_in, h.d, h.scale, VisibleKeys(h.causal, i, h.q_len, h.kv_len));)
    FR_REAL(ensures masked_lse: \result == FR_OK && VisibleKeys(h.causal, i, h.q_len, h.kv_len) <= 0 ==>
              *lse_i == MinusInfinity;)
*/
fr_status fr_standard_softmax_row(fr_head h, fr_blocks b, fr_fast_memory *fm,
                                  size_t i, const double *s_row, double *p_row,
                                  double *lse_i)
#if FR_REAL_MODEL
    /*@ ghost (const float *q_in, const float *k_in) */
#endif
    ;

/* One tile of phase 3 in fast memory: acc row r += (p_tile row r) * v_tile
 * over the keys row i0 + r sees among j0 .. j0 + cols - 1.
 * p_tile [rows, cols], v_tile [cols, d], acc [rows, d]. In the functional
 * pass: when p_tile holds P's probabilities, v_tile the value rows j0 ..
 * (of v_in) and acc each row's sum over the keys before j0 (ghost q_in,
 * k_in, v_in: the head's tensors), acc then holds the sum over the keys
 * before j0 + cols. */
/*@ requires head: HeadOk(h.q_len, h.kv_len, h.d, h.causal);
    requires blocks: BlocksFit(b, h.d, SIZE_MAX);
    requires query_rows: 1 <= rows <= b.rows && i0 + rows <= h.q_len;
    requires key_cols: 1 <= cols <= b.cols && j0 + cols <= h.kv_len;
    requires tiles: \valid_read(p_tile + (0 .. b.rows * b.cols - 1)) &&
                    \valid_read(v_tile + (0 .. b.cols * h.d - 1)) &&
                    \valid(acc + (0 .. b.rows * h.d - 1));
    requires separated: \separated(acc + (0 .. b.rows * h.d - 1), p_tile + (0 .. b.rows * b.cols - 1),
                                   v_tile + (0 .. b.cols * h.d - 1));
    FR_REAL(requires probabilities: ProbabilityTile(p_tile, q_in, k_in, h.d, h.scale, h.causal, h.q_len, h.kv_len,
                                                    i0, rows, j0, cols);)
    FR_REAL(requires value_tile: TileCopies(v_tile, v_in, h.d, j0, cols);)
    FR_REAL(requires partial: WeightedPartial(acc, q_in, k_in, v_in, h.d, h.scale, h.causal, h.q_len, h.kv_len,
                                              i0, 0, rows, j0);)
    assigns acc[0 .. b.rows * h.d - 1];
    FR_REAL(ensures partial: WeightedPartial(acc, q_in, k_in, v_in, h.d, h.scale, h.causal, h.q_len, h.kv_len,
                                             i0, 0, rows, j0 + cols);)
*/
void fr_standard_output_tile(fr_head h, fr_blocks b, const double *p_tile, const double *v_tile,
                             double *acc, size_t i0, size_t rows, size_t j0, size_t cols)
#if FR_REAL_MODEL
    /*@ ghost (const float *q_in, const float *k_in, const float *v_in) */
#endif
    ;

/* Phase 3: O = P V, tile by tile. p [Nq, Nk], v [Nk, d], o [Nq, d]. In
 * the functional pass: when P holds the probabilities of the queries q
 * against the keys k (ghost parameters, the head's), O then holds each
 * row's probabilities times values over the keys it sees (WeightedStored,
 * spec/StandardHead.acsl), given P, O and fast memory apart. */
/*@ requires head: HeadOk(h.q_len, h.kv_len, h.d, h.causal);
    requires blocks: BlocksFit(b, h.d, SIZE_MAX);
    requires fast_memory: FastMemoryValid(fm);
    requires scores: h.q_len * h.kv_len <= SIZE_MAX;
    requires p: \valid_read(p + (0 .. h.q_len * h.kv_len - 1));
    requires v: \valid_read(v + (0 .. h.kv_len * h.d - 1));
    requires o: \valid(o + (0 .. h.q_len * h.d - 1));
    FR_REAL(requires probabilities: ProbabilitiesStored(p, q, k, h.d, h.scale, h.causal, h.q_len, h.kv_len, h.q_len);)
    FR_REAL(requires apart: \separated(p + (0 .. h.q_len * h.kv_len - 1), o + (0 .. h.q_len * h.d - 1),
                                        fm->words + (0 .. fm->capacity - 1));)
    assigns fm->used, fm->peak, fm->words_read, fm->words_written,
            fm->words[0 .. fm->capacity - 1], o[0 .. h.q_len * h.d - 1];
    ensures fast_memory: FastMemoryValid(fm) && fm->used == \old(fm->used);
    FR_COUNT(ensures read_count: \result == FR_OK &&
        \old(fm->words_read) + StandardOutputReads(h.q_len, h.kv_len, h.d, b.rows) <= UINT64_MAX ==>
      fm->words_read == \old(fm->words_read) + StandardOutputReads(h.q_len, h.kv_len, h.d, b.rows);)
    FR_COUNT(ensures write_count: \result == FR_OK && \old(fm->words_written) + Words(h.q_len, h.d) <= UINT64_MAX ==>
      fm->words_written == \old(fm->words_written) + Words(h.q_len, h.d);)
    FR_REAL(ensures weighted: \result == FR_OK ==>
              WeightedStored(o, q, k, v, h.d, h.scale, h.causal, h.q_len, h.kv_len, h.q_len);)
*/
fr_status fr_standard_output(fr_head h, fr_blocks b, fr_fast_memory *fm,
                             const double *p, const float *v, double *o)
#if FR_REAL_MODEL
    /*@ ghost (const float *q, const float *k) */
#endif
    ;

/* One head; s and p are slow-memory workspaces of Nq*Nk doubles.
 * In the functional pass, given S, P, O, LSE and fast memory apart: P
 * holds the specification's probabilities (spec/StandardHead.acsl), and
 * O and LSE the specification's output, row by row (HeadOutput, as the
 * tiled algorithm's head: P1 for one head). */
/*@ requires head: HeadOk(h.q_len, h.kv_len, h.d, h.causal);
    requires blocks: BlocksFit(b, h.d, SIZE_MAX);
    requires fast_memory: FastMemoryValid(fm);
    requires scores: h.q_len * h.kv_len <= SIZE_MAX;
    requires q: \valid_read(q + (0 .. h.q_len * h.d - 1));
    requires k: \valid_read(k + (0 .. h.kv_len * h.d - 1));
    requires v: \valid_read(v + (0 .. h.kv_len * h.d - 1));
    requires s: \valid(s + (0 .. h.q_len * h.kv_len - 1));
    requires p: \valid(p + (0 .. h.q_len * h.kv_len - 1));
    requires o: \valid(o + (0 .. h.q_len * h.d - 1));
    requires lse: \valid(lse + (0 .. h.q_len - 1));
    FR_REAL(requires apart: \separated(s + (0 .. h.q_len * h.kv_len - 1), p + (0 .. h.q_len * h.kv_len - 1),
                                        o + (0 .. h.q_len * h.d - 1), lse + (0 .. h.q_len - 1),
                                        fm->words + (0 .. fm->capacity - 1));)
    assigns fm->used, fm->peak, fm->words_read, fm->words_written,
            fm->words[0 .. fm->capacity - 1], s[0 .. h.q_len * h.kv_len - 1], p[0 .. h.q_len * h.kv_len - 1],
            o[0 .. h.q_len * h.d - 1], lse[0 .. h.q_len - 1];
    ensures fast_memory: FastMemoryValid(fm) && fm->used == \old(fm->used);
    FR_COUNT(ensures read_count: \result == FR_OK &&
        \old(fm->words_read) + StandardHeadReads(h.q_len, h.kv_len, h.d, b.rows) <= UINT64_MAX ==>
      fm->words_read == \old(fm->words_read) + StandardHeadReads(h.q_len, h.kv_len, h.d, b.rows);)
    FR_COUNT(ensures write_count: \result == FR_OK &&
        \old(fm->words_written) + StandardHeadWrites(h.q_len, h.kv_len, h.d) <= UINT64_MAX ==>
      fm->words_written == \old(fm->words_written) + StandardHeadWrites(h.q_len, h.kv_len, h.d);)
    FR_REAL(ensures probabilities: \result == FR_OK ==>
              ProbabilitiesStored(p, q, k, h.d, h.scale, h.causal, h.q_len, h.kv_len, h.q_len);)
    FR_REAL(ensures lse: \result == FR_OK ==>
              LsesStored(lse, q, k, h.d, h.scale, h.causal, h.q_len, h.kv_len, h.q_len);)
    FR_REAL(ensures output: \result == FR_OK ==>
              HeadOutput{Pre, Post}(q, k, v, h.d, h.scale, h.causal, h.q_len, h.kv_len, h.q_len, o, lse);)
*/
fr_status fr_standard_head(fr_head h, fr_blocks b, fr_fast_memory *fm,
                           const float *q, const float *k, const float *v,
                           double *s, double *p, double *o, double *lse);

/* Every (batch, query head) pair in order, as fr_tiled_heads; stops at the
 * first error. s and p are workspaces of Nq*Nk doubles.
 * P1 over the whole tensor (functional pass, ensures output): on success
 * every query head's O and LSE are the specification's (HeadsOutput,
 * spec/Heads.acsl), given S, P, O, LSE and fast memory apart. */
/*@ requires head: HeadOk(h.q_len, h.kv_len, h.d, h.causal);
    requires blocks: BlocksFit(b, h.d, SIZE_MAX);
    requires fast_memory: FastMemoryValid(fm);
    requires heads: batch >= 1 && q_heads >= 1 && kv_heads >= 1 && q_heads % kv_heads == 0;
    requires q_size: batch * q_heads * h.q_len * h.d <= SIZE_MAX;
    requires kv_size: batch * kv_heads * h.kv_len * h.d <= SIZE_MAX;
    requires scores: h.q_len * h.kv_len <= SIZE_MAX;
    requires grow: batch * q_heads <= batch * q_heads * h.q_len <= batch * q_heads * h.q_len * h.d &&
                   batch * kv_heads <= batch * kv_heads * h.kv_len * h.d;
    requires q: \valid_read(q + (0 .. batch * q_heads * h.q_len * h.d - 1));
    requires k: \valid_read(k + (0 .. batch * kv_heads * h.kv_len * h.d - 1));
    requires v: \valid_read(v + (0 .. batch * kv_heads * h.kv_len * h.d - 1));
    requires s: \valid(s + (0 .. h.q_len * h.kv_len - 1));
    requires p: \valid(p + (0 .. h.q_len * h.kv_len - 1));
    requires o: \valid(o + (0 .. batch * q_heads * h.q_len * h.d - 1));
    requires lse: \valid(lse + (0 .. batch * q_heads * h.q_len - 1));
    FR_REAL(requires apart: \separated(s + (0 .. h.q_len * h.kv_len - 1), p + (0 .. h.q_len * h.kv_len - 1),
                                        o + (0 .. batch * q_heads * h.q_len * h.d - 1),
                                        lse + (0 .. batch * q_heads * h.q_len - 1),
                                        fm->words + (0 .. fm->capacity - 1));)
    assigns fm->used, fm->peak, fm->words_read, fm->words_written,
            fm->words[0 .. fm->capacity - 1],
            s[0 .. h.q_len * h.kv_len - 1], p[0 .. h.q_len * h.kv_len - 1],
            o[0 .. batch * q_heads * h.q_len * h.d - 1], lse[0 .. batch * q_heads * h.q_len - 1];
    ensures fast_memory: FastMemoryValid(fm) && fm->used == \old(fm->used);
    FR_COUNT(ensures read_count: \result == FR_OK &&
        \old(fm->words_read) + StandardReads(h.q_len, h.kv_len, h.d, b.rows, batch * q_heads) <= UINT64_MAX ==>
      fm->words_read == \old(fm->words_read) + StandardReads(h.q_len, h.kv_len, h.d, b.rows, batch * q_heads);)
    FR_COUNT(ensures write_count: \result == FR_OK &&
        \old(fm->words_written) + StandardWrites(h.q_len, h.kv_len, h.d, batch * q_heads) <= UINT64_MAX ==>
      fm->words_written == \old(fm->words_written) + StandardWrites(h.q_len, h.kv_len, h.d, batch * q_heads);)
    FR_REAL(ensures output: \result == FR_OK ==>
              HeadsOutput{Pre, Post}(q, k, v, h.d, h.scale, h.causal, h.q_len, h.kv_len,
                                     q_heads, kv_heads, batch * q_heads, o, lse);)
*/
fr_status fr_standard_heads(fr_head h, fr_blocks b, fr_fast_memory *fm,
                            size_t batch, size_t q_heads, size_t kv_heads,
                            const float *q, const float *k, const float *v,
                            double *s, double *p, double *o, double *lse);

#if FR_REAL_MODEL
/* P1 at the entry point (include/flashref.h), the functional pass's
 * contract, as fr_attention_tiled's in src/tiled.h: when the call
 * succeeds, every query head's O and LSE are the specification's
 * (HeadsOutput, spec/Heads.acsl), for every problem the entry point
 * accepts, given O and LSE apart from each other. */
/*@ requires problem: p == \null || \valid_read(p);
    requires blocks: blocks == \null || \valid_read(blocks);
    requires stats: stats == \null || \valid(stats);
    requires tensors: p != \null && ProblemOk(p) ==> TensorsValid(p, q, k, v, o, lse);
    requires separated_stats: stats == \null || \separated(stats, p, blocks);
    requires outputs_apart: p != \null && ProblemOk(p) && o != \null && lse != \null ==>
      \separated(o + (0 .. QElems(p) - 1), lse + (0 .. LseElems(p) - 1));
    ensures output: \result == FR_OK ==>
      HeadsOutput{Pre, Post}(q, k, v, \old(p->head_dim), \old(p->scale), \old(p->causal),
                             \old(p->q_len), \old(p->kv_len), \old(p->q_heads), \old(p->kv_heads),
                             \old(p->batch) * \old(p->q_heads), o, lse);
*/
fr_status fr_attention_standard(const fr_problem *p, size_t fast_words,
                                const fr_blocks *blocks,
                                const float *q, const float *k, const float *v,
                                double *o, double *lse, fr_io_stats *stats);
#endif

#endif /* FLASHREF_STANDARD_H */
