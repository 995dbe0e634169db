/* bench_prims_ulp [points, default 10^8] [threads, default 2]
 * fr_exp and fr_log (src/prims.h) in ulps against MPFR at 80 bits: 60% of
 * the points for exp over [-745.2, 709.8], 40% for log over (0, inf) with
 * half of those on [1, 2^31], plus edge and IEEE special values. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "prims_ulp.h"

int main(int argc, char **argv)
{
    double total = argc > 1 ? atof(argv[1]) : 1e8;
    int threads = argc > 2 ? atoi(argv[2]) : 2;
    uint64_t n_exp = (uint64_t)(0.6 * total), n_log = (uint64_t)total - n_exp;
    struct timespec t0, t1;
    timespec_get(&t0, TIME_UTC);
    fr_ulp_stats e, l;
    fr_prims_ulp(n_exp, n_log, threads, 20240601, 30.0, &e, &l);
    timespec_get(&t1, TIME_UTC);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
    printf("| function | points | max ulp | mean ulp | worst x | max ulp, normal results | "
           "worst x there | IEEE specials | faithful |\n");
    printf("|---|---|---|---|---|---|---|---|---|\n");
    const fr_ulp_stats *s[2] = { &e, &l };
    const char *names[2] = { "fr_exp", "fr_log" };
    int ok = 1;
    for (int i = 0; i < 2; i++) {
        int f = s[i]->max_ulp < 1.0 && s[i]->special_failures == 0;
        ok &= f;
        printf("| %s | %llu | %.4f | %.4f | %.17g | %.4f | %.17g | %llu/%llu exact | %s |\n",
               names[i], (unsigned long long)s[i]->points, s[i]->max_ulp,
               s[i]->sum_ulp / (double)s[i]->points, s[i]->worst_x, s[i]->max_ulp_normal,
               s[i]->worst_x_normal,
               (unsigned long long)(s[i]->special_points - s[i]->special_failures),
               (unsigned long long)s[i]->special_points, f ? "yes" : "NO");
    }
    printf("%llu points in %.0f s with %d threads\n",
           (unsigned long long)(e.points + l.points), secs, threads);
    return ok ? 0 : 1;
}
