/* Measuring the error bounds against the oracle: input families (random and
 * adversarial), and for one problem the errors of the double reference
 * (tiled and standard) and of the emulated fp32 and tensor-core kernels,
 * each divided by its bound. Shared by the oracle test and the sweep bench. */
#ifndef FLASHREF_ORACLE_SWEEP_H
#define FLASHREF_ORACLE_SWEEP_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "flashref.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum fr_family {
    FR_FAMILY_RANDOM = 0,   /* q, k, v standard normal */
    FR_FAMILY_TIES,         /* keys drawn from a few distinct rows: exact ties, in the max too */
    FR_FAMILY_GAPS,         /* q scaled by 20..200: logit gaps of hundreds to thousands */
    FR_FAMILY_CANCEL,       /* tied key pairs with opposite values: O near or exactly 0 */
    FR_FAMILY_DOMINANT,     /* one key's score 10..40 above the rest */
    FR_FAMILY_WIDE,         /* magnitudes from 2^-60 to 2^12 in one row: GMP scores */
    FR_FAMILY_COUNT
} fr_family;

const char *fr_family_name(fr_family f);

/* Fills q [B,Hq,Nq,d], k and v [B,Hkv,Nk,d] for the family, deterministically
 * from seed. */
void fr_family_fill(fr_family f, const fr_problem *p, uint64_t seed, float *q, float *k,
                    float *v);

typedef enum fr_sweep_model {
    FR_SWEEP_FP64_TILED = 0,
    FR_SWEEP_FP64_STANDARD,
    FR_SWEEP_FP32,
    FR_SWEEP_FP16_P,
    FR_SWEEP_BF16_P,
    FR_SWEEP_MODELS
} fr_sweep_model;

const char *fr_sweep_model_name(fr_sweep_model m);

typedef struct fr_sweep_model_stats {
    uint64_t elements;        /* O elements and LSEs compared */
    uint64_t over;            /* errors above their bound */
    double max_ratio_o;       /* max error / bound over O elements */
    double max_ratio_lse;
    double max_ulp_o;         /* max error in ulps of the kernel's output format
                                 (exactly zero results left out) */
    char worst[160];          /* where max_ratio_o was attained */
} fr_sweep_model_stats;

typedef struct fr_sweep_stats {
    uint64_t problems, rows, masked_rows;
    fr_sweep_model_stats model[FR_SWEEP_MODELS];
    uint64_t o_compared;       /* reference O elements (finite rows) */
    uint64_t o32_equal;        /* RN32(tiled reference) == correctly rounded float */
    uint64_t o64_equal;        /* tiled reference == correctly rounded double */
    uint64_t lse32_equal, lse64_equal, lse_compared;
    uint64_t oracle_slow, oracle_rational, oracle_wide_rows;
    double oracle_seconds;
} fr_sweep_stats;

typedef struct fr_sweep_config {
    size_t ref_block_cols;     /* Bc of the tiled reference */
    size_t kernel_block_cols;  /* Bc of the emulated kernels */
    size_t mma_group;          /* k of the emulated tensor-core adder */
    int threads;               /* oracle threads */
} fr_sweep_config;

/* Runs the oracle (on the float inputs, then on their fp16 and bf16
 * roundings), the reference and the emulated kernels on one problem and adds
 * the comparison to *st. FR_ERR_OUT_OF_MEMORY or an error of a callee. */
fr_status fr_sweep_problem(const fr_problem *p, fr_family fam, uint64_t seed,
                           const fr_sweep_config *cfg, fr_sweep_stats *st);

/* The per-model table of *st. */
void fr_sweep_print(FILE *f, const char *title, const fr_sweep_stats *st);

/* Adds part's counts into total and keeps the larger maxima (and the worst
 * case's description). */
void fr_sweep_merge(fr_sweep_stats *total, const fr_sweep_stats *part);

#ifdef __cplusplus
}
#endif

#endif /* FLASHREF_ORACLE_SWEEP_H */
