/* The shapes and inputs of the GPU differential test, shared with the oracle
 * test of the same shapes (oracle_gpu_shapes.c): the GPU test checks that the
 * CUDA mirror is bit-identical to fr_attention_tiled on these inputs, and the
 * oracle test bounds fr_attention_tiled's error on the very same inputs, so
 * together they bound the GPU's error though the GPU machine has no GMP/MPFR.
 * Everything here is plain C so it builds without CUDA.
 *
 * A shape's inputs are a function of its seed alone, and the seeds and the
 * random shapes of a list are a function of the list's seed alone. */
#ifndef FLASHREF_TESTS_GPU_SHAPES_H
#define FLASHREF_TESTS_GPU_SHAPES_H

#include <stddef.h>
#include <stdint.h>

#include "flashref.h"

#define GPU_SHAPES_SEED 0x5eed0f1a54a77e57ull
#define GPU_SHAPES_REPEATS 20

typedef enum gpu_data {
    DATA_RANDOM,  /* uniform in [-1, 1] */
    DATA_LARGE,   /* uniform in [-300, 300]: large logits */
    DATA_TIES,    /* small integers and repeated keys: equal scores, ties in the max */
    DATA_GAPS,    /* logits of +1e4, -1e4 and about 0 in one row */
    DATA_TINY,    /* logits near -740 and tiny values: subnormal p, p*v underflows, -0 */
    DATA_SPECIAL  /* inf, NaN and -0 among the inputs */
} gpu_data;

extern const char *const GPU_DATA_NAMES[];
extern const char *const GPU_CAUSAL_NAMES[];

typedef struct gpu_shape {
    fr_problem p;
    size_t bc;        /* key block columns, the same on the GPU and in the reference */
    gpu_data data;
    int host;         /* the GPU run passes host pointers (FR_CUDA_MEMORY_HOST) */
    int repeats;      /* GPU runs that must agree with each other bit for bit */
    uint64_t seed;
} gpu_shape;

typedef struct gpu_shape_list {
    gpu_shape *items;
    size_t count, capacity;
} gpu_shape_list;

/* quick: the few small shapes that run under compute-sanitizer; otherwise
 * the full set. Exits on out of memory. */
void gpu_shapes_build(gpu_shape_list *l, int quick, uint64_t seed);
void gpu_shapes_free(gpu_shape_list *l);

size_t gpu_q_elems(const fr_problem *p);
size_t gpu_kv_elems(const fr_problem *p);
size_t gpu_lse_elems(const fr_problem *p);

/* Fills q [B,Hq,Nq,d], k and v [B,Hkv,Nk,d]. */
void gpu_shape_inputs(const gpu_shape *s, float *q, float *k, float *v);

/* Whether query rows [a, b) can be computed apart from the others (see
 * gpu_shape_reference). */
int gpu_shape_windowable(const fr_problem *p);

/* fr_attention_tiled with the shape's Bc, for query rows [a, b) of every
 * head, written into o [B,Hq,Nq,d] and lse [B,Hq,Nq] at their places; every
 * row gets the bits a single call on the whole problem gives it. [a, b) must
 * be [0, Nq) unless gpu_shape_windowable. Returns 0 on success. */
int gpu_shape_reference(const gpu_shape *s, const float *q, const float *k, const float *v,
                        size_t a, size_t b, double *o, double *lse);

void gpu_shape_describe(char *buf, size_t size, const gpu_shape *s);

#endif /* FLASHREF_TESTS_GPU_SHAPES_H */
