#include "tile_ops.h"
#include "lemmas_size.h"
#include "prims.h"

double fr_score(const double *q, const double *k, size_t d, double scale)
#if FR_REAL_MODEL
    /*@ ghost (const float *q_in, const float *k_in, size_t j) */
#endif
{
    double dot = 0.0;
    /*@ loop invariant 0 <= x <= d;
        FR_REAL(loop invariant dot: dot == Dot(q_in, k_in + j * d, x);)
        loop assigns x, dot;
        loop variant d - x; */
    for (size_t x = 0; x < d; x++)
        dot = fr_fma(q[x], k[x], dot);
    return fr_mul(dot, scale);
}

void fr_score_row(double *s, const double *q, const double *k_tile,
                  size_t n, size_t d, double scale)
#if FR_REAL_MODEL
    /*@ ghost (const float *q_in, const float *k_in, size_t j0) */
#endif
{
    /*@ loop invariant 0 <= c <= n;
        FR_REAL(loop invariant done: \forall integer i; 0 <= i < c ==>
                  s[i] == Score(q_in, k_in, d, scale, j0 + i);)
        FR_REAL(loop invariant q_kept: TileUnchanged{Here, Pre}(q, 1, d);)
        FR_REAL(loop invariant tile_kept: TileUnchanged{Here, Pre}(k_tile, n, d);)
        loop assigns c, s[0 .. n - 1];
        loop variant n - c; */
    for (size_t c = 0; c < n; c++) {
        //@ ghost Row_Fits(c, n, d);
        /*@ ghost FR_REAL(
              /@ assert offset: (size_t)(c * d) == c * d; @/ ;
              /@ assert key_index: (size_t)(j0 + c) == j0 + c; @/ ;
              /@ assert key: \forall integer x; 0 <= x < d ==>
                               TileValue(k_tile, d, c, x) == Value(k_in, d, j0 + c, x); @/ ;
              /@ assert query: \forall integer x; 0 <= x < d ==> q[x] == q_in[x]; @/ ;) */
        s[c] = fr_score(q, k_tile + c * d, d, scale)
#if FR_REAL_MODEL
            /*@ ghost (q_in, k_in, j0 + c) */
#endif
            ;
    }
}

double fr_row_max(const double *s, size_t n)
{
    double m = s[0];
    /*@ loop invariant 1 <= c <= n;
        FR_REAL(loop invariant max: m == TileMax(s, c);)
        loop assigns c, m;
        loop variant n - c; */
    for (size_t c = 1; c < n; c++)
        m = fr_max(m, s[c]);
    return m;
}

double fr_exp_shift_sum(double *s, size_t n, double m)
{
    double sum = 0.0;
    /*@ loop invariant 0 <= c <= n;
        FR_REAL(loop invariant done: \forall integer i; 0 <= i < c ==> s[i] == Exp(\at(s[i], Pre) - m);)
        FR_REAL(loop invariant todo: \forall integer i; c <= i < n ==> s[i] == \at(s[i], Pre);)
        FR_REAL(loop invariant sum: sum == TileExpSum{Pre}(s, c, m);)
        loop assigns c, sum, s[0 .. n - 1];
        loop variant n - c; */
    for (size_t c = 0; c < n; c++) {
        s[c] = fr_exp(fr_sub(s[c], m));
        sum = fr_add(sum, s[c]);
    }
    return sum;
}

double fr_exp_shift_accumulate(const double *s, size_t n, double m, double total)
{
    /*@ loop invariant 0 <= c <= n;
        FR_REAL(loop invariant sum: total == \at(total, Pre) + TileExpSum(s, c, m);)
        loop assigns c, total;
        loop variant n - c; */
    for (size_t c = 0; c < n; c++)
        total = fr_add(total, fr_exp(fr_sub(s[c], m)));
    return total;
}

void fr_softmax_chunk(double *s, size_t n, size_t cols, double m, double l)
{
    /* (Not a conditional expression per word: its literal 0.0 beside the
     * quotients made Why3 report "Type mismatch between real and int" on
     * the functional pass's goals.) */
    if (l == 0.0) {
        fr_row_zero(s, cols);
        return;
    }
    /*@ loop invariant 0 <= c <= n;
        FR_REAL(loop invariant done: \forall integer i; 0 <= i < c ==> s[i] == Weight(\at(s[i], Pre), m, l);)
        FR_REAL(loop invariant todo: \forall integer i; c <= i < n ==> s[i] == \at(s[i], Pre);)
        loop assigns c, s[0 .. n - 1];
        loop variant n - c; */
    for (size_t c = 0; c < n; c++)
        s[c] = fr_div(fr_exp(fr_sub(s[c], m)), l);
    /* (A loop of its own rather than fr_row_zero(s + n, ...): the provers
     * did not match that call's words (s + n)[x] with s[c].) */
    /*@ loop invariant n <= c <= cols;
        FR_REAL(loop invariant visible: \forall integer i; 0 <= i < n ==> s[i] == Weight(\at(s[i], Pre), m, l);)
        FR_REAL(loop invariant masked: \forall integer i; n <= i < c ==> s[i] == Nought;)
        loop assigns c, s[n .. cols - 1];
        loop variant cols - c; */
    for (size_t c = n; c < cols; c++)
        s[c] = 0.0;
}

void fr_row_fill(double *s, size_t n, double value)
{
    /*@ loop invariant 0 <= c <= n;
        loop assigns c, s[0 .. n - 1];
        loop variant n - c; */
    for (size_t c = 0; c < n; c++)
        s[c] = value;
}

void fr_row_scale(double *acc, size_t d, double alpha)
{
    /*@ loop invariant 0 <= x <= d;
        FR_REAL(loop invariant done: \forall integer i; 0 <= i < x ==> acc[i] == \at(acc[i], Pre) * alpha;)
        FR_REAL(loop invariant todo: \forall integer i; x <= i < d ==> acc[i] == \at(acc[i], Pre);)
        loop assigns x, acc[0 .. d - 1];
        loop variant d - x; */
    for (size_t x = 0; x < d; x++)
        acc[x] = fr_mul(acc[x], alpha);
}

void fr_row_zero(double *acc, size_t d)
{
    /*@ loop invariant 0 <= x <= d;
        FR_REAL(loop invariant done: \forall integer i; 0 <= i < x ==> acc[i] == Nought;)
        loop assigns x, acc[0 .. d - 1];
        loop variant d - x; */
    for (size_t x = 0; x < d; x++)
        acc[x] = 0.0;
}

double fr_weighted_column(const double *p, const double *v_tile, size_t n, size_t d,
                          size_t x, double sum)
{
    /*@ loop invariant 0 <= c <= n;
        FR_REAL(loop invariant sum: sum == \at(sum, Pre) + TileWeighted(p, v_tile, c, d, x);)
        loop assigns c, sum;
        loop variant n - c; */
    for (size_t c = 0; c < n; c++) {
        //@ ghost Row_Fits(c, n, d);
        /*@ ghost FR_REAL(
              /@ assert index: (size_t)(c * d + x) == c * d + x; @/ ;
              /@ assert value: v_tile[c * d + x] == TileValue(v_tile, d, c, x); @/ ;) */
        sum = fr_fma(p[c], v_tile[c * d + x], sum);
    }
    return sum;
}

void fr_row_accumulate(double *acc, const double *p, const double *v_tile,
                       size_t n, size_t d)
{
    /*@ loop invariant 0 <= x <= d;
        FR_REAL(loop invariant done: \forall integer i; 0 <= i < x ==>
                  acc[i] == \at(acc[i], Pre) + TileWeighted{Pre}(p, v_tile, n, d, i);)
        FR_REAL(loop invariant todo: \forall integer i; x <= i < d ==> acc[i] == \at(acc[i], Pre);)
        FR_REAL(loop invariant p_kept: \forall integer i; 0 <= i < n ==> p[i] == \at(p[i], Pre);)
        FR_REAL(loop invariant tile_kept: \forall integer i; 0 <= i < n * d ==>
                  v_tile[i] == \at(v_tile[i], Pre);)
        loop assigns x, acc[0 .. d - 1];
        loop variant d - x; */
    for (size_t x = 0; x < d; x++) {
        /* The columns written so far are not read: the sum of column x is
         * the same in this state as on entry (by induction on the rows). */
#if FR_REAL_MODEL
        /*@ ghost
              /@ loop invariant 0 <= j <= n;
                 loop invariant same: TileWeighted(p, v_tile, j, d, x) ==
                                      TileWeighted{Pre}(p, v_tile, j, d, x);
                 loop assigns j;
                 loop variant n - j; @/
              for (size_t j = 0; j < n; j++) {
                Row_Fits(j, n, d);
                /@ assert next: (size_t)(j + 1) == j + 1; @/
              }
        */
#endif
        acc[x] = fr_weighted_column(p, v_tile, n, d, x, acc[x]);
    }
}

void fr_row_divide(double *acc, size_t d, double l)
{
    /*@ loop invariant 0 <= x <= d;
        FR_REAL(loop invariant done: l != 0 ==> \forall integer i; 0 <= i < x ==> acc[i] == \at(acc[i], Pre) / l;)
        FR_REAL(loop invariant todo: \forall integer i; x <= i < d ==> acc[i] == \at(acc[i], Pre);)
        loop assigns x, acc[0 .. d - 1];
        loop variant d - x; */
    for (size_t x = 0; x < d; x++)
        acc[x] = fr_div(acc[x], l);
}
