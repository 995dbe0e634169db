#include "online_softmax.h"
#include "prims.h"
#include "tile_ops.h"
#include "lemmas_softmax.h"

/* The order of the steps below is the proof's, not the arithmetic's: each
 * function consumes the value tile's contents before a recursive sum enters
 * its proof context (such terms made the frame goals time out). */

void fr_online_block(double *s, const double *q, const double *k_tile, const double *v_tile,
                     size_t n, size_t d, double scale, size_t j0,
                     double *m, double *l, double *acc)
#if FR_REAL_MODEL
    /*@ ghost (const float *q_in, const float *k_in, const float *v_in) */
#endif
{
    fr_score_row(s, q, k_tile, n, d, scale)
#if FR_REAL_MODEL
        /*@ ghost (q_in, k_in, j0) */
#endif
        ;
    /*@ ghost FR_REAL(/@ assert tile_kept: TileUnchanged{Here, Pre}(v_tile, n, d); @/ ;) */
    /*@ ghost FR_REAL(/@ assert values_kept: \forall integer c, x; 0 <= c < n && 0 <= x < d ==>
                           TileValue(v_tile, d, c, x) == Value(v_in, d, j0 + c, x); @/ ;) */
    if (j0 == 0)
        fr_online_first_block(s, n, v_tile, d, m, l, acc)
#if FR_REAL_MODEL
            /*@ ghost (q_in, k_in, v_in, scale) */
#endif
            ;
    else
        fr_online_next_block(s, n, v_tile, d, m, l, acc)
#if FR_REAL_MODEL
            /*@ ghost (q_in, k_in, v_in, scale, j0) */
#endif
            ;
}

void fr_online_first_block(double *s, size_t n, const double *v_tile, size_t d,
                           double *m, double *l, double *acc)
#if FR_REAL_MODEL
    /*@ ghost (const float *q, const float *k, const float *v, double scale) */
#endif
{
    fr_row_zero(acc, d);
    /*@ ghost FR_REAL(/@ assert tile_kept: TileUnchanged{Here, Pre}(v_tile, n, d); @/ ;) */
    /*@ ghost FR_REAL(/@ assert values_kept: \forall integer c, x; 0 <= c < n && 0 <= x < d ==>
                           TileValue(v_tile, d, c, x) == Value(v, d, c, x); @/ ;) */
    /*@ ghost FR_REAL(Tile_Max(s, q, k, d, scale, 0, n);) */
    double block_max = fr_row_max(s, n);
    double shift = fr_shift_point(block_max);
    double row_sum = fr_online_weigh(s, n, v_tile, d, shift, acc)
#if FR_REAL_MODEL
        /*@ ghost (q, k, v, scale, 0) */
#endif
        ;
    *m = block_max;
    *l = row_sum;
}

void fr_online_next_block(double *s, size_t n, const double *v_tile, size_t d,
                          double *m, double *l, double *acc)
#if FR_REAL_MODEL
    /*@ ghost (const float *q, const float *k, const float *v, double scale, size_t j0) */
#endif
{
    double m_old = *m;
    double l_old = *l;
    /*@ ghost FR_REAL(/@ assert seen_sum: l_old == Denominator(q, k, d, scale, 0, j0, m_old); @/ ;) */
    /*@ ghost FR_REAL(/@ assert seen_acc: \forall integer x; 0 <= x < d ==>
                           acc[x] == Numerator(q, k, v, d, scale, 0, j0, m_old, x); @/ ;) */
    /*@ ghost FR_REAL(Tile_Max(s, q, k, d, scale, j0, n);) */
    double block_max = fr_row_max(s, n);
    double m_new = fr_max(m_old, block_max);
    /*@ ghost FR_REAL(ScoreMax_Split(q, k, d, scale, j0, n);) */
    double shift = fr_shift_point(m_new);
    double alpha = fr_exp(fr_sub(m_old, shift));
    double row_sum = fr_online_rescale_weigh(s, n, v_tile, d, shift, alpha, acc)
#if FR_REAL_MODEL
        /*@ ghost (q, k, v, scale, j0, m_old) */
#endif
        ;
    double l_new = fr_fma(alpha, l_old, row_sum);
    /*@ ghost FR_REAL(Denominator_Rescale(q, k, d, scale, j0, m_old, shift);) */
    /*@ ghost FR_REAL(Denominator_Split(q, k, d, scale, j0, n, shift);) */
    /*@ ghost FR_REAL(/@ assert sum_state: l_new == Denominator(q, k, d, scale, 0, j0 + n, m_new); @/ ;) */
    *l = l_new;
    *m = m_new;
}

void fr_online_finish(size_t n, double *m, const double *l, double *acc, size_t d)
#if FR_REAL_MODEL
    /*@ ghost (const float *q, const float *k, const float *v, double scale) */
#endif
{
    double row_max = *m;
    double sum = *l;
    /*@ ghost FR_REAL(if (n >= 1) Denominator_Positive(q, k, d, scale, 0, n, row_max);) */
    if (n == 0 || sum == 0.0) {
        fr_row_zero(acc, d);
        *m = fr_neg_inf();
        return;
    }
    /*@ ghost FR_REAL(/@ assert quotient: \forall integer x; 0 <= x < d ==>
                           acc[x] / sum == Output(q, k, v, d, scale, n, x); @/ ;) */
    fr_row_divide(acc, d, sum);
    *m = fr_add(row_max, fr_log(sum));
}

double fr_online_weigh(double *s, size_t n, const double *v_tile, size_t d,
                       double shift, double *acc)
#if FR_REAL_MODEL
    /*@ ghost (const float *q, const float *k, const float *v, double scale, size_t j0) */
#endif
{
    /*@ ghost FR_REAL(Tile_ExpSum(s, q, k, d, scale, j0, n, shift);) */
    double row_sum = fr_exp_shift_sum(s, n, shift);
    /*@ ghost FR_REAL(/@ assert tile_kept: TileUnchanged{Here, Pre}(v_tile, n, d); @/ ;) */
    /*@ ghost FR_REAL(/@ assert values_kept: \forall integer c, x; 0 <= c < n && 0 <= x < d ==>
                           TileValue(v_tile, d, c, x) == Value(v, d, j0 + c, x); @/ ;) */
    /*@ ghost FR_REAL(Tile_Weighted(s, v_tile, q, k, v, d, scale, j0, n, shift);) */
    fr_row_accumulate(acc, s, v_tile, n, d);
    return row_sum;
}

double fr_online_rescale_weigh(double *s, size_t n, const double *v_tile, size_t d,
                               double shift, double alpha, double *acc)
#if FR_REAL_MODEL
    /*@ ghost (const float *q, const float *k, const float *v, double scale, size_t j0,
               double m_old) */
#endif
{
    /*@ ghost FR_REAL(Numerator_Rescale_Row(acc, q, k, v, d, scale, j0, m_old, shift);) */
    fr_row_scale(acc, d, alpha);
    /*@ ghost FR_REAL(/@ assert rescaled: \forall integer x; 0 <= x < d ==>
                           acc[x] == Numerator(q, k, v, d, scale, 0, j0, shift, x); @/ ;) */
    /*@ ghost FR_REAL(/@ assert tile_kept: TileUnchanged{Here, Pre}(v_tile, n, d); @/ ;) */
    /*@ ghost FR_REAL(/@ assert values_kept: \forall integer c, x; 0 <= c < n && 0 <= x < d ==>
                           TileValue(v_tile, d, c, x) == Value(v, d, j0 + c, x); @/ ;) */
    double row_sum = fr_online_weigh(s, n, v_tile, d, shift, acc)
#if FR_REAL_MODEL
        /*@ ghost (q, k, v, scale, j0) */
#endif
        ;
    /*@ ghost FR_REAL(Numerator_Split(q, k, v, d, scale, j0, n, shift);) */
    return row_sum;
}
