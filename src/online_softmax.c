#include "online_softmax.h"
#include "prims.h"
#include "tile_ops.h"

void fr_online_first_block(double *s, size_t n, const double *v_tile, size_t d,
                           double *m, double *l, double *acc)
{
    double block_max = fr_row_max(s, n);
    *m = block_max;
    *l = fr_exp_shift_sum(s, n, fr_shift_point(block_max));
    fr_row_zero(acc, d);
    fr_row_accumulate(acc, s, v_tile, n, d);
}

void fr_online_next_block(double *s, size_t n, const double *v_tile, size_t d,
                          double *m, double *l, double *acc)
{
    double block_max = fr_row_max(s, n);
    double m_new = fr_max(*m, block_max);
    double shift = fr_shift_point(m_new);
    double alpha = fr_exp(fr_sub(*m, shift));
    double row_sum = fr_exp_shift_sum(s, n, shift);
    *l = fr_fma(alpha, *l, row_sum);
    *m = m_new;
    fr_row_scale(acc, d, alpha);
    fr_row_accumulate(acc, s, v_tile, n, d);
}
