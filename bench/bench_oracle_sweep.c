/* bench_oracle_sweep [scale, default 1]
 * The error bounds against the oracle on a larger sweep than the test: every
 * family at several shapes, with scale times as many problems. Prints the
 * tightness table per family and overall, and fails (exit 1) if any error
 * exceeds its bound. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flashref.h"
#include "sweep.h"

typedef struct shape {
    size_t b, hq, hk, nq, nk, d;
    fr_causal causal;
} shape;

static const shape k_shapes[] = {
    { 1, 4, 2, 256, 256, 64, FR_CAUSAL_NONE },
    { 1, 4, 4, 256, 256, 128, FR_CAUSAL_TOP_LEFT },
    { 1, 8, 2, 128, 512, 32, FR_CAUSAL_BOTTOM_RIGHT },
    { 1, 4, 1, 512, 128, 16, FR_CAUSAL_BOTTOM_RIGHT },
    { 1, 2, 2, 32, 4096, 128, FR_CAUSAL_NONE },
    { 1, 1, 1, 16, 8192, 256, FR_CAUSAL_BOTTOM_RIGHT },
    { 2, 4, 2, 64, 64, 8, FR_CAUSAL_TOP_LEFT },
    { 1, 8, 8, 300, 100, 4, FR_CAUSAL_TOP_LEFT },
};

int main(int argc, char **argv)
{
    int scale = argc > 1 ? atoi(argv[1]) : 1;
    if (scale < 1)
        scale = 1;
    fr_sweep_config cfg = { 32, 64, 8, 2 };
    fr_sweep_stats fam[FR_FAMILY_COUNT];
    memset(fam, 0, sizeof fam);
    size_t n_shapes = sizeof k_shapes / sizeof k_shapes[0];
    int fail = 0;
    for (int rep = 0; rep < scale; rep++) {
        for (int f = 0; f < FR_FAMILY_COUNT; f++) {
            for (size_t s = 0; s < n_shapes; s++) {
                const shape *sh = &k_shapes[s];
                fr_problem p = fr_problem_make(sh->b, sh->hq, sh->hk, sh->nq, sh->nk, sh->d,
                                               sh->causal);
                uint64_t seed = 7919u * (uint64_t)rep + 101u * (uint64_t)s + (uint64_t)f;
                fr_status st = fr_sweep_problem(&p, (fr_family)f, seed, &cfg, &fam[f]);
                if (st != FR_OK) {
                    fprintf(stderr, "%s shape %zu: %s\n", fr_family_name((fr_family)f), s,
                            fr_status_message(st));
                    fail = 1;
                }
            }
            fprintf(stderr, "pass %d/%d: %s done\n", rep + 1, scale,
                    fr_family_name((fr_family)f));
        }
    }
    fr_sweep_stats all;
    memset(&all, 0, sizeof all);
    for (int f = 0; f < FR_FAMILY_COUNT; f++) {
        fr_sweep_print(stdout, fr_family_name((fr_family)f), &fam[f]);
        fr_sweep_merge(&all, &fam[f]);
        for (int m = 0; m < FR_SWEEP_MODELS; m++)
            fail |= fam[f].model[m].over > 0;
    }
    fr_sweep_print(stdout, "all families", &all);
    for (int m = 0; m < FR_SWEEP_MODELS; m++)
        printf("  worst %-18s %s\n", fr_sweep_model_name((fr_sweep_model)m), all.model[m].worst);
    return fail;
}
