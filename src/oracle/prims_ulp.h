/* Accuracy of flashref's fr_exp and fr_log (src/prims.h) in ulps, against
 * MPFR at 80 bits (the reference's own error is below 2^-27 ulp). Points are
 * spread over the ranges the algorithms use, plus the special values. */
#ifndef FLASHREF_ORACLE_PRIMS_ULP_H
#define FLASHREF_ORACLE_PRIMS_ULP_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct fr_ulp_stats {
    uint64_t points;
    double max_ulp, sum_ulp;      /* mean = sum_ulp / points */
    double worst_x;               /* where max_ulp was attained */
    double max_ulp_normal;        /* ... over exact results >= 2^-1022 */
    double worst_x_normal;
    uint64_t special_points, special_failures;   /* IEEE special cases checked exactly */
} fr_ulp_stats;

/* n_exp points for exp over [-745.2, 709.8] (uniform, the softmax range
 * [-40, 0], small |x|, every binade), n_log for log over (0, inf) (uniform on
 * [1, 2^31], near 1, (0, 1), every binade including subnormals). threads >= 1;
 * progress > 0 prints a line on stderr that often (seconds). */
void fr_prims_ulp(uint64_t n_exp, uint64_t n_log, int threads, uint64_t seed, double progress,
                  fr_ulp_stats *exp_stats, fr_ulp_stats *log_stats);

#ifdef __cplusplus
}
#endif

#endif /* FLASHREF_ORACLE_PRIMS_ULP_H */
