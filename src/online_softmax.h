/* One online-softmax step for one query row and one key block: the heart of
 * FlashAttention. The row's running state is m (max so far), l (sum of
 * exp(s - m) so far) and acc[d] (sum of exp(s - m) * v so far, unnormalised).
 * s[n] holds the row's scores for the n keys of the block it sees and is
 * overwritten with the probabilities p = exp(s - m_new); v_tile is [n, d]. */
#ifndef FLASHREF_ONLINE_SOFTMAX_H
#define FLASHREF_ONLINE_SOFTMAX_H

#include <stddef.h>
#include <stdint.h>   /* SIZE_MAX in contracts */

/* First block of the row: m = max s, l = sum p, acc = sum p v. */
/*@ requires n >= 1 && n * d <= SIZE_MAX;
    requires \valid(s + (0 .. n - 1)) && \valid(m) && \valid(l);
    requires \valid(acc + (0 .. d - 1));
    requires \valid_read(v_tile + (0 .. n * d - 1));
    requires \separated(s + (0 .. n - 1), m, l, acc + (0 .. d - 1), v_tile + (0 .. n * d - 1));
    requires \separated(m, l, acc + (0 .. d - 1));
    assigns s[0 .. n - 1], *m, *l, acc[0 .. d - 1];
*/
void fr_online_first_block(double *s, size_t n, const double *v_tile, size_t d,
                           double *m, double *l, double *acc);

/* Later blocks: m' = max(m, max s), alpha = exp(m - m'),
 * l = fma(alpha, l, sum exp(s - m')), acc = alpha * acc + sum p v, m = m'.
 * (Each "- m" is "- fr_shift_point(m)": while every score is -inf the
 * weights are 0, not NaN.) */
/*@ requires n >= 1 && n * d <= SIZE_MAX;
    requires \valid(s + (0 .. n - 1)) && \valid(m) && \valid(l);
    requires \valid(acc + (0 .. d - 1));
    requires \valid_read(v_tile + (0 .. n * d - 1));
    requires \separated(s + (0 .. n - 1), m, l, acc + (0 .. d - 1), v_tile + (0 .. n * d - 1));
    requires \separated(m, l, acc + (0 .. d - 1));
    assigns s[0 .. n - 1], *m, *l, acc[0 .. d - 1];
*/
void fr_online_next_block(double *s, size_t n, const double *v_tile, size_t d,
                          double *m, double *l, double *acc);

#endif /* FLASHREF_ONLINE_SOFTMAX_H */
