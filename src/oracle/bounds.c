/* The error bounds of error-bounds.md, evaluated for one row.
 *
 * The bound is a function of the exact row (scores s_j, probabilities P_j,
 * values v_j, exact O and LSE). Those are evaluated here in double (scores in
 * double-double), to a relative accuracy of about (2n + d + 30)u: far below
 * the final factor 1 + 2^-30 that turns the evaluated expression into an
 * upper bound of the mathematical one. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bounds.h"
#include "dd.h"
#include "mask.h"

static fr_bound_model base_model(void)
{
    fr_bound_model m;
    memset(&m, 0, sizeof m);
    return m;
}

fr_bound_model fr_bound_model_fp64_standard(void)
{
    fr_bound_model m = base_model();
    m.name = "fp64-standard";
    m.order = FR_BOUND_STANDARD;
    m.u = 0x1p-53;
    m.u_dot = 0x1p-53;
    m.dot_exact_products = 1;        /* float * float is exact in double */
    m.u_pv = 0x1p-53;
    m.fused_order = 1;
    m.c_scale = 1;                   /* RN(dot * scale) */
    m.c_arg = 1;                     /* RN(s - m) */
    m.c_exp = 2;                     /* fr_exp is faithful: < 1 ulp <= 2u */
    m.exp_abs = 0x1p-1074;
    m.p_abs = 0x1p-1074;             /* RN(e / l) may be subnormal */
    m.c_log = 2;
    m.tiny = 0x1p-1074;
    return m;
}

fr_bound_model fr_bound_model_fp64_tiled(size_t block_cols)
{
    fr_bound_model m = fr_bound_model_fp64_standard();
    m.name = "fp64-tiled";
    m.order = FR_BOUND_ONLINE;
    m.block_cols = block_cols;
    m.c_arg = 1;                     /* RN(s - m') and RN(m - m') telescope */
    m.p_abs = 0.0;
    return m;
}

fr_bound_model fr_bound_model_fp64(size_t block_cols)
{
    fr_bound_model m = fr_bound_model_fp64_tiled(block_cols);
    m.name = "fp64";
    m.fused_order = 0;
    m.dot_exact_products = 1;
    m.c_scale = 1;
    m.c_arg = 2;                     /* RN(s - m) and alpha's RN(m - m'), in any grouping */
    m.c_abs = 0;
    return m;
}

fr_bound_model fr_bound_model_fp32(size_t block_cols)
{
    fr_bound_model m = base_model();
    m.name = "fp32";
    m.order = FR_BOUND_ONLINE;
    m.block_cols = block_cols;
    m.u = 0x1p-24;
    m.u_dot = 0x1p-24;
    m.u_pv = 0x1p-24;
    m.c_scale = 2;                   /* RN32(scale), RN32(dot * scale) */
    m.c_arg = 3;                     /* RN32(scale*log2e), the fma or subtraction, alpha's product */
    m.c_abs = 1;                     /* RN32(m * scale * log2e) differs from block to block */
    m.c_lse_m = 3;                   /* LSE's RN32(m * RN32(scale)) is not the exponentials' m */
    m.c_exp = 2;                     /* expf / exp2f faithful */
    m.exp_abs = 0x1p-149;
    m.c_log = 2;
    m.tiny = 0x1p-149;
    return m;
}

static fr_bound_model tensor_core_model(size_t block_cols, size_t mma_group, double u_in,
                                        double in_abs)
{
    fr_bound_model m = fr_bound_model_fp32(block_cols);
    m.dot_group = mma_group > 0 ? mma_group : 1;
    m.pv_group = m.dot_group;
    m.dot_exact_products = 1;        /* fp16*fp16 and bf16*bf16 are exact in fp32 */
    m.u_dot = 0x1p-23;               /* truncating (round-toward-zero) accumulation: 2 u32 */
    m.u_pv = 0x1p-23;
    m.c_exp = 4;                     /* ex2.approx.f32: 2 ulp */
    m.exp_abs = 0x1p-126;            /* .ftz flushes subnormal results */
    m.c_log = 4;                     /* lg2.approx.f32-class log */
    m.u_p = u_in;
    m.p_abs = in_abs;
    m.u_out = u_in;
    m.out_abs = in_abs;
    m.tiny = 0x1p-126;
    return m;
}

fr_bound_model fr_bound_model_fp16_p(size_t block_cols, size_t mma_group)
{
    fr_bound_model m = tensor_core_model(block_cols, mma_group, 0x1p-11, 0x1p-25);
    m.name = "fp16-p";
    return m;
}

fr_bound_model fr_bound_model_bf16_p(size_t block_cols, size_t mma_group)
{
    /* bf16 subnormals may be flushed: absolute error up to 2^-126 */
    fr_bound_model m = tensor_core_model(block_cols, mma_group, 0x1p-8, 0x1p-126);
    m.name = "bf16-p";
    return m;
}

/* gamma_k = k unit / (1 - k unit), +inf once k unit >= 1/2 (no useful bound). */
static double gamma_k(double k, double unit)
{
    double x = k * unit;
    if (!(x < 0.5))
        return HUGE_VAL;
    return x / (1.0 - x);
}

static size_t ceil_div(size_t a, size_t b)
{
    return a / b + (a % b != 0);
}

static void fill(double *x, size_t n, double value)
{
    for (size_t i = 0; i < n; i++)
        x[i] = value;
}

typedef struct row_work {
    double *gap;     /* m - s_j >= 0 */
    double *delta;   /* bound on |computed s_j - s_j| */
    double *pj;      /* P_j */
    double *a;       /* P_j rho_bar_j */
    double *bw;      /* P_j (1 + rho_bar_j) */
} row_work;

/* Scores of the row in double-double, their error bounds and the exact
 * softmax. Returns m (the largest score); *L = sum_j e^(s_j - m). */
static double row_scores(const fr_bound_model *M, const fr_problem *p, const float *qr,
                         const float *kh, size_t n, row_work *w, double *L, double *m_abs)
{
    size_t d = p->head_dim;
    double u = M->u, scale = p->scale, ascale = fabs(scale);
    size_t n_dot = M->dot_group > 0 ? d + ceil_div(d, M->dot_group)
                                    : (M->dot_exact_products ? d - 1 : d);
    double g_dot = gamma_k((double)n_dot, M->u_dot);
    /* (1 + u)^d, for the running bound of flashref's fma chain */
    double grow = exp((double)d * log1p(M->u_dot));
    fr_dd smax = { -HUGE_VAL, 0.0 };
    *m_abs = 0.0;
    for (size_t j = 0; j < n; j++) {
        const float *kr = kh + j * d;
        fr_dd dot = { 0.0, 0.0 };
        double abs_dot = 0.0, partial = 0.0;
        for (size_t c = 0; c < d; c++) {
            double prod = (double)qr[c] * (double)kr[c];
            dot = fr_dd_add_d(dot, prod);
            abs_dot += fabs(prod);
            if (c > 0)
                partial += fabs(dot.hi + dot.lo);
        }
        /* fma chain from 0, products exact: step x errs by <= u |D_x|, the
         * exact partial sum, plus u times the error so far */
        double e_dot = M->fused_order ? M->u_dot * grow * partial * (1.0 + 0x1p-40)
                                      : g_dot * abs_dot;
        fr_dd sj = fr_dd_mul_d(dot, scale);
        double s_abs = fabs(sj.hi);
        w->delta[j] = ascale * e_dot * (1.0 + M->c_scale * u) * (1.0 + u) +
                      M->c_scale * u * (s_abs + ascale * e_dot) * (1.0 + u) +
                      ((double)d * ascale + 2.0) * M->tiny;
        if (j == 0 || sj.hi > smax.hi || (sj.hi == smax.hi && sj.lo > smax.lo))
            smax = sj;
        if (s_abs > *m_abs)
            *m_abs = s_abs;
        w->gap[j] = sj.hi;        /* provisional: the score itself */
        w->pj[j] = sj.lo;
    }
    double sum = 0.0;
    for (size_t j = 0; j < n; j++) {
        fr_dd g = fr_dd_add(smax, (fr_dd){ -w->gap[j], -w->pj[j] });
        double gap = g.hi + g.lo;
        w->gap[j] = gap > 0.0 ? gap : 0.0;
        w->pj[j] = exp(-w->gap[j]);
        sum += w->pj[j];
    }
    for (size_t j = 0; j < n; j++)
        w->pj[j] /= sum;
    *L = sum;
    return smax.hi + smax.lo;
}

fr_status fr_error_bound_row(const fr_bound_model *model, const fr_problem *p,
                             const float *q, const float *k, const float *v,
                             size_t b, size_t h, size_t i,
                             const double *o_exact, double lse_exact,
                             double *o_bound, double *lse_bound)
{
    if (model == NULL || p == NULL || q == NULL || k == NULL || v == NULL ||
        o_exact == NULL || o_bound == NULL || lse_bound == NULL ||
        fr_problem_check(p) != FR_OK || b >= p->batch || h >= p->q_heads || i >= p->q_len)
        return FR_ERR_INVALID_ARGUMENT;
    const fr_bound_model *M = model;
    size_t d = p->head_dim;
    size_t n = fr_visible_keys(p->causal, i, p->q_len, p->kv_len);
    if (n == 0) {
        fill(o_bound, d, 0.0);
        *lse_bound = 0.0;
        return FR_OK;
    }
    size_t hk = h / (p->q_heads / p->kv_heads);
    const float *qr = q + ((b * p->q_heads + h) * p->q_len + i) * d;
    const float *kh = k + (b * p->kv_heads + hk) * p->kv_len * d;
    const float *vh = v + (b * p->kv_heads + hk) * p->kv_len * d;
    int finite = isfinite(lse_exact);
    for (size_t c = 0; c < d; c++)
        finite &= isfinite(qr[c]) && isfinite(o_exact[c]);
    for (size_t j = 0; j < n * d; j++)
        finite &= isfinite(kh[j]) && isfinite(vh[j]);
    if (!finite) {
        fill(o_bound, d, HUGE_VAL);
        *lse_bound = HUGE_VAL;
        return FR_OK;
    }
    double *buf = malloc(5 * n * sizeof *buf);
    if (buf == NULL)
        return FR_ERR_OUT_OF_MEMORY;
    row_work w = { buf, buf + n, buf + 2 * n, buf + 3 * n, buf + 4 * n };
    double u = M->u;
    double L = 0.0, m_abs = 0.0;
    double m_val = row_scores(M, p, qr, kh, n, &w, &L, &m_abs);
    double delta_max = 0.0;
    for (size_t j = 0; j < n; j++) {
        if (w.delta[j] > delta_max)
            delta_max = w.delta[j];
    }
    double mu_bar = delta_max + M->c_abs * u * (m_abs + delta_max);

    /* blocks of the online order */
    int online = M->order == FR_BOUND_ONLINE;
    size_t bc = online && M->block_cols > 0 ? M->block_cols : (online ? 1 : n);
    size_t T = ceil_div(n, bc);
    int known_order = M->fused_order && (!online || M->block_cols > 0);

    /* rho_j: weight perturbations shared by numerator and denominator */
    double log_exp_up = log1p(M->c_exp * u), log_exp_dn = log1p(-M->c_exp * u);
    double sum_a = 0.0, sum_b = 0.0, sum_c = 0.0;
    for (size_t j = 0; j < n; j++) {
        double gap = w.gap[j], dj = w.delta[j];
        double tj = dj + M->c_arg * u * (gap + dj + delta_max) +
                    M->c_abs * u * (m_abs + delta_max);
        size_t after = online ? (known_order ? T - 1 - j / bc : T - 1) : 0;
        double k_exp = 1.0 + (double)after;
        double up = tj + k_exp * log_exp_up;      /* log(1 + rho_bar) */
        double dn = -tj + k_exp * log_exp_dn;     /* log(1 - rho_lo) */
        double aj, bj, cj;
        if (w.pj[j] == 0.0) {
            /* e^(s_j - m) underflows: bound the term's share directly */
            bj = exp(-gap - log(L) + up);
            aj = bj;
            cj = 0.0;
        } else {
            aj = w.pj[j] * expm1(up);
            bj = w.pj[j] + aj;
            cj = -w.pj[j] * expm1(dn);
        }
        w.a[j] = aj;
        w.bw[j] = bj;
        sum_a += aj;
        sum_b += bj;
        sum_c += cj;
    }

    /* e_l: |computed l - sum of the computed weights|, relative to L */
    double e_l;
    if (known_order && online) {
        /* block row sums from 0 (first addition exact), then l = fma(alpha, l, rowsum) */
        double total = 0.0;
        e_l = 0.0;
        for (size_t j0 = 0; j0 < n; j0 += bc) {
            size_t j1 = n - j0 < bc ? n : j0 + bc;
            double part = 0.0, e_rs = 0.0;
            for (size_t j = j0; j < j1; j++) {
                part += w.bw[j];
                if (j > j0)
                    e_rs += u * (part + e_rs);
            }
            total += part;
            e_l = j0 == 0 ? e_rs : e_l + e_rs + u * (total + e_l + e_rs);
        }
    } else if (known_order) {
        double part = 0.0;
        e_l = 0.0;
        for (size_t j = 0; j < n; j++) {
            part += w.bw[j];
            if (j > 0)
                e_l += u * (part + e_l);
        }
    } else {
        size_t first = n < bc ? n : bc;
        double l_ops = 2.0;                      /* alpha * l, then + rowsum */
        e_l = gamma_k((double)(first - 1) + l_ops * (double)(T - 1), u) * sum_b;
    }
    e_l *= 1.0 + 0x1p-40;
    double den = 1.0 - sum_c - e_l;
    if (!(den > 0.0) || !isfinite(sum_b) || !isfinite(e_l)) {
        fill(o_bound, d, HUGE_VAL);
        *lse_bound = HUGE_VAL;
        free(buf);
        return FR_OK;
    }
    /* absolute errors made in the kernel's units (largest weight about 1)
     * become relative ones after the division by l >= L den e^-mu_bar; the
     * standard order divides before P V, so its P errors are already relative */
    double scale_abs = 2.0 * exp(mu_bar) / (L * den);
    double scale_p = online ? scale_abs : 1.0;
    double ops = (double)(2 * n + 2 * T + d + 4);
    double nu_gen = 0.0;
    if (!known_order) {
        double count = (double)n + 2.0 * (double)T +
                       (M->pv_group > 0 ? (double)(ceil_div(n, M->pv_group) + T) : 0.0);
        if (!online)
            count = (double)n;
        nu_gen = gamma_k(count, M->u_pv);
    }
    /* (1 + a)(1 + b) - 1 as a + b + ab: in double, 1 + u itself rounds to 1 */
    double nu_p = online ? M->u_p : M->u_p + u + M->u_p * u;           /* RN(e / l) */
    double u_div = online ? u : 0.0;
    const double inflate = 1.0 + 0x1p-30;

    for (size_t c = 0; c < d; c++) {
        double oc = o_exact[c], aoc = fabs(oc);
        double dev = 0.0, mag = 0.0, vabs = 0.0, vmax = 0.0;
        double A = 0.0, R = 0.0, Rb = 0.0, e_n = 0.0;
        for (size_t j = 0; j < n; j++) {
            double vv = (double)vh[j * d + c];
            double av = fabs(vv);
            dev += w.a[j] * (fabs(vv - oc) + u * aoc);
            mag += w.bw[j] * av;
            vabs += av;
            if (av > vmax)
                vmax = av;
            if (known_order) {
                /* running bound of the P V chain, in flashref's order */
                if (online && j > 0 && j % bc == 0)
                    e_n += u * (fabs(A) + R + e_n);          /* acc * alpha */
                A += w.pj[j] * vv;
                R += w.a[j] * av;
                Rb += w.bw[j] * av;
                if (online)
                    e_n += u * (fabs(A) + R + e_n);          /* fma */
                else
                    e_n += u * ((fabs(A) + R + nu_p * Rb) / den + e_n);
            }
        }
        double e_num;      /* numerator errors besides the weights' */
        double e_chain = 0.0;
        if (known_order && online) {
            e_num = e_n + nu_p * mag;
        } else if (known_order) {
            e_num = nu_p * mag;        /* RN(e / l); the chain is added after the division */
            e_chain = e_n;
        } else {
            e_num = (nu_p + nu_gen + nu_p * nu_gen) * mag;
        }
        e_num *= 1.0 + 0x1p-40;
        double num = dev + e_num + aoc * e_l;
        double e_abs = (scale_p * M->p_abs * vabs +
                        scale_abs * M->exp_abs * (vabs + (double)n * aoc)) * 2.0 +
                       ops * M->tiny * (vmax + aoc + 1.0) * (scale_abs + 1.0);
        double e_t = num / den + e_abs + e_chain * (1.0 + 0x1p-40);
        double e = e_t + u_div * (aoc + e_t);
        e += M->u_out * (aoc + e) + M->out_abs;
        o_bound[c] = e * inflate;
    }

    /* LSE = m + log(l): the shift cancels, only the relative error of l and
     * the roundings of log and of the final addition remain */
    double abs_l = scale_abs * den * ((double)n * M->exp_abs + ops * M->tiny);
    double up_l = log1p(sum_a + e_l + abs_l);
    double dn_l = -log1p(-(sum_c + e_l));
    double Lam = up_l > dn_l ? up_l : dn_l;
    double G = lse_exact - m_val;
    if (G < 0.0)
        G = 0.0;
    double e_pre = Lam + M->c_lse_m * u * fabs(m_val) * (1.0 + u) +
                   M->c_log * u * (G + mu_bar + Lam);
    double e_l_out = e_pre + u * (fabs(lse_exact) + e_pre);
    e_l_out += M->u_lse_out * (fabs(lse_exact) + e_l_out);
    *lse_bound = e_l_out * inflate;
    free(buf);
    return FR_OK;
}
