/* One head of the standard algorithm: its three phases in order. In the
 * functional pass P then holds the specification's probabilities, and O
 * and LSE its output and log-sum-exp (HeadOutput, as the tiled head's):
 * phase 1's S (ScoresStored) gives P and LSE one row at a time, and
 * phase 3's sums (WeightedStored) give O. The transfer counts, FR_COUNT,
 * are proved in the rte pass. */
#include "standard.h"
#include "lemmas_size.h"
#include "lemmas_count.h"
#include "lemmas_softmax.h"

#if FR_REAL_MODEL
/*@ ghost
  // Phase 3's O and phase 2's LSE are the specification's output, row by
  // row: over its n >= 1 visible keys a row's probabilities times values
  // are its attention output (ProbabilityWeighted_Output), and over none
  // they are 0 (and its LSE -inf).
  /@ requires head: HeadOk(nq, nk, d, causal);
     requires weighted: WeightedStored(o, q, k, v, d, scale, causal, nq, nk, nq);
     requires lse: LsesStored(lse, q, k, d, scale, causal, nq, nk, nq);
     assigns \nothing;
     ensures output: HeadOutput{Here, Here}(q, k, v, d, scale, causal, nq, nk, nq, o, lse); @/
  static void WeightedStored_Output(const float *q, const float *k, const float *v, size_t d, double scale,
                                    fr_causal causal, size_t nq, size_t nk, const double *o, const double *lse)
  {
    /@ loop invariant range: 0 <= i <= nq;
       loop invariant done: HeadOutput{Here, Here}(q, k, v, d, scale, causal, nq, nk, i, o, lse);
       loop assigns i;
       loop variant nq - i; @/
    for (size_t i = 0; i < nq; i++) {
      // VisibleKeys of row i as a ghost value (ghost code may not call
      // fr_visible_keys).
      size_t n = nk;
      if (causal == FR_CAUSAL_TOP_LEFT)
        n = i + 1 <= nk ? i + 1 : nk;
      else if (causal == FR_CAUSAL_BOTTOM_RIGHT)
        n = nq - 1 - i >= nk ? 0 : nk - (nq - 1 - i);
      /@ assert visible: n == VisibleKeys(causal, i, nq, nk); @/
      Row_Fits(i, nq, d);
      /@ assert row_index: (size_t)(i * d) == i * d; @/
      /@ assert row: RowWeighted(o, q, k, v, d, scale, causal, nq, nk, 0, i, nk); @/
      /@ assert all_keys: SeenKeys(causal, i, nq, nk, nk) == n; @/
      /@ loop invariant range: 0 <= x <= d;
         loop invariant done: n >= 1 ==> \forall integer x1; 0 <= x1 < x ==>
           RowOf(o, d, i)[x1] == Output(q + i * d, k, v, d, scale, n, x1);
         loop assigns x;
         loop variant d - x; @/
      for (size_t x = 0; x < d; x++) {
        if (n >= 1)
          ProbabilityWeighted_Output(q + i * d, k, v, d, scale, n, x);
        /@ assert word: TileValue(o, d, i, x) == RowOf(o, d, i)[x]; @/
        /@ assert next: (size_t)(x + 1) == x + 1; @/
      }
      /@ assert lse_row: n >= 1 ==> lse[i] == Lse(q + i * d, k, d, scale, n); @/
      /@ assert lse_row_masked: n == 0 ==> lse[i] == MinusInfinity; @/
      /@ assert no_keys: n == 0 ==> \forall integer x; 0 <= x < d ==>
           RowOf(o, d, i)[x] == TileValue(o, d, i, x) && TileValue(o, d, i, x) == Nought; @/
      /@ assert row_output: RowOutput{Here, Here}(q + i * d, k, v, d, scale, n, RowOf(o, d, i), lse[i]); @/
      /@ assert head_row: HeadRowOutput{Here, Here}(q, k, v, d, scale, causal, nq, nk, i, o, lse); @/
      /@ assert next: (size_t)(i + 1) == i + 1; @/
    }
  }
*/
#endif

fr_status fr_standard_head(fr_head h, fr_blocks b, fr_fast_memory *fm,
                           const float *q, const float *k, const float *v,
                           double *s, double *p, double *o, double *lse)
{
    //@ ghost size_t nk = h.kv_len;
    /* The count proof: the three phases add up to StandardHeadReads and
     * StandardHeadWrites; each part is at most the whole, so it fits too. */
    /*@ ghost FR_COUNT(/@ assert parts: Words(h.q_len, 3 * nk) >= 0 && Words(h.q_len, nk + 1) >= 0 && Words(h.q_len, h.d) >= 0 &&
          Words(h.q_len, nk) >= 0 && StandardOutputReads(h.q_len, nk, h.d, b.rows) >= 0 &&
          StandardScoresReads(h.q_len, nk, h.d, b.rows) >= 0; @/ ;) */
    fr_status st = fr_standard_scores(h, b, fm, q, k, s);
    /*@ ghost FR_REAL(scored: ;) */
    /* Phase 2 reads S row by row, which phase 1 left holding the scores
     * (ScoresStored at `scored`; S is not written after it). */
    /*@ loop invariant range: 0 <= i <= h.q_len;
        loop invariant fast_memory: FastMemoryValid(fm) && fm->used == \at(fm->used, Pre);
        FR_COUNT(loop invariant read: st == FR_OK &&
            \at(fm->words_read, Pre) + StandardHeadReads(h.q_len, nk, h.d, b.rows) <= UINT64_MAX ==>
          fm->words_read == \at(fm->words_read, Pre) + StandardScoresReads(h.q_len, nk, h.d, b.rows) + Words(i, 3 * nk);)
        FR_COUNT(loop invariant written: st == FR_OK &&
            \at(fm->words_written, Pre) + StandardHeadWrites(h.q_len, nk, h.d) <= UINT64_MAX ==>
          fm->words_written == \at(fm->words_written, Pre) + Words(h.q_len, nk) + Words(i, nk + 1);)
        FR_REAL(loop invariant scores: st == FR_OK ==>
                  ScoresStored{scored}(s, q, k, h.d, h.scale, h.causal, h.q_len, nk);)
        FR_REAL(loop invariant s_kept: TileUnchanged{scored, Here}(s, h.q_len, nk);)
        FR_REAL(loop invariant probabilities: st == FR_OK ==>
                  ProbabilitiesStored(p, q, k, h.d, h.scale, h.causal, h.q_len, nk, i);)
        FR_REAL(loop invariant lse: st == FR_OK ==> LsesStored(lse, q, k, h.d, h.scale, h.causal, h.q_len, nk, i);)
        loop assigns i, st, fm->used, fm->peak, fm->words_read, fm->words_written, fm->words[0 .. fm->capacity - 1],
                     p[0 .. h.q_len * h.kv_len - 1], lse[0 .. h.q_len - 1];
        loop variant h.q_len - i; */
    for (size_t i = 0; st == FR_OK && i < h.q_len; i++) {
        //@ ghost Row_Fits(i, h.q_len, h.kv_len);
        //@ assert row: i * h.kv_len + h.kv_len <= h.q_len * h.kv_len;
        //@ ghost Row_Fits(i, h.q_len, h.d);
        //@ assert row_index: (size_t)(i * h.kv_len) == i * h.kv_len && (size_t)(i * h.d) == i * h.d;
        /*@ ghost FR_COUNT(/@ assert row_words: Words(i + 1, 3 * nk) <= Words(h.q_len, 3 * nk) && Words(i + 1, nk + 1) <= Words(h.q_len, nk + 1); @/ ;) */
        /*@ ghost FR_COUNT(/@ assert row_add: Words(i + 1, 3 * nk) == Words(i, 3 * nk) + 3 * nk && Words(i + 1, nk + 1) == Words(i, nk + 1) + nk + 1; @/ ;) */
        /*@ ghost FR_REAL(/@ assert row_scored: ScoresPrefix{scored}(s, q, k, h.d, h.scale, h.causal, h.q_len, nk, i, nk); @/ ;) */
        /*@ ghost FR_REAL(/@ assert visible: VisibleKeys(h.causal, i, h.q_len, nk) <= nk; @/ ;) */
        /*@ ghost FR_REAL(/@ assert row_scores: ScoresRow(s + i * nk, q + i * h.d, k, h.d, h.scale,
                                                      VisibleKeys(h.causal, i, h.q_len, nk)); @/ ;) */
        st = fr_standard_softmax_row(h, b, fm, i, s + i * h.kv_len, p + i * h.kv_len, lse + i)
#if FR_REAL_MODEL
            /*@ ghost (q + i * h.d, k) */
#endif
            ;
        /*@ ghost FR_REAL(/@ assert s_same: TileUnchanged{LoopCurrent, Here}(s, h.q_len, nk); @/ ;) */
        /*@ ghost FR_REAL(/@ assert p_same: TileUnchanged{LoopCurrent, Here}(p, i, nk); @/ ;) */
        /*@ ghost FR_REAL(/@ assert row_probabilities: st == FR_OK ==> \forall integer j; 0 <= j < nk ==>
                              TileValue(p, nk, i, j) ==
                              Probability(q + i * h.d, k, h.d, h.scale, VisibleKeys(h.causal, i, h.q_len, nk), j); @/ ;) */
        /*@ ghost FR_REAL(/@ assert probabilities: st == FR_OK ==>
                              ProbabilitiesStored(p, q, k, h.d, h.scale, h.causal, h.q_len, nk, i + 1); @/ ;) */
        /*@ ghost FR_REAL(/@ assert lse: st == FR_OK ==>
                              LsesStored(lse, q, k, h.d, h.scale, h.causal, h.q_len, nk, i + 1); @/ ;) */
    }
    /*@ ghost FR_COUNT(/@ assert softmax_read: st == FR_OK &&
            \at(fm->words_read, Pre) + StandardHeadReads(h.q_len, nk, h.d, b.rows) <= UINT64_MAX ==>
          fm->words_read == \at(fm->words_read, Pre) + StandardScoresReads(h.q_len, nk, h.d, b.rows) + Words(h.q_len, 3 * nk); @/ ;) */
    /*@ ghost FR_COUNT(/@ assert softmax_written: st == FR_OK &&
            \at(fm->words_written, Pre) + StandardHeadWrites(h.q_len, nk, h.d) <= UINT64_MAX ==>
          fm->words_written == \at(fm->words_written, Pre) + Words(h.q_len, nk) + Words(h.q_len, nk + 1); @/ ;) */
    /*@ ghost FR_REAL(softmax_done: ;) */
    if (st == FR_OK)
        st = fr_standard_output(h, b, fm, p, v, o)
#if FR_REAL_MODEL
            /*@ ghost (q, k) */
#endif
            ;
    /* Phase 3 writes O and fast memory only. */
    /*@ ghost FR_REAL(/@ assert p_kept: TileUnchanged{softmax_done, Here}(p, h.q_len, nk); @/ ;) */
    /*@ ghost FR_REAL(/@ assert lse_kept: TileUnchanged{softmax_done, Here}(lse, h.q_len, 1); @/ ;) */
    /*@ ghost FR_REAL(/@ assert lses: st == FR_OK ==> LsesStored(lse, q, k, h.d, h.scale, h.causal, h.q_len, nk, h.q_len); @/ ;) */
#if FR_REAL_MODEL
    /*@ ghost if (st == FR_OK) WeightedStored_Output(q, k, v, h.d, h.scale, h.causal, h.q_len, nk, o, lse); */
#endif
    return st;
}

