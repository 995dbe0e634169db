/* What both algorithms share around their per-head loops: checking the
 * request, choosing blocks, the fast-memory arena and head offsets. */
#ifndef FLASHREF_CALL_H
#define FLASHREF_CALL_H

#include "flashref.h"
#include "fast_memory.h"

typedef struct fr_call {
    fr_blocks blocks;
    fr_fast_memory fm;
} fr_call;

/* Checks the problem, the pointers and the blocks (default when blocks is
 * NULL), then allocates the arena: fr_fast_words_needed words, <= M. */
fr_status fr_call_begin(const fr_problem *p, size_t fast_words, const fr_blocks *blocks,
                        const void *q, const void *k, const void *v,
                        const void *o, const void *lse, fr_call *call);

/* Reports the counters into stats (when not NULL) and frees the arena. */
void fr_call_end(fr_call *call, fr_io_stats *stats);

/* Element offset of head h of batch b in a [B, heads, len, d] tensor. */
/*@ requires b * heads * len * d <= SIZE_MAX;
    requires b < SIZE_MAX && h < heads;
    assigns \nothing;
    ensures \result == ((b * heads + h) * len) * d;
*/
size_t fr_head_offset(size_t b, size_t h, size_t heads, size_t len, size_t d);

/* n doubles from the host heap, or NULL. */
/*@ assigns \nothing;
    ensures \result == \null || \valid(\result + (0 .. n - 1));
*/
double *fr_host_alloc(size_t n);

/*@ assigns \nothing; */
void fr_host_free(double *words);

#endif /* FLASHREF_CALL_H */
