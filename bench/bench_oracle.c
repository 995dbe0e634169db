/* bench_oracle [--quick]
 * Time of the exact oracle, as a table: the headline is one full head at
 * N = 4096, d = 128 (every output correctly rounded to double and float);
 * then causal, other head sizes, and row sampling on larger problems.
 * Wall time depends on what else the machine runs; CPU time does not. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "flashref.h"
#include "oracle.h"
#include "sweep.h"

typedef struct bcase {
    const char *name;
    size_t nq, nk, d;
    fr_causal causal;
    size_t rows;       /* sampled rows; 0: all */
} bcase;

static double wall(void)
{
    struct timespec ts;
    timespec_get(&ts, TIME_UTC);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int main(int argc, char **argv)
{
    int quick = argc > 1 && strcmp(argv[1], "--quick") == 0;
    static const bcase cases[] = {
        { "N=4096 d=128, full head", 4096, 4096, 128, FR_CAUSAL_NONE, 0 },
        { "N=4096 d=128, causal", 4096, 4096, 128, FR_CAUSAL_TOP_LEFT, 0 },
        { "N=4096 d=64, full head", 4096, 4096, 64, FR_CAUSAL_NONE, 0 },
        { "N=16384 d=128, 256 rows", 16384, 16384, 128, FR_CAUSAL_NONE, 256 },
        { "N=8192 d=256, 128 rows", 8192, 8192, 256, FR_CAUSAL_BOTTOM_RIGHT, 128 },
    };
    size_t n_cases = quick ? 1 : sizeof cases / sizeof cases[0];
    printf("| problem (1 head, random normal) | rows | wall s | CPU s | CPU us/row | "
           "outputs via MPFR | max MPFR bits |\n");
    printf("|---|---|---|---|---|---|---|\n");
    for (size_t c = 0; c < n_cases; c++) {
        const bcase *bc = &cases[c];
        fr_problem p = fr_problem_make(1, 1, 1, bc->nq, bc->nk, bc->d, bc->causal);
        size_t nq = bc->nq * bc->d, nkv = bc->nk * bc->d;
        float *q = malloc(nq * 4), *k = malloc(nkv * 4), *v = malloc(nkv * 4);
        double *o = malloc(nq * 8), *lse = malloc(bc->nq * 8);
        float *o32 = malloc(nq * 4), *lse32 = malloc(bc->nq * 4);
        size_t *rows = malloc(bc->nq * sizeof *rows);
        if (!q || !k || !v || !o || !lse || !o32 || !lse32 || !rows) {
            fprintf(stderr, "out of memory\n");
            return 1;
        }
        fr_family_fill(FR_FAMILY_RANDOM, &p, 42 + c, q, k, v);
        size_t n_rows = bc->rows ? fr_oracle_sample_rows(&p, bc->rows, 1, rows) : 0;
        fr_oracle_out out = { o, o32, NULL, lse, lse32, NULL, NULL };
        fr_oracle_options opt = { bc->rows ? rows : NULL, n_rows, 2, 10.0, 0 };
        fr_oracle_stats st;
        clock_t c0 = clock();
        double w0 = wall();
        fr_status s = fr_oracle_attention(&p, q, k, v, &opt, &out, &st);
        double w1 = wall();
        double cpu = (double)(clock() - c0) / CLOCKS_PER_SEC;
        if (s != FR_OK) {
            fprintf(stderr, "%s: %s\n", bc->name, fr_status_message(s));
            return 1;
        }
        printf("| %s | %llu | %.2f | %.2f | %.0f | %llu | %u |\n", bc->name,
               (unsigned long long)st.rows, w1 - w0, cpu, 1e6 * cpu / (double)st.rows,
               (unsigned long long)st.slow_outputs, st.max_precision);
        fflush(stdout);
        free(q);
        free(k);
        free(v);
        free(o);
        free(lse);
        free(o32);
        free(lse32);
        free(rows);
    }
    return 0;
}
