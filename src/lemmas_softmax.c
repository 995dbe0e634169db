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
