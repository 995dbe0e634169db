/* flashref's exact-arithmetic oracle: attention correctly rounded.
 *
 * For float inputs Q [B,Hq,Nq,d], K and V [B,Hkv,Nk,d] and the semantics of
 * fr_attention_tiled (GQA: query head h reads kv head h / (Hq/Hkv); causal
 * prefixes from fr_visible_keys; the scale taken as the exact double
 * p->scale), the oracle returns, for every requested query row,
 *   O_c = sum_j e^(s_j - m) v_jc / sum_j e^(s_j - m),
 *   LSE = m + log sum_j e^(s_j - m),
 * where s_j = scale * (q . k_j) is the exact real score, m the largest visible
 * one, rounded to nearest-even double and to nearest-even float (subnormals
 * and overflow to infinity included). Nothing is approximated away: scores are
 * exact integers times a power of two, and a value is only rounded once an
 * enclosure of it is known to round to a single number (Ziv's strategy,
 * raising the MPFR precision until it does; rational results such as the mean
 * of tied keys are recognised and divided exactly).
 *
 * Rows
 *   - A row with no visible key is MASKED: O = 0, LSE = -inf, as in the
 *     reference.
 *   - A row whose q, or whose visible keys' k or v, hold a NaN or an infinity
 *     is NONFINITE: the exact result is not a real number, the oracle writes
 *     NaN to O and LSE and callers should treat the row as not comparable.
 *   - Rows outside the requested subset are SKIPPED and left untouched.
 *
 * Cost: exact scores in 128-bit integers (GMP when a row's exponent range does
 * not fit), one certified double-double exponential per (row, key), P V in
 * double-double with a running error bound, MPFR only to decide roundings and
 * for the rare outputs the fast enclosure cannot decide. */
#ifndef FLASHREF_ORACLE_H
#define FLASHREF_ORACLE_H

#include <stddef.h>
#include <stdint.h>
#include "flashref.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum fr_oracle_row {
    FR_ORACLE_ROW_SKIPPED = 0,
    FR_ORACLE_ROW_EXACT = 1,
    FR_ORACLE_ROW_MASKED = 2,
    FR_ORACLE_ROW_NONFINITE = 3
} fr_oracle_row;

/* Where the results go; any pointer may be NULL.
 *   o64, o32, o_res   [B, Hq, Nq, d]
 *   lse64, lse32, lse_res, row   [B, Hq, Nq]
 * o_res and lse_res hold the residual exact - o64 (resp. exact - lse64) to
 * about 2^-80 of the row's scale: o64 + o_res measures another result's error
 * far below one ulp of a double. row holds an fr_oracle_row per query row. */
typedef struct fr_oracle_out {
    double *o64;
    float *o32;
    double *o_res;
    double *lse64;
    float *lse32;
    double *lse_res;
    unsigned char *row;
} fr_oracle_out;

typedef struct fr_oracle_options {
    const size_t *rows;    /* query positions evaluated in every (batch, head); NULL: all */
    size_t row_count;
    int threads;           /* worker threads; 0 selects 2 */
    double progress;       /* seconds between progress lines on stderr; 0: silent */
    int slow_only;         /* decide every output through MPFR (for testing the fast path) */
} fr_oracle_options;

typedef struct fr_oracle_stats {
    uint64_t rows;             /* rows evaluated, all kinds */
    uint64_t masked_rows;
    uint64_t nonfinite_rows;
    uint64_t wide_rows;        /* rows whose scores needed GMP */
    uint64_t fast_outputs;     /* O elements and LSEs decided by the fast enclosure */
    uint64_t slow_outputs;     /* ... that needed MPFR */
    uint64_t rational_outputs; /* ... found rational and divided exactly */
    uint64_t unresolved_outputs; /* left undecided at the precision cap, written as NaN;
                                    never seen in practice */
    unsigned max_precision;    /* the highest MPFR precision the slow path used */
    double seconds;
} fr_oracle_stats;

/* Fills out for the requested rows. FR_ERR_INVALID_ARGUMENT for a bad problem,
 * null tensors or a row index >= Nq; FR_ERR_OUT_OF_MEMORY when buffers cannot
 * be allocated. opt may be NULL (all rows, 2 threads, silent). */
fr_status fr_oracle_attention(const fr_problem *p, const float *q, const float *k,
                              const float *v, const fr_oracle_options *opt,
                              fr_oracle_out *out, fr_oracle_stats *stats);

/* A seeded subset of query positions for sampling large problems: row 0,
 * row Nq-1 and every row with no visible key, then distinct rows drawn
 * uniformly until count rows are chosen (or all Nq). rows must hold Nq
 * entries; they come back sorted. Returns how many were chosen. */
size_t fr_oracle_sample_rows(const fr_problem *p, size_t count, uint64_t seed, size_t *rows);

#ifdef __cplusplus
}
#endif

#endif /* FLASHREF_ORACLE_H */
