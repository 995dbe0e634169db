/* flashref run: both algorithms on one seeded problem, every promise checked. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"

static const char run_help[] =
    "usage: flashref run [options]\n"
    "\n"
    "Runs fr_attention_standard and fr_attention_tiled on the same seeded problem with\n"
    "the same fast memory and blocks, prints what they did, and checks that\n"
    "  - the outputs agree: max |O_tiled - O_standard| <= 1e-12 * max |O_standard|,\n"
    "    likewise over the finite LSE entries, and the -inf LSE entries (rows that\n"
    "    see no key) are the same in both;\n"
    "  - each algorithm's words read and written equal its closed form\n"
    "    (fr_io_standard, fr_io_tiled);\n"
    "  - each algorithm's fast-memory high-water mark is at most M;\n"
    "  - with the default blocks, the tiled total is within the bound\n"
    "    B*Hq * (c1*N^2*d^2/M + c2*N*d), N = max(Nq, Nk), c1 = 12 + 10/d, c2 = 5.\n"
    "It exits 1, saying which check failed, when one does.\n"
    "\n"
    "Q, K and V are filled in C order, Q first, then K, then V, from one splitmix64\n"
    "stream started at the seed: each element is (x >> 40) * 2^-23 - 1 for the next\n"
    "64-bit output x, uniform in [-1, 1) and exactly a float.\n"
    "\n"
    "options (defaults in brackets; '--N 64' and '--N=64' are the same):\n"
    "  --N n            query length Nq, and key length Nk unless --Nk is given [1024]\n"
    "  --Nk n           key/value length Nk [N]\n"
    "  --d n            head dimension d [64]\n"
    "  --heads n        query heads Hq [4]\n"
    "  --kv-heads n     key/value heads Hkv, dividing Hq [Hq]\n"
    "  --batch n        batch size B [1]\n"
    "  --causal mode    none | top-left | bottom-right [none]\n"
    "  --M words        fast memory in words (one word holds one element), at least\n"
    "                   4d+3 [16384]\n"
    "  --block-rows n   Br, query rows per block [default rule]\n"
    "  --block-cols n   Bc, key/value rows per block [default rule]\n"
    "  --seed n         PRNG seed, 0 .. 2^64-1 [1]\n"
    "  --json           print one JSON object instead of the table: the problem\n"
    "                   (batch, q_heads, kv_heads, q_len, kv_len, head_dim, causal,\n"
    "                   scale), seed, M, blocks, c1, c2, n2d2_over_M, max_abs_diff and\n"
    "                   max_rel_diff (over O), lse, fast_peak (the larger of the two),\n"
    "                   ok, and objects \"standard\" and \"tiled\" with words_read,\n"
    "                   words_written, words_total, closed_form (read + written),\n"
    "                   matches_closed_form, fast_peak, seconds; tiled also bound\n"
    "  -h, --help       this help\n"
    "\n"
    "Default blocks: Bc = clamp(floor(M/(6d)), 1, d), Br = floor((M - 2*Bc*d)/(2d+Bc+2)),\n"
    "then Br capped at Nq and Bc at Nk. With only one of --block-rows and --block-cols,\n"
    "the other keeps its default; the blocks must fit: Br*(2d+Bc+2) + 2*Bc*d <= M.\n"
    "\n"
    "Standard attention keeps S and P in host memory (16*Nq*Nk bytes); a problem that\n"
    "needs more memory than the host has is refused before it starts. Problems of\n"
    "more than 2^30 multiply-adds (B*Hq*Nq*Nk*d) report progress on stderr.\n";

#define RUN_TOLERANCE 1e-12
#define PROGRESS_WORK 1073741824.0

static uint64_t splitmix64(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

static void fill_uniform(float *x, size_t n, uint64_t *state)
{
    for (size_t i = 0; i < n; i++)
        x[i] = (float)((double)(splitmix64(state) >> 40) * 0x1p-23 - 1.0);
}

/* Largest |a - b| over n entries, NaN counting as infinitely far unless both are NaN. */
typedef struct diff_stats {
    double max_abs_diff;
    double max_abs_ref;     /* max |b| over the compared entries */
    double max_rel_diff;    /* max_abs_diff / max_abs_ref (0/0 = 0) */
    size_t compared;
    size_t neg_inf;         /* LSE: -inf entries of the reference */
    size_t inf_mismatches;  /* LSE: entries not both finite and not equal */
} diff_stats;

static double relative(double diff, double ref)
{
    if (diff == 0.0)
        return 0.0;
    return ref > 0.0 ? diff / ref : INFINITY;
}

static diff_stats compare_o(const double *a, const double *b, size_t n)
{
    diff_stats s = { 0.0, 0.0, 0.0, n, 0, 0 };
    for (size_t i = 0; i < n; i++) {
        double diff = fabs(a[i] - b[i]);
        if (isnan(a[i]) || isnan(b[i]))
            diff = isnan(a[i]) && isnan(b[i]) ? 0.0 : INFINITY;
        if (diff > s.max_abs_diff)
            s.max_abs_diff = diff;
        if (fabs(b[i]) > s.max_abs_ref)
            s.max_abs_ref = fabs(b[i]);
    }
    s.max_rel_diff = relative(s.max_abs_diff, s.max_abs_ref);
    return s;
}

static diff_stats compare_lse(const double *a, const double *b, size_t n)
{
    diff_stats s = { 0.0, 0.0, 0.0, 0, 0, 0 };
    for (size_t i = 0; i < n; i++) {
        if (isfinite(a[i]) && isfinite(b[i])) {
            double diff = fabs(a[i] - b[i]);
            if (diff > s.max_abs_diff)
                s.max_abs_diff = diff;
            if (fabs(b[i]) > s.max_abs_ref)
                s.max_abs_ref = fabs(b[i]);
            s.compared++;
        } else if (!(a[i] == b[i])) {
            s.inf_mismatches++;
        }
        if (b[i] == -INFINITY)
            s.neg_inf++;
    }
    s.max_rel_diff = relative(s.max_abs_diff, s.max_abs_ref);
    return s;
}

typedef struct algo_result {
    const char *name;
    fr_io_stats stats;
    fr_io_count closed;
    double seconds;
    int counts_match;
    int peak_ok;
} algo_result;

typedef fr_status (*attention_fn)(const fr_problem *, size_t, const fr_blocks *, const float *,
                                  const float *, const float *, double *, double *,
                                  fr_io_stats *);

static int run_algorithm(attention_fn fn, algo_result *r, const fr_problem *p, size_t fast_words,
                         const fr_blocks *blocks, const float *q, const float *k, const float *v,
                         double *o, double *lse, int progress)
{
    if (progress)
        fprintf(stderr, "[flashref run] %s attention: started\n", r->name);
    double t0 = cli_seconds();
    fr_status st = fn(p, fast_words, blocks, q, k, v, o, lse, &r->stats);
    r->seconds = cli_seconds() - t0;
    if (st != FR_OK)
        return cli_error(CLI_FAILED, "run: %s attention failed: %s", r->name,
                         fr_status_message(st));
    if (progress)
        fprintf(stderr, "[flashref run] %s attention: done in %.1f s\n", r->name, r->seconds);
    r->counts_match = r->stats.io.words_read == r->closed.words_read &&
                      r->stats.io.words_written == r->closed.words_written;
    r->peak_ok = r->stats.fast_peak <= fast_words;
    return CLI_OK;
}

static unsigned long long total(fr_io_count c)
{
    return (unsigned long long)c.words_read + (unsigned long long)c.words_written;
}

/* JSON has no infinities or NaN: those become null. */
static void json_number(double x)
{
    if (isfinite(x))
        printf("%.17g", x);
    else
        printf("null");
}

static void json_algo(const algo_result *r, size_t fast_words, const double *bound, int last)
{
    printf("  \"%s\": {\n", r->name);
    printf("    \"words_read\": %llu,\n", (unsigned long long)r->stats.io.words_read);
    printf("    \"words_written\": %llu,\n", (unsigned long long)r->stats.io.words_written);
    printf("    \"words_total\": %llu,\n", total(r->stats.io));
    printf("    \"closed_form_read\": %llu,\n", (unsigned long long)r->closed.words_read);
    printf("    \"closed_form_written\": %llu,\n", (unsigned long long)r->closed.words_written);
    printf("    \"closed_form\": %llu,\n", total(r->closed));
    printf("    \"matches_closed_form\": %s,\n", r->counts_match ? "true" : "false");
    if (bound != NULL) {
        printf("    \"bound\": ");
        json_number(*bound);
        printf(",\n    \"total_over_bound\": ");
        json_number((double)total(r->stats.io) / *bound);
        printf(",\n");
    }
    printf("    \"fast_peak\": %zu,\n", r->stats.fast_peak);
    printf("    \"fast_peak_within_M\": %s,\n", r->stats.fast_peak <= fast_words ? "true" : "false");
    printf("    \"seconds\": %.3f\n", r->seconds);
    printf("  }%s\n", last ? "" : ",");
}

typedef struct run_report {
    fr_problem p;
    size_t fast_words;
    fr_blocks blocks;
    int default_blocks;
    uint64_t seed;
    diff_stats o, lse;
    algo_result standard, tiled;
    double c1, bound, n2d2_over_m;
    int o_ok, lse_ok, bound_ok;
} run_report;

static void print_json(const run_report *r, int ok)
{
    const fr_problem *p = &r->p;
    size_t peak = r->standard.stats.fast_peak > r->tiled.stats.fast_peak
                      ? r->standard.stats.fast_peak : r->tiled.stats.fast_peak;
    printf("{\n");
    printf("  \"command\": \"run\",\n");
    printf("  \"batch\": %zu,\n  \"q_heads\": %zu,\n  \"kv_heads\": %zu,\n", p->batch,
           p->q_heads, p->kv_heads);
    printf("  \"q_len\": %zu,\n  \"kv_len\": %zu,\n  \"head_dim\": %zu,\n", p->q_len, p->kv_len,
           p->head_dim);
    printf("  \"causal\": \"%s\",\n  \"scale\": ", cli_causal_name(p->causal));
    json_number(p->scale);
    printf(",\n  \"seed\": %llu,\n", (unsigned long long)r->seed);
    printf("  \"M\": %zu,\n", r->fast_words);
    printf("  \"blocks\": {\"rows\": %zu, \"cols\": %zu, \"default\": %s},\n", r->blocks.rows,
           r->blocks.cols, r->default_blocks ? "true" : "false");
    printf("  \"fast_words_needed\": %zu,\n", fr_fast_words_needed(r->blocks, p->head_dim));
    printf("  \"c1\": ");
    json_number(r->c1);
    printf(",\n  \"c2\": ");
    json_number(FR_TILED_BOUND_C2);
    printf(",\n  \"n2d2_over_M\": ");
    json_number(r->n2d2_over_m);
    printf(",\n  \"max_abs_diff\": ");
    json_number(r->o.max_abs_diff);
    printf(",\n  \"max_rel_diff\": ");
    json_number(r->o.max_rel_diff);
    printf(",\n  \"max_abs_o\": ");
    json_number(r->o.max_abs_ref);
    printf(",\n  \"lse\": {\"max_abs_diff\": ");
    json_number(r->lse.max_abs_diff);
    printf(", \"max_rel_diff\": ");
    json_number(r->lse.max_rel_diff);
    printf(", \"finite_entries\": %zu, \"neg_inf_entries\": %zu, \"inf_mismatches\": %zu},\n",
           r->lse.compared, r->lse.neg_inf, r->lse.inf_mismatches);
    printf("  \"fast_peak\": %zu,\n", peak);
    json_algo(&r->standard, r->fast_words, NULL, 0);
    json_algo(&r->tiled, r->fast_words, &r->bound, 0);
    printf("  \"ok\": %s\n", ok ? "true" : "false");
    printf("}\n");
}

/* One line naming every failed check. */
static int report_failures(const run_report *r)
{
    char why[512] = "";
    const char *checks[7];
    size_t n = 0;
    if (!r->standard.counts_match)
        checks[n++] = "standard transfer counts differ from the closed form";
    if (!r->tiled.counts_match)
        checks[n++] = "tiled transfer counts differ from the closed form";
    if (!r->standard.peak_ok)
        checks[n++] = "standard fast-memory peak exceeds M";
    if (!r->tiled.peak_ok)
        checks[n++] = "tiled fast-memory peak exceeds M";
    if (!r->o_ok)
        checks[n++] = "O differs between the algorithms by more than 1e-12 relative";
    if (!r->lse_ok)
        checks[n++] = "LSE differs between the algorithms by more than 1e-12 relative, "
                      "or in its -inf entries";
    if (!r->bound_ok && r->default_blocks)
        checks[n++] = "the tiled transfer count exceeds its bound";
    for (size_t i = 0; i < n; i++) {
        if (i > 0)
            strncat(why, "; ", sizeof why - strlen(why) - 1);
        strncat(why, checks[i], sizeof why - strlen(why) - 1);
    }
    return cli_error(CLI_FAILED, "run: check failed: %s", why);
}

static void print_algo_row(const algo_result *r)
{
    printf("%-10s %14llu %14llu %14llu %14llu  %-8s %10zu %s\n", r->name,
           (unsigned long long)r->stats.io.words_read,
           (unsigned long long)r->stats.io.words_written, total(r->stats.io), total(r->closed),
           r->counts_match ? "match" : "MISMATCH", r->stats.fast_peak,
           r->peak_ok ? "<= M" : "> M: EXCEEDS M");
}

static void print_table(const run_report *r, int ok)
{
    const fr_problem *p = &r->p;
    double tiled_total = (double)total(r->tiled.stats.io);
    printf("flashref run: standard vs tiled attention, Q, K, V from seed %llu\n",
           (unsigned long long)r->seed);
    printf("problem    B=%zu Hq=%zu Hkv=%zu Nq=%zu Nk=%zu d=%zu causal=%s scale=%.17g\n",
           p->batch, p->q_heads, p->kv_heads, p->q_len, p->kv_len, p->head_dim,
           cli_causal_name(p->causal), p->scale);
    printf("memory     M=%zu words, blocks Br x Bc = %zu x %zu (%s), needing %zu words\n",
           r->fast_words, r->blocks.rows, r->blocks.cols,
           r->default_blocks ? "default rule" : "chosen",
           fr_fast_words_needed(r->blocks, p->head_dim));
    printf("\n");
    printf("O          max |tiled - standard| = %.3g; max |O| = %.6g; relative %.3g (%s 1e-12)\n",
           r->o.max_abs_diff, r->o.max_abs_ref, r->o.max_rel_diff, r->o_ok ? "<=" : "EXCEEDS");
    printf("LSE        max |tiled - standard| = %.3g over %zu finite entries; max |LSE| = %.6g;\n",
           r->lse.max_abs_diff, r->lse.compared, r->lse.max_abs_ref);
    printf("           relative %.3g (%s 1e-12); -inf entries: %zu, %s\n", r->lse.max_rel_diff,
           r->lse.max_rel_diff <= RUN_TOLERANCE ? "<=" : "EXCEEDS", r->lse.neg_inf,
           r->lse.inf_mismatches == 0 ? "the same in both" : "DIFFERENT between the two");
    printf("\n");
    printf("%-10s %14s %14s %14s %14s  %-8s %10s\n", "words", "read", "written", "total",
           "closed form", "", "fast peak");
    print_algo_row(&r->standard);
    print_algo_row(&r->tiled);
    printf("\n");
    printf("bound      B*Hq*(c1*N^2*d^2/M + c2*N*d), N = max(Nq, Nk), c1 = 12 + 10/d = %.6g, "
           "c2 = %g\n", r->c1, FR_TILED_BOUND_C2);
    printf("           = %.6g; tiled total / bound = %.4f%s\n", r->bound, tiled_total / r->bound,
           !r->default_blocks ? " (the bound assumes the default blocks)"
           : r->bound_ok ? "" : ": EXCEEDS the bound");
    printf("N^2d^2/M   B*Hq*Nq*Nk*d^2/M = %.6g; tiled total / it = %.4f\n", r->n2d2_over_m,
           tiled_total / r->n2d2_over_m);
    printf("time       standard %.2f s, tiled %.2f s\n", r->standard.seconds, r->tiled.seconds);
    printf("result     %s\n", ok ? "ok" : "FAILED");
}

/* Bytes the run holds at once: Q, K, V, both algorithms' O and LSE, the
 * standard algorithm's S and P, and the arena. */
static double host_bytes_needed(const fr_problem *p, fr_blocks b)
{
    double q = (double)p->batch * (double)p->q_heads * (double)p->q_len * (double)p->head_dim;
    double kv = (double)p->batch * (double)p->kv_heads * (double)p->kv_len * (double)p->head_dim;
    double lse = (double)p->batch * (double)p->q_heads * (double)p->q_len;
    double sp = 2.0 * (double)p->q_len * (double)p->kv_len;
    return 4.0 * (q + 2.0 * kv) + 8.0 * (2.0 * (q + lse) + sp) +
           8.0 * (double)fr_fast_words_needed(b, p->head_dim);
}

/* "12.3 GiB" or "4.5 TiB". */
static const char *human_bytes(double bytes, char *buf, size_t cap)
{
    double gib = bytes / 1073741824.0;
    if (gib >= 1024.0)
        snprintf(buf, cap, "%.1f TiB", gib / 1024.0);
    else
        snprintf(buf, cap, "%.1f GiB", gib);
    return buf;
}

static int parse_problem(cli_option *opts, size_t n, fr_problem *p, size_t *fast_words,
                         uint64_t *seed)
{
    const char *cmd = "run";
    size_t nq = 1024, nk = 0, d = 64, hq = 4, hkv = 0, batch = 1;
    fr_causal causal = FR_CAUSAL_NONE;
    *fast_words = 16384;
    *seed = 1;
    if (cli_size(cmd, "N", cli_get(opts, n, "N")->value, 1, &nq) != CLI_OK ||
        cli_size(cmd, "Nk", cli_get(opts, n, "Nk")->value, 1, &nk) != CLI_OK ||
        cli_size(cmd, "d", cli_get(opts, n, "d")->value, 1, &d) != CLI_OK ||
        cli_size(cmd, "heads", cli_get(opts, n, "heads")->value, 1, &hq) != CLI_OK ||
        cli_size(cmd, "kv-heads", cli_get(opts, n, "kv-heads")->value, 1, &hkv) != CLI_OK ||
        cli_size(cmd, "batch", cli_get(opts, n, "batch")->value, 1, &batch) != CLI_OK ||
        cli_size(cmd, "M", cli_get(opts, n, "M")->value, 1, fast_words) != CLI_OK ||
        cli_u64(cmd, "seed", cli_get(opts, n, "seed")->value, seed) != CLI_OK ||
        cli_causal(cmd, cli_get(opts, n, "causal")->value, &causal) != CLI_OK)
        return CLI_USAGE;
    if (nk == 0)
        nk = nq;
    if (hkv == 0)
        hkv = hq;
    if (hq % hkv != 0)
        return cli_error(CLI_USAGE, "run: --kv-heads %zu does not divide --heads %zu", hkv, hq);
    *p = fr_problem_make(batch, hq, hkv, nq, nk, d, causal);
    fr_status st = fr_problem_check(p);
    if (st == FR_ERR_SIZE_OVERFLOW)
        return cli_error(CLI_USAGE, "run: the problem is too large: a tensor's byte count "
                                    "overflows size_t");
    if (st != FR_OK)
        return cli_error(CLI_USAGE, "run: invalid problem: %s", fr_status_message(st));
    return CLI_OK;
}

int cli_run(int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        fputs(run_help, stdout);
        return CLI_OK;
    }
    cli_option opts[] = {
        { "N", CLI_VALUE, NULL },        { "Nk", CLI_VALUE, NULL },
        { "d", CLI_VALUE, NULL },        { "heads", CLI_VALUE, NULL },
        { "kv-heads", CLI_VALUE, NULL }, { "batch", CLI_VALUE, NULL },
        { "causal", CLI_VALUE, NULL },   { "M", CLI_VALUE, NULL },
        { "block-rows", CLI_VALUE, NULL }, { "block-cols", CLI_VALUE, NULL },
        { "seed", CLI_VALUE, NULL },     { "json", CLI_FLAG, NULL },
    };
    const size_t n_opts = sizeof opts / sizeof opts[0];
    if (cli_parse("run", argc, argv, opts, n_opts) != CLI_OK)
        return CLI_USAGE;
    run_report r;
    if (parse_problem(opts, n_opts, &r.p, &r.fast_words, &r.seed) != CLI_OK)
        return CLI_USAGE;
    const fr_problem *p = &r.p;
    if (cli_blocks("run", cli_get(opts, n_opts, "block-rows")->value,
                   cli_get(opts, n_opts, "block-cols")->value, r.fast_words, p, &r.blocks,
                   &r.default_blocks) != CLI_OK)
        return CLI_USAGE;
    int json = cli_get(opts, n_opts, "json")->value != NULL;
    r.standard.name = "standard";
    r.tiled.name = "tiled";
    if (fr_io_standard(p, r.blocks, &r.standard.closed) != FR_OK ||
        fr_io_tiled(p, r.blocks, &r.tiled.closed) != FR_OK)
        return cli_error(CLI_USAGE, "run: the problem is too large: its transfer counts "
                                    "overflow 64 bits");

    double needed = host_bytes_needed(p, r.blocks);
    double available = cli_host_memory_bytes();
    char needed_text[32], available_text[32];
    human_bytes(needed, needed_text, sizeof needed_text);
    if (available > 0.0 && needed > available)
        return cli_error(CLI_FAILED,
                         "run: the problem needs about %s of host memory (Q, K, V, both "
                         "outputs, the standard algorithm's S and P of 16*Nq*Nk bytes, the "
                         "arena), more than the host's %s",
                         needed_text, human_bytes(available, available_text,
                                                  sizeof available_text));

    size_t q_count = p->batch * p->q_heads * p->q_len * p->head_dim;   /* fr_problem_check */
    size_t kv_count = p->batch * p->kv_heads * p->kv_len * p->head_dim;
    size_t lse_count = p->batch * p->q_heads * p->q_len;
    float *q = malloc(q_count * sizeof(float));
    float *k = malloc(kv_count * sizeof(float));
    float *v = malloc(kv_count * sizeof(float));
    double *o_std = malloc(q_count * sizeof(double));
    double *o_tiled = malloc(q_count * sizeof(double));
    double *lse_std = malloc(lse_count * sizeof(double));
    double *lse_tiled = malloc(lse_count * sizeof(double));
    int status = CLI_OK;
    if (q == NULL || k == NULL || v == NULL || o_std == NULL || o_tiled == NULL ||
        lse_std == NULL || lse_tiled == NULL)
        status = cli_error(CLI_FAILED, "run: out of host memory (about %s needed)",
                           needed_text);
    if (status == CLI_OK) {
        uint64_t state = r.seed;
        fill_uniform(q, q_count, &state);
        fill_uniform(k, kv_count, &state);
        fill_uniform(v, kv_count, &state);
        double work = (double)p->batch * (double)p->q_heads * (double)p->q_len *
                      (double)p->kv_len * (double)p->head_dim;
        int progress = work >= PROGRESS_WORK;
        status = run_algorithm(fr_attention_standard, &r.standard, p, r.fast_words, &r.blocks,
                               q, k, v, o_std, lse_std, progress);
        if (status == CLI_OK)
            status = run_algorithm(fr_attention_tiled, &r.tiled, p, r.fast_words, &r.blocks, q,
                                   k, v, o_tiled, lse_tiled, progress);
    }
    if (status == CLI_OK) {
        r.o = compare_o(o_tiled, o_std, q_count);
        r.lse = compare_lse(lse_tiled, lse_std, lse_count);
        r.c1 = fr_tiled_bound_c1(p->head_dim);
        r.bound = fr_tiled_bound(p, r.fast_words);
        r.n2d2_over_m = (double)p->batch * (double)p->q_heads * (double)p->q_len *
                        (double)p->kv_len * (double)p->head_dim * (double)p->head_dim /
                        (double)r.fast_words;
        r.o_ok = r.o.max_rel_diff <= RUN_TOLERANCE;
        r.lse_ok = r.lse.max_rel_diff <= RUN_TOLERANCE && r.lse.inf_mismatches == 0;
        r.bound_ok = (double)total(r.tiled.stats.io) <= r.bound;
        int ok = r.o_ok && r.lse_ok && r.standard.counts_match && r.tiled.counts_match &&
                 r.standard.peak_ok && r.tiled.peak_ok && (r.bound_ok || !r.default_blocks);
        if (json)
            print_json(&r, ok);
        else
            print_table(&r, ok);
        fflush(stdout);
        if (!ok)
            status = report_failures(&r);
    }
    free(q);
    free(k);
    free(v);
    free(o_std);
    free(o_tiled);
    free(lse_std);
    free(lse_tiled);
    return status;
}
