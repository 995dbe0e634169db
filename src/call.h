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

#ifdef __FRAMAC__
#include "Call.acsl"
#endif

/* Checks the problem, the pointers and the blocks (default when blocks is
 * NULL), then allocates the arena: fr_fast_words_needed words, <= M. */
/*@ requires problem: p == \null || \valid_read(p);
    requires blocks: blocks == \null || \valid_read(blocks);
    requires call: \valid(call);
    requires separated: (p == \null || \separated(call, p)) &&
                        (blocks == \null || \separated(call, blocks));
    requires tensors: p != \null && ProblemOk(p) ==> TensorsValid(p, q, k, v, o, lse);
    assigns *call;
    ensures ok: \result == FR_OK ==> CallReady(call, p, fast_words, q, k, v, o, lse);
*/
fr_status fr_call_begin(const fr_problem *p, size_t fast_words, const fr_blocks *blocks,
                        const float *q, const float *k, const float *v,
                        const double *o, const double *lse, fr_call *call);

/* Reports the counters into stats (when not NULL) and frees the arena. */
/*@ requires call: \valid(call);
    requires stats: stats == \null || \valid(stats);
    requires separated: stats == \null || \separated(call, stats);
    assigns *stats, call->fm.words;
*/
void fr_call_end(fr_call *call, fr_io_stats *stats);

/* Element offset of head h of batch b in a [B, heads, len, d] tensor. */
/*@ requires index: b < batch && h < heads;
    requires sizes: len >= 1 && d >= 1;
    requires fits: batch * heads * len * d <= SIZE_MAX;
    assigns \nothing;
    ensures offset: \result == ((b * heads + h) * len) * d;
    ensures inside: \result + len * d <= batch * heads * len * d;
*/
size_t fr_head_offset(size_t b, size_t h, size_t batch, size_t heads, size_t len, size_t d);

/* The host heap. WP models neither allocation nor freeing, so these two
 * contracts are assumptions (spec/TrustBase.acsl). */
/*@ assigns \nothing;
    ensures fresh: \result == \null || \valid(\result + (0 .. n - 1));
*/
double *fr_host_alloc(size_t n);

/*@ assigns \nothing; */
void fr_host_free(double *words);

#endif /* FLASHREF_CALL_H */
