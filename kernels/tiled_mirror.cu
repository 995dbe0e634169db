/* The CUDA mirror of fr_attention_tiled: launch code and the C entry points
 * of include/flashref_cuda.h. The CTA body is in tiled_mirror.cuh.
 *
 * Versions: CUDA 13.0, built for sm_90 (H100/H200); kernels/CMakeLists.txt
 * passes -fmad=false, without which the bits differ from the C reference.
 * How to run: scripts/gpu-check (builds, tests, benchmarks), or call
 * fr_cuda_attention_tiled from a program linked with flashref_cuda.
 *
 * One tile configuration per padded head dimension DP in {16, 32, 64, 128,
 * 256}; d is padded with zeros up to DP (exact, see tiled_mirror.cuh). Any
 * Bc works: blocks up to KC keys take one pass, wider ones two.
 */
#include <cuda_runtime.h>

#include <limits.h>
#include <stdint.h>
#include <stdio.h>

#include "flashref_cuda.h"
#include "tiled_mirror.cuh"

namespace {

using frk::Config;
/* Measured on an H200 with bench/gpu_tiles.cu: the FP64 pipe is the limit
 * together with shared-memory wavefronts and latency; d = 64 needs two CTAs
 * per SM (one is 20% slower even without spills), d = 128 fits one.
 *                  DP   BR  KC   NT  TM TN WX TMO TNO WXO blocks/SM SU PU */
using Cfg16 = Config<16, 64, 16, 256, 2, 2, 8, 2, 2, 8, 1>;
using Cfg32 = Config<32, 64, 32, 256, 4, 2, 8, 4, 2, 8, 1>;
using Cfg64 = Config<64, 64, 64, 256, 4, 4, 16, 4, 4, 16, 2>;
using Cfg128 = Config<128, 64, 64, 256, 4, 4, 8, 4, 8, 16, 1, 8, 4>;
using Cfg256 = Config<256, 32, 32, 256, 2, 2, 8, 2, 16, 8, 1>;

template <class C>
__global__ void __launch_bounds__(C::NT, C::MIN_BLOCKS) tiled_mirror_kernel(frk::Params p)
{
    /* One declaration type for every instantiation; double2 gives 16-byte
     * alignment. */
    extern __shared__ double2 frk_smem[];
    frk::cta_run<C>(p, reinterpret_cast<double *>(frk_smem), (int)blockIdx.x, (int)threadIdx.x);
}

thread_local char g_detail[256];

fr_cuda_status record(cudaError_t err, const char *what)
{
    snprintf(g_detail, sizeof g_detail, "%s: %s (%s)", what, cudaGetErrorName(err),
             cudaGetErrorString(err));
    if (err == cudaErrorMemoryAllocation)
        return FR_CUDA_ERR_OUT_OF_MEMORY;
    if (err == cudaErrorNoDevice || err == cudaErrorInsufficientDriver)
        return FR_CUDA_ERR_NO_DEVICE;
    return FR_CUDA_ERR_RUNTIME;
}

#define FRK_TRY(call)                                   \
    do {                                                \
        cudaError_t frk_err_ = (call);                  \
        if (frk_err_ != cudaSuccess)                    \
            return record(frk_err_, #call);             \
    } while (0)

template <class C>
fr_cuda_status launch(frk::Params p, cudaStream_t stream)
{
    int device = 0, optin = 0;
    FRK_TRY(cudaGetDevice(&device));
    FRK_TRY(cudaDeviceGetAttribute(&optin, cudaDevAttrMaxSharedMemoryPerBlockOptin, device));
    if ((size_t)optin < C::SMEM_BYTES) {
        snprintf(g_detail, sizeof g_detail, "%zu bytes of shared memory per block needed, %d available",
                 C::SMEM_BYTES, optin);
        return FR_CUDA_ERR_UNSUPPORTED;
    }
    long long tiles = ((long long)p.q_len + C::BR - 1) / C::BR;
    long long ctas = tiles * p.batch * p.q_heads;
    if (ctas > INT_MAX) {
        snprintf(g_detail, sizeof g_detail, "%lld thread blocks do not fit one grid", ctas);
        return FR_CUDA_ERR_UNSUPPORTED;
    }
    p.row_tiles = (int)tiles;
    FRK_TRY(cudaFuncSetAttribute(tiled_mirror_kernel<C>,
                                 cudaFuncAttributeMaxDynamicSharedMemorySize, (int)C::SMEM_BYTES));
    tiled_mirror_kernel<C><<<(unsigned)ctas, C::NT, C::SMEM_BYTES, stream>>>(p);
    FRK_TRY(cudaGetLastError());
    return FR_CUDA_OK;
}

fr_cuda_status check_problem(const fr_problem *p, size_t block_cols)
{
    if (p == NULL || block_cols == 0)
        return FR_CUDA_ERR_INVALID_ARGUMENT;
    if (fr_problem_check(p) != FR_OK)
        return FR_CUDA_ERR_INVALID_ARGUMENT;
    const size_t len_limit = (size_t)1 << 30;
    if (p->head_dim > 256 || p->q_len >= len_limit || p->kv_len >= len_limit ||
        p->batch > INT_MAX || p->q_heads > INT_MAX || p->kv_heads > INT_MAX ||
        p->batch * p->q_heads > INT_MAX) {
        snprintf(g_detail, sizeof g_detail, "shape outside the supported range");
        return FR_CUDA_ERR_UNSUPPORTED;
    }
    return FR_CUDA_OK;
}

fr_cuda_status run_async(const fr_problem *p, size_t block_cols, const float *d_q,
                         const float *d_k, const float *d_v, double *d_o, double *d_lse,
                         cudaStream_t stream)
{
    frk::Params kp;
    kp.d_q = d_q;
    kp.d_k = d_k;
    kp.d_v = d_v;
    kp.d_o = d_o;
    kp.d_lse = d_lse;
    kp.batch = (int)p->batch;
    kp.q_heads = (int)p->q_heads;
    kp.kv_heads = (int)p->kv_heads;
    kp.q_len = (int)p->q_len;
    kp.kv_len = (int)p->kv_len;
    kp.d = (int)p->head_dim;
    kp.block_cols = (int)(block_cols < p->kv_len ? block_cols : p->kv_len);
    kp.causal = (int)p->causal;
    kp.row_tiles = 0;
    uintptr_t addr = (uintptr_t)d_q | (uintptr_t)d_k | (uintptr_t)d_v;
    kp.vec4 = p->head_dim % 4 == 0 && addr % 16 == 0;
    kp.scale = p->scale;
    size_t d = p->head_dim;
    if (d <= 16)
        return launch<Cfg16>(kp, stream);
    if (d <= 32)
        return launch<Cfg32>(kp, stream);
    if (d <= 64)
        return launch<Cfg64>(kp, stream);
    if (d <= 128)
        return launch<Cfg128>(kp, stream);
    return launch<Cfg256>(kp, stream);
}

fr_cuda_status have_device(void)
{
    int count = 0;
    cudaError_t err = cudaGetDeviceCount(&count);
    if (err != cudaSuccess)
        return record(err, "cudaGetDeviceCount");
    if (count == 0) {
        snprintf(g_detail, sizeof g_detail, "no CUDA device");
        return FR_CUDA_ERR_NO_DEVICE;
    }
    return FR_CUDA_OK;
}

} /* namespace */

extern "C" const char *fr_cuda_status_message(fr_cuda_status status)
{
    switch (status) {
    case FR_CUDA_OK: return "ok";
    case FR_CUDA_ERR_INVALID_ARGUMENT: return "invalid argument";
    case FR_CUDA_ERR_UNSUPPORTED: return "shape or device not supported by the CUDA mirror";
    case FR_CUDA_ERR_NO_DEVICE: return "no usable CUDA device";
    case FR_CUDA_ERR_OUT_OF_MEMORY: return "out of device memory";
    case FR_CUDA_ERR_RUNTIME: return "CUDA runtime error";
    }
    return "unknown status";
}

extern "C" const char *fr_cuda_error_detail(void)
{
    return g_detail;
}

extern "C" int fr_cuda_device_count(void)
{
    int count = 0;
    if (cudaGetDeviceCount(&count) != cudaSuccess)
        return 0;
    return count;
}

extern "C" fr_cuda_status fr_cuda_attention_tiled_async(const fr_problem *p, size_t block_cols,
                                                        const float *d_q, const float *d_k,
                                                        const float *d_v, double *d_o,
                                                        double *d_lse, void *stream)
{
    g_detail[0] = '\0';
    fr_cuda_status st = check_problem(p, block_cols);
    if (st != FR_CUDA_OK)
        return st;
    if (d_q == NULL || d_k == NULL || d_v == NULL || d_o == NULL || d_lse == NULL)
        return FR_CUDA_ERR_INVALID_ARGUMENT;
    st = have_device();
    if (st != FR_CUDA_OK)
        return st;
    return run_async(p, block_cols, d_q, d_k, d_v, d_o, d_lse, (cudaStream_t)stream);
}

namespace {

/* Host tensors: copies in, runs, copies out; frees on every path. */
fr_cuda_status run_host(const fr_problem *p, size_t block_cols, const float *q, const float *k,
                        const float *v, double *o, double *lse)
{
    const size_t nq = p->batch * p->q_heads * p->q_len * p->head_dim;
    const size_t nkv = p->batch * p->kv_heads * p->kv_len * p->head_dim;
    const size_t nlse = p->batch * p->q_heads * p->q_len;
    float *d_q = NULL, *d_k = NULL, *d_v = NULL;
    double *d_o = NULL, *d_lse = NULL;
    fr_cuda_status st = FR_CUDA_OK;
    cudaError_t err = cudaSuccess;
    const char *what = "";

#define FRK_STEP(call)              \
    do {                            \
        err = (call);               \
        if (err != cudaSuccess) {   \
            what = #call;           \
            goto done;              \
        }                           \
    } while (0)

    FRK_STEP(cudaMalloc((void **)&d_q, nq * sizeof(float)));
    FRK_STEP(cudaMalloc((void **)&d_k, nkv * sizeof(float)));
    FRK_STEP(cudaMalloc((void **)&d_v, nkv * sizeof(float)));
    FRK_STEP(cudaMalloc((void **)&d_o, nq * sizeof(double)));
    FRK_STEP(cudaMalloc((void **)&d_lse, nlse * sizeof(double)));
    FRK_STEP(cudaMemcpy(d_q, q, nq * sizeof(float), cudaMemcpyHostToDevice));
    FRK_STEP(cudaMemcpy(d_k, k, nkv * sizeof(float), cudaMemcpyHostToDevice));
    FRK_STEP(cudaMemcpy(d_v, v, nkv * sizeof(float), cudaMemcpyHostToDevice));
    st = run_async(p, block_cols, d_q, d_k, d_v, d_o, d_lse, 0);
    if (st != FR_CUDA_OK)
        goto done;
    FRK_STEP(cudaDeviceSynchronize());
    FRK_STEP(cudaMemcpy(o, d_o, nq * sizeof(double), cudaMemcpyDeviceToHost));
    FRK_STEP(cudaMemcpy(lse, d_lse, nlse * sizeof(double), cudaMemcpyDeviceToHost));
#undef FRK_STEP

done:
    if (err != cudaSuccess)
        st = record(err, what);
    /* Free errors after a failure would only repeat it. */
    cudaError_t free_err = cudaSuccess, e;
    const void *bufs[5] = {d_q, d_k, d_v, d_o, d_lse};
    for (int i = 0; i < 5; ++i) {
        if (bufs[i] != NULL && (e = cudaFree((void *)bufs[i])) != cudaSuccess && free_err == cudaSuccess)
            free_err = e;
    }
    if (st == FR_CUDA_OK && free_err != cudaSuccess)
        st = record(free_err, "cudaFree");
    return st;
}

} /* namespace */

extern "C" fr_cuda_status fr_cuda_attention_tiled(const fr_problem *p, size_t block_cols,
                                                  const float *q, const float *k, const float *v,
                                                  double *o, double *lse, fr_cuda_memory where)
{
    g_detail[0] = '\0';
    fr_cuda_status st = check_problem(p, block_cols);
    if (st != FR_CUDA_OK)
        return st;
    if (q == NULL || k == NULL || v == NULL || o == NULL || lse == NULL)
        return FR_CUDA_ERR_INVALID_ARGUMENT;
    if (where != FR_CUDA_MEMORY_HOST && where != FR_CUDA_MEMORY_DEVICE)
        return FR_CUDA_ERR_INVALID_ARGUMENT;
    st = have_device();
    if (st != FR_CUDA_OK)
        return st;
    if (where == FR_CUDA_MEMORY_HOST)
        return run_host(p, block_cols, q, k, v, o, lse);
    st = run_async(p, block_cols, q, k, v, o, lse, 0);
    if (st != FR_CUDA_OK)
        return st;
    FRK_TRY(cudaDeviceSynchronize());
    return FR_CUDA_OK;
}
