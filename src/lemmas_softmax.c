/* Proofs of the laws of src/lemmas_softmax.h (ghost code of the functional
 * pass only: nothing here is compiled into the library). */
#include "lemmas_softmax.h"

#if defined(__FRAMAC__) && defined(FLASHREF_REAL_MODEL)
/*@ ghost
  void Exp_Shift_Scores(const float *q, const float *k, size_t d, double scale,
                        double a, double b)
  {
  }

  void Denominator_Step(const float *q, const float *k, size_t d, double scale,
                        size_t j0, size_t n, double shift)
  {
  }

  void Numerator_Step(const float *q, const float *k, const float *v, size_t d,
                      double scale, size_t j0, size_t n, double shift)
  {
  }

  void Tile_Max(const double *s, const float *q, const float *k, size_t d, double scale,
                size_t j0, size_t n)
  {
    /@ loop invariant range: 1 <= i <= n;
       loop invariant max: TileMax(s, i) == ScoreMax(q, k, d, scale, j0, i);
       loop assigns i;
       loop variant n - i; @/
    for (size_t i = 1; i < n; i++) {
      /@ assert next: (size_t)(i + 1) == i + 1; @/
    }
  }

  void Tile_ExpSum(const double *s, const float *q, const float *k, size_t d, double scale,
                   size_t j0, size_t n, double shift)
  {
    /@ loop invariant range: 0 <= i <= n;
       loop invariant sum: TileExpSum(s, i, shift) == Denominator(q, k, d, scale, j0, i, shift);
       loop assigns i;
       loop variant n - i; @/
    for (size_t i = 0; i < n; i++) {
      Denominator_Step(q, k, d, scale, j0, i, shift);
      /@ assert next: (size_t)(i + 1) == i + 1; @/
    }
  }

  // The two facts of division that ProbabilityWeighted_Output uses, each
  // stated apart so that the nonlinear real arithmetic meets no sum (and
  // called apart: together they are a matching loop).
  /@ assigns \nothing;
     ensures cancel: \forall real e, l; l > 0 ==> (e / l) * l == e; @/
  static void Quotient_Cancel(void)
  {
  }

  /@ assigns \nothing;
     ensures unique: \forall real y, z, l; l > 0 && y * l == z ==> y == z / l; @/
  static void Quotient_Unique(void)
  {
    /@ assert cancel: \forall real e, l; l > 0 ==> (e / l) * l == e; @/
    /@ assert quotient: \forall real y, z, l; l > 0 && y * l == z ==> z / l == (y * l) / l; @/
  }

  // One more key: the definition unfolded once.
  /@ requires run: w >= 0;
     assigns \nothing;
     ensures step: \forall integer x; ProbabilityWeighted(q, k, v, d, scale, n, w + 1, x) ==
       ProbabilityWeighted(q, k, v, d, scale, n, w, x) + Probability(q, k, d, scale, n, w) * Value(v, d, w, x); @/
  static void ProbabilityWeighted_Step(const float *q, const float *k, const float *v, size_t d,
                                       double scale, size_t n, size_t w)
  {
  }

  // Numerator_Step at the max of a row's n keys, coordinate x.
  /@ requires run: w >= 0;
     assigns \nothing;
     ensures step: Numerator(q, k, v, d, scale, 0, w + 1, ScoreMax(q, k, d, scale, 0, n), x) ==
       Numerator(q, k, v, d, scale, 0, w, ScoreMax(q, k, d, scale, 0, n), x) +
       Exp(Score(q, k, d, scale, w) - ScoreMax(q, k, d, scale, 0, n)) * Value(v, d, w, x); @/
  static void Numerator_Step_AtMax(const float *q, const float *k, const float *v, size_t d,
                                   double scale, size_t n, size_t w, size_t x)
  {
  }

  // A probability times its row's denominator is its weight.
  /@ requires key: 0 <= j < n;
     requires positive: Denominator(q, k, d, scale, 0, n, ScoreMax(q, k, d, scale, 0, n)) > 0;
     assigns \nothing;
     ensures cancelled: Probability(q, k, d, scale, n, j) *
       Denominator(q, k, d, scale, 0, n, ScoreMax(q, k, d, scale, 0, n)) ==
       Exp(Score(q, k, d, scale, j) - ScoreMax(q, k, d, scale, 0, n)); @/
  static void Probability_Cancel(const float *q, const float *k, size_t d, double scale,
                                 size_t n, size_t j)
  {
    /@ assert weight: Probability(q, k, d, scale, n, j) ==
         Exp(Score(q, k, d, scale, j) - ScoreMax(q, k, d, scale, 0, n)) /
         Denominator(q, k, d, scale, 0, n, ScoreMax(q, k, d, scale, 0, n)); @/
    Quotient_Cancel();
  }

  void ProbabilityWeighted_Output(const float *q, const float *k, const float *v, size_t d,
                                  double scale, size_t n, size_t x)
  {
    /@ loop invariant range: 1 <= i <= n;
       loop invariant positive: Denominator(q, k, d, scale, 0, i, ScoreMax(q, k, d, scale, 0, n)) > 0;
       loop assigns i;
       loop variant n - i; @/
    for (size_t i = 1; i < n; i++) {
      /@ assert step: Denominator(q, k, d, scale, 0, i + 1, ScoreMax(q, k, d, scale, 0, n)) ==
                      Denominator(q, k, d, scale, 0, i, ScoreMax(q, k, d, scale, 0, n)) +
                      Exp(Score(q, k, d, scale, i) - ScoreMax(q, k, d, scale, 0, n)); @/
      /@ assert next: (size_t)(i + 1) == i + 1; @/
    }
    /@ assert positive: Denominator(q, k, d, scale, 0, n, ScoreMax(q, k, d, scale, 0, n)) > 0; @/
    /@ loop invariant range: 0 <= i <= n;
       loop invariant sum: ProbabilityWeighted(q, k, v, d, scale, n, i, x) *
         Denominator(q, k, d, scale, 0, n, ScoreMax(q, k, d, scale, 0, n)) ==
         Numerator(q, k, v, d, scale, 0, i, ScoreMax(q, k, d, scale, 0, n), x);
       loop assigns i;
       loop variant n - i; @/
    for (size_t i = 0; i < n; i++) {
      Probability_Cancel(q, k, d, scale, n, i);
      Numerator_Step_AtMax(q, k, v, d, scale, n, i, x);
      ProbabilityWeighted_Step(q, k, v, d, scale, n, i);
      /@ assert stepped: ProbabilityWeighted(q, k, v, d, scale, n, i + 1, x) ==
           ProbabilityWeighted(q, k, v, d, scale, n, i, x) + Probability(q, k, d, scale, n, i) * Value(v, d, i, x); @/
      /@ assert distribute:
           (ProbabilityWeighted(q, k, v, d, scale, n, i, x) + Probability(q, k, d, scale, n, i) * Value(v, d, i, x)) *
           Denominator(q, k, d, scale, 0, n, ScoreMax(q, k, d, scale, 0, n)) ==
           ProbabilityWeighted(q, k, v, d, scale, n, i, x) * Denominator(q, k, d, scale, 0, n, ScoreMax(q, k, d, scale, 0, n)) +
           (Probability(q, k, d, scale, n, i) * Denominator(q, k, d, scale, 0, n, ScoreMax(q, k, d, scale, 0, n))) *
           Value(v, d, i, x); @/
      /@ assert scaled: (Probability(q, k, d, scale, n, i) * Denominator(q, k, d, scale, 0, n, ScoreMax(q, k, d, scale, 0, n))) *
           Value(v, d, i, x) ==
           Exp(Score(q, k, d, scale, i) - ScoreMax(q, k, d, scale, 0, n)) * Value(v, d, i, x); @/
      /@ assert next: (size_t)(i + 1) == i + 1; @/
    }
    Quotient_Unique();
  }

  // One term of that sum, in two small contexts: the value row's product
  // alone (with a probability's definition in sight, 27 s), then the
  // probability.
  /@ requires row: \forall integer x; 0 <= x < d ==> TileValue(v_tile, d, i, x) == Value(v, d, j, x);
     assigns \nothing;
     ensures product: \forall integer x; 0 <= x < d ==>
               p[i] * TileValue(v_tile, d, i, x) == p[i] * Value(v, d, j, x); @/
  static void Tile_RowProduct(const double *p, const double *v_tile, const float *v, size_t d,
                              size_t i, size_t j)
  {
  }

  /@ requires probability: p[i] == Probability(q, k, d, scale, n, j);
     requires row: \forall integer x; 0 <= x < d ==> TileValue(v_tile, d, i, x) == Value(v, d, j, x);
     assigns \nothing;
     ensures term: \forall integer x; 0 <= x < d ==>
               p[i] * TileValue(v_tile, d, i, x) == Probability(q, k, d, scale, n, j) * Value(v, d, j, x); @/
  static void Tile_ProbabilityTerm(const double *p, const double *v_tile, const float *q, const float *k,
                                   const float *v, size_t d, double scale, size_t n, size_t i, size_t j)
  {
    Tile_RowProduct(p, v_tile, v, d, i, j);
  }

  void Tile_ProbabilityWeighted(const double *p, const double *v_tile, const float *q, const float *k,
                                const float *v, size_t d, double scale, size_t n, size_t j0, size_t m)
  {
    /@ loop invariant range: 0 <= i <= m;
       loop invariant sum: \forall integer x; 0 <= x < d ==>
               ProbabilityWeighted(q, k, v, d, scale, n, j0, x) + TileWeighted(p, v_tile, i, d, x) ==
               ProbabilityWeighted(q, k, v, d, scale, n, j0 + i, x);
       loop assigns i;
       loop variant m - i; @/
    for (size_t i = 0; i < m; i++) {
      /@ assert key: (size_t)(j0 + i) == j0 + i; @/
      ProbabilityWeighted_Step(q, k, v, d, scale, n, j0 + i);
      /@ assert tile_step: \forall integer x; 0 <= x < d ==>
               TileWeighted(p, v_tile, i + 1, d, x) ==
               TileWeighted(p, v_tile, i, d, x) + p[i] * TileValue(v_tile, d, i, x); @/
      /@ assert probability: p[i] == Probability(q, k, d, scale, n, j0 + i); @/
      /@ assert value: \forall integer x; 0 <= x < d ==> TileValue(v_tile, d, i, x) == Value(v, d, j0 + i, x); @/
      Tile_ProbabilityTerm(p, v_tile, q, k, v, d, scale, n, i, j0 + i);
      /@ assert next: (size_t)(i + 1) == i + 1; @/
    }
  }

  void Denominator_Positive(const float *q, const float *k, size_t d, double scale,
                            size_t j0, size_t n, double shift)
  {
    Denominator_Step(q, k, d, scale, j0, 0, shift);
    /@ loop invariant range: 1 <= i <= n;
       loop invariant positive: Denominator(q, k, d, scale, j0, i, shift) > 0;
       loop assigns i;
       loop variant n - i; @/
    for (size_t i = 1; i < n; i++) {
      Denominator_Step(q, k, d, scale, j0, i, shift);
      /@ assert next: (size_t)(i + 1) == i + 1; @/
    }
  }

  void Tile_Term(const double *p, const double *v_tile, const float *q, const float *k,
                 const float *v, size_t d, double scale, size_t j0, size_t n, double shift,
                 size_t i)
  {
    /@ assert weight: p[i] == Exp(Score(q, k, d, scale, j0 + i) - shift); @/
    /@ assert row: \forall integer x; 0 <= x < d ==>
                     TileValue(v_tile, d, i, x) == Value(v, d, j0 + i, x); @/
  }

  void Tile_Weighted(const double *p, const double *v_tile, const float *q, const float *k,
                     const float *v, size_t d, double scale, size_t j0, size_t n, double shift)
  {
    /@ loop invariant range: 0 <= i <= n;
       loop invariant sum: \forall integer x; 0 <= x < d ==>
               TileWeighted(p, v_tile, i, d, x) == Numerator(q, k, v, d, scale, j0, i, shift, x);
       loop assigns i;
       loop variant n - i; @/
    for (size_t i = 0; i < n; i++) {
      Numerator_Step(q, k, v, d, scale, j0, i, shift);
      /@ assert tile_step: \forall integer x; 0 <= x < d ==>
               TileWeighted(p, v_tile, i + 1, d, x) ==
               TileWeighted(p, v_tile, i, d, x) + p[i] * TileValue(v_tile, d, i, x); @/
      Tile_Term(p, v_tile, q, k, v, d, scale, j0, n, shift, i);
      /@ assert next: (size_t)(i + 1) == i + 1; @/
    }
  }

  void ScoreMax_Split(const float *q, const float *k, size_t d, double scale,
                      size_t n, size_t n2)
  {
    /@ loop invariant range: 1 <= i <= n2;
       loop invariant split: ScoreMax(q, k, d, scale, 0, n + i) ==
                             Larger(ScoreMax(q, k, d, scale, 0, n), ScoreMax(q, k, d, scale, n, i));
       loop assigns i;
       loop variant n2 - i; @/
    for (size_t i = 1; i < n2; i++) {
      /@ assert whole: ScoreMax(q, k, d, scale, 0, n + i + 1) ==
                       Larger(ScoreMax(q, k, d, scale, 0, n + i), Score(q, k, d, scale, n + i)); @/
      /@ assert part: ScoreMax(q, k, d, scale, n, i + 1) ==
                      Larger(ScoreMax(q, k, d, scale, n, i), Score(q, k, d, scale, n + i)); @/
      /@ assert next: (size_t)(i + 1) == i + 1; @/
    }
  }

  void Denominator_Split(const float *q, const float *k, size_t d, double scale,
                         size_t n, size_t n2, double shift)
  {
    /@ loop invariant range: 0 <= i <= n2;
       loop invariant split: Denominator(q, k, d, scale, 0, n + i, shift) ==
                             Denominator(q, k, d, scale, 0, n, shift) +
                             Denominator(q, k, d, scale, n, i, shift);
       loop assigns i;
       loop variant n2 - i; @/
    for (size_t i = 0; i < n2; i++) {
      Denominator_Step(q, k, d, scale, 0, n + i, shift);
      Denominator_Step(q, k, d, scale, n, i, shift);
      /@ assert next: (size_t)(i + 1) == i + 1; @/
    }
  }

  void Numerator_Split(const float *q, const float *k, const float *v, size_t d,
                       double scale, size_t n, size_t n2, double shift)
  {
    /@ loop invariant range: 0 <= i <= n2;
       loop invariant split: \forall integer x; 0 <= x < d ==>
               Numerator(q, k, v, d, scale, 0, n + i, shift, x) ==
               Numerator(q, k, v, d, scale, 0, n, shift, x) +
               Numerator(q, k, v, d, scale, n, i, shift, x);
       loop assigns i;
       loop variant n2 - i; @/
    for (size_t i = 0; i < n2; i++) {
      Numerator_Step(q, k, v, d, scale, 0, n + i, shift);
      Numerator_Step(q, k, v, d, scale, n, i, shift);
      /@ assert next: (size_t)(i + 1) == i + 1; @/
    }
  }

  void Denominator_Rescale(const float *q, const float *k, size_t d, double scale,
                           size_t n, double a, double b)
  {
    Exp_Shift_Scores(q, k, d, scale, a, b);
    /@ loop invariant range: 0 <= i <= n;
       loop invariant rescale: Exp(a - b) * Denominator(q, k, d, scale, 0, i, a) ==
                               Denominator(q, k, d, scale, 0, i, b);
       loop assigns i;
       loop variant n - i; @/
    for (size_t i = 0; i < n; i++) {
      Denominator_Step(q, k, d, scale, 0, i, a);
      Denominator_Step(q, k, d, scale, 0, i, b);
      /@ assert law: Exp(Score(q, k, d, scale, i) - a) * Exp(a - b) ==
                     Exp(Score(q, k, d, scale, i) - b); @/
      /@ assert distribute: Exp(a - b) * Denominator(q, k, d, scale, 0, i + 1, a) ==
                            Exp(a - b) * Denominator(q, k, d, scale, 0, i, a) +
                            Exp(a - b) * Exp(Score(q, k, d, scale, i) - a); @/
      /@ assert next: (size_t)(i + 1) == i + 1; @/
    }
  }

  void Numerator_Rescale_At(const float *q, const float *k, const float *v, size_t d,
                            double scale, size_t n, double a, double b, size_t x)
  {
    Exp_Shift_Scores(q, k, d, scale, a, b);
    /@ loop invariant range: 0 <= i <= n;
       loop invariant rescale: Numerator(q, k, v, d, scale, 0, i, a, x) * Exp(a - b) ==
                               Numerator(q, k, v, d, scale, 0, i, b, x);
       loop assigns i;
       loop variant n - i; @/
    for (size_t i = 0; i < n; i++) {
      Numerator_Step(q, k, v, d, scale, 0, i, a);
      Numerator_Step(q, k, v, d, scale, 0, i, b);
      /@ assert law: Exp(Score(q, k, d, scale, i) - a) * Exp(a - b) ==
                     Exp(Score(q, k, d, scale, i) - b); @/
      /@ assert step_a: Numerator(q, k, v, d, scale, 0, i + 1, a, x) ==
               Numerator(q, k, v, d, scale, 0, i, a, x) +
               Exp(Score(q, k, d, scale, i) - a) * Value(v, d, i, x); @/
      /@ assert distribute: Numerator(q, k, v, d, scale, 0, i + 1, a, x) * Exp(a - b) ==
               Numerator(q, k, v, d, scale, 0, i, a, x) * Exp(a - b) +
               (Exp(Score(q, k, d, scale, i) - a) * Exp(a - b)) * Value(v, d, i, x); @/
      /@ assert next: (size_t)(i + 1) == i + 1; @/
    }
  }

  void TileCopies_Row(const double *tile, const float *src, size_t d, size_t first,
                      size_t n, size_t c)
  {
    /@ assert entries: \forall integer x; 0 <= x < d ==>
             TileValue(tile, d, c, x) == Value(src, d, first + c, x); @/
    /@ assert words: \forall integer x; 0 <= x < d ==>
             RowWord(tile + c * d, x) == TileValue(tile, d, c, x) &&
             InputWord(src + (first + c) * d, x) == Value(src, d, first + c, x); @/
  }

  void Loaded_Copies(const double *tile, const float *src, size_t d, size_t first, size_t n)
  {
  }

  void Chunk_Scores(const double *chunk, const double *s, const float *q, const float *k,
                    size_t d, double scale, size_t j0, size_t n, size_t visible)
  {
  }

  void Chunk_Probabilities(const double *chunk, const float *q, const float *k, size_t d,
                           double scale, size_t j0, size_t n, size_t visible,
                           double m, double l)
  {
  }

  void ProbabilityRow_Stored(const double *p, const double *chunk, const float *q,
                             const float *k, size_t d, double scale, size_t visible,
                             size_t j0, size_t cols)
  {
    /@ assert words: \forall integer j; j0 <= j < j0 + cols ==> p[j] == chunk[j - j0]; @/
    /@ assert probabilities: \forall integer j; j0 <= j < j0 + cols ==>
                               chunk[j - j0] == Probability(q, k, d, scale, visible, j); @/
  }

  void Rows_Before(size_t r, size_t cols)
  {
  }

  void Numerator_Rescale(const float *q, const float *k, const float *v, size_t d,
                         double scale, size_t n, double a, double b)
  {
    /@ loop invariant range: 0 <= x <= d;
       loop invariant rescale: \forall integer y; 0 <= y < x ==>
               Numerator(q, k, v, d, scale, 0, n, a, y) * Exp(a - b) ==
               Numerator(q, k, v, d, scale, 0, n, b, y);
       loop assigns x;
       loop variant d - x; @/
    for (size_t x = 0; x < d; x++) {
      Numerator_Rescale_At(q, k, v, d, scale, n, a, b, x);
      /@ assert next: (size_t)(x + 1) == x + 1; @/
    }
  }

  void Numerator_Rescale_Row(const double *acc, const float *q, const float *k,
                             const float *v, size_t d, double scale, size_t n,
                             double a, double b)
  {
    Numerator_Rescale(q, k, v, d, scale, n, a, b);
  }
*/
#endif
