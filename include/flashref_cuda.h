/* flashref CUDA mirror: the tiled algorithm of fr_attention_tiled on a GPU,
 * bit for bit.
 *
 * What it promises
 *   - For a problem p and key-block size Bc (the cols of the fr_blocks the C
 *     reference runs with), O and LSE equal those of fr_attention_tiled bit for
 *     bit, NaN payloads aside (a NaN output is NaN on both sides). The query-row
 *     tiling is the kernel's own: rows are independent, so Br does not change a
 *     result. Runs are deterministic: the same inputs give the same bits.
 *   - Every floating-point operation is the reference's, in the reference's
 *     order, through src/prims.h compiled with nvcc -fmad=false. FP64 tensor
 *     cores are not used: their accumulation order is not the reference's.
 *
 * Shapes (C order, as in flashref.h)
 *   q   [B, Hq, Nq, d]  float      k, v  [B, Hkv, Nk, d]  float
 *   o   [B, Hq, Nq, d]  double     lse   [B, Hq, Nq]      double
 *   Query head h reads kv head h / (Hq / Hkv). 1 <= d <= 256.
 *
 * Errors are returned as fr_cuda_status codes; nothing here aborts or prints.
 * fr_cuda_error_detail() names the CUDA runtime error behind the last
 * FR_CUDA_ERR_RUNTIME, FR_CUDA_ERR_OUT_OF_MEMORY or FR_CUDA_ERR_NO_DEVICE
 * returned to the calling thread.
 */
#ifndef FLASHREF_CUDA_H
#define FLASHREF_CUDA_H

#include <stddef.h>

#include "flashref.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum fr_cuda_status {
    FR_CUDA_OK = 0,
    FR_CUDA_ERR_INVALID_ARGUMENT, /* fr_problem_check fails, a null pointer, block_cols == 0 */
    FR_CUDA_ERR_UNSUPPORTED,      /* d > 256, lengths >= 2^30, too many row tiles for one grid,
                                     or a device without enough shared memory per block */
    FR_CUDA_ERR_NO_DEVICE,        /* no CUDA device or no usable driver */
    FR_CUDA_ERR_OUT_OF_MEMORY,    /* a device allocation failed */
    FR_CUDA_ERR_RUNTIME           /* any other CUDA runtime error, launch or execution */
} fr_cuda_status;

/* Where the tensor pointers live. */
typedef enum fr_cuda_memory {
    FR_CUDA_MEMORY_HOST = 0,   /* host memory: copied to the device and back here */
    FR_CUDA_MEMORY_DEVICE = 1  /* device memory (cudaMalloc); nothing is copied */
} fr_cuda_memory;

/* One line describing a status. */
const char *fr_cuda_status_message(fr_cuda_status status);

/* The CUDA runtime's name and description of the last error returned to this
 * thread, or "" when there was none. */
const char *fr_cuda_error_detail(void);

/* Number of CUDA devices this process can use; 0 when there is none or the
 * driver cannot be loaded (never an error). */
int fr_cuda_device_count(void);

/* Attention on the current device, synchronously: returns once o and lse hold
 * the result (or an error is known).
 *   p           the problem (fr_problem_make sets the default scale)
 *   block_cols  Bc, the key-block size of the reference run to mirror;
 *               values above Nk act as Nk, as in the reference
 *   q, k, v     inputs, shapes above, in `where` memory
 *   o, lse      outputs, shapes above, in `where` memory
 * Device pointers must not alias each other. On error nothing is guaranteed
 * about o and lse. */
fr_cuda_status fr_cuda_attention_tiled(const fr_problem *p, size_t block_cols,
                                       const float *q, const float *k, const float *v,
                                       double *o, double *lse, fr_cuda_memory where);

/* The same on device pointers, enqueued on `stream` (a cudaStream_t; NULL is
 * the legacy default stream) without waiting: only argument and launch errors
 * are reported here, execution errors at the caller's next synchronisation. */
fr_cuda_status fr_cuda_attention_tiled_async(const fr_problem *p, size_t block_cols,
                                             const float *d_q, const float *d_k,
                                             const float *d_v, double *d_o, double *d_lse,
                                             void *stream);

#ifdef __cplusplus
}
#endif

#endif /* FLASHREF_CUDA_H */
