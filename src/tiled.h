/* Tiled attention, FlashAttention-2 loop order, for one (batch, query head). */
#ifndef FLASHREF_TILED_H
#define FLASHREF_TILED_H

#include "flashref.h"
#include "fast_memory.h"

/* One head's sizes and semantics. */
typedef struct fr_head {
    size_t q_len;   /* Nq */
    size_t kv_len;  /* Nk */
    size_t d;
    fr_causal causal;
    double scale;
} fr_head;

/* Fast buffers of the tiled algorithm (Br = rows, Bc = cols):
 *   q [Br, d]  k [Bc, d]  v [Bc, d]  s [Br, Bc]  acc [Br, d]  m [Br]  l [Br] */
typedef struct fr_tiled_buffers {
    double *q, *k, *v, *s, *acc, *m, *l;
} fr_tiled_buffers;

/* Carves the buffers from fast memory; FR_ERR_FAST_MEMORY_TOO_SMALL if any
 * request is refused. */
fr_status fr_tiled_buffers_alloc(fr_fast_memory *fm, fr_blocks b, size_t d,
                                 fr_tiled_buffers *t);

/* One key block [j0, j0 + cols) against the rows [i0, i0 + rows) whose Q tile
 * and running state (m, l, acc) are in fast memory; K and V tiles loaded.
 * Each row that sees n > 0 keys of the block gets its scores and one online
 * softmax step (src/online_softmax.h). */
void fr_tiled_key_block(const fr_head *h, fr_blocks b, const fr_tiled_buffers *t,
                        size_t i0, size_t rows, size_t j0, size_t cols);

/* Turns the running state into O rows (acc / l) and LSE (m + log l) in place;
 * rows without a visible key, or whose visible scores are all -inf (l = 0),
 * get O = 0 and LSE = -inf. */
void fr_tiled_finalize(const fr_head *h, fr_blocks b, const fr_tiled_buffers *t,
                       size_t i0, size_t rows);

/* One head: q [Nq, d], k and v [Nk, d], o [Nq, d], lse [Nq]. */
void fr_tiled_head(const fr_head *h, fr_blocks b, fr_fast_memory *fm,
                   const fr_tiled_buffers *t,
                   const float *q, const float *k, const float *v,
                   double *o, double *lse);

#endif /* FLASHREF_TILED_H */
