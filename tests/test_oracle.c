/* The error bounds against the oracle on random and adversarial rows: the
 * double reference (tiled and standard) must stay within bound (a) on every
 * element, the emulated fp32 and tensor-core kernels within (b) and (c).
 * Prints the tightness (max error / bound) per model and family, and how
 * often the reference rounded to float is the correctly rounded float. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flashref.h"
#include "sweep.h"

typedef struct shape {
    fr_family fam;
    size_t batch, q_heads, kv_heads, q_len, kv_len, d;
    fr_causal causal;
} shape;

#define N_ FR_CAUSAL_NONE
#define TL FR_CAUSAL_TOP_LEFT
#define BR FR_CAUSAL_BOTTOM_RIGHT

static const shape k_shapes[] = {
    { FR_FAMILY_RANDOM, 1, 4, 2, 64, 256, 64, N_ },
    { FR_FAMILY_RANDOM, 1, 2, 1, 128, 128, 128, TL },
    { FR_FAMILY_RANDOM, 2, 2, 2, 48, 96, 32, BR },
    { FR_FAMILY_RANDOM, 1, 4, 1, 96, 48, 16, BR },      /* 48 fully masked rows per head */
    { FR_FAMILY_RANDOM, 1, 1, 1, 16, 8192, 64, BR },    /* N = 8192 */
    { FR_FAMILY_RANDOM, 1, 1, 1, 6, 8192, 256, BR },    /* N = 8192, d = 256 */
    { FR_FAMILY_RANDOM, 1, 2, 1, 8, 1024, 256, N_ },    /* d = 256 */
    { FR_FAMILY_RANDOM, 1, 2, 2, 200, 300, 8, TL },
    { FR_FAMILY_RANDOM, 1, 8, 2, 256, 64, 16, TL },
    { FR_FAMILY_RANDOM, 1, 8, 8, 256, 32, 4, BR },
    { FR_FAMILY_RANDOM, 1, 4, 2, 300, 100, 16, BR },    /* 200 fully masked rows per head */
    { FR_FAMILY_RANDOM, 1, 4, 4, 100, 300, 16, TL },
    { FR_FAMILY_RANDOM, 1, 8, 2, 256, 128, 16, N_ },
    { FR_FAMILY_TIES, 1, 4, 2, 64, 128, 32, N_ },
    { FR_FAMILY_TIES, 1, 2, 1, 100, 100, 64, TL },
    { FR_FAMILY_TIES, 1, 4, 4, 32, 512, 16, BR },
    { FR_FAMILY_TIES, 2, 4, 2, 64, 64, 8, N_ },
    { FR_FAMILY_GAPS, 1, 4, 2, 64, 256, 64, N_ },
    { FR_FAMILY_GAPS, 1, 4, 1, 128, 128, 32, TL },
    { FR_FAMILY_GAPS, 1, 2, 2, 150, 100, 16, BR },
    { FR_FAMILY_GAPS, 1, 1, 1, 8, 4096, 128, BR },
    { FR_FAMILY_CANCEL, 1, 4, 2, 64, 256, 32, N_ },
    { FR_FAMILY_CANCEL, 1, 4, 4, 128, 128, 16, TL },
    { FR_FAMILY_CANCEL, 1, 2, 1, 96, 192, 64, BR },
    { FR_FAMILY_DOMINANT, 1, 4, 2, 64, 256, 64, N_ },
    { FR_FAMILY_DOMINANT, 1, 4, 4, 128, 128, 32, TL },
    { FR_FAMILY_DOMINANT, 1, 2, 1, 64, 2048, 128, BR },
    { FR_FAMILY_DOMINANT, 1, 8, 4, 128, 64, 16, TL },
    { FR_FAMILY_WIDE, 1, 4, 2, 64, 64, 32, N_ },
    { FR_FAMILY_WIDE, 1, 2, 2, 64, 128, 16, TL },
};

int main(void)
{
    fr_sweep_config cfg = { 16, 64, 8, 2 };
    fr_sweep_stats all, fam[FR_FAMILY_COUNT];
    memset(&all, 0, sizeof all);
    memset(fam, 0, sizeof fam);
    int failures = 0;
    size_t n_shapes = sizeof k_shapes / sizeof k_shapes[0];
    for (size_t s = 0; s < n_shapes; s++) {
        const shape *sh = &k_shapes[s];
        fr_problem p = fr_problem_make(sh->batch, sh->q_heads, sh->kv_heads, sh->q_len,
                                       sh->kv_len, sh->d, sh->causal);
        fr_status st = fr_sweep_problem(&p, sh->fam, 1000 + s, &cfg, &fam[sh->fam]);
        if (st != FR_OK) {
            fprintf(stderr, "FAIL shape %zu: %s\n", s, fr_status_message(st));
            failures++;
        }
    }
    for (int f = 0; f < FR_FAMILY_COUNT; f++) {
        fr_sweep_print(stdout, fr_family_name((fr_family)f), &fam[f]);
        fr_sweep_merge(&all, &fam[f]);
        for (int m = 0; m < FR_SWEEP_MODELS; m++) {
            const fr_sweep_model_stats *b = &fam[f].model[m];
            if (b->over > 0) {
                fprintf(stderr, "FAIL %s, %s: %llu errors above the bound; worst %s\n",
                        fr_family_name((fr_family)f), fr_sweep_model_name((fr_sweep_model)m),
                        (unsigned long long)b->over, b->worst);
                failures++;
            }
        }
    }
    fr_sweep_print(stdout, "all families", &all);
    for (int m = 0; m < FR_SWEEP_MODELS; m++)
        printf("  worst %-18s %s\n", fr_sweep_model_name((fr_sweep_model)m), all.model[m].worst);
    if (all.rows - all.masked_rows < 10000) {
        fprintf(stderr, "FAIL only %llu rows with visible keys measured\n",
                (unsigned long long)(all.rows - all.masked_rows));
        failures++;
    }
    if (failures) {
        fprintf(stderr, "test_oracle: %d failure(s)\n", failures);
        return 1;
    }
    printf("test_oracle: all bounds hold\n");
    return 0;
}
