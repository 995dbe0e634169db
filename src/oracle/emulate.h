/* CPU emulations of two GPU kernel classes, to measure bounds (b) and (c) of
 * bounds.h against the oracle. Both follow FlashAttention-2's forward pass:
 * key blocks of Bc visited from the last to the first, running max, scores
 * scaled by RN32(scale * log2 e) inside exp2 (x = fma(s, c, -RN32(m c))),
 * alpha = exp2(RN32(RN32(m - m') c)), l = l alpha + rowsum, acc = acc alpha +
 * P V, then O = acc / l and LSE = m RN32(scale) + log(l).
 *
 *   fp32:  every operation an IEEE fp32 operation; P V and Q K^T as fma chains.
 *   tc:    inputs in fp16 or bf16; Q K^T and P V through a tensor-core block
 *          FMA over groups of mma_group products: exact products, addends
 *          aligned to the largest exponent and truncated to 24 bits, the sum
 *          rounded toward zero to fp32 (Fasi, Higham, Mikaitis, Pranesh,
 *          "Numerical behavior of NVIDIA tensor cores", PeerJ CS 2021); P
 *          rounded to nearest fp16/bf16 before P V while the row sum uses the
 *          fp32 P; O rounded to fp16/bf16.
 * They are models for the bounds, not replacements for the kernels. */
#ifndef FLASHREF_ORACLE_EMULATE_H
#define FLASHREF_ORACLE_EMULATE_H

#include <stddef.h>
#include "flashref.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum fr_half_format {
    FR_HALF_FP16 = 0,
    FR_HALF_BF16 = 1
} fr_half_format;

/* x rounded to nearest-even fp16 or bf16 (subnormals kept, overflow to inf). */
float fr_round_half(float x, fr_half_format fmt);

/* o [B,Hq,Nq,d] and lse [B,Hq,Nq] in float; rows without a visible key get
 * O = 0 and LSE = -inf. */
fr_status fr_emulate_fp32(const fr_problem *p, size_t block_cols, const float *q,
                          const float *k, const float *v, float *o, float *lse);

/* q, k, v must hold values representable in fmt (fr_round_half). */
fr_status fr_emulate_tc(const fr_problem *p, size_t block_cols, size_t mma_group,
                        fr_half_format fmt, const float *q, const float *k, const float *v,
                        float *o, float *lse);

#ifdef __cplusplus
}
#endif

#endif /* FLASHREF_ORACLE_EMULATE_H */
