/* P3, tiled attention equals standard attention (functional pass): a ghost
 * lemma function, checked by WP like any other function. Both entry points
 * ensure HeadsOutput (spec/Heads.acsl) of the same inputs, fr_attention_tiled
 * by P2 (src/tiled.h) and fr_attention_standard by P1 (src/standard.h);
 * this lemma turns the two into equality, element by element: O and LSE
 * everywhere (a fully masked row's LSE is -inf, MinusInfinity, in both).
 * Real model only (see src/real_model.h). */
#ifndef FLASHREF_LEMMAS_EQUIVALENCE_H
#define FLASHREF_LEMMAS_EQUIVALENCE_H

#include "tiled.h"

#if FR_REAL_MODEL
/*@ ghost
  // o_tiled, lse_tiled and o_standard, lse_standard: two outputs of query
  // heads 0 .. n - 1 of the same Q, K, V, layouts as in include/flashref.h:
  // RowOf(RowOf(o, Nq * d, g), d, i)[x] is O[g, i, x] and RowOf(lse, Nq, g)[i]
  // is LSE[g, i] (RowOf(p, w, r) = p + r * w, spec/OnlineSoftmax.acsl).
  // The requires are what fr_attention_tiled and fr_attention_standard
  // ensure, read in one state: one where both results are held and Q, K
  // and V are those both calls read.
  /@ requires sizes: d >= 1 && nq >= 1 && nk >= 1;
     requires tiled: HeadsOutput{Here, Here}(q, k, v, d, scale, causal, nq, nk, q_heads, kv_heads, n,
                                             o_tiled, lse_tiled);
     requires standard: HeadsOutput{Here, Here}(q, k, v, d, scale, causal, nq, nk, q_heads, kv_heads, n,
                                                o_standard, lse_standard);
     assigns \nothing;
     ensures same_output: \forall integer g, i, x; 0 <= g < n && 0 <= i < nq && 0 <= x < d ==>
       RowOf(RowOf(o_tiled, nq * d, g), d, i)[x] == RowOf(RowOf(o_standard, nq * d, g), d, i)[x];
     ensures same_lse: \forall integer g, i; 0 <= g < n && 0 <= i < nq ==>
       RowOf(lse_tiled, nq, g)[i] == RowOf(lse_standard, nq, g)[i]; @/
  void Attention_TiledEqualsStandard(const float *q, const float *k, const float *v, size_t d,
                                     double scale, fr_causal causal, size_t nq, size_t nk,
                                     size_t q_heads, size_t kv_heads, size_t n,
                                     const double *o_tiled, const double *lse_tiled,
                                     const double *o_standard, const double *lse_standard);
*/
#endif

#endif /* FLASHREF_LEMMAS_EQUIVALENCE_H */
