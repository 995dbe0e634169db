/* Standard attention for one head: S and P materialised in slow memory. */
#ifndef FLASHREF_STANDARD_H
#define FLASHREF_STANDARD_H

#include "tiled.h"

/* Phase 1: S = scale * Q K^T, tile by tile; masked entries hold -inf.
 * q [Nq, d], k [Nk, d], s [Nq, Nk]. */
fr_status fr_standard_scores(const fr_head *h, fr_blocks b, fr_fast_memory *fm,
                             const float *q, const float *k, double *s);

/* Phase 2, one row: m = max of visible s, l = sum exp(s - m),
 * P = exp(s - m) / l (0 where masked), LSE = m + log l (-inf without a
 * visible key; P = 0 and LSE = -inf when every visible score is -inf). Streams the row through fast memory in chunks of Bc, three
 * passes. s_row, p_row [Nk]. */
fr_status fr_standard_softmax_row(const fr_head *h, fr_blocks b, fr_fast_memory *fm,
                                  size_t i, const double *s_row, double *p_row,
                                  double *lse_i);

/* Phase 3: O = P V, tile by tile. p [Nq, Nk], v [Nk, d], o [Nq, d]. */
fr_status fr_standard_output(const fr_head *h, fr_blocks b, fr_fast_memory *fm,
                             const double *p, const float *v, double *o);

/* One head; s and p are slow-memory workspaces of Nq*Nk doubles. */
fr_status fr_standard_head(const fr_head *h, fr_blocks b, fr_fast_memory *fm,
                           const float *q, const float *k, const float *v,
                           double *s, double *p, double *o, double *lse);

#endif /* FLASHREF_STANDARD_H */
