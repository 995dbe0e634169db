/* flashref: a verified reference implementation of attention.
 *
 * What it promises
 *   - fr_attention_standard and fr_attention_tiled compute softmax attention
 *     O = softmax(scale * Q K^T) V and LSE = log(sum(exp(scale * Q K^T))) for
 *     tensors in [B, H, N, d] C order, in double arithmetic, over an explicit
 *     two-level memory model: slow memory is the caller's tensors, fast memory
 *     is an arena of M words (one word = one element), and every word moved
 *     between them is counted.
 *   - The counts equal the closed forms of fr_io_standard and fr_io_tiled,
 *     exactly, for every accepted shape. The fast-memory peak never exceeds M.
 *   - The result is bit-for-bit reproducible: every floating-point operation goes
 *     through src/prims.h (explicit fma, faithful exp and log) in a fixed order.
 *
 * Semantics at the edges (README "Semantics" has the full list)
 *   - A query row with no visible key has O = 0 and LSE = -inf.
 *   - NaN and +-inf inputs follow IEEE-754 through the fixed operation order:
 *     the result is deterministic; a NaN in a row's visible scores or values
 *     makes that row's output NaN.
 */
#ifndef FLASHREF_H
#define FLASHREF_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum fr_status {
    FR_OK = 0,
    FR_ERR_INVALID_ARGUMENT,   /* a null pointer, a zero size, Hkv not dividing Hq */
    FR_ERR_SIZE_OVERFLOW,      /* a tensor's element count overflows size_t */
    FR_ERR_FAST_MEMORY_TOO_SMALL, /* M below fr_min_fast_words(d), or blocks that do not fit */
    FR_ERR_OUT_OF_MEMORY       /* the host could not allocate a buffer */
} fr_status;

/* One line describing a status, for error messages. */
/*@ assigns \nothing; */
const char *fr_status_message(fr_status status);

typedef enum fr_causal {
    FR_CAUSAL_NONE = 0,
    FR_CAUSAL_TOP_LEFT = 1,     /* key j visible to query i iff j <= i (PyTorch is_causal) */
    FR_CAUSAL_BOTTOM_RIGHT = 2  /* key j visible iff j <= i + Nk - Nq (FlashAttention >= 2.1) */
} fr_causal;

/* The shape and semantics of one attention call. */
typedef struct fr_problem {
    size_t batch;      /* B */
    size_t q_heads;    /* Hq */
    size_t kv_heads;   /* Hkv; divides Hq; query head h reads kv head h / (Hq / Hkv) */
    size_t q_len;      /* Nq */
    size_t kv_len;     /* Nk */
    size_t head_dim;   /* d */
    fr_causal causal;
    double scale;      /* softmax scale; fr_problem_make sets 1/sqrt(d) */
} fr_problem;

#ifdef __FRAMAC__
#include "Sizes.acsl"
#include "Problem.acsl"
#endif

/* A problem with the default scale RN(1 / RN(sqrt(d))). */
/* (No ACSL assigns clause: the C library's sqrt may write errno. It does not
 * for the d >= 0 given here, but WP only sees the union of its behaviours.) */
fr_problem fr_problem_make(size_t batch, size_t q_heads, size_t kv_heads,
                           size_t q_len, size_t kv_len, size_t head_dim,
                           fr_causal causal);

/* FR_OK when every size is positive, Hkv divides Hq, the causal mode is known
 * and every tensor's element count fits in size_t. */
/*@ requires valid_or_null: p == \null || \valid_read(p);
    assigns \nothing;
    ensures ok: \result == FR_OK ==> ProblemOk(p);
*/
fr_status fr_problem_check(const fr_problem *p);

/* Tile sizes: Br query rows and Bc key/value rows per block. */
typedef struct fr_blocks {
    size_t rows;   /* Br */
    size_t cols;   /* Bc */
} fr_blocks;

#ifdef __FRAMAC__
#include "Blocks.acsl"
#include "TransferCount.acsl"
#include "TransferBound.acsl"
#endif

/* Words of fast memory the tiled and standard algorithms use with blocks b
 * and head dimension d: Br*(2d + Bc + 2) + 2*Bc*d
 * (Q tile, accumulator, score tile, m, l; K tile, V tile). */
/*@ assigns \nothing;
    ensures exact: \result < SIZE_MAX ==> \result == FastWords(b.rows, b.cols, head_dim);
*/
size_t fr_fast_words_needed(fr_blocks b, size_t head_dim);

/* The smallest M any tiling fits in: one query row and one key (Br = Bc = 1),
 * 4d + 3 words. */
/*@ assigns \nothing;
    ensures value: \result == SIZE_MAX || \result == 4 * head_dim + 3;
*/
size_t fr_min_fast_words(size_t head_dim);

/* The default tiling for fast memory of M words (the floor rule):
 *   Bc = clamp(floor(M / (6d)), 1, d)
 *   Br = floor((M - 2*Bc*d) / (2d + Bc + 2))
 * so Br*(2d + Bc + 2) + 2*Bc*d <= M by construction, Bc = Theta(min(d, M/d))
 * and Br = Theta(M/d): (6d + 5) * Br >= M for every M >= 4d + 3.
 * Br is then capped at Nq and Bc at Nk (larger blocks move no fewer words).
 * FR_ERR_FAST_MEMORY_TOO_SMALL when M < fr_min_fast_words(d). */
/*@ requires valid_or_null: out == \null || \valid(out);
    assigns *out;
    ensures fits: \result == FR_OK ==> BlocksFit(*out, head_dim, fast_words);
    ensures minimum: \result == FR_OK ==> fast_words >= 4 * head_dim + 3;
    ensures rule: \result == FR_OK ==>
      out->rows == DefaultRows(fast_words, head_dim, q_len) &&
      out->cols == DefaultCols(fast_words, head_dim, kv_len);
*/
fr_status fr_blocks_default(size_t fast_words, size_t head_dim,
                            size_t q_len, size_t kv_len, fr_blocks *out);

/* FR_OK when user-chosen blocks are positive and fit in M words. */
/*@ assigns \nothing;
    ensures fits: \result == FR_OK ==> BlocksFit(b, head_dim, fast_words);
*/
fr_status fr_blocks_check(fr_blocks b, size_t fast_words, size_t head_dim);

/* Words moved between slow and fast memory. */
typedef struct fr_io_count {
    uint64_t words_read;     /* slow -> fast */
    uint64_t words_written;  /* fast -> slow */
} fr_io_count;

typedef struct fr_io_stats {
    fr_io_count io;          /* counted during the run */
    size_t fast_peak;        /* high-water mark of fast memory in words */
    fr_blocks blocks;        /* the tiling used (the caller's, or the default) */
} fr_io_stats;

/* Closed forms of the transfer counts for the whole problem (all B*Hq heads).
 * With T = ceil(Nq/Br) query blocks, per head:
 *   standard: read  = Nq*d + 2*T*Nk*d + 4*Nq*Nk
 *             write = 2*Nq*Nk + Nq*d + Nq
 *   tiled:    read  = Nq*d + 2*d*sum_t keys(t),  write = Nq*d + Nq
 *   where keys(t) = min(Nk, Bc*ceil(e_t/Bc)) and e_t is the number of keys
 *   visible to the last row of query block t (Nk without a causal mask):
 *   the tiled algorithm skips key blocks no row of the query block can see.
 * FR_ERR_SIZE_OVERFLOW when a count does not fit in 64 bits. The contracts
 * (closed_form) state these as spec/TransferCount.acsl's StandardReads,
 * StandardWrites, TiledReads and TiledWrites: the very counts
 * fr_attention_standard and fr_attention_tiled ensure of a run. */
/*@ requires problem: p == \null || \valid_read(p);
    requires out: out == \null || \valid(out);
    requires separated: p == \null || out == \null || \separated(p, out);
    assigns *out;
    ensures closed_form: \result == FR_OK ==>
      out->words_read == StandardReads(\old(p->q_len), \old(p->kv_len), \old(p->head_dim),
                                       b.rows, \old(p->batch) * \old(p->q_heads)) &&
      out->words_written == StandardWrites(\old(p->q_len), \old(p->kv_len), \old(p->head_dim),
                                           \old(p->batch) * \old(p->q_heads));
*/
fr_status fr_io_standard(const fr_problem *p, fr_blocks b, fr_io_count *out);
/*@ requires problem: p == \null || \valid_read(p);
    requires out: out == \null || \valid(out);
    requires separated: p == \null || out == \null || \separated(p, out);
    assigns *out;
    ensures closed_form: \result == FR_OK ==>
      out->words_read == TiledReads(\old(p->causal), \old(p->q_len), \old(p->kv_len),
                                    \old(p->head_dim), b.rows, b.cols,
                                    \old(p->batch) * \old(p->q_heads)) &&
      out->words_written == TiledWrites(\old(p->q_len), \old(p->head_dim),
                                        \old(p->batch) * \old(p->q_heads));
*/
fr_status fr_io_tiled(const fr_problem *p, fr_blocks b, fr_io_count *out);

/* The tiled bound (fr_attention_tiled's within_bound, times M; proved by WP):
 *   words_read + words_written <= c1 * Nmax^2 * d^2 / M + c2 * Nmax * d
 * per head for the default tiling and any M >= 4d+3, Nmax = max(Nq, Nk), with
 * c1 = 12 + 10/d (at most 22; tends to 6 as M/d^2 grows, see README), c2 = 5. */
#define FR_TILED_BOUND_C2 5.0
/*@ assigns \nothing; */
double fr_tiled_bound_c1(size_t head_dim);
/* c1 * Nmax^2 * d^2 / M + c2 * Nmax * d, times B*Hq heads. */
/*@ requires problem: \valid_read(p);
    assigns \nothing;
*/
double fr_tiled_bound(const fr_problem *p, size_t fast_words);

/* Attention over the counted memory model.
 *   q   [B, Hq, Nq, d]   k, v [B, Hkv, Nk, d]      (slow memory, read only)
 *   o   [B, Hq, Nq, d]   lse  [B, Hq, Nq]          (slow memory, written)
 * fast_words is M. blocks == NULL selects fr_blocks_default.
 * stats may be NULL. On error nothing is guaranteed about o and lse. */
/* (The two entry points have no assigns clause: they write fast memory they
 * allocate, which WP does not model. The contracts below are the rte
 * pass's. In the functional pass fr_attention_tiled has the contract of
 * src/tiled.h instead, whose ensures output is the tiled theorem P2, and
 * fr_attention_standard that of src/standard.h, whose ensures output is P1:
 * when O and LSE lie apart, every query head's O and LSE are the
 * specification's.) */
#ifndef FLASHREF_REAL_MODEL
/*@ requires problem: p == \null || \valid_read(p);
    requires blocks: blocks == \null || \valid_read(blocks);
    requires stats: stats == \null || \valid(stats);
    requires tensors: p != \null && ProblemOk(p) ==> TensorsValid(p, q, k, v, o, lse);
    requires separated_stats: stats == \null || \separated(stats, p, blocks);
    ensures fast_peak: \result == FR_OK && stats != \null ==> stats->fast_peak <= fast_words;
    ensures given_blocks: \result == FR_OK && stats != \null && blocks != \null ==>
      stats->blocks.rows == \old(blocks->rows) && stats->blocks.cols == \old(blocks->cols);
    ensures read_count: \result == FR_OK && stats != \null &&
      TiledReads(\old(p->causal), \old(p->q_len), \old(p->kv_len), \old(p->head_dim),
                 stats->blocks.rows, stats->blocks.cols, \old(p->batch) * \old(p->q_heads)) <= UINT64_MAX ==>
      stats->io.words_read ==
      TiledReads(\old(p->causal), \old(p->q_len), \old(p->kv_len), \old(p->head_dim),
                 stats->blocks.rows, stats->blocks.cols, \old(p->batch) * \old(p->q_heads));
    ensures write_count: \result == FR_OK && stats != \null &&
      TiledWrites(\old(p->q_len), \old(p->head_dim), \old(p->batch) * \old(p->q_heads)) <= UINT64_MAX ==>
      stats->io.words_written ==
      TiledWrites(\old(p->q_len), \old(p->head_dim), \old(p->batch) * \old(p->q_heads));
    ensures default_blocks: \result == FR_OK && stats != \null && blocks == \null ==>
      stats->blocks.rows == DefaultRows(fast_words, \old(p->head_dim), \old(p->q_len)) &&
      stats->blocks.cols == DefaultCols(fast_words, \old(p->head_dim), \old(p->kv_len));
    ensures within_bound: \result == FR_OK && stats != \null && blocks == \null &&
      TiledReads(\old(p->causal), \old(p->q_len), \old(p->kv_len), \old(p->head_dim),
                 stats->blocks.rows, stats->blocks.cols, \old(p->batch) * \old(p->q_heads)) <= UINT64_MAX &&
      TiledWrites(\old(p->q_len), \old(p->head_dim), \old(p->batch) * \old(p->q_heads)) <= UINT64_MAX ==>
      fast_words * (stats->io.words_read + stats->io.words_written) <=
      \old(p->batch) * \old(p->q_heads) *
      TiledBoundTimesM(\old(p->q_len), \old(p->kv_len), \old(p->head_dim), fast_words);
*/
#endif
fr_status fr_attention_tiled(const fr_problem *p, size_t fast_words,
                             const fr_blocks *blocks,
                             const float *q, const float *k, const float *v,
                             double *o, double *lse, fr_io_stats *stats);

/* Standard attention: S = scale*Q K^T and P = softmax(S) are materialised in
 * slow memory (allocated here, Nq*Nk doubles each), then O = P V. It uses the
 * same blocks and fast memory as the tiled algorithm. With the default blocks
 * it moves between 2 and 28 times B*Hq*((Nq + Nk)*d + Nq*Nk) words, the
 * upper bound for M >= d^2 (growth): Theta(N*d + N^2) when Nq = Nk = N. */
#ifndef FLASHREF_REAL_MODEL
/*@ requires problem: p == \null || \valid_read(p);
    requires blocks: blocks == \null || \valid_read(blocks);
    requires stats: stats == \null || \valid(stats);
    requires tensors: p != \null && ProblemOk(p) ==> TensorsValid(p, q, k, v, o, lse);
    requires separated_stats: stats == \null || \separated(stats, p, blocks);
    ensures fast_peak: \result == FR_OK && stats != \null ==> stats->fast_peak <= fast_words;
    ensures given_blocks: \result == FR_OK && stats != \null && blocks != \null ==>
      stats->blocks.rows == \old(blocks->rows) && stats->blocks.cols == \old(blocks->cols);
    ensures read_count: \result == FR_OK && stats != \null &&
      StandardReads(\old(p->q_len), \old(p->kv_len), \old(p->head_dim), stats->blocks.rows,
                    \old(p->batch) * \old(p->q_heads)) <= UINT64_MAX ==>
      stats->io.words_read ==
      StandardReads(\old(p->q_len), \old(p->kv_len), \old(p->head_dim), stats->blocks.rows,
                    \old(p->batch) * \old(p->q_heads));
    ensures write_count: \result == FR_OK && stats != \null &&
      StandardWrites(\old(p->q_len), \old(p->kv_len), \old(p->head_dim), \old(p->batch) * \old(p->q_heads)) <= UINT64_MAX ==>
      stats->io.words_written ==
      StandardWrites(\old(p->q_len), \old(p->kv_len), \old(p->head_dim), \old(p->batch) * \old(p->q_heads));
    ensures default_blocks: \result == FR_OK && stats != \null && blocks == \null ==>
      stats->blocks.rows == DefaultRows(fast_words, \old(p->head_dim), \old(p->q_len)) &&
      stats->blocks.cols == DefaultCols(fast_words, \old(p->head_dim), \old(p->kv_len));
    ensures growth: \result == FR_OK && stats != \null && blocks == \null &&
      StandardReads(\old(p->q_len), \old(p->kv_len), \old(p->head_dim), stats->blocks.rows,
                    \old(p->batch) * \old(p->q_heads)) <= UINT64_MAX &&
      StandardWrites(\old(p->q_len), \old(p->kv_len), \old(p->head_dim), \old(p->batch) * \old(p->q_heads)) <= UINT64_MAX ==>
      2 * \old(p->batch) * \old(p->q_heads) * StandardGrowth(\old(p->q_len), \old(p->kv_len), \old(p->head_dim)) <=
        stats->io.words_read + stats->io.words_written &&
      (fast_words >= \old(p->head_dim) * \old(p->head_dim) ==>
        stats->io.words_read + stats->io.words_written <=
        28 * \old(p->batch) * \old(p->q_heads) * StandardGrowth(\old(p->q_len), \old(p->kv_len), \old(p->head_dim)));
*/
#endif
fr_status fr_attention_standard(const fr_problem *p, size_t fast_words,
                                const fr_blocks *blocks,
                                const float *q, const float *k, const float *v,
                                double *o, double *lse, fr_io_stats *stats);

#ifdef __cplusplus
}
#endif

#endif /* FLASHREF_H */
