/* Ghost lemma functions of the functional pass (spec/Attention.acsl): the
 * laws that let one query row's online-softmax state move from n keys to
 * n + n2. Each contract is a law, each body its proof by induction on the
 * run length. Real model only (see src/real_model.h). */
#ifndef FLASHREF_LEMMAS_SOFTMAX_H
#define FLASHREF_LEMMAS_SOFTMAX_H

#include <stddef.h>
#include <stdint.h>
#include "real_model.h"

#if defined(__FRAMAC__) && defined(FLASHREF_REAL_MODEL)
/*@ ghost
  // Exp_Shift at every score (stated apart so that the rescaling proofs
  // instantiate it at a score, not at every product in sight).
  /@ assigns \nothing;
     ensures shift: \forall integer j; Exp(Score(q, k, d, scale, j) - a) * Exp(a - b) ==
                                        Exp(Score(q, k, d, scale, j) - b); @/
  void Exp_Shift_Scores(const float *q, const float *k, size_t d, double scale,
                        double a, double b);

  // One more key: the recursive definitions unfolded once (stated apart so
  // that each is proved in a context free of other sums).
  /@ requires runs: j0 >= 0 && n >= 0;
     assigns \nothing;
     ensures step: Denominator(q, k, d, scale, j0, n + 1, shift) ==
                   Denominator(q, k, d, scale, j0, n, shift) +
                   Exp(Score(q, k, d, scale, j0 + n) - shift); @/
  void Denominator_Step(const float *q, const float *k, size_t d, double scale,
                        size_t j0, size_t n, double shift);

  /@ requires runs: j0 >= 0 && n >= 0;
     assigns \nothing;
     ensures step: \forall integer x; 0 <= x < d ==>
               Numerator(q, k, v, d, scale, j0, n + 1, shift, x) ==
               Numerator(q, k, v, d, scale, j0, n, shift, x) +
               Exp(Score(q, k, d, scale, j0 + n) - shift) * Value(v, d, j0 + n, x); @/
  void Numerator_Step(const float *q, const float *k, const float *v, size_t d,
                      double scale, size_t j0, size_t n, double shift);

  // A tile holding the scores of keys j0 .. j0 + n - 1 (n >= 1), and what
  // the tile operations compute from it.
  /@ requires run: n >= 1;
     requires scores: \forall integer c; 0 <= c < n ==> s[c] == Score(q, k, d, scale, j0 + c);
     assigns \nothing;
     ensures max: TileMax(s, n) == ScoreMax(q, k, d, scale, j0, n); @/
  void Tile_Max(const double *s, const float *q, const float *k, size_t d, double scale,
                size_t j0, size_t n);

  /@ requires scores: \forall integer c; 0 <= c < n ==> s[c] == Score(q, k, d, scale, j0 + c);
     assigns \nothing;
     ensures sum: TileExpSum(s, n, shift) == Denominator(q, k, d, scale, j0, n, shift); @/
  void Tile_ExpSum(const double *s, const float *q, const float *k, size_t d, double scale,
                   size_t j0, size_t n, double shift);

  // A tile of weights exp(score - shift) and the matching value rows.
  /@ requires weights: \forall integer c; 0 <= c < n ==>
                         p[c] == Exp(Score(q, k, d, scale, j0 + c) - shift);
     requires values: \forall integer c, x; 0 <= c < n && 0 <= x < d ==>
                        TileValue(v_tile, d, c, x) == Value(v, d, j0 + c, x);
     assigns \nothing;
     ensures sum: \forall integer x; 0 <= x < d ==>
                    TileWeighted(p, v_tile, n, d, x) == Numerator(q, k, v, d, scale, j0, n, shift, x); @/
  void Tile_Weighted(const double *p, const double *v_tile, const float *q, const float *k,
                     const float *v, size_t d, double scale, size_t j0, size_t n, double shift);

  // One term of that sum (stated apart: a small context for its proof).
  /@ requires weights: \forall integer c; 0 <= c < n ==>
                         p[c] == Exp(Score(q, k, d, scale, j0 + c) - shift);
     requires values: \forall integer c, x; 0 <= c < n && 0 <= x < d ==>
                        TileValue(v_tile, d, c, x) == Value(v, d, j0 + c, x);
     requires row: 0 <= i < n;
     assigns \nothing;
     ensures term: \forall integer x; 0 <= x < d ==>
               p[i] * TileValue(v_tile, d, i, x) ==
               Exp(Score(q, k, d, scale, j0 + i) - shift) * Value(v, d, j0 + i, x); @/
  void Tile_Term(const double *p, const double *v_tile, const float *q, const float *k,
                 const float *v, size_t d, double scale, size_t j0, size_t n, double shift,
                 size_t i);

  // Row c of a copied tile is a copy of its source row (stated apart: the
  // caller's context holds rows' states, where the quantifier instances
  // this needs were not found).
  /@ requires copies: TileCopies(tile, src, d, first, n);
     requires row: c < n;
     assigns \nothing;
     ensures row_copies: RowCopies(tile + c * d, src + (first + c) * d, d); @/
  void TileCopies_Row(const double *tile, const float *src, size_t d, size_t first,
                      size_t n, size_t c);

  // A load of n whole rows of a head from row first copies them
  // (WordsLoaded_Copies at the caller's tile, named by a call so that the
  // caller's large context holds the instance rather than a search for it).
  /@ requires width: d >= 1;
     requires loaded: WordsLoaded(tile, src + first * d, n * d);
     assigns \nothing;
     ensures copies: TileCopies(tile, src, d, first, n); @/
  void Loaded_Copies(const double *tile, const float *src, size_t d, size_t first, size_t n);

  // A chunk of a row of S loaded from key j0 holds the scores of the
  // visible keys among its first n (stated apart: in the caller, the
  // loaded words (s + j0)[c] and the row's words s[j] were not matched).
  /@ requires loaded: DoublesLoaded(chunk, s + j0, n);
     requires scores: ScoresRow(s, q, k, d, scale, visible);
     requires visible: j0 + n <= visible;
     assigns \nothing;
     ensures scores: \forall integer c; 0 <= c < n ==> chunk[c] == Score(q, k, d, scale, j0 + c); @/
  void Chunk_Scores(const double *chunk, const double *s, const float *q, const float *k,
                    size_t d, double scale, size_t j0, size_t n, size_t visible);

  // A chunk of weights exp(score - m) / l of keys j0 .. j0 + n - 1, all
  // visible, with m and l the max and the denominator of the row's visible
  // keys: the keys' probabilities (stated apart: in the caller the
  // definition of Probability was not unfolded at the chunk's words).
  /@ requires weights: \forall integer c; 0 <= c < n ==>
                         chunk[c] == Weight(Score(q, k, d, scale, j0 + c), m, l);
     requires max: m == ScoreMax(q, k, d, scale, 0, visible);
     requires sum: l == Denominator(q, k, d, scale, 0, visible, m);
     requires visible: j0 + n <= visible;
     assigns \nothing;
     ensures probabilities: \forall integer c; 0 <= c < n ==>
               chunk[c] == Probability(q, k, d, scale, visible, j0 + c); @/
  void Chunk_Probabilities(const double *chunk, const float *q, const float *k, size_t d,
                           double scale, size_t j0, size_t n, size_t visible,
                           double m, double l);

  // A row of P that holds the probabilities of keys 0 .. j0 - 1, and to
  // which a chunk of those of keys j0 .. j0 + cols - 1 was stored, holds
  // them up to j0 + cols (stated apart: in the caller the stored words
  // (p + j0)[c] and the row's words p[j] were not matched).
  /@ requires row: ProbabilityRow(p, q, k, d, scale, visible, j0);
     requires stored: WordsStored(p + j0, chunk, cols);
     requires chunk: \forall integer c; 0 <= c < cols ==>
                       chunk[c] == Probability(q, k, d, scale, visible, j0 + c);
     assigns \nothing;
     ensures row: ProbabilityRow(p, q, k, d, scale, visible, j0 + cols); @/
  void ProbabilityRow_Stored(const double *p, const double *chunk, const float *q,
                             const float *k, size_t d, double scale, size_t visible,
                             size_t j0, size_t cols);

  // The words of rows 0 .. r - 1 of a tile [_, cols] lie before row r
  // (Stride_Before at a tile, named by a call: the caller's context did
  // not find the instance).
  /@ assigns \nothing;
     ensures before: \forall integer r1, c; 0 <= r1 < r && 0 <= c < cols ==> r1 * cols + c < r * cols; @/
  void Rows_Before(size_t r, size_t cols);

  // Every term of a denominator is positive, so one over n >= 1 keys is:
  // in exact arithmetic O = acc / l never divides by 0.
  /@ requires run: n >= 1;
     assigns \nothing;
     ensures positive: Denominator(q, k, d, scale, j0, n, shift) > 0; @/
  void Denominator_Positive(const float *q, const float *k, size_t d, double scale,
                            size_t j0, size_t n, double shift);

  // Phase 3 of the standard algorithm sums a row's probabilities times its
  // values; over the n >= 1 keys the row sees that is its attention output
  // (the probabilities' common denominator factors out of the sum).
  /@ requires run: n >= 1;
     assigns \nothing;
     ensures output: ProbabilityWeighted(q, k, v, d, scale, n, n, x) == Output(q, k, v, d, scale, n, x); @/
  void ProbabilityWeighted_Output(const float *q, const float *k, const float *v, size_t d,
                                  double scale, size_t n, size_t x);

  // A tile of one row's probabilities for keys j0 .. j0 + m - 1 and the
  // matching value rows: its weighted sum is that run's part of the row's
  // ProbabilityWeighted (what one tile of phase 3 adds to a row of O).
  /@ requires keys_fit: j0 + m <= SIZE_MAX;
     requires probabilities: \forall integer c; 0 <= c < m ==>
                               p[c] == Probability(q, k, d, scale, n, j0 + c);
     requires values: \forall integer c, x; 0 <= c < m && 0 <= x < d ==>
                        TileValue(v_tile, d, c, x) == Value(v, d, j0 + c, x);
     assigns \nothing;
     ensures weighted: \forall integer x; 0 <= x < d ==>
               ProbabilityWeighted(q, k, v, d, scale, n, j0, x) + TileWeighted(p, v_tile, m, d, x) ==
               ProbabilityWeighted(q, k, v, d, scale, n, j0 + m, x); @/
  void Tile_ProbabilityWeighted(const double *p, const double *v_tile, const float *q, const float *k,
                                const float *v, size_t d, double scale, size_t n, size_t j0, size_t m);

  // The max of keys 0 .. n + n2 - 1 is the larger of the two runs' maxima.
  /@ requires runs: n >= 1 && n2 >= 1;
     assigns \nothing;
     ensures split: ScoreMax(q, k, d, scale, 0, n + n2) ==
                    Larger(ScoreMax(q, k, d, scale, 0, n), ScoreMax(q, k, d, scale, n, n2)); @/
  void ScoreMax_Split(const float *q, const float *k, size_t d, double scale,
                      size_t n, size_t n2);

  // Sums over keys 0 .. n + n2 - 1 split at n.
  /@ assigns \nothing;
     ensures split: Denominator(q, k, d, scale, 0, n + n2, shift) ==
                    Denominator(q, k, d, scale, 0, n, shift) +
                    Denominator(q, k, d, scale, n, n2, shift); @/
  void Denominator_Split(const float *q, const float *k, size_t d, double scale,
                         size_t n, size_t n2, double shift);

  /@ assigns \nothing;
     ensures split: \forall integer x; 0 <= x < d ==>
               Numerator(q, k, v, d, scale, 0, n + n2, shift, x) ==
               Numerator(q, k, v, d, scale, 0, n, shift, x) +
               Numerator(q, k, v, d, scale, n, n2, shift, x); @/
  void Numerator_Split(const float *q, const float *k, const float *v, size_t d,
                       double scale, size_t n, size_t n2, double shift);

  // Rescaling by e^(a - b) moves a sum from shift point a to shift point b:
  // the step that keeps the online softmax exact when the running max grows.
  /@ assigns \nothing;
     ensures rescale: Exp(a - b) * Denominator(q, k, d, scale, 0, n, a) ==
                      Denominator(q, k, d, scale, 0, n, b); @/
  void Denominator_Rescale(const float *q, const float *k, size_t d, double scale,
                           size_t n, double a, double b);

  /@ requires coordinate: 0 <= x < d;
     assigns \nothing;
     ensures rescale: Numerator(q, k, v, d, scale, 0, n, a, x) * Exp(a - b) ==
                      Numerator(q, k, v, d, scale, 0, n, b, x); @/
  void Numerator_Rescale_At(const float *q, const float *k, const float *v, size_t d,
                            double scale, size_t n, double a, double b, size_t x);

  /@ assigns \nothing;
     ensures rescale: \forall integer x; 0 <= x < d ==>
               Numerator(q, k, v, d, scale, 0, n, a, x) * Exp(a - b) ==
               Numerator(q, k, v, d, scale, 0, n, b, x); @/
  void Numerator_Rescale(const float *q, const float *k, const float *v, size_t d,
                         double scale, size_t n, double a, double b);

  // The same for a row acc[d] that holds the numerator at shift point a:
  // acc * e^(a - b) holds it at b (stated over the row, so that a caller
  // that scales acc in place needs no product of a memory read).
  /@ requires valid: \valid_read(acc + (0 .. d - 1));
     requires row: \forall integer x; 0 <= x < d ==>
                     acc[x] == Numerator(q, k, v, d, scale, 0, n, a, x);
     assigns \nothing;
     ensures rescale: \forall integer x; 0 <= x < d ==>
               Exp(a - b) * acc[x] == Numerator(q, k, v, d, scale, 0, n, b, x); @/
  void Numerator_Rescale_Row(const double *acc, const float *q, const float *k,
                             const float *v, size_t d, double scale, size_t n,
                             double a, double b);
*/
#endif

#endif /* FLASHREF_LEMMAS_SOFTMAX_H */
