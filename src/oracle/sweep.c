#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sweep.h"
#include "bounds.h"
#include "emulate.h"
#include "oracle.h"

const char *fr_family_name(fr_family f)
{
    switch (f) {
    case FR_FAMILY_RANDOM: return "random";
    case FR_FAMILY_TIES: return "ties";
    case FR_FAMILY_GAPS: return "huge-gaps";
    case FR_FAMILY_CANCEL: return "cancel-v";
    case FR_FAMILY_DOMINANT: return "dominant";
    case FR_FAMILY_WIDE: return "wide-range";
    case FR_FAMILY_COUNT: break;
    }
    return "?";
}

const char *fr_sweep_model_name(fr_sweep_model m)
{
    static const char *names[FR_SWEEP_MODELS] = {
        "(a) fp64 tiled", "(a) fp64 standard", "(b) fp32", "(c) fp16-P", "(c) bf16-P"
    };
    return m < FR_SWEEP_MODELS ? names[m] : "?";
}

/* ---- inputs --------------------------------------------------------------- */

typedef struct gen {
    uint64_t s;
} gen;

static uint64_t gen_next(gen *g)
{
    uint64_t z = (g->s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static double gen_unit(gen *g)
{
    return ((double)(gen_next(g) >> 11) + 0.5) * 0x1p-53;
}

static double gen_normal(gen *g)
{
    double a = gen_unit(g), b = gen_unit(g);
    return sqrt(-2.0 * log(a)) * cos(6.283185307179586 * b);
}

static void fill_normal(gen *g, float *x, size_t n, double scale)
{
    for (size_t i = 0; i < n; i++)
        x[i] = (float)(gen_normal(g) * scale);
}

void fr_family_fill(fr_family f, const fr_problem *p, uint64_t seed, float *q, float *k,
                    float *v)
{
    gen g = { seed * 0x2545f4914f6cdd1dull + (uint64_t)f };
    size_t d = p->head_dim, nk = p->kv_len;
    size_t qn = p->batch * p->q_heads * p->q_len * d;
    size_t heads = p->batch * p->kv_heads;
    fill_normal(&g, q, qn, 1.0);
    fill_normal(&g, k, heads * nk * d, 1.0);
    fill_normal(&g, v, heads * nk * d, 1.0);
    switch (f) {
    case FR_FAMILY_RANDOM:
    case FR_FAMILY_COUNT:
        break;
    case FR_FAMILY_TIES:
        for (size_t h = 0; h < heads; h++) {
            float *kh = k + h * nk * d;
            /* a pool of 1..6 distinct keys; key 0 stays itself */
            size_t pool = 1 + (size_t)(gen_next(&g) % 6);
            if (pool > nk)
                pool = nk;
            for (size_t j = pool; j < nk; j++)
                memcpy(kh + j * d, kh + (gen_next(&g) % pool) * d, d * sizeof *kh);
        }
        break;
    case FR_FAMILY_GAPS:
        for (size_t r = 0; r < qn / d; r++) {
            double s = 20.0 * exp(gen_unit(&g) * log(10.0));
            for (size_t c = 0; c < d; c++)
                q[r * d + c] = (float)((double)q[r * d + c] * s);
        }
        break;
    case FR_FAMILY_CANCEL:
        for (size_t h = 0; h < heads; h++) {
            float *kh = k + h * nk * d, *vh = v + h * nk * d;
            for (size_t j = 1; j < nk; j += 2) {
                memcpy(kh + j * d, kh + (j - 1) * d, d * sizeof *kh);
                for (size_t c = 0; c < d; c++) {
                    /* per column: exact cancellation, or within 2^-20 or 2^-10 */
                    double eps = c % 3 == 0 ? 0.0 : (c % 3 == 1 ? 0x1p-20 : 0x1p-10);
                    vh[j * d + c] = (float)(-(double)vh[(j - 1) * d + c] +
                                            eps * gen_normal(&g));
                }
            }
        }
        break;
    case FR_FAMILY_DOMINANT: {
        double *u = malloc(d * sizeof *u);
        if (u == NULL)
            break;
        for (size_t h = 0; h < heads; h++) {
            for (size_t c = 0; c < d; c++)
                u[c] = gen_normal(&g);
            double gap = 10.0 + 30.0 * gen_unit(&g);
            /* q rows lean towards u; key 0 (seen by every causal row) is u scaled */
            double alpha = 1.0, beta = gap / (alpha * (double)d * fabs(p->scale) + 1e-300);
            for (size_t c = 0; c < d; c++)
                k[h * nk * d + c] = (float)(beta * u[c]);
            size_t group = p->q_heads / p->kv_heads;
            size_t b = h / p->kv_heads, hk = h % p->kv_heads;
            for (size_t hq = hk * group; hq < (hk + 1) * group; hq++) {
                float *qh = q + (b * p->q_heads + hq) * p->q_len * d;
                for (size_t i = 0; i < p->q_len; i++) {
                    for (size_t c = 0; c < d; c++)
                        qh[i * d + c] = (float)(alpha * u[c] + 0.3 * gen_normal(&g));
                }
            }
        }
        free(u);
        break;
    }
    case FR_FAMILY_WIDE:
        for (size_t i = 0; i < qn; i++)
            q[i] = (float)ldexp((double)q[i], -(int)(gen_next(&g) % 61));
        for (size_t i = 0; i < heads * nk * d; i++)
            k[i] = (float)ldexp((double)k[i], (int)(gen_next(&g) % 73) - 60);   /* fp16 range */
        break;
    }
}

/* ---- measuring -------------------------------------------------------------- */

/* ulp of the exact value x in a format of prec bits and minimum exponent emin */
static double ulp_of(double x, int prec, int emin)
{
    int e = x == 0.0 || !isfinite(x) ? emin : ilogb(x);
    if (e < emin)
        e = emin;
    return ldexp(1.0, e - (prec - 1));
}

typedef struct oracle_run {
    double *o64, *o_res, *lse64, *lse_res;
    float *o32, *lse32;
    unsigned char *row;
} oracle_run;

static void run_free(oracle_run *r)
{
    free(r->o64);
    free(r->o_res);
    free(r->lse64);
    free(r->lse_res);
    free(r->o32);
    free(r->lse32);
    free(r->row);
}

static fr_status run_oracle(const fr_problem *p, const float *q, const float *k, const float *v,
                            int threads, oracle_run *r, fr_sweep_stats *st)
{
    size_t no = p->batch * p->q_heads * p->q_len * p->head_dim;
    size_t nr = p->batch * p->q_heads * p->q_len;
    memset(r, 0, sizeof *r);
    r->o64 = malloc(no * sizeof(double));
    r->o_res = malloc(no * sizeof(double));
    r->o32 = malloc(no * sizeof(float));
    r->lse64 = malloc(nr * sizeof(double));
    r->lse_res = malloc(nr * sizeof(double));
    r->lse32 = malloc(nr * sizeof(float));
    r->row = malloc(nr);
    if (!r->o64 || !r->o_res || !r->o32 || !r->lse64 || !r->lse_res || !r->lse32 || !r->row) {
        run_free(r);
        return FR_ERR_OUT_OF_MEMORY;
    }
    fr_oracle_out out = { r->o64, r->o32, r->o_res, r->lse64, r->lse32, r->lse_res, r->row };
    fr_oracle_options opt = { NULL, 0, threads, 0.0, 0 };
    fr_oracle_stats os;
    fr_status s = fr_oracle_attention(p, q, k, v, &opt, &out, &os);
    if (s == FR_OK) {
        st->oracle_slow += os.slow_outputs;
        st->oracle_rational += os.rational_outputs;
        st->oracle_wide_rows += os.wide_rows;
        st->oracle_seconds += os.seconds;
    }
    return s;
}

/* err = |computed - exact| from the oracle's o64 + residual; values above the
 * bound (beyond the residual's own accuracy) count as over. */
static void compare(fr_sweep_model_stats *ms, const fr_bound_model *bm, const fr_problem *p,
                    const float *q, const float *k, const float *v, const oracle_run *r,
                    const double *o_d, const float *o_f, const double *l_d, const float *l_f,
                    int out_prec, int out_emin, double *ob, size_t b, size_t h, size_t i)
{
    size_t d = p->head_dim;
    size_t row = (b * p->q_heads + h) * p->q_len + i;
    if (r->row[row] == FR_ORACLE_ROW_NONFINITE)
        return;
    double lb = 0.0;
    if (fr_error_bound_row(bm, p, q, k, v, b, h, i, r->o64 + row * d, r->lse64[row], ob, &lb) !=
        FR_OK)
        return;
    for (size_t c = 0; c < d; c++) {
        size_t at = row * d + c;
        double comp = o_d ? o_d[at] : (double)o_f[at];
        double exact = r->o64[at];
        double err = fabs((comp - exact) - r->o_res[at]);
        double slack = 0x1p-70 * (fabs(exact) + 1.0);
        if (!(comp == comp))
            err = HUGE_VAL;
        ms->elements++;
        double ratio = ob[c] > 0.0 ? err / ob[c] : (err > 0.0 ? HUGE_VAL : 0.0);
        if (err > ob[c] + slack)
            ms->over++;
        if (ratio > ms->max_ratio_o) {
            ms->max_ratio_o = ratio;
            snprintf(ms->worst, sizeof ms->worst,
                     "b%zu h%zu row %zu col %zu: exact %.17g err %.3g bound %.3g", b, h, i, c,
                     exact, err, ob[c]);
        }
        /* an exact 0 (cancellation) has no meaningful ulp */
        double ulps = exact == 0.0 ? 0.0 : err / ulp_of(exact, out_prec, out_emin);
        if (ulps > ms->max_ulp_o)
            ms->max_ulp_o = ulps;
    }
    double lc = l_d ? l_d[row] : (double)l_f[row];
    double le = r->lse64[row];
    ms->elements++;
    if (isinf(le)) {
        if (!(lc == le))
            ms->over++;
        return;
    }
    double err = fabs((lc - le) - r->lse_res[row]);
    if (!(lc == lc))
        err = HUGE_VAL;
    double ratio = lb > 0.0 ? err / lb : (err > 0.0 ? HUGE_VAL : 0.0);
    if (err > lb + 0x1p-70 * (fabs(le) + 1.0))
        ms->over++;
    if (ratio > ms->max_ratio_lse)
        ms->max_ratio_lse = ratio;
}

typedef struct kernel_out {
    double *o_d, *l_d;
    float *o_f, *l_f;
} kernel_out;

static void compare_all(fr_sweep_model_stats *ms, const fr_bound_model *bm, const fr_problem *p,
                        const float *q, const float *k, const float *v, const oracle_run *r,
                        const kernel_out *ko, int out_prec, int out_emin, double *ob)
{
    for (size_t b = 0; b < p->batch; b++)
        for (size_t h = 0; h < p->q_heads; h++)
            for (size_t i = 0; i < p->q_len; i++)
                compare(ms, bm, p, q, k, v, r, ko->o_d, ko->o_f, ko->l_d, ko->l_f, out_prec,
                        out_emin, ob, b, h, i);
}

fr_status fr_sweep_problem(const fr_problem *p, fr_family fam, uint64_t seed,
                           const fr_sweep_config *cfg, fr_sweep_stats *st)
{
    fr_status s = fr_problem_check(p);
    if (s != FR_OK)
        return s;
    size_t d = p->head_dim;
    size_t nq = p->batch * p->q_heads * p->q_len * d;
    size_t nkv = p->batch * p->kv_heads * p->kv_len * d;
    size_t nr = p->batch * p->q_heads * p->q_len;
    float *q = malloc(nq * sizeof *q), *k = malloc(nkv * sizeof *k), *v = malloc(nkv * sizeof *v);
    float *qh = malloc(nq * sizeof *qh), *kh = malloc(nkv * sizeof *kh),
          *vh = malloc(nkv * sizeof *vh);
    double *ot = malloc(nq * sizeof *ot), *os = malloc(nq * sizeof *os);
    double *lt = malloc(nr * sizeof *lt), *ls = malloc(nr * sizeof *ls);
    float *of = malloc(nq * sizeof *of), *lf = malloc(nr * sizeof *lf);
    double *ob = malloc(d * sizeof *ob);
    oracle_run r;
    memset(&r, 0, sizeof r);
    if (!q || !k || !v || !qh || !kh || !vh || !ot || !os || !lt || !ls || !of || !lf || !ob) {
        s = FR_ERR_OUT_OF_MEMORY;
        goto done;
    }
    fr_family_fill(fam, p, seed, q, k, v);
    s = run_oracle(p, q, k, v, cfg->threads, &r, st);
    if (s != FR_OK)
        goto done;
    st->problems++;
    st->rows += nr;
    for (size_t i = 0; i < nr; i++)
        st->masked_rows += r.row[i] == FR_ORACLE_ROW_MASKED;

    /* (a) the reference, tiled and standard */
    fr_blocks blk = { 8, cfg->ref_block_cols };
    if (blk.cols > p->kv_len)
        blk.cols = p->kv_len;
    if (blk.rows > p->q_len)
        blk.rows = p->q_len;
    size_t m_words = fr_fast_words_needed(blk, d);
    s = fr_attention_tiled(p, m_words, &blk, q, k, v, ot, lt, NULL);
    if (s == FR_OK)
        s = fr_attention_standard(p, m_words, &blk, q, k, v, os, ls, NULL);
    if (s != FR_OK)
        goto done;
    fr_bound_model mt = fr_bound_model_fp64_tiled(blk.cols);
    fr_bound_model ms = fr_bound_model_fp64_standard();
    kernel_out ko_t = { ot, lt, NULL, NULL }, ko_s = { os, ls, NULL, NULL };
    compare_all(&st->model[FR_SWEEP_FP64_TILED], &mt, p, q, k, v, &r, &ko_t, 53, -1022, ob);
    compare_all(&st->model[FR_SWEEP_FP64_STANDARD], &ms, p, q, k, v, &r, &ko_s, 53, -1022, ob);
    for (size_t i = 0; i < nr; i++) {
        if (r.row[i] != FR_ORACLE_ROW_EXACT)
            continue;
        for (size_t c = 0; c < d; c++) {
            st->o_compared++;
            st->o32_equal += (float)ot[i * d + c] == r.o32[i * d + c];
            st->o64_equal += ot[i * d + c] == r.o64[i * d + c];
        }
        st->lse_compared++;
        st->lse32_equal += (float)lt[i] == r.lse32[i];
        st->lse64_equal += lt[i] == r.lse64[i];
    }

    /* (b) fp32 */
    s = fr_emulate_fp32(p, cfg->kernel_block_cols, q, k, v, of, lf);
    if (s != FR_OK)
        goto done;
    fr_bound_model m32 = fr_bound_model_fp32(cfg->kernel_block_cols);
    kernel_out ko_f = { NULL, NULL, of, lf };
    compare_all(&st->model[FR_SWEEP_FP32], &m32, p, q, k, v, &r, &ko_f, 24, -126, ob);

    /* (c) fp16 / bf16 inputs and P: the exact result is that of the rounded inputs */
    for (int fmt = 0; fmt < 2; fmt++) {
        fr_half_format hf = fmt == 0 ? FR_HALF_FP16 : FR_HALF_BF16;
        for (size_t i = 0; i < nq; i++)
            qh[i] = fr_round_half(q[i], hf);
        for (size_t i = 0; i < nkv; i++) {
            kh[i] = fr_round_half(k[i], hf);
            vh[i] = fr_round_half(v[i], hf);
        }
        run_free(&r);
        s = run_oracle(p, qh, kh, vh, cfg->threads, &r, st);
        if (s != FR_OK)
            goto done;
        s = fr_emulate_tc(p, cfg->kernel_block_cols, cfg->mma_group, hf, qh, kh, vh, of, lf);
        if (s != FR_OK)
            goto done;
        fr_bound_model mh = fmt == 0 ? fr_bound_model_fp16_p(cfg->kernel_block_cols, cfg->mma_group)
                                     : fr_bound_model_bf16_p(cfg->kernel_block_cols, cfg->mma_group);
        compare_all(&st->model[fmt == 0 ? FR_SWEEP_FP16_P : FR_SWEEP_BF16_P], &mh, p, qh, kh, vh,
                    &r, &ko_f, fmt == 0 ? 11 : 8, fmt == 0 ? -14 : -126, ob);
    }
done:
    run_free(&r);
    free(q);
    free(k);
    free(v);
    free(qh);
    free(kh);
    free(vh);
    free(ot);
    free(os);
    free(lt);
    free(ls);
    free(of);
    free(lf);
    free(ob);
    return s;
}

void fr_sweep_merge(fr_sweep_stats *total, const fr_sweep_stats *part)
{
    total->problems += part->problems;
    total->rows += part->rows;
    total->masked_rows += part->masked_rows;
    for (int m = 0; m < FR_SWEEP_MODELS; m++) {
        fr_sweep_model_stats *a = &total->model[m];
        const fr_sweep_model_stats *b = &part->model[m];
        a->elements += b->elements;
        a->over += b->over;
        if (b->max_ratio_o > a->max_ratio_o) {
            a->max_ratio_o = b->max_ratio_o;
            memcpy(a->worst, b->worst, sizeof a->worst);
        }
        if (b->max_ratio_lse > a->max_ratio_lse)
            a->max_ratio_lse = b->max_ratio_lse;
        if (b->max_ulp_o > a->max_ulp_o)
            a->max_ulp_o = b->max_ulp_o;
    }
    total->o_compared += part->o_compared;
    total->o32_equal += part->o32_equal;
    total->o64_equal += part->o64_equal;
    total->lse_compared += part->lse_compared;
    total->lse32_equal += part->lse32_equal;
    total->lse64_equal += part->lse64_equal;
    total->oracle_slow += part->oracle_slow;
    total->oracle_rational += part->oracle_rational;
    total->oracle_wide_rows += part->oracle_wide_rows;
    total->oracle_seconds += part->oracle_seconds;
}

void fr_sweep_print(FILE *f, const char *title, const fr_sweep_stats *st)
{
    fprintf(f, "%s: %llu problems, %llu rows (%llu fully masked)\n", title,
            (unsigned long long)st->problems, (unsigned long long)st->rows,
            (unsigned long long)st->masked_rows);
    fprintf(f, "  %-20s %10s %10s %12s %12s %12s\n", "model", "compared", "over", "max err/bd O",
            "max err/bd L", "max ulp O");
    for (int m = 0; m < FR_SWEEP_MODELS; m++) {
        const fr_sweep_model_stats *ms = &st->model[m];
        fprintf(f, "  %-20s %10llu %10llu %12.4f %12.4f %12.3g\n",
                fr_sweep_model_name((fr_sweep_model)m), (unsigned long long)ms->elements,
                (unsigned long long)ms->over, ms->max_ratio_o, ms->max_ratio_lse,
                ms->max_ulp_o);
    }
    if (st->o_compared > 0)
        fprintf(f,
                "  RN32(tiled) == correctly rounded float: O %llu/%llu (%.7f%%), LSE %llu/%llu\n"
                "  tiled == correctly rounded double:      O %llu/%llu (%.4f%%), LSE %llu/%llu\n",
                (unsigned long long)st->o32_equal, (unsigned long long)st->o_compared,
                100.0 * (double)st->o32_equal / (double)st->o_compared,
                (unsigned long long)st->lse32_equal, (unsigned long long)st->lse_compared,
                (unsigned long long)st->o64_equal, (unsigned long long)st->o_compared,
                100.0 * (double)st->o64_equal / (double)st->o_compared,
                (unsigned long long)st->lse64_equal, (unsigned long long)st->lse_compared);
    fprintf(f, "  oracle: %.1f s, %llu outputs through MPFR (%llu rational), %llu GMP rows\n",
            st->oracle_seconds, (unsigned long long)st->oracle_slow,
            (unsigned long long)st->oracle_rational, (unsigned long long)st->oracle_wide_rows);
}
