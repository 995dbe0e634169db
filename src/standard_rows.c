/* Phase 2 of the standard algorithm, one row of S at a time: the function
 * whose exact-arithmetic result the functional pass proves (its transfer
 * counts, FR_COUNT, are proved in the rte pass). In the functional pass the
 * row's visible scores are those of the query q_in against the head's keys
 * k_in (ghost parameters), and the row leaves the softmax probabilities of
 * those keys in P and their log-sum-exp in LSE (spec/StandardRows.acsl). */
#include "standard.h"
#include "mask.h"
#include "prims.h"
#include "tile_ops.h"
#include "lemmas_softmax.h"

/* The softmax of a chunk's n visible scores, its weights stated over the
 * scores (a function of its own, so that the step from fr_softmax_chunk's
 * words to the scores' weights is made in a small context). */
/*@ requires chunk: n <= cols && \valid(chunk + (0 .. cols - 1));
    FR_REAL(requires scores: \forall integer c; 0 <= c < n ==> chunk[c] == Score(q_in, k_in, d, scale, j0 + c);)
    FR_REAL(requires positive: n >= 1 ==> l != 0;)
    assigns chunk[0 .. cols - 1];
    FR_REAL(ensures weights: \forall integer c; 0 <= c < n ==>
              chunk[c] == Weight(Score(q_in, k_in, d, scale, j0 + c), m, l);)
    FR_REAL(ensures masked: \forall integer c; n <= c < cols ==> chunk[c] == Nought;)
*/
static void fr_weights_chunk(double *chunk, size_t n, size_t cols, double m, double l)
#if FR_REAL_MODEL
    /*@ ghost (const float *q_in, const float *k_in, size_t d, double scale, size_t j0) */
#endif
{
    fr_softmax_chunk(chunk, n, cols, m, l);
}

/* One chunk of pass C: the softmax of its n visible scores, 0 for the rest
 * (a function of its own: the step from the chunk's scores to its
 * probabilities did not prove in the loop's context). In the functional
 * pass the chunk holds the scores of keys j0 .. j0 + n - 1 of the query
 * q_in, which sees its first `visible` keys, and m and l are their max and
 * denominator; the chunk then holds the probabilities of keys j0 ..
 * j0 + cols - 1. */
/*@ requires chunk: n <= cols && \valid(chunk + (0 .. cols - 1));
    FR_REAL(requires scores: \forall integer c; 0 <= c < n ==> chunk[c] == Score(q_in, k_in, d, scale, j0 + c);)
    FR_REAL(requires keys: (n >= 1 ==> j0 + n <= visible) && (n < cols ==> visible <= j0 + n);)
    FR_REAL(requires max: visible >= 1 ==> m == ScoreMax(q_in, k_in, d, scale, 0, visible);)
    FR_REAL(requires sum: visible >= 1 ==> l == Denominator(q_in, k_in, d, scale, 0, visible, m) && l > 0;)
    assigns chunk[0 .. cols - 1];
    FR_REAL(ensures probabilities: \forall integer c; 0 <= c < cols ==>
              chunk[c] == Probability(q_in, k_in, d, scale, visible, j0 + c);)
*/
static void fr_probabilities_chunk(double *chunk, size_t n, size_t cols, double m, double l)
#if FR_REAL_MODEL
    /*@ ghost (const float *q_in, const float *k_in, size_t d, double scale, size_t j0, size_t visible) */
#endif
{
    fr_weights_chunk(chunk, n, cols, m, l)
#if FR_REAL_MODEL
        /*@ ghost (q_in, k_in, d, scale, j0) */
#endif
        ;
    /*@ ghost FR_REAL(if (n > 0) Chunk_Probabilities(chunk, q_in, k_in, d, scale, j0, n, visible, m, l);) */
    /*@ ghost FR_REAL(/@ assert masked: \forall integer c; n <= c < cols ==>
                          chunk[c] == Probability(q_in, k_in, d, scale, visible, j0 + c); @/ ;) */
}

/* Pass C of fr_standard_softmax_row, a function of its own so that its
 * goals do not carry passes A and B: P's row, chunk by chunk, from the
 * row's max m and denominator l. In the functional pass, when m and l are
 * those of the visible scores, the row of P gets their probabilities. */
/*@ requires head: HeadOk(h.q_len, h.kv_len, h.d, h.causal);
    requires blocks: BlocksFit(b, h.d, SIZE_MAX);
    requires fm: \valid(fm);
    requires visible: visible <= h.kv_len;
    requires s_row: \valid_read(s_row + (0 .. h.kv_len - 1));
    requires p_row: \valid(p_row + (0 .. h.kv_len - 1));
    requires chunk: \valid(chunk + (0 .. b.cols - 1));
    FR_REAL(requires scores: ScoresRow(s_row, q_in, k_in, h.d, h.scale, visible);)
    FR_REAL(requires max: visible >= 1 ==> m == ScoreMax(q_in, k_in, h.d, h.scale, 0, visible);)
    FR_REAL(requires sum: visible >= 1 ==> l == Denominator(q_in, k_in, h.d, h.scale, 0, visible, m) && l > 0;)
    FR_REAL(requires apart: \separated(s_row + (0 .. h.kv_len - 1), p_row + (0 .. h.kv_len - 1),
                                        chunk + (0 .. b.cols - 1));)
    assigns fm->words_read, fm->words_written, chunk[0 .. b.cols - 1], p_row[0 .. h.kv_len - 1];
    FR_COUNT(ensures read_count: \old(fm->words_read) + h.kv_len <= UINT64_MAX ==>
      fm->words_read == \old(fm->words_read) + h.kv_len;)
    FR_COUNT(ensures write_count: \old(fm->words_written) + h.kv_len <= UINT64_MAX ==>
      fm->words_written == \old(fm->words_written) + h.kv_len;)
    FR_REAL(ensures probabilities: ProbabilityRow(p_row, q_in, k_in, h.d, h.scale, visible, h.kv_len);)
*/
static void fr_probabilities_row(fr_head h, fr_blocks b, fr_fast_memory *fm,
                                 const double *s_row, double *p_row, double *chunk,
                                 size_t visible, double m, double l)
#if FR_REAL_MODEL
    /*@ ghost (const float *q_in, const float *k_in) */
#endif
{
    size_t nk = h.kv_len;
    /*@ loop invariant range: j0 < nk;
        FR_COUNT(loop invariant read: \at(fm->words_read, Pre) + nk <= UINT64_MAX ==>
          fm->words_read == \at(fm->words_read, Pre) + j0;)
        FR_COUNT(loop invariant written: \at(fm->words_written, Pre) + nk <= UINT64_MAX ==>
          fm->words_written == \at(fm->words_written, Pre) + j0;)
        FR_REAL(loop invariant probabilities:
          ProbabilityRow(p_row, q_in, k_in, h.d, h.scale, visible, j0);)
        loop assigns j0, fm->words_read, fm->words_written, chunk[0 .. b.cols - 1], p_row[0 .. h.kv_len - 1];
        loop variant nk - j0; */
    for (size_t j0 = 0; j0 < nk; j0 += b.cols) {
        size_t cols = nk - j0 < b.cols ? nk - j0 : b.cols;
        fr_load_f64(fm, chunk, s_row + j0, 1, cols, cols);
        size_t n = fr_visible_in_block(visible, j0, cols);
        /*@ ghost FR_REAL(if (n > 0) Chunk_Scores(chunk, s_row, q_in, k_in, h.d, h.scale, j0, n, visible);) */
        fr_probabilities_chunk(chunk, n, cols, fr_shift_point(m), l)
#if FR_REAL_MODEL
            /*@ ghost (q_in, k_in, h.d, h.scale, j0, visible) */
#endif
            ;
        fr_store_f64(fm, p_row + j0, cols, chunk, 1, cols);
        /*@ ghost FR_REAL(ProbabilityRow_Stored(p_row, chunk, q_in, k_in, h.d, h.scale, visible, j0, cols);) */
        if (nk - j0 <= b.cols)
            break;
    }
}

fr_status fr_standard_softmax_row(fr_head h, fr_blocks b, fr_fast_memory *fm,
                                  size_t i, const double *s_row, double *p_row,
                                  double *lse_i)
#if FR_REAL_MODEL
    /*@ ghost (const float *q_in, const float *k_in) */
#endif
{
    size_t nk = h.kv_len;
    size_t mark = fm->used;
    double *chunk = fr_fast_alloc(fm, b.cols);
    double *lse_word = fr_fast_alloc(fm, 1);
    if (chunk == NULL || lse_word == NULL) {
        fr_fast_release(fm, mark);
        return FR_ERR_FAST_MEMORY_TOO_SMALL;
    }
    size_t visible = fr_visible_keys(h.causal, i, h.q_len, nk);
    //@ assert visible: visible == VisibleKeys(h.causal, i, h.q_len, h.kv_len);
    /*@ ghost FR_REAL(/@ assert chunk_apart: \separated(chunk + (0 .. b.cols - 1), lse_word + (0 .. 0),
                                                       s_row + (0 .. nk - 1), p_row + (0 .. nk - 1), lse_i); @/ ;) */
    double m = 0.0, l = 0.0;
    /* The count proof: each pass reads the row once; the equations hold as
     * long as the row's total fits in the 64-bit counters. The output proof:
     * pass A leaves the max of the visible scores, pass B their sum of
     * exp(score - max), pass C the probabilities, key block by key block. */
    /* Pass A: the row max over visible keys. */
    /*@ loop invariant range: j0 < nk;
        FR_COUNT(loop invariant read: \at(fm->words_read, Pre) + 3 * nk <= UINT64_MAX ==>
          fm->words_read == \at(fm->words_read, Pre) + j0;)
        FR_REAL(loop invariant max: Min(j0, visible) >= 1 ==>
          m == ScoreMax(q_in, k_in, h.d, h.scale, 0, Min(j0, visible));)
        loop assigns j0, fm->words_read, fm->words[0 .. fm->capacity - 1], m;
        loop variant nk - j0; */
    for (size_t j0 = 0; j0 < nk; j0 += b.cols) {
        size_t cols = nk - j0 < b.cols ? nk - j0 : b.cols;
        fr_load_f64(fm, chunk, s_row + j0, 1, cols, cols);
        size_t n = fr_visible_in_block(visible, j0, cols);
        if (n > 0) {
            /*@ ghost FR_REAL(Chunk_Scores(chunk, s_row, q_in, k_in, h.d, h.scale, j0, n, visible);) */
            /*@ ghost FR_REAL(Tile_Max(chunk, q_in, k_in, h.d, h.scale, j0, n);) */
            double chunk_max = fr_row_max(chunk, n);
            /*@ ghost FR_REAL(if (j0 > 0) ScoreMax_Split(q_in, k_in, h.d, h.scale, j0, n);) */
            m = j0 == 0 ? chunk_max : fr_max(m, chunk_max);
        }
        if (nk - j0 <= b.cols)
            break;
    }
    /*@ ghost FR_COUNT(/@ assert max_read: \at(fm->words_read, Pre) + 3 * nk <= UINT64_MAX ==>
          fm->words_read == \at(fm->words_read, Pre) + nk; @/ ;) */
    /*@ ghost FR_REAL(/@ assert max: visible >= 1 ==> m == ScoreMax(q_in, k_in, h.d, h.scale, 0, visible); @/ ;) */
    /* Pass B: the denominator. */
    /*@ loop invariant range: j0 < nk;
        FR_COUNT(loop invariant read: \at(fm->words_read, Pre) + 3 * nk <= UINT64_MAX ==>
          fm->words_read == \at(fm->words_read, Pre) + nk + j0;)
        FR_REAL(loop invariant sum: l == Denominator(q_in, k_in, h.d, h.scale, 0, Min(j0, visible), m);)
        loop assigns j0, fm->words_read, fm->words[0 .. fm->capacity - 1], l;
        loop variant nk - j0; */
    for (size_t j0 = 0; j0 < nk; j0 += b.cols) {
        size_t cols = nk - j0 < b.cols ? nk - j0 : b.cols;
        fr_load_f64(fm, chunk, s_row + j0, 1, cols, cols);
        size_t n = fr_visible_in_block(visible, j0, cols);
        /*@ ghost FR_REAL(if (n > 0) Chunk_Scores(chunk, s_row, q_in, k_in, h.d, h.scale, j0, n, visible);) */
        /*@ ghost FR_REAL(Tile_ExpSum(chunk, q_in, k_in, h.d, h.scale, j0, n, m);) */
        /*@ ghost FR_REAL(Denominator_Split(q_in, k_in, h.d, h.scale, j0, n, m);) */
        l = fr_exp_shift_accumulate(chunk, n, fr_shift_point(m), l);
        /*@ ghost FR_REAL(/@ assert sum_here: l == Denominator(q_in, k_in, h.d, h.scale, 0, Min(j0 + cols, visible), m); @/ ;) */
        if (nk - j0 <= b.cols)
            break;
    }
    /*@ ghost FR_COUNT(/@ assert sum_read: \at(fm->words_read, Pre) + 3 * nk <= UINT64_MAX ==>
          fm->words_read == \at(fm->words_read, Pre) + 2 * nk; @/ ;) */
    /*@ ghost FR_REAL(/@ assert sum: l == Denominator(q_in, k_in, h.d, h.scale, 0, visible, m); @/ ;) */
    /*@ ghost FR_REAL(if (visible >= 1) Denominator_Positive(q_in, k_in, h.d, h.scale, 0, visible, m);) */
    /* Pass C: the probabilities. */
    fr_probabilities_row(h, b, fm, s_row, p_row, chunk, visible, m, l)
#if FR_REAL_MODEL
        /*@ ghost (q_in, k_in) */
#endif
        ;
    /*@ ghost FR_COUNT(/@ assert p_read: \at(fm->words_read, Pre) + 3 * nk <= UINT64_MAX ==>
          fm->words_read == \at(fm->words_read, Pre) + 3 * nk; @/ ;) */
    /*@ ghost FR_COUNT(/@ assert p_written: \at(fm->words_written, Pre) + nk + 1 <= UINT64_MAX ==>
          fm->words_written == \at(fm->words_written, Pre) + nk; @/ ;) */
    /*@ ghost FR_REAL(/@ assert probabilities: ProbabilityRow(p_row, q_in, k_in, h.d, h.scale, visible, nk); @/ ;) */
    lse_word[0] = visible == 0 || l == 0.0 ? fr_neg_inf() : fr_add(m, fr_log(l));
    /*@ ghost FR_REAL(/@ assert lse_word: visible >= 1 ==>
                          lse_word[0] == Lse(q_in, k_in, h.d, h.scale, visible); @/ ;) */
    /*@ ghost FR_REAL(/@ assert lse_word_masked: visible == 0 ==> lse_word[0] == MinusInfinity; @/ ;) */
    fr_store_f64(fm, lse_i, 1, lse_word, 1, 1);
    fr_fast_release(fm, mark);
    return FR_OK;
}
