/* What both algorithms share around their per-head loops: checking the
 * request, choosing blocks, the fast-memory arena and head offsets. */
#ifndef FLASHREF_CALL_H
#define FLASHREF_CALL_H

#include "flashref.h"
#include "fast_memory.h"
#include "real_model.h"

typedef struct fr_call {
    fr_blocks blocks;
    fr_fast_memory fm;
} fr_call;

#ifdef __FRAMAC__
#include "Call.acsl"
#endif

/* Checks the problem and the tensor pointers of a request. Writes nothing,
 * so what it ensures of *p still holds in the caller afterwards. */
/*@ requires problem: p == \null || \valid_read(p);
    requires tensors: p != \null && ProblemOk(p) ==> TensorsValid(p, q, k, v, o, lse);
    assigns \nothing;
    ensures accepted: \result == FR_OK ==> ProblemOk(p) && TensorsValid(p, q, k, v, o, lse) &&
      q != \null && k != \null && v != \null && o != \null && lse != \null;
*/
fr_status fr_call_check(const fr_problem *p,
                        const float *q, const float *k, const float *v,
                        const double *o, const double *lse);

/* Chooses the blocks (default when blocks is NULL) for head dimension d and
 * sequence lengths q_len, kv_len, then allocates the arena:
 * fr_fast_words_needed words, <= M. In the functional pass the caller's
 * outputs (ghost parameters: n_o words at o, n_lse at lse) are live, so the
 * arena lies apart from them (fr_host_alloc). */
/*@ requires sizes: d >= 1 && q_len >= 1 && kv_len >= 1;
    requires blocks: blocks == \null || \valid_read(blocks);
    requires call: \valid(call);
    requires separated: blocks == \null || \separated(call, blocks);
    FR_REAL(requires live: \valid(o + (0 .. n_o - 1)) && \valid(lse + (0 .. n_lse - 1));)
    assigns *call;
    FR_REAL(ensures arena_apart: \result == FR_OK ==>
              \separated(call->fm.words + (0 .. call->fm.capacity - 1), o + (0 .. n_o - 1)) &&
              \separated(call->fm.words + (0 .. call->fm.capacity - 1), lse + (0 .. n_lse - 1));)
    ensures ready: \result == FR_OK ==> CallReady(call, d, fast_words);
    ensures uncounted: \result == FR_OK ==> call->fm.words_read == 0 && call->fm.words_written == 0;
    ensures given: \result == FR_OK && blocks != \null ==>
      call->blocks.rows == \old(blocks->rows) && call->blocks.cols == \old(blocks->cols);
    ensures default_blocks: \result == FR_OK && blocks == \null ==> fast_words >= 4 * d + 3 &&
      call->blocks.rows == DefaultRows(fast_words, d, q_len) &&
      call->blocks.cols == DefaultCols(fast_words, d, kv_len);
*/
fr_status fr_call_begin(size_t d, size_t q_len, size_t kv_len, size_t fast_words,
                        const fr_blocks *blocks, fr_call *call)
#if FR_REAL_MODEL
    /*@ ghost (double *o, size_t n_o, double *lse, size_t n_lse) */
#endif
    ;

/* Reports the counters into stats (when not NULL) and frees the arena. */
/*@ requires call: \valid(call);
    requires stats: stats == \null || \valid(stats);
    requires separated: stats == \null || \separated(call, stats);
    assigns *stats, call->fm.words;
    ensures reported: stats != \null ==>
      stats->fast_peak == \old(call->fm.peak) &&
      stats->io.words_read == \old(call->fm.words_read) &&
      stats->io.words_written == \old(call->fm.words_written) &&
      stats->blocks.rows == \old(call->blocks.rows) &&
      stats->blocks.cols == \old(call->blocks.cols);
*/
void fr_call_end(fr_call *call, fr_io_stats *stats);

/* The host heap. WP models neither allocation nor freeing, so these two
 * contracts are assumptions (spec/TrustBase.acsl). In the functional pass
 * the caller names three blocks it holds (ghost parameters: the request's
 * O and LSE, and the arena or nothing, n_w = 0): a fresh block lies apart
 * from live ones. */
/*@ FR_REAL(requires live: \valid(o + (0 .. n_o - 1)) && \valid(lse + (0 .. n_lse - 1)) &&
                           \valid(w + (0 .. n_w - 1));)
    assigns \nothing;
    ensures fresh: \result == \null || \valid(\result + (0 .. n - 1));
    FR_REAL(ensures apart: \result != \null ==>
              \separated(\result + (0 .. n - 1), o + (0 .. n_o - 1)) &&
              \separated(\result + (0 .. n - 1), lse + (0 .. n_lse - 1)) &&
              \separated(\result + (0 .. n - 1), w + (0 .. n_w - 1));)
*/
double *fr_host_alloc(size_t n)
#if FR_REAL_MODEL
    /*@ ghost (double *o, size_t n_o, double *lse, size_t n_lse, double *w, size_t n_w) */
#endif
    ;

/*@ assigns \nothing; */
void fr_host_free(double *words);

#endif /* FLASHREF_CALL_H */
