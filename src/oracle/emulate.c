#include <limits.h>
#include <math.h>
#include <stdlib.h>

#include "emulate.h"
#include "mask.h"

float fr_round_half(float x, fr_half_format fmt)
{
    if (!isfinite(x) || x == 0.0f)
        return x;
    int prec = fmt == FR_HALF_FP16 ? 11 : 8;
    int emin = fmt == FR_HALF_FP16 ? -14 : -126;
    double max = fmt == FR_HALF_FP16 ? 65504.0 : ldexp(2.0 - 0x1p-7, 127);
    double xd = (double)x;
    int e = ilogb(xd);
    if (e < emin)
        e = emin;
    double quantum = ldexp(1.0, e - (prec - 1));
    double r = nearbyint(xd / quantum) * quantum;     /* ties to even */
    if (fabs(r) > max)
        r = copysign(HUGE_VAL, xd);
    return (float)r;
}

/* fp32 round toward zero of a double. */
static float rz_float(double x)
{
    float f = (float)x;
    if (fabs((double)f) > fabs(x))
        f = nextafterf(f, 0.0f);
    return f;
}

/* The tensor-core block FMA: acc + sum of terms (exact products), every
 * addend truncated to a multiple of 2^(emax - 23) where emax is the largest
 * exponent among them, the exact sum of those rounded toward zero to fp32.
 * At most 1 + 64 addends of 25 bits: the double sum is exact. */
static float block_fma(float acc, const double *terms, size_t n)
{
    int emax = INT_MIN;
    if (acc != 0.0f)
        emax = ilogb((double)acc);
    for (size_t i = 0; i < n; i++) {
        if (terms[i] != 0.0 && ilogb(terms[i]) > emax)
            emax = ilogb(terms[i]);
    }
    if (emax == INT_MIN)
        return 0.0f;
    double quantum = ldexp(1.0, emax - 23);
    double sum = trunc((double)acc / quantum) * quantum;
    for (size_t i = 0; i < n; i++)
        sum += trunc(terms[i] / quantum) * quantum;
    return rz_float(sum);
}

#define MAX_GROUP 64

static float mma_dot(const float *a, const float *b, size_t d, size_t group)
{
    double terms[MAX_GROUP];
    float acc = 0.0f;
    for (size_t x0 = 0; x0 < d; x0 += group) {
        size_t n = d - x0 < group ? d - x0 : group;
        for (size_t t = 0; t < n; t++)
            terms[t] = (double)a[x0 + t] * (double)b[x0 + t];
        acc = block_fma(acc, terms, n);
    }
    return acc;
}

static float fma_dot(const float *a, const float *b, size_t d)
{
    float acc = 0.0f;
    for (size_t x = 0; x < d; x++)
        acc = fmaf(a[x], b[x], acc);
    return acc;
}

typedef struct kernel_kind {
    int tc;
    size_t group;
    fr_half_format fmt;
} kernel_kind;

static fr_status emulate(const fr_problem *p, size_t block_cols, kernel_kind kind,
                         const float *q, const float *k, const float *v, float *o, float *lse)
{
    if (p == NULL || q == NULL || k == NULL || v == NULL || o == NULL || lse == NULL ||
        fr_problem_check(p) != FR_OK || block_cols == 0 ||
        (kind.tc && (kind.group == 0 || kind.group > MAX_GROUP)))
        return FR_ERR_INVALID_ARGUMENT;
    size_t d = p->head_dim, nk = p->kv_len, group = p->q_heads / p->kv_heads;
    float *s = malloc(block_cols * sizeof *s);
    float *acc = malloc(d * sizeof *acc);
    float *p16 = malloc(block_cols * sizeof *p16);
    if (s == NULL || acc == NULL || p16 == NULL) {
        free(s);
        free(acc);
        free(p16);
        return FR_ERR_OUT_OF_MEMORY;
    }
    float scale_f = (float)p->scale;
    float c = (float)(p->scale * 1.4426950408889634);   /* RN32(scale * log2 e) */
    double terms[MAX_GROUP];
    for (size_t b = 0; b < p->batch; b++) {
        for (size_t h = 0; h < p->q_heads; h++) {
            size_t hk = h / group;
            const float *kh = k + (b * p->kv_heads + hk) * nk * d;
            const float *vh = v + (b * p->kv_heads + hk) * nk * d;
            for (size_t i = 0; i < p->q_len; i++) {
                size_t row = (b * p->q_heads + h) * p->q_len + i;
                const float *qr = q + row * d;
                float *orow = o + row * d;
                size_t n = fr_visible_keys(p->causal, i, p->q_len, nk);
                if (n == 0) {
                    for (size_t x = 0; x < d; x++)
                        orow[x] = 0.0f;
                    lse[row] = -HUGE_VALF;
                    continue;
                }
                float m = -HUGE_VALF, l = 0.0f;
                for (size_t x = 0; x < d; x++)
                    acc[x] = 0.0f;
                size_t blocks = (n + block_cols - 1) / block_cols;
                for (size_t blk = blocks; blk-- > 0;) {
                    size_t j0 = blk * block_cols;
                    size_t cnt = n - j0 < block_cols ? n - j0 : block_cols;
                    float bm = -HUGE_VALF;
                    for (size_t t = 0; t < cnt; t++) {
                        const float *kr = kh + (j0 + t) * d;
                        s[t] = kind.tc ? mma_dot(qr, kr, d, kind.group) : fma_dot(qr, kr, d);
                        bm = fmaxf(bm, s[t]);
                    }
                    float m_new = fmaxf(m, bm);
                    float mc = m_new * c;
                    float alpha = m == -HUGE_VALF ? 0.0f : exp2f((m - m_new) * c);
                    float rowsum = 0.0f;
                    for (size_t t = 0; t < cnt; t++) {
                        s[t] = exp2f(fmaf(s[t], c, -mc));
                        rowsum += s[t];
                        p16[t] = kind.tc ? fr_round_half(s[t], kind.fmt) : s[t];
                    }
                    l = l * alpha + rowsum;
                    for (size_t x = 0; x < d; x++) {
                        float a = acc[x] * alpha;
                        if (!kind.tc) {
                            for (size_t t = 0; t < cnt; t++)
                                a = fmaf(s[t], vh[(j0 + t) * d + x], a);
                        } else {
                            for (size_t t0 = 0; t0 < cnt; t0 += kind.group) {
                                size_t g = cnt - t0 < kind.group ? cnt - t0 : kind.group;
                                for (size_t t = 0; t < g; t++)
                                    terms[t] = (double)p16[t0 + t] *
                                               (double)vh[(j0 + t0 + t) * d + x];
                                a = block_fma(a, terms, g);
                            }
                        }
                        acc[x] = a;
                    }
                    m = m_new;
                }
                for (size_t x = 0; x < d; x++) {
                    float ox = acc[x] / l;
                    orow[x] = kind.tc ? fr_round_half(ox, kind.fmt) : ox;
                }
                lse[row] = m * scale_f + logf(l);
            }
        }
    }
    free(s);
    free(acc);
    free(p16);
    return FR_OK;
}

fr_status fr_emulate_fp32(const fr_problem *p, size_t block_cols, const float *q,
                          const float *k, const float *v, float *o, float *lse)
{
    kernel_kind kind = { 0, 0, FR_HALF_FP16 };
    return emulate(p, block_cols, kind, q, k, v, o, lse);
}

fr_status fr_emulate_tc(const fr_problem *p, size_t block_cols, size_t mma_group,
                        fr_half_format fmt, const float *q, const float *k, const float *v,
                        float *o, float *lse)
{
    kernel_kind kind = { 1, mma_group, fmt };
    return emulate(p, block_cols, kind, q, k, v, o, lse);
}
