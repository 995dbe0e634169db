/* Tile sweep for the CUDA mirror: times other tilings of tiled_mirror.cuh
 * against the library's and checks that each gives the library's bits (the
 * row tiling, thread layout and unrolling must not change a result).
 *
 * Versions: CUDA 13.0, sm_90. Built only with -DFLASHREF_CUDA_TILE_SWEEP=ON
 * (scripts/gpu-check --profile turns it on); run: gpu_tiles [--reps N].
 * Shapes: d in {64, 128}, N = 4096, B = 4, H = 2048 / d, Bc = 64, full and
 * causal (timed), plus an untimed masked shape with Nq != Nk and Bc = 100.
 */
#include <cuda_runtime.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <algorithm>
#include <vector>

#include "flashref_cuda.h"
#include "tiled_mirror.cuh"

namespace {

using frk::Config;

template <class C>
__global__ void __launch_bounds__(C::NT, C::MIN_BLOCKS) sweep_kernel(frk::Params p)
{
    extern __shared__ double2 sweep_smem[];
    frk::cta_run<C>(p, reinterpret_cast<double *>(sweep_smem), (int)blockIdx.x, (int)threadIdx.x);
}

template <class C>
cudaError_t launch(frk::Params p)
{
    long long tiles = ((long long)p.q_len + C::BR - 1) / C::BR;
    p.row_tiles = (int)tiles;
    cudaError_t e = cudaFuncSetAttribute(sweep_kernel<C>, cudaFuncAttributeMaxDynamicSharedMemorySize,
                                         (int)C::SMEM_BYTES);
    if (e != cudaSuccess)
        return e;
    sweep_kernel<C><<<(unsigned)(tiles * p.batch * p.q_heads), C::NT, C::SMEM_BYTES>>>(p);
    return cudaGetLastError();
}

struct Variant {
    int dp;
    const char *name;
    cudaError_t (*run)(frk::Params);
};

/*                                 DP   BR  KC   NT TM TN WX TMO TNO WXO blk SU PU */
const Variant VARIANTS[] = {
    {128, "128 64x64 s4x4 o4x8 w8/16 u8/4 (lib)", launch<Config<128, 64, 64, 256, 4, 4, 8, 4, 8, 16, 1, 8, 4>>},
    {128, "128 64x64 s4x4 o4x8 w8 u4/4", launch<Config<128, 64, 64, 256, 4, 4, 8, 4, 8, 8, 1>>},
    {128, "128 64x64 s4x4 o4x8 w8 u2/2", launch<Config<128, 64, 64, 256, 4, 4, 8, 4, 8, 8, 1, 2, 2>>},
    {128, "128 64x64 s4x4 o4x8 w16 u4/4", launch<Config<128, 64, 64, 256, 4, 4, 16, 4, 8, 16, 1>>},
    {128, "128 64x64 s4x4 o4x8 w4 u4/4", launch<Config<128, 64, 64, 256, 4, 4, 4, 4, 8, 4, 1>>},
    {128, "128 128x32 s4x4 o8x8 w8 u1/1", launch<Config<128, 128, 32, 256, 4, 4, 8, 8, 8, 8, 1, 1, 1>>},
    {64, "64 64x64 s4x4 o4x4 w16 2/SM u4/4 (lib)", launch<Config<64, 64, 64, 256, 4, 4, 16, 4, 4, 16, 2>>},
    {64, "64 64x64 s4x4 o4x4 w8 2/SM u4/4", launch<Config<64, 64, 64, 256, 4, 4, 8, 4, 4, 8, 2>>},
    {64, "64 64x64 s4x4 o4x4 w8 1/SM u4/4", launch<Config<64, 64, 64, 256, 4, 4, 8, 4, 4, 8, 1>>},
    {64, "64 64x64 s4x4 o4x4 w8 2/SM u2/2", launch<Config<64, 64, 64, 256, 4, 4, 8, 4, 4, 8, 2, 2, 2>>},
    {64, "64 128x64 s8x4 o8x4 w8 1/SM u1/1", launch<Config<64, 128, 64, 256, 8, 4, 8, 8, 4, 8, 1, 1, 1>>},
    {64, "64 64x64 s4x4 o4x4 w4 2/SM u4/4", launch<Config<64, 64, 64, 256, 4, 4, 4, 4, 4, 4, 2>>},
};

#define CHECK(call)                                                                   \
    do {                                                                              \
        cudaError_t e_ = (call);                                                      \
        if (e_ != cudaSuccess) {                                                      \
            fprintf(stderr, "gpu_tiles: %s: %s\n", #call, cudaGetErrorString(e_));   \
            exit(1);                                                                  \
        }                                                                             \
    } while (0)

struct Shape {
    size_t b, h, nq, nk, d, bc;
    fr_causal causal;
    bool timed;
};

frk::Params params(const Shape &s, const float *q, const float *k, const float *v, double *o,
                   double *lse)
{
    fr_problem p = fr_problem_make(s.b, s.h, s.h, s.nq, s.nk, s.d, s.causal);
    frk::Params kp;
    memset(&kp, 0, sizeof kp);
    kp.d_q = q;
    kp.d_k = k;
    kp.d_v = v;
    kp.d_o = o;
    kp.d_lse = lse;
    kp.batch = (int)s.b;
    kp.q_heads = kp.kv_heads = (int)s.h;
    kp.q_len = (int)s.nq;
    kp.kv_len = (int)s.nk;
    kp.d = (int)s.d;
    kp.block_cols = (int)std::min(s.bc, s.nk);
    kp.causal = (int)s.causal;
    kp.vec4 = s.d % 4 == 0;
    kp.scale = p.scale;
    return kp;
}

} /* namespace */

int main(int argc, char **argv)
{
    int reps = 3;
    if (argc == 3 && strcmp(argv[1], "--reps") == 0)
        reps = std::max(1, atoi(argv[2]));
    if (fr_cuda_device_count() == 0) {
        printf("gpu_tiles: SKIPPED: no usable CUDA device\n");
        return 77;
    }
    const size_t elems = (size_t)16384 * 2048;
    std::vector<float> host(elems);
    float *dq, *dk, *dv;
    double *d_ref_o, *d_ref_l, *d_o, *d_l;
    CHECK(cudaMalloc(&dq, elems * sizeof(float)));
    CHECK(cudaMalloc(&dk, elems * sizeof(float)));
    CHECK(cudaMalloc(&dv, elems * sizeof(float)));
    CHECK(cudaMalloc(&d_ref_o, elems * sizeof(double)));
    CHECK(cudaMalloc(&d_o, elems * sizeof(double)));
    CHECK(cudaMalloc(&d_ref_l, elems / 32 * sizeof(double)));
    CHECK(cudaMalloc(&d_l, elems / 32 * sizeof(double)));
    unsigned long long st = 0x9e3779b97f4a7c15ull;
    for (float *t : {dq, dk, dv}) {
        for (auto &x : host) {
            st = st * 6364136223846793005ull + 1442695040888963407ull;
            x = (float)((double)(st >> 11) * 0x1p-52 - 1.0);
        }
        CHECK(cudaMemcpy(t, host.data(), elems * sizeof(float), cudaMemcpyHostToDevice));
    }
    cudaEvent_t e0, e1;
    CHECK(cudaEventCreate(&e0));
    CHECK(cudaEventCreate(&e1));
    std::vector<double> ref_o, ref_l, got_o, got_l;

    int mismatches = 0;
    for (size_t d : {128, 64}) {
        const Shape shapes[] = {
            {4, 2048 / d, 4096, 4096, d, 64, FR_CAUSAL_NONE, true},
            {4, 2048 / d, 4096, 4096, d, 64, FR_CAUSAL_TOP_LEFT, true},
            {2, 3, 333, 517, d, 100, FR_CAUSAL_BOTTOM_RIGHT, false},
        };
        for (const Shape &s : shapes) {
            size_t no = s.b * s.h * s.nq * s.d, nl = s.b * s.h * s.nq;
            fr_problem p = fr_problem_make(s.b, s.h, s.h, s.nq, s.nk, s.d, s.causal);
            fr_cuda_status fst = fr_cuda_attention_tiled_async(&p, s.bc, dq, dk, dv, d_ref_o, d_ref_l, NULL);
            if (fst != FR_CUDA_OK) {
                fprintf(stderr, "gpu_tiles: library: %s\n", fr_cuda_error_detail());
                return 1;
            }
            CHECK(cudaDeviceSynchronize());
            ref_o.resize(no);
            ref_l.resize(nl);
            got_o.resize(no);
            got_l.resize(nl);
            CHECK(cudaMemcpy(ref_o.data(), d_ref_o, no * sizeof(double), cudaMemcpyDeviceToHost));
            CHECK(cudaMemcpy(ref_l.data(), d_ref_l, nl * sizeof(double), cudaMemcpyDeviceToHost));
            double flops = 4.0 * s.b * s.h * (double)s.nq * s.nk * s.d * (s.causal ? 0.5 : 1.0);
            printf("d=%zu Nq=%zu Nk=%zu B=%zu H=%zu Bc=%zu %s\n", s.d, s.nq, s.nk, s.b, s.h, s.bc,
                   s.causal == FR_CAUSAL_NONE ? "full" : s.causal == FR_CAUSAL_TOP_LEFT ? "causal"
                                                                                       : "bottom-right");
            for (const Variant &v : VARIANTS) {
                if ((size_t)v.dp != s.d)
                    continue;
                frk::Params kp = params(s, dq, dk, dv, d_o, d_l);
                CHECK(cudaMemset(d_o, 0xff, no * sizeof(double)));
                CHECK(cudaMemset(d_l, 0xff, nl * sizeof(double)));
                CHECK(v.run(kp));
                CHECK(cudaDeviceSynchronize());
                CHECK(cudaMemcpy(got_o.data(), d_o, no * sizeof(double), cudaMemcpyDeviceToHost));
                CHECK(cudaMemcpy(got_l.data(), d_l, nl * sizeof(double), cudaMemcpyDeviceToHost));
                bool same = memcmp(got_o.data(), ref_o.data(), no * sizeof(double)) == 0 &&
                            memcmp(got_l.data(), ref_l.data(), nl * sizeof(double)) == 0;
                mismatches += !same;
                if (!s.timed) {
                    printf("  %-40s %s\n", v.name, same ? "same bits" : "DIFFERENT BITS");
                    continue;
                }
                std::vector<float> ms(reps);
                for (int r = 0; r < reps; r++) {
                    CHECK(cudaEventRecord(e0));
                    CHECK(v.run(kp));
                    CHECK(cudaEventRecord(e1));
                    CHECK(cudaEventSynchronize(e1));
                    CHECK(cudaEventElapsedTime(&ms[r], e0, e1));
                }
                std::sort(ms.begin(), ms.end());
                float med = ms[reps / 2];
                printf("  %-40s %9.3f ms %6.2f TFLOP/s  %s\n", v.name, med, flops / (med * 1e-3) / 1e12,
                       same ? "same bits" : "DIFFERENT BITS");
            }
        }
    }
    printf("gpu_tiles: %d variant run(s) with different bits\n", mismatches);
    return mismatches != 0;
}
