/* `flashref check`: another kernel's attention output against the exact
 * oracle, under an error-bound model (src/oracle/bounds.h).
 *
 *   flashref check --q Q.npy --k K.npy --v V.npy --o O.npy [--lse LSE.npy]
 *                  [--causal none|top-left|bottom-right] [--scale S]
 *                  [--model fp64|fp64-tiled|fp64-standard|fp32|fp16-p|bf16-p]
 *                  [--block-cols Bc] [--mma-group k] [--rows K] [--seed S]
 *                  [--threads T] [--json]
 *
 * Exit status: 1 when an element exceeds its bound or is NaN/inf where the
 * exact result is finite, 0 otherwise, 2 for a bad command line or unreadable
 * or inconsistent files. */
#ifndef FLASHREF_CLI_CHECK_H
#define FLASHREF_CLI_CHECK_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "flashref.h"
#include "bounds.h"

#ifdef __cplusplus
extern "C" {
#endif

/* argv[0] is "check"; returns the exit status. */
int fr_cli_check(int argc, char **argv);

/* A stored format: precision in bits and minimum normal exponent. */
typedef struct fr_check_format {
    const char *name;
    int prec, emin;
} fr_check_format;

extern const fr_check_format FR_CHECK_F64, FR_CHECK_F32, FR_CHECK_F16, FR_CHECK_BF16;

typedef struct fr_check_request {
    fr_problem problem;
    const float *q, *k, *v;
    const double *o;              /* the kernel's O, [B,Hq,Nq,d], widened exactly */
    const double *lse;            /* its LSE [B,Hq,Nq], or NULL */
    fr_check_format o_format, lse_format;
    fr_bound_model model;         /* u_out and u_lse_out are set from the formats */
    size_t rows;                  /* query positions per head, sampled; 0: all */
    uint64_t seed;
    int threads;
    double progress;              /* seconds between progress lines; 0: silent */
} fr_check_request;

typedef struct fr_check_worst {
    size_t b, h, i, c;            /* c == d for the LSE */
    double got, exact, error, bound, ulps;
    int set;
} fr_check_worst;

typedef struct fr_check_part {
    uint64_t compared;            /* elements of comparable rows */
    uint64_t over;                /* error above the bound (NaN where the exact is finite too) */
    uint64_t nonfinite;           /* NaN or inf where the exact value is finite */
    double max_ulps, max_ratio;
    fr_check_worst worst_ratio, worst_ulps;
} fr_check_part;

typedef struct fr_check_report {
    uint64_t rows, masked_rows, not_comparable_rows;
    fr_check_part o, lse;
    double seconds;
    int failed;                   /* the exit status would be 1 */
} fr_check_report;

/* The comparison itself. o_bound, when not NULL, receives the bound of every
 * checked element ([B,Hq,Nq,d]; rows not checked are left alone). */
fr_status fr_check_run(const fr_check_request *req, fr_check_report *rep, double *o_bound);

/* The report as text or as one JSON object. */
void fr_check_print(FILE *f, const fr_check_request *req, const fr_check_report *rep);
void fr_check_print_json(FILE *f, const fr_check_request *req, const fr_check_report *rep);

#ifdef __cplusplus
}
#endif

#endif /* FLASHREF_CLI_CHECK_H */
