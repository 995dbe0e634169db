/* Throughput of the CUDA mirror (fr_cuda_attention_tiled_async).
 *
 * Shapes: d in {64, 128}, N = Nq = Nk in {1024, 4096, 16384}, B*N = 16384 and
 * H*d = 2048 (Hq = Hkv), so every shape moves the same tensors; non-causal and
 * top-left causal; Bc = 64 (any Bc up to 64 keys per tile runs in one pass).
 * FLOPs = 4 B H N^2 d, halved for causal. Each shape: one warm-up run, then
 * the median of --reps runs timed with CUDA events.
 *
 *   gpu_bench [--reps N] [--out results.tsv] [--shape D N full|causal]
 *
 * --shape runs one shape only (for a profiler: one warm-up launch, then reps).
 *
 * The .tsv (d, N, B, H, causal, median ms, TFLOP/s) is what bench/sdpa_fp64.py
 * --compare reads to print the ratio to PyTorch SDPA. Exits 77 without a GPU.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cuda_runtime_api.h>

#include "flashref.h"
#include "flashref_cuda.h"

#define MAX_REPS 50

static int cuda_ok(cudaError_t e, const char *what)
{
    if (e == cudaSuccess)
        return 1;
    fprintf(stderr, "gpu_bench: %s: %s\n", what, cudaGetErrorString(e));
    return 0;
}

static int by_value(const void *a, const void *b)
{
    float x = *(const float *)a, y = *(const float *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    int reps = 5;
    const char *out_path = NULL;
    size_t only_d = 0, only_n = 0;
    int only_causal = -1;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--reps") == 0 && i + 1 < argc) {
            reps = atoi(argv[++i]);
        } else if (strcmp(argv[i], "--out") == 0 && i + 1 < argc) {
            out_path = argv[++i];
        } else if (strcmp(argv[i], "--shape") == 0 && i + 3 < argc) {
            only_d = (size_t)strtoul(argv[i + 1], NULL, 10);
            only_n = (size_t)strtoul(argv[i + 2], NULL, 10);
            only_causal = strcmp(argv[i + 3], "causal") == 0;
            i += 3;
        } else {
            fprintf(stderr, "usage: %s [--reps N] [--out results.tsv] [--shape D N full|causal]\n",
                    argv[0]);
            return 2;
        }
    }
    if (reps < 1 || reps > MAX_REPS) {
        fprintf(stderr, "gpu_bench: --reps must be in 1 .. %d\n", MAX_REPS);
        return 2;
    }
    if (fr_cuda_device_count() == 0) {
        printf("gpu_bench: SKIPPED: no usable CUDA device\n");
        return 77;
    }
    struct cudaDeviceProp prop;
    if (!cuda_ok(cudaGetDeviceProperties(&prop, 0), "cudaGetDeviceProperties"))
        return 1;
    printf("gpu_bench: %s, %d SMs\n", prop.name, prop.multiProcessorCount);

    /* Every shape has B*H*N*d = 16384 * 2048 elements per tensor. */
    const size_t elems = (size_t)16384 * 2048;
    const size_t rows_max = (size_t)16384 * 32;   /* B*H*N, largest at d = 64 */
    float *host = malloc(elems * sizeof(float));
    if (host == NULL) {
        fprintf(stderr, "gpu_bench: out of host memory\n");
        return 1;
    }
    float *d_q = NULL, *d_k = NULL, *d_v = NULL;
    double *d_o = NULL, *d_lse = NULL;
    cudaEvent_t start = NULL, stop = NULL;
    int ok = cuda_ok(cudaMalloc((void **)&d_q, elems * sizeof(float)), "cudaMalloc") &&
             cuda_ok(cudaMalloc((void **)&d_k, elems * sizeof(float)), "cudaMalloc") &&
             cuda_ok(cudaMalloc((void **)&d_v, elems * sizeof(float)), "cudaMalloc") &&
             cuda_ok(cudaMalloc((void **)&d_o, elems * sizeof(double)), "cudaMalloc") &&
             cuda_ok(cudaMalloc((void **)&d_lse, rows_max * sizeof(double)), "cudaMalloc") &&
             cuda_ok(cudaEventCreate(&start), "cudaEventCreate") &&
             cuda_ok(cudaEventCreate(&stop), "cudaEventCreate");
    /* Random data in [-1, 1): zeros would hide unwritten outputs and can
     * run faster than real data. */
    uint64_t s = 0x243f6a8885a308d3ull;
    float *targets[3] = {d_q, d_k, d_v};
    for (int t = 0; ok && t < 3; t++) {
        for (size_t i = 0; i < elems; i++) {
            s = s * 6364136223846793005ull + 1442695040888963407ull;
            host[i] = (float)((double)(s >> 11) * 0x1p-52 - 1.0);
        }
        ok = cuda_ok(cudaMemcpy(targets[t], host, elems * sizeof(float), cudaMemcpyHostToDevice),
                     "cudaMemcpy");
    }
    free(host);

    FILE *out = NULL;
    if (ok && out_path != NULL) {
        out = fopen(out_path, "w");
        if (out == NULL) {
            fprintf(stderr, "gpu_bench: cannot write %s\n", out_path);
            ok = 0;
        } else {
            fprintf(out, "d\tN\tB\tH\tcausal\tms\ttflops\n");
        }
    }

    static const size_t dims[] = {64, 128};
    static const size_t lens[] = {1024, 4096, 16384};
    const size_t bc = 64;
    for (size_t di = 0; ok && di < 2; di++) {
        for (size_t ni = 0; ok && ni < 3; ni++) {
            for (int causal = 0; ok && causal < 2; causal++) {
                size_t d = dims[di], n = lens[ni], h = 2048 / d, b = 16384 / n;
                if (only_d != 0 && (d != only_d || n != only_n || causal != only_causal))
                    continue;
                fr_problem p = fr_problem_make(b, h, h, n, n, d,
                                               causal ? FR_CAUSAL_TOP_LEFT : FR_CAUSAL_NONE);
                float ms[MAX_REPS];
                for (int r = -1; ok && r < reps; r++) {
                    fr_cuda_status st;
                    ok = cuda_ok(cudaEventRecord(start, 0), "cudaEventRecord");
                    if (!ok)
                        break;
                    st = fr_cuda_attention_tiled_async(&p, bc, d_q, d_k, d_v, d_o, d_lse, NULL);
                    if (st != FR_CUDA_OK) {
                        fprintf(stderr, "gpu_bench: %s (%s)\n", fr_cuda_status_message(st),
                                fr_cuda_error_detail());
                        ok = 0;
                        break;
                    }
                    ok = cuda_ok(cudaEventRecord(stop, 0), "cudaEventRecord") &&
                         cuda_ok(cudaEventSynchronize(stop), "kernel execution") &&
                         (r < 0 || cuda_ok(cudaEventElapsedTime(&ms[r], start, stop),
                                           "cudaEventElapsedTime"));
                }
                if (!ok)
                    break;
                qsort(ms, (size_t)reps, sizeof ms[0], by_value);
                double median = reps % 2 ? ms[reps / 2] : 0.5 * (ms[reps / 2 - 1] + ms[reps / 2]);
                double flops = 4.0 * (double)b * (double)h * (double)n * (double)n * (double)d;
                if (causal)
                    flops *= 0.5;
                double tflops = flops / (median * 1e-3) / 1e12;
                printf("mirror d=%3zu N=%5zu B=%2zu H=%2zu %-8s %9.3f ms  %6.2f TFLOP/s"
                       "  (min %.3f max %.3f ms)\n",
                       d, n, b, h, causal ? "causal" : "full", median, tflops, ms[0],
                       ms[reps - 1]);
                if (out != NULL)
                    fprintf(out, "%zu\t%zu\t%zu\t%zu\t%s\t%.4f\t%.4f\n", d, n, b, h,
                            causal ? "causal" : "full", median, tflops);
            }
        }
    }
    if (out != NULL)
        fclose(out);
    if (start != NULL)
        ok &= cuda_ok(cudaEventDestroy(start), "cudaEventDestroy");
    if (stop != NULL)
        ok &= cuda_ok(cudaEventDestroy(stop), "cudaEventDestroy");
    void *bufs[5] = {d_q, d_k, d_v, d_o, d_lse};
    for (int i = 0; i < 5; i++)
        if (bufs[i] != NULL)
            ok &= cuda_ok(cudaFree(bufs[i]), "cudaFree");
    return ok ? 0 : 1;
}
