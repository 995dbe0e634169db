/* Componentwise forward error bounds for attention kernels, one per
 * arithmetic model: |computed O_c - exact O_c| <= bound_c and
 * |computed LSE - exact LSE| <= bound_lse for every row, computed from the
 * row's inputs and its exact results (the oracle's). error-bounds.md derives
 * the formula; this header only names its parameters.
 *
 * All models share one analysis of the two orders flashref knows:
 *   STANDARD  s = scale*QK^T, P = exp(s - m)/l, O = P V (fr_attention_standard)
 *   ONLINE    key blocks of Bc with running max, rescale by alpha = exp(m - m'),
 *             unnormalised P, O = acc / l at the end (fr_attention_tiled,
 *             FlashAttention-2/3)
 * with the rounding behaviour of each step given by the model's units and
 * counts below. */
#ifndef FLASHREF_ORACLE_BOUNDS_H
#define FLASHREF_ORACLE_BOUNDS_H

#include <stddef.h>
#include "flashref.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum fr_bound_order {
    FR_BOUND_STANDARD = 0,
    FR_BOUND_ONLINE = 1
} fr_bound_order;

typedef struct fr_bound_model {
    const char *name;
    fr_bound_order order;
    size_t block_cols;    /* ONLINE: Bc; 0 when unknown (bounded as Bc = 1, the worst) */
    double u;             /* unit roundoff of the softmax arithmetic (m, exp arguments,
                             l, alpha, rescaling, the final division and LSE) */
    double u_dot;         /* per-step error unit of the Q K^T accumulation */
    size_t dot_group;     /* k of a k-term fused adder (tensor cores); 0: IEEE steps */
    int dot_exact_products; /* q_x k_x exact in the accumulation format */
    double u_pv;          /* per-step error unit of the P V accumulation */
    size_t pv_group;      /* as dot_group, for P V */
    int fused_order;      /* flashref's own operation order (src/tile_ops.c): the bound
                             then follows it step by step (running error bounds);
                             otherwise any summation order is allowed (gamma_n) */
    double c_scale;       /* roundings of each score as a whole (scale multiply) */
    double c_arg;         /* roundings of each exp argument (s - m), alpha's included */
    double c_abs;         /* roundings of the running max that do not cancel (m*scale*log2e) */
    double c_lse_m;       /* roundings of m in the LSE that the exponentials do not share */
    double c_exp;         /* exp relative error, in units of u */
    double exp_abs;       /* exp absolute error (subnormals, flush to zero) */
    double u_p, p_abs;    /* rounding of P before P V (fp16 / bf16): relative, absolute */
    double c_log;         /* log relative error, in units of u */
    double u_out, out_abs;/* storing O in a format coarser than u (0: none) */
    double u_lse_out;     /* storing LSE in a format coarser than u (0: none) */
    double tiny;          /* underflow threshold unit of the working format */
} fr_bound_model;

/* (a) the double-precision reference: fr_attention_standard, and
 * fr_attention_tiled with key blocks of block_cols. */
fr_bound_model fr_bound_model_fp64_standard(void);
fr_bound_model fr_bound_model_fp64_tiled(size_t block_cols);

/* A double-precision kernel of unknown operation order (any summation order,
 * blocks of block_cols visited in any order, 0: unknown), faithful exp/log:
 * for comparing other double kernels with the reference. */
fr_bound_model fr_bound_model_fp64(size_t block_cols);

/* (b) an fp32 FlashAttention-2 kernel: fp32 inputs, scores and probabilities,
 * fp32 accumulation in any order within a block, exp and log faithful. */
fr_bound_model fr_bound_model_fp32(size_t block_cols);

/* (c) a tensor-core kernel: fp16 (bf16) inputs, fp32 scores through a k-term
 * fused adder that truncates (dot_group; 0 selects 1, the worst case), P
 * rounded to fp16 (bf16) for P V, fp32 accumulation, ex2.approx-class exp,
 * O stored in fp16 (bf16), LSE in fp32. */
fr_bound_model fr_bound_model_fp16_p(size_t block_cols, size_t mma_group);
fr_bound_model fr_bound_model_bf16_p(size_t block_cols, size_t mma_group);

/* Bounds for query row i of (batch b, query head h): o_bound[0 .. d-1] and
 * *lse_bound, given the row's exact O (o_exact, d values) and LSE, e.g. the
 * oracle's o64 and lse64. A row with no visible key gets 0 (O = 0 and
 * LSE = -inf exactly); a row with a NaN or infinity in its inputs, or whose
 * bound does not exist (perturbations of order 1), gets +inf.
 * FR_ERR_OUT_OF_MEMORY when scratch cannot be allocated. */
fr_status fr_error_bound_row(const fr_bound_model *model, const fr_problem *p,
                             const float *q, const float *k, const float *v,
                             size_t b, size_t h, size_t i,
                             const double *o_exact, double lse_exact,
                             double *o_bound, double *lse_bound);

#ifdef __cplusplus
}
#endif

#endif /* FLASHREF_ORACLE_BOUNDS_H */
