/* One online-softmax step for one query row and one key block: the heart of
 * FlashAttention. The row's running state is m (max so far), l (sum of
 * exp(s - m) so far) and acc[d] (sum of exp(s - m) * v so far, unnormalised).
 * s[n] holds the row's scores for the n keys of the block it sees and is
 * overwritten with the probabilities p = exp(s - m_new); v_tile is [n, d].
 *
 * In the functional pass the functions also take, as ghost parameters, the
 * row's query q (d floats), its head's keys and values k, v ([Nk, d]
 * floats) and what else the step needs to name (the score scale, the
 * block's first key j0), and are proved to carry RowState
 * (spec/OnlineSoftmax.acsl) from keys 0 .. j0-1 to keys 0 .. j0+n-1. */
#ifndef FLASHREF_ONLINE_SOFTMAX_H
#define FLASHREF_ONLINE_SOFTMAX_H

#include <stddef.h>
#include <stdint.h>   /* SIZE_MAX in contracts */
#include "real_model.h"

/* First block of the row, keys 0 .. n-1: m = max s, l = sum p, acc = sum p v. */
/*@ requires sizes: n >= 1 && n * d <= SIZE_MAX;
    requires valid: \valid(s + (0 .. n - 1)) && \valid(m) && \valid(l);
    requires valid_acc: \valid(acc + (0 .. d - 1));
    requires valid_tile: \valid_read(v_tile + (0 .. n * d - 1));
    requires separated: \separated(s + (0 .. n - 1), m, l, acc + (0 .. d - 1), v_tile + (0 .. n * d - 1));
    requires separated_state: \separated(m, l, acc + (0 .. d - 1));
    FR_REAL(requires scores: \forall integer c; 0 <= c < n ==> s[c] == Score(q, k, d, scale, c);)
    FR_REAL(requires values: \forall integer c, x; 0 <= c < n && 0 <= x < d ==>
              TileValue(v_tile, d, c, x) == Value(v, d, c, x);)
    assigns s[0 .. n - 1], *m, *l, acc[0 .. d - 1];
    FR_REAL(ensures state: RowState(q, k, v, d, scale, n, *m, *l, acc);)
*/
void fr_online_first_block(double *s, size_t n, const double *v_tile, size_t d,
                           double *m, double *l, double *acc)
#if FR_REAL_MODEL
    /*@ ghost (const float *q, const float *k, const float *v, double scale) */
#endif
    ;

/* Later blocks: m' = max(m, max s), alpha = exp(m - m'),
 * l = fma(alpha, l, sum exp(s - m')), acc = alpha * acc + sum p v, m = m'.
 * (Each "- m" is "- fr_shift_point(m)": while every score is -inf the
 * weights are 0, not NaN.) */
/*@ requires sizes: n >= 1 && n * d <= SIZE_MAX;
    requires valid: \valid(s + (0 .. n - 1)) && \valid(m) && \valid(l);
    requires valid_acc: \valid(acc + (0 .. d - 1));
    requires valid_tile: \valid_read(v_tile + (0 .. n * d - 1));
    requires separated: \separated(s + (0 .. n - 1), m, l, acc + (0 .. d - 1), v_tile + (0 .. n * d - 1));
    requires separated_state: \separated(m, l, acc + (0 .. d - 1));
    FR_REAL(requires seen: j0 >= 1 && RowState(q, k, v, d, scale, j0, *m, *l, acc);)
    FR_REAL(requires scores: \forall integer c; 0 <= c < n ==> s[c] == Score(q, k, d, scale, j0 + c);)
    FR_REAL(requires values: \forall integer c, x; 0 <= c < n && 0 <= x < d ==>
              TileValue(v_tile, d, c, x) == Value(v, d, j0 + c, x);)
    assigns s[0 .. n - 1], *m, *l, acc[0 .. d - 1];
    FR_REAL(ensures state: RowState(q, k, v, d, scale, j0 + n, *m, *l, acc);)
*/
void fr_online_next_block(double *s, size_t n, const double *v_tile, size_t d,
                          double *m, double *l, double *acc)
#if FR_REAL_MODEL
    /*@ ghost (const float *q, const float *k, const float *v, double scale, size_t j0) */
#endif
    ;

/* One query row against one key block of n keys starting at key j0: the
 * scores s = scale * q . k_tile rows (fr_score_row), then the first online
 * step (j0 == 0) or the next one. In the functional pass q is a copy of the
 * query q_in and the tiles' rows copies of keys j0 .. j0+n-1 of the head
 * (k_in, v_in). */
/*@ requires sizes: n >= 1 && n * d <= SIZE_MAX;
    requires valid: \valid(s + (0 .. n - 1)) && \valid(m) && \valid(l);
    requires valid_acc: \valid(acc + (0 .. d - 1));
    requires valid_q: \valid_read(q + (0 .. d - 1));
    requires valid_tiles: \valid_read(k_tile + (0 .. n * d - 1)) && \valid_read(v_tile + (0 .. n * d - 1));
    requires separated_scores: \separated(s + (0 .. n - 1), q + (0 .. d - 1), k_tile + (0 .. n * d - 1));
    requires separated: \separated(s + (0 .. n - 1), m, l, acc + (0 .. d - 1), v_tile + (0 .. n * d - 1));
    requires separated_state: \separated(m, l, acc + (0 .. d - 1));
    FR_REAL(requires keys_fit: j0 + n <= SIZE_MAX;)
    FR_REAL(requires query: RowCopies(q, q_in, d);)
    FR_REAL(requires keys: \forall integer c, x; 0 <= c < n && 0 <= x < d ==>
              TileValue(k_tile, d, c, x) == Value(k_in, d, j0 + c, x);)
    FR_REAL(requires values: \forall integer c, x; 0 <= c < n && 0 <= x < d ==>
              TileValue(v_tile, d, c, x) == Value(v_in, d, j0 + c, x);)
    FR_REAL(requires seen: j0 >= 1 ==> RowState(q_in, k_in, v_in, d, scale, j0, *m, *l, acc);)
    assigns s[0 .. n - 1], *m, *l, acc[0 .. d - 1];
    FR_REAL(ensures state: RowState(q_in, k_in, v_in, d, scale, j0 + n, *m, *l, acc);)
*/
void fr_online_block(double *s, const double *q, const double *k_tile, const double *v_tile,
                     size_t n, size_t d, double scale, size_t j0,
                     double *m, double *l, double *acc)
#if FR_REAL_MODEL
    /*@ ghost (const float *q_in, const float *k_in, const float *v_in) */
#endif
    ;

/* The row's result once it has seen its n visible keys: O = acc / l in
 * place, and LSE = m + log l into *m. A row that sees no key (n == 0) gets
 * O = 0 and LSE = -inf, and so does a row whose visible scores are all
 * -inf (l == 0 in floating point; in exact arithmetic l > 0 when n >= 1). */
/*@ requires valid: \valid(m) && \valid_read(l) && \valid(acc + (0 .. d - 1));
    requires separated: \separated(m, l, acc + (0 .. d - 1));
    FR_REAL(requires seen: n >= 1 ==> RowState(q, k, v, d, scale, n, *m, *l, acc);)
    assigns *m, acc[0 .. d - 1];
    FR_REAL(ensures output: RowOutput{Pre, Post}(q, k, v, d, scale, n, acc, *m);)
*/
void fr_online_finish(size_t n, double *m, const double *l, double *acc, size_t d)
#if FR_REAL_MODEL
    /*@ ghost (const float *q, const float *k, const float *v, double scale) */
#endif
    ;

/* The block's arithmetic, shared by both steps: s = p = exp(s - shift) and
 * acc += sum p v, after acc *= alpha in the second (which moves the
 * numerator of the keys before the block from shift point m_old to shift);
 * each returns sum p. Functions of their own so that the value tile's
 * contents are consumed before any recursive sum is in the proof context;
 * the second repeats the first's contract because it cannot share it. */
/*@ requires sizes: n >= 1 && n * d <= SIZE_MAX;
    requires valid: \valid(s + (0 .. n - 1)) && \valid(acc + (0 .. d - 1));
    requires valid_tile: \valid_read(v_tile + (0 .. n * d - 1));
    requires separated: \separated(s + (0 .. n - 1), acc + (0 .. d - 1), v_tile + (0 .. n * d - 1));
    FR_REAL(requires scores: \forall integer c; 0 <= c < n ==> s[c] == Score(q, k, d, scale, j0 + c);)
    FR_REAL(requires values: \forall integer c, x; 0 <= c < n && 0 <= x < d ==>
              TileValue(v_tile, d, c, x) == Value(v, d, j0 + c, x);)
    assigns s[0 .. n - 1], acc[0 .. d - 1];
    FR_REAL(ensures sum: \result == Denominator(q, k, d, scale, j0, n, shift);)
    FR_REAL(ensures accumulated: \forall integer x; 0 <= x < d ==>
              acc[x] == \old(acc[x]) + Numerator(q, k, v, d, scale, j0, n, shift, x);)
*/
double fr_online_weigh(double *s, size_t n, const double *v_tile, size_t d,
                       double shift, double *acc)
#if FR_REAL_MODEL
    /*@ ghost (const float *q, const float *k, const float *v, double scale, size_t j0) */
#endif
    ;

/*@ requires sizes: n >= 1 && n * d <= SIZE_MAX;
    requires valid: \valid(s + (0 .. n - 1)) && \valid(acc + (0 .. d - 1));
    requires valid_tile: \valid_read(v_tile + (0 .. n * d - 1));
    requires separated: \separated(s + (0 .. n - 1), acc + (0 .. d - 1), v_tile + (0 .. n * d - 1));
    FR_REAL(requires scores: \forall integer c; 0 <= c < n ==> s[c] == Score(q, k, d, scale, j0 + c);)
    FR_REAL(requires values: \forall integer c, x; 0 <= c < n && 0 <= x < d ==>
              TileValue(v_tile, d, c, x) == Value(v, d, j0 + c, x);)
    FR_REAL(requires seen: \forall integer x; 0 <= x < d ==>
              acc[x] == Numerator(q, k, v, d, scale, 0, j0, m_old, x);)
    FR_REAL(requires rescale: alpha == Exp(m_old - shift);)
    assigns s[0 .. n - 1], acc[0 .. d - 1];
    FR_REAL(ensures sum: \result == Denominator(q, k, d, scale, j0, n, shift);)
    FR_REAL(ensures accumulated: \forall integer x; 0 <= x < d ==>
              acc[x] == Numerator(q, k, v, d, scale, 0, j0 + n, shift, x);)
*/
double fr_online_rescale_weigh(double *s, size_t n, const double *v_tile, size_t d,
                               double shift, double alpha, double *acc)
#if FR_REAL_MODEL
    /*@ ghost (const float *q, const float *k, const float *v, double scale, size_t j0,
               double m_old) */
#endif
    ;

#endif /* FLASHREF_ONLINE_SOFTMAX_H */
