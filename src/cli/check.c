/* `flashref check`: the comparison (fr_check_run), its report, and the
 * command-line layer that reads the tensors from .npy files. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "cli.h"
#include "npy.h"
#include "oracle.h"

const fr_check_format FR_CHECK_F64 = { "float64", 53, -1022 };
const fr_check_format FR_CHECK_F32 = { "float32", 24, -126 };
const fr_check_format FR_CHECK_F16 = { "float16", 11, -14 };
const fr_check_format FR_CHECK_BF16 = { "bfloat16", 8, -126 };

static double format_unit(fr_check_format f) { return ldexp(1.0, -f.prec); }

/* Half the spacing of the subnormals: the absolute rounding error there. */
static double format_tiny(fr_check_format f) { return ldexp(1.0, f.emin - f.prec); }

static double ulp_in(double x, fr_check_format f)
{
    int e = x == 0.0 || !isfinite(x) ? f.emin : ilogb(x);
    if (e < f.emin)
        e = f.emin;
    return ldexp(1.0, e - (f.prec - 1));
}

/* Storing O (or LSE) in a format coarser than the model's arithmetic adds one
 * rounding; a finer format adds none. */
static fr_bound_model model_for_formats(fr_bound_model m, fr_check_format of,
                                        fr_check_format lf)
{
    double uo = format_unit(of), ul = format_unit(lf);
    if (uo > m.u) {
        m.u_out = uo;
        /* bf16 subnormals may be flushed by the kernel */
        m.out_abs = of.prec == 8 ? ldexp(1.0, -126) : format_tiny(of);
    } else {
        m.u_out = 0.0;
        m.out_abs = 0.0;
    }
    m.u_lse_out = ul > m.u ? ul : 0.0;
    return m;
}

static void note_worst(fr_check_worst *w, size_t b, size_t h, size_t i, size_t c, double got,
                       double exact, double err, double bound, double ulps)
{
    w->b = b;
    w->h = h;
    w->i = i;
    w->c = c;
    w->got = got;
    w->exact = exact;
    w->error = err;
    w->bound = bound;
    w->ulps = ulps;
    w->set = 1;
}

/* One compared value; exact = e64 + res (res = 0 when e64 is infinite). */
static void compare_value(fr_check_part *part, size_t b, size_t h, size_t i, size_t c,
                          double got, double e64, double res, double bound, fr_check_format fmt)
{
    part->compared++;
    double exact = e64 + res;
    if (!isfinite(e64)) {
        /* -inf LSE of a masked row: only -inf matches */
        if (!(got == e64)) {
            part->over++;
            if (part->max_ratio < HUGE_VAL || !part->worst_ratio.set) {
                part->max_ratio = HUGE_VAL;
                note_worst(&part->worst_ratio, b, h, i, c, got, e64, HUGE_VAL, bound, HUGE_VAL);
            }
        }
        return;
    }
    if (!isfinite(got)) {
        part->nonfinite++;
        part->over++;
        if (part->max_ratio < HUGE_VAL || !part->worst_ratio.set) {
            part->max_ratio = HUGE_VAL;
            part->max_ulps = HUGE_VAL;
            note_worst(&part->worst_ratio, b, h, i, c, got, exact, HUGE_VAL, bound, HUGE_VAL);
            note_worst(&part->worst_ulps, b, h, i, c, got, exact, HUGE_VAL, bound, HUGE_VAL);
        }
        return;
    }
    double err = fabs((got - e64) - res);
    double ulps = err / ulp_in(exact, fmt);
    double ratio = bound > 0.0 ? err / bound : (err > 0.0 ? HUGE_VAL : 0.0);
    /* the residual is exact to far below any bound; 2^-60 relative is room to spare */
    if (err > bound + 0x1p-60 * fabs(exact))
        part->over++;
    if (ratio > part->max_ratio || !part->worst_ratio.set) {
        part->max_ratio = ratio > part->max_ratio ? ratio : part->max_ratio;
        note_worst(&part->worst_ratio, b, h, i, c, got, exact, err, bound, ulps);
    }
    if (ulps > part->max_ulps || !part->worst_ulps.set) {
        part->max_ulps = ulps > part->max_ulps ? ulps : part->max_ulps;
        note_worst(&part->worst_ulps, b, h, i, c, got, exact, err, bound, ulps);
    }
}

fr_status fr_check_run(const fr_check_request *req, fr_check_report *rep, double *o_bound)
{
    const fr_problem *p = &req->problem;
    memset(rep, 0, sizeof *rep);
    if (fr_problem_check(p) != FR_OK || req->q == NULL || req->k == NULL || req->v == NULL ||
        req->o == NULL)
        return FR_ERR_INVALID_ARGUMENT;
    size_t d = p->head_dim, nq = p->q_len;
    size_t n_rows = p->batch * p->q_heads * nq;
    size_t n_o = n_rows * d;
    size_t *rows = malloc(nq * sizeof *rows);
    double *o64 = malloc(n_o * sizeof *o64), *o_res = malloc(n_o * sizeof *o_res);
    double *lse64 = malloc(n_rows * sizeof *lse64), *lse_res = malloc(n_rows * sizeof *lse_res);
    unsigned char *kind = calloc(n_rows, 1);
    double *ob = malloc(d * sizeof *ob);
    fr_status st = FR_OK;
    if (!rows || !o64 || !o_res || !lse64 || !lse_res || !kind || !ob) {
        st = FR_ERR_OUT_OF_MEMORY;
        goto done;
    }
    size_t n_sel = nq;
    if (req->rows > 0 && req->rows < nq) {
        n_sel = fr_oracle_sample_rows(p, req->rows, req->seed, rows);
        if (n_sel == 0) {
            st = FR_ERR_OUT_OF_MEMORY;
            goto done;
        }
    } else {
        for (size_t i = 0; i < nq; i++)
            rows[i] = i;
    }
    fr_oracle_out out = { o64, NULL, o_res, lse64, NULL, lse_res, kind };
    fr_oracle_options opt = { rows, n_sel, req->threads, req->progress, 0 };
    fr_oracle_stats ost;
    st = fr_oracle_attention(p, req->q, req->k, req->v, &opt, &out, &ost);
    if (st != FR_OK)
        goto done;
    fr_bound_model model = model_for_formats(req->model, req->o_format, req->lse_format);
    for (size_t b = 0; b < p->batch; b++) {
        for (size_t h = 0; h < p->q_heads; h++) {
            for (size_t r = 0; r < n_sel; r++) {
                size_t i = rows[r];
                size_t row = (b * p->q_heads + h) * nq + i;
                rep->rows++;
                if (kind[row] == FR_ORACLE_ROW_NONFINITE) {
                    rep->not_comparable_rows++;
                    continue;
                }
                if (kind[row] == FR_ORACLE_ROW_MASKED)
                    rep->masked_rows++;
                double lb = 0.0;
                st = fr_error_bound_row(&model, p, req->q, req->k, req->v, b, h, i,
                                        o64 + row * d, lse64[row], ob, &lb);
                if (st != FR_OK)
                    goto done;
                for (size_t c = 0; c < d; c++) {
                    size_t at = row * d + c;
                    compare_value(&rep->o, b, h, i, c, req->o[at], o64[at], o_res[at], ob[c],
                                  req->o_format);
                    if (o_bound)
                        o_bound[at] = ob[c];
                }
                if (req->lse)
                    compare_value(&rep->lse, b, h, i, d, req->lse[row], lse64[row],
                                  isfinite(lse64[row]) ? lse_res[row] : 0.0, lb,
                                  req->lse_format);
            }
        }
    }
    rep->seconds = ost.seconds;
    rep->failed = rep->o.over > 0 || rep->lse.over > 0;
done:
    free(rows);
    free(o64);
    free(o_res);
    free(lse64);
    free(lse_res);
    free(kind);
    free(ob);
    return st;
}

/* ---- reports ------------------------------------------------------------------ */

static const char *causal_name(fr_causal c)
{
    return c == FR_CAUSAL_TOP_LEFT ? "top-left"
                                   : (c == FR_CAUSAL_BOTTOM_RIGHT ? "bottom-right" : "none");
}

static void print_worst(FILE *f, const char *label, const fr_check_worst *w, size_t d)
{
    if (!w->set)
        return;
    if (w->c == d)
        fprintf(f, "    %s: b=%zu h=%zu i=%zu (LSE): got %.17g, exact %.17g, error %.3g, "
                   "bound %.3g (%.3g ulp)\n",
                label, w->b, w->h, w->i, w->got, w->exact, w->error, w->bound, w->ulps);
    else
        fprintf(f, "    %s: b=%zu h=%zu i=%zu c=%zu: got %.17g, exact %.17g, error %.3g, "
                   "bound %.3g (%.3g ulp)\n",
                label, w->b, w->h, w->i, w->c, w->got, w->exact, w->error, w->bound, w->ulps);
}

static void print_part(FILE *f, const char *name, const fr_check_part *pt, const char *fmt,
                       size_t d)
{
    fprintf(f, "%s: %llu compared, max error %.4g ulp (%s), max error/bound %.4g, "
               "%llu over the bound, %llu NaN/inf where the exact value is finite\n",
            name, (unsigned long long)pt->compared, pt->max_ulps, fmt, pt->max_ratio,
            (unsigned long long)pt->over, (unsigned long long)pt->nonfinite);
    print_worst(f, "worst error/bound", &pt->worst_ratio, d);
    if (pt->worst_ulps.set &&
        (pt->worst_ulps.b != pt->worst_ratio.b || pt->worst_ulps.h != pt->worst_ratio.h ||
         pt->worst_ulps.i != pt->worst_ratio.i || pt->worst_ulps.c != pt->worst_ratio.c))
        print_worst(f, "worst ulps", &pt->worst_ulps, d);
}

void fr_check_print(FILE *f, const fr_check_request *req, const fr_check_report *rep)
{
    const fr_problem *p = &req->problem;
    fprintf(f, "flashref check: model %s, O %s, B=%zu Hq=%zu Hkv=%zu Nq=%zu Nk=%zu d=%zu, "
               "causal %s, scale %.17g\n",
            req->model.name, req->o_format.name, p->batch, p->q_heads, p->kv_heads, p->q_len,
            p->kv_len, p->head_dim, causal_name(p->causal), p->scale);
    fprintf(f, "rows: %llu checked%s (%llu fully masked, %llu not comparable: non-finite "
               "inputs), oracle %.1f s\n",
            (unsigned long long)rep->rows, req->rows > 0 && req->rows < p->q_len ? " (sampled)" : "",
            (unsigned long long)rep->masked_rows, (unsigned long long)rep->not_comparable_rows,
            rep->seconds);
    print_part(f, "O", &rep->o, req->o_format.name, p->head_dim);
    if (req->lse)
        print_part(f, "LSE", &rep->lse, req->lse_format.name, p->head_dim);
    fprintf(f, "result: %s\n", rep->failed ? "FAIL" : "PASS");
}

static void json_number(FILE *f, double x)
{
    if (isfinite(x))
        fprintf(f, "%.17g", x);
    else
        fputs("null", f);
}

static void json_worst(FILE *f, const fr_check_worst *w, size_t d)
{
    if (!w->set) {
        fputs("null", f);
        return;
    }
    fprintf(f, "{\"b\": %zu, \"h\": %zu, \"i\": %zu, ", w->b, w->h, w->i);
    if (w->c < d)
        fprintf(f, "\"c\": %zu, ", w->c);
    fputs("\"got\": ", f);
    if (isnan(w->got))
        fputs("\"nan\"", f);
    else if (isinf(w->got))
        fputs(w->got > 0 ? "\"inf\"" : "\"-inf\"", f);
    else
        json_number(f, w->got);
    fputs(", \"exact\": ", f);
    json_number(f, w->exact);
    fputs(", \"error\": ", f);
    json_number(f, w->error);
    fputs(", \"bound\": ", f);
    json_number(f, w->bound);
    fputs(", \"ulps\": ", f);
    json_number(f, w->ulps);
    fputc('}', f);
}

static void json_part(FILE *f, const fr_check_part *pt, size_t d)
{
    fprintf(f, "{\"compared\": %llu, \"over_bound\": %llu, \"nonfinite\": %llu, \"max_ulps\": ",
            (unsigned long long)pt->compared, (unsigned long long)pt->over,
            (unsigned long long)pt->nonfinite);
    json_number(f, pt->max_ulps);
    fputs(", \"max_error_over_bound\": ", f);
    json_number(f, pt->max_ratio);
    fputs(", \"worst\": ", f);
    json_worst(f, &pt->worst_ratio, d);
    fputs(", \"worst_ulps\": ", f);
    json_worst(f, &pt->worst_ulps, d);
    fputc('}', f);
}

void fr_check_print_json(FILE *f, const fr_check_request *req, const fr_check_report *rep)
{
    const fr_problem *p = &req->problem;
    fprintf(f, "{\"model\": \"%s\", \"o_format\": \"%s\", \"lse_format\": \"%s\", "
               "\"batch\": %zu, \"q_heads\": %zu, \"kv_heads\": %zu, \"q_len\": %zu, "
               "\"kv_len\": %zu, \"head_dim\": %zu, \"causal\": \"%s\", \"scale\": ",
            req->model.name, req->o_format.name, req->lse ? req->lse_format.name : "",
            p->batch, p->q_heads, p->kv_heads, p->q_len, p->kv_len, p->head_dim,
            causal_name(p->causal));
    json_number(f, p->scale);
    fprintf(f, ", \"rows\": %llu, \"sampled\": %s, \"masked_rows\": %llu, "
               "\"not_comparable_rows\": %llu, \"oracle_seconds\": %.3f, \"o\": ",
            (unsigned long long)rep->rows, req->rows > 0 && req->rows < p->q_len ? "true" : "false",
            (unsigned long long)rep->masked_rows, (unsigned long long)rep->not_comparable_rows,
            rep->seconds);
    json_part(f, &rep->o, p->head_dim);
    fputs(", \"lse\": ", f);
    if (req->lse)
        json_part(f, &rep->lse, p->head_dim);
    else
        fputs("null", f);
    fprintf(f, ", \"result\": \"%s\"}\n", rep->failed ? "fail" : "pass");
}

/* ---- the command line ---------------------------------------------------------- */

static const char check_usage[] =
    "usage: flashref check --q Q.npy --k K.npy --v V.npy --o O.npy [--lse LSE.npy]\n"
    "                      [--causal none|top-left|bottom-right] [--scale S]\n"
    "                      [--model fp64|fp64-tiled|fp64-standard|fp32|fp16-p|bf16-p]\n"
    "                      [--block-cols Bc] [--mma-group k] [--rows K] [--seed S]\n"
    "                      [--threads T] [--json]\n"
    "\n"
    "Compares another kernel's attention output with the exact result (GMP/MPFR,\n"
    "correctly rounded) and with a rigorous componentwise error bound for the\n"
    "kernel's arithmetic (src/oracle/error-bounds.md).\n"
    "\n"
    "  --q, --k, --v    inputs [B,Hq,Nq,d], [B,Hkv,Nk,d] (float16, bfloat16, float32,\n"
    "                   or float64 holding floats); the exact result is that of these\n"
    "                   values, so pass a kernel the very tensors it read\n"
    "  --o, --lse       the kernel's O [B,Hq,Nq,d] and LSE [B,Hq,Nq] in any of those\n"
    "                   dtypes (float64 values need not be floats); their dtype sets\n"
    "                   the ulps reported and the final rounding in the bound\n"
    "  --causal         mask (default none); --scale defaults to 1/sqrt(d)\n"
    "  --model          fp64: a double kernel of any operation order; fp64-tiled,\n"
    "                   fp64-standard: flashref's own orders (fp64-tiled needs\n"
    "                   --block-cols); fp32: fp32 FlashAttention-2 kernel; fp16-p,\n"
    "                   bf16-p: tensor-core kernel, fp16/bf16 inputs and P, fp32\n"
    "                   accumulation (default fp32)\n"
    "  --block-cols     key block size Bc of the kernel (default: unknown, worst case)\n"
    "  --mma-group      addends per tensor-core block FMA (default: 1, worst case)\n"
    "  --rows K         check K sampled query rows per head (the first, the last and\n"
    "                   every fully masked row among them); --seed picks them\n"
    "  --threads        oracle threads (default 2); --json prints one JSON object\n"
    "\n"
    "Rows whose inputs hold NaN or inf are not comparable and are skipped.\n"
    "Exit status: 1 if an element exceeds its bound or is NaN/inf where the exact\n"
    "value is finite, 0 otherwise, 2 for a bad command line or unusable files.\n";

/* An output file as doubles: float64 values are kept as they are. */
static int load_output(const char *path, fr_npy_array *a, double **values, fr_check_format *fmt)
{
    unsigned char *buf = NULL;
    size_t len = 0;
    if (cli_read_file("check", path, &buf, &len) != CLI_OK)
        return CLI_USAGE;   /* unusable files are trouble (2), not a failed check */
    char err[256];
    fr_npy_status st = fr_npy_parse(buf, len, a, err, sizeof err);
    if (st != FR_NPY_OK) {
        free(buf);
        return cli_error(CLI_USAGE, "check: %s: %s", path, err);
    }
    size_t count = a->count > 0 ? a->count : 1;
    double *out = malloc(count * sizeof *out);
    if (out == NULL) {
        free(buf);
        return cli_error(CLI_USAGE, "check: out of memory reading '%s'", path);
    }
    const unsigned char *data = buf + a->data_offset;
    for (size_t i = 0; i < a->count; i++) {
        const unsigned char *e = data + i * a->item_size;
        uint64_t bits = 0;
        for (size_t byte = 0; byte < a->item_size; byte++)
            bits |= (uint64_t)e[byte] << (8 * byte);
        switch (a->dtype) {
        case FR_NPY_F8: {
            double x;
            memcpy(&x, &bits, sizeof x);
            out[i] = x;
            break;
        }
        case FR_NPY_F4: {
            uint32_t b32 = (uint32_t)bits;
            float x;
            memcpy(&x, &b32, sizeof x);
            out[i] = (double)x;
            break;
        }
        case FR_NPY_F2:
            out[i] = (double)fr_npy_half_to_float((uint16_t)bits);
            break;
        case FR_NPY_BF16:
            out[i] = (double)fr_npy_bf16_to_float((uint16_t)bits);
            break;
        }
    }
    *fmt = a->dtype == FR_NPY_F8 ? FR_CHECK_F64
         : a->dtype == FR_NPY_F4 ? FR_CHECK_F32
         : a->dtype == FR_NPY_F2 ? FR_CHECK_F16 : FR_CHECK_BF16;
    free(buf);
    *values = out;
    return CLI_OK;
}

static int shape_is(const fr_npy_array *a, size_t ndim, const size_t *shape)
{
    if (a->ndim != ndim)
        return 0;
    for (size_t i = 0; i < ndim; i++) {
        if (a->shape[i] != shape[i])
            return 0;
    }
    return 1;
}

static void shape_text(const fr_npy_array *a, char *buf, size_t cap)
{
    size_t n = (size_t)snprintf(buf, cap, "(");
    for (size_t i = 0; i < a->ndim && n < cap; i++)
        n += (size_t)snprintf(buf + n, cap - n, i ? ", %zu" : "%zu", a->shape[i]);
    if (n < cap)
        snprintf(buf + n, cap - n, ")");
}

enum { OPT_Q, OPT_K, OPT_V, OPT_O, OPT_LSE, OPT_CAUSAL, OPT_SCALE, OPT_MODEL, OPT_BC,
       OPT_GROUP, OPT_ROWS, OPT_SEED, OPT_THREADS, OPT_JSON, OPT_COUNT };

int fr_cli_check(int argc, char **argv)
{
    const char *cmd = "check";
    int nargs = argc > 0 ? argc - 1 : 0;
    char **args = argv + (argc > 0 ? 1 : 0);
    if (cli_wants_help(nargs, args)) {
        fputs(check_usage, stdout);
        return CLI_OK;
    }
    cli_option opts[OPT_COUNT] = {
        { "q", CLI_VALUE, NULL }, { "k", CLI_VALUE, NULL }, { "v", CLI_VALUE, NULL },
        { "o", CLI_VALUE, NULL }, { "lse", CLI_VALUE, NULL }, { "causal", CLI_VALUE, NULL },
        { "scale", CLI_VALUE, NULL }, { "model", CLI_VALUE, NULL },
        { "block-cols", CLI_VALUE, NULL }, { "mma-group", CLI_VALUE, NULL },
        { "rows", CLI_VALUE, NULL }, { "seed", CLI_VALUE, NULL },
        { "threads", CLI_VALUE, NULL }, { "json", CLI_FLAG, NULL },
    };
    if (cli_parse(cmd, nargs, args, opts, OPT_COUNT) != CLI_OK)
        return CLI_USAGE;
    for (int r = OPT_Q; r <= OPT_O; r++) {
        if (opts[r].value == NULL)
            return cli_error(CLI_USAGE, "check: --%s is required (see 'flashref check --help')",
                             opts[r].name);
    }
    fr_causal causal = FR_CAUSAL_NONE;
    double scale = 0.0;
    size_t bc = 0, group = 0, rows = 0, threads = 2;
    uint64_t seed = 0;
    if (cli_causal(cmd, opts[OPT_CAUSAL].value, &causal) != CLI_OK ||
        cli_double(cmd, "scale", opts[OPT_SCALE].value, &scale) != CLI_OK ||
        cli_size(cmd, "block-cols", opts[OPT_BC].value, 1, &bc) != CLI_OK ||
        cli_size(cmd, "mma-group", opts[OPT_GROUP].value, 1, &group) != CLI_OK ||
        cli_size(cmd, "rows", opts[OPT_ROWS].value, 1, &rows) != CLI_OK ||
        cli_u64(cmd, "seed", opts[OPT_SEED].value, &seed) != CLI_OK ||
        cli_size(cmd, "threads", opts[OPT_THREADS].value, 1, &threads) != CLI_OK)
        return CLI_USAGE;
    if (group > 64)
        return cli_error(CLI_USAGE, "check: --mma-group is at most 64, got %zu", group);
    if (threads > 64)
        threads = 64;
    const char *model_name = opts[OPT_MODEL].value ? opts[OPT_MODEL].value : "fp32";
    fr_bound_model model;
    if (strcmp(model_name, "fp64") == 0)
        model = fr_bound_model_fp64(bc);
    else if (strcmp(model_name, "fp64-tiled") == 0) {
        if (bc == 0)
            return cli_error(CLI_USAGE, "check: --model fp64-tiled needs --block-cols");
        model = fr_bound_model_fp64_tiled(bc);
    } else if (strcmp(model_name, "fp64-standard") == 0)
        model = fr_bound_model_fp64_standard();
    else if (strcmp(model_name, "fp32") == 0)
        model = fr_bound_model_fp32(bc);
    else if (strcmp(model_name, "fp16-p") == 0)
        model = fr_bound_model_fp16_p(bc, group);
    else if (strcmp(model_name, "bf16-p") == 0)
        model = fr_bound_model_bf16_p(bc, group);
    else
        return cli_error(CLI_USAGE, "check: --model expects fp64, fp64-tiled, fp64-standard, "
                                    "fp32, fp16-p or bf16-p, got '%s'", model_name);

    fr_npy_array qa, ka, va, oa, la;
    float *q = NULL, *k = NULL, *v = NULL;
    double *o = NULL, *lse = NULL;
    fr_check_format of = FR_CHECK_F64, lf = FR_CHECK_F64;
    int status = CLI_USAGE;
    char s1[160], s2[160];
    if (cli_load_npy(cmd, opts[OPT_Q].value, &qa, &q) != CLI_OK ||
        cli_load_npy(cmd, opts[OPT_K].value, &ka, &k) != CLI_OK ||
        cli_load_npy(cmd, opts[OPT_V].value, &va, &v) != CLI_OK ||
        load_output(opts[OPT_O].value, &oa, &o, &of) != CLI_OK ||
        (opts[OPT_LSE].value && load_output(opts[OPT_LSE].value, &la, &lse, &lf) != CLI_OK))
        goto done;
    if (qa.ndim != 4 || ka.ndim != 4) {
        cli_error(CLI_USAGE, "check: --q and --k must be 4-D [B,H,N,d]");
        goto done;
    }
    size_t B = qa.shape[0], Hq = qa.shape[1], Nq = qa.shape[2], d = qa.shape[3];
    size_t Hkv = ka.shape[1], Nk = ka.shape[2];
    if (ka.shape[0] != B || ka.shape[3] != d || !shape_is(&va, 4, ka.shape)) {
        shape_text(&ka, s1, sizeof s1);
        shape_text(&va, s2, sizeof s2);
        cli_error(CLI_USAGE, "check: k %s and v %s must be [B,Hkv,Nk,d] with q's B and d", s1,
                  s2);
        goto done;
    }
    if (!shape_is(&oa, 4, qa.shape)) {
        shape_text(&oa, s1, sizeof s1);
        shape_text(&qa, s2, sizeof s2);
        cli_error(CLI_USAGE, "check: o %s must have q's shape %s", s1, s2);
        goto done;
    }
    size_t lse_shape[3] = { B, Hq, Nq };
    if (lse && !shape_is(&la, 3, lse_shape)) {
        shape_text(&la, s1, sizeof s1);
        cli_error(CLI_USAGE, "check: lse %s must be [B,Hq,Nq] = (%zu, %zu, %zu)", s1, B, Hq, Nq);
        goto done;
    }
    fr_check_request req;
    memset(&req, 0, sizeof req);
    req.problem = fr_problem_make(B, Hq, Hkv, Nq, Nk, d, causal);
    if (opts[OPT_SCALE].value)
        req.problem.scale = scale;
    fr_status ps = fr_problem_check(&req.problem);
    if (ps != FR_OK) {
        cli_error(CLI_USAGE, "check: %s (B=%zu Hq=%zu Hkv=%zu Nq=%zu Nk=%zu d=%zu)",
                  fr_status_message(ps), B, Hq, Hkv, Nq, Nk, d);
        goto done;
    }
    req.q = q;
    req.k = k;
    req.v = v;
    req.o = o;
    req.lse = lse;
    req.o_format = of;
    req.lse_format = lf;
    req.model = model;
    req.rows = rows;
    req.seed = seed;
    req.threads = (int)threads;
    req.progress = 2.0;
    fr_check_report rep;
    fr_status st = fr_check_run(&req, &rep, NULL);
    if (st != FR_OK) {
        cli_error(CLI_FAILED, "check: %s", fr_status_message(st));
        status = CLI_FAILED;
        goto done;
    }
    if (opts[OPT_JSON].value)
        fr_check_print_json(stdout, &req, &rep);
    else
        fr_check_print(stdout, &req, &rep);
    status = rep.failed ? CLI_FAILED : CLI_OK;
done:
    free(q);
    free(k);
    free(v);
    free(o);
    free(lse);
    return status;
}
