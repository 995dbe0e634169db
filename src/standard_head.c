/* One head of the standard algorithm: its three phases in order. In the
 * functional pass P and LSE then hold the specification's probabilities
 * and log-sum-exp (spec/StandardHead.acsl), from phase 1's S
 * (ScoresStored) one row at a time; the transfer counts, FR_COUNT, are
 * proved in the rte pass. */
#include "standard.h"
#include "lemmas_size.h"
#include "lemmas_count.h"

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
        st = fr_standard_output(h, b, fm, p, v, o);
    /* Phase 3 writes O and fast memory only. */
    /*@ ghost FR_REAL(/@ assert p_kept: TileUnchanged{softmax_done, Here}(p, h.q_len, nk); @/ ;) */
    /*@ ghost FR_REAL(/@ assert lse_kept: TileUnchanged{softmax_done, Here}(lse, h.q_len, 1); @/ ;) */
    return st;
}

