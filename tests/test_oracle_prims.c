/* fr_exp and fr_log are faithful: under one ulp against MPFR on 5 * 10^5
 * points over the ranges the algorithms use (bench_prims_ulp runs 10^8), and
 * exact on the IEEE special values. */
#include <stdio.h>

#include "prims_ulp.h"

int main(void)
{
    fr_ulp_stats e, l;
    fr_prims_ulp(300000, 200000, 2, 1, 0.0, &e, &l);
    printf("fr_exp: %llu points, max %.4f ulp (x = %.17g), mean %.4f ulp, specials %llu/%llu\n",
           (unsigned long long)e.points, e.max_ulp, e.worst_x, e.sum_ulp / (double)e.points,
           (unsigned long long)(e.special_points - e.special_failures),
           (unsigned long long)e.special_points);
    printf("fr_log: %llu points, max %.4f ulp (x = %.17g), mean %.4f ulp, specials %llu/%llu\n",
           (unsigned long long)l.points, l.max_ulp, l.worst_x, l.sum_ulp / (double)l.points,
           (unsigned long long)(l.special_points - l.special_failures),
           (unsigned long long)l.special_points);
    int fail = !(e.max_ulp < 1.0) || !(l.max_ulp < 1.0) || e.special_failures ||
               l.special_failures;
    if (fail) {
        fprintf(stderr, "test_oracle_prims: not faithful\n");
        return 1;
    }
    printf("test_oracle_prims: faithful\n");
    return 0;
}
