/* Arithmetic on tiles held in fast memory: one job per function, each a simple
 * counted loop. The operation order here is the definition of flashref's
 * floating-point result; kernels/ mirrors it. Tiles are row-major:
 * a K or V tile of n keys is n x d, a score row has one entry per key. */
#ifndef FLASHREF_TILE_OPS_H
#define FLASHREF_TILE_OPS_H

#include <stddef.h>
#include <stdint.h>   /* SIZE_MAX in contracts */
#include "real_model.h"

/* scale * (q . k), the dot product as an fma chain over c = 0 .. d-1 from 0.
 * In the functional pass q and k are copies of a query q_in and of key j of
 * the head k_in in slow memory (ghost parameters). */
/*@ requires valid: \valid_read(q + (0 .. d - 1)) && \valid_read(k + (0 .. d - 1));
    FR_REAL(requires query: \forall integer x; 0 <= x < d ==> q[x] == q_in[x];)
    FR_REAL(requires key: \forall integer x; 0 <= x < d ==> k[x] == Value(k_in, d, j, x);)
    assigns \nothing;
    FR_REAL(ensures score: \result == Score(q_in, k_in, d, scale, j);)
*/
double fr_score(const double *q, const double *k, size_t d, double scale)
#if FR_REAL_MODEL
    /*@ ghost (const float *q_in, const float *k_in, size_t j) */
#endif
    ;

/* s[c] = fr_score(q, k_tile row c) for c < n. In the functional pass q is a
 * copy of the query q_in and the rows of k_tile are copies of keys
 * j0 .. j0 + n - 1 of the head k_in (ghost parameters). */
/*@ requires fits: n * d <= SIZE_MAX;
    requires valid_s: \valid(s + (0 .. n - 1));
    requires valid_q: \valid_read(q + (0 .. d - 1));
    requires valid_tile: \valid_read(k_tile + (0 .. n * d - 1));
    requires separated: \separated(s + (0 .. n - 1), q + (0 .. d - 1), k_tile + (0 .. n * d - 1));
    FR_REAL(requires keys_fit: j0 + n <= SIZE_MAX;)
    FR_REAL(requires query: RowCopies(q, q_in, d);)
    FR_REAL(requires keys: \forall integer c, x; 0 <= c < n && 0 <= x < d ==>
              TileValue(k_tile, d, c, x) == Value(k_in, d, j0 + c, x);)
    assigns s[0 .. n - 1];
    FR_REAL(ensures scores: \forall integer c; 0 <= c < n ==> s[c] == Score(q_in, k_in, d, scale, j0 + c);)
*/
void fr_score_row(double *s, const double *q, const double *k_tile,
                  size_t n, size_t d, double scale)
#if FR_REAL_MODEL
    /*@ ghost (const float *q_in, const float *k_in, size_t j0) */
#endif
    ;

/* max(s[0], ..., s[n-1]) left to right with fr_max; n >= 1. */
/*@ requires n >= 1 && \valid_read(s + (0 .. n - 1));
    assigns \nothing;
    FR_REAL(ensures max: \result == TileMax(s, n);)
*/
double fr_row_max(const double *s, size_t n);

/* s[c] = exp(s[c] - m) for c < n; returns their sum, left to right from 0. */
/*@ requires \valid(s + (0 .. n - 1));
    assigns s[0 .. n - 1];
    FR_REAL(ensures weights: \forall integer c; 0 <= c < n ==> s[c] == Exp(\old(s[c]) - m);)
    FR_REAL(ensures sum: \result == TileExpSum{Pre}(s, n, m);)
*/
double fr_exp_shift_sum(double *s, size_t n, double m);

/* total + exp(s[0] - m) + ... + exp(s[n-1] - m), left to right; s unchanged. */
/*@ requires \valid_read(s + (0 .. n - 1));
    assigns \nothing;
    FR_REAL(ensures sum: \result == total + TileExpSum(s, n, m);)
*/
double fr_exp_shift_accumulate(const double *s, size_t n, double m, double total);

/* s[c] = exp(s[c] - m) / l for c < n and s[c] = 0 for n <= c < cols;
 * all 0 when l = 0 (every visible score -inf). */
/*@ requires n <= cols && \valid(s + (0 .. cols - 1));
    assigns s[0 .. cols - 1];
    FR_REAL(ensures probabilities: l != 0 ==>
              \forall integer c; 0 <= c < n ==> s[c] == Weight(\old(s[c]), m, l);)
    FR_REAL(ensures masked: \forall integer c; n <= c < cols ==> s[c] == Nought;)
*/
void fr_softmax_chunk(double *s, size_t n, size_t cols, double m, double l);

/* s[c] = value for c < n. */
/*@ requires \valid(s + (0 .. n - 1));
    assigns s[0 .. n - 1];
*/
void fr_row_fill(double *s, size_t n, double value);

/* acc[x] = acc[x] * alpha for x < d. */
/*@ requires \valid(acc + (0 .. d - 1));
    assigns acc[0 .. d - 1];
    FR_REAL(ensures scaled: \forall integer x; 0 <= x < d ==> acc[x] == \old(acc[x]) * alpha;)
*/
void fr_row_scale(double *acc, size_t d, double alpha);

/* acc[x] = 0 for x < d. */
/*@ requires \valid(acc + (0 .. d - 1));
    assigns acc[0 .. d - 1];
    FR_REAL(ensures zero: \forall integer x; 0 <= x < d ==> acc[x] == Nought;)
*/
void fr_row_zero(double *acc, size_t d);

/* sum + p[0] * v_tile[0][x] + ... + p[n-1] * v_tile[n-1][x]: one column of
 * the weighted sum of the tile's rows, as an fma chain over c = 0 .. n-1. */
/*@ requires fits: n * d <= SIZE_MAX;
    requires column: x < d;
    requires valid_p: \valid_read(p + (0 .. n - 1));
    requires valid_tile: \valid_read(v_tile + (0 .. n * d - 1));
    assigns \nothing;
    FR_REAL(ensures weighted: \result == sum + TileWeighted(p, v_tile, n, d, x);)
*/
double fr_weighted_column(const double *p, const double *v_tile, size_t n, size_t d,
                          size_t x, double sum);

/* acc[x] = fma(p[c], v_tile[c][x], acc[x]) for c = 0 .. n-1 in order, x < d.
 * Column by column: each acc[x] is its own fma chain, so the order of the
 * columns does not change a bit of the result. */
/*@ requires fits: n * d <= SIZE_MAX;
    requires valid_acc: \valid(acc + (0 .. d - 1));
    requires valid_p: \valid_read(p + (0 .. n - 1));
    requires valid_tile: \valid_read(v_tile + (0 .. n * d - 1));
    requires separated: \separated(acc + (0 .. d - 1), p + (0 .. n - 1), v_tile + (0 .. n * d - 1));
    assigns acc[0 .. d - 1];
    FR_REAL(ensures accumulated: \forall integer x; 0 <= x < d ==>
              acc[x] == \old(acc[x]) + TileWeighted{Pre}(p, v_tile, n, d, x);)
*/
void fr_row_accumulate(double *acc, const double *p, const double *v_tile,
                       size_t n, size_t d);

/* acc[x] = acc[x] / l for x < d. */
/*@ requires \valid(acc + (0 .. d - 1));
    assigns acc[0 .. d - 1];
    FR_REAL(ensures divided: l != 0 ==> \forall integer x; 0 <= x < d ==> acc[x] == \old(acc[x]) / l;)
*/
void fr_row_divide(double *acc, size_t d, double l);

#endif /* FLASHREF_TILE_OPS_H */
