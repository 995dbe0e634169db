/* flashref attention: the reference on the user's own tensors. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"

static const char attention_help[] =
    "usage: flashref attention --q q.npy --k k.npy --v v.npy --out o.npy [options]\n"
    "\n"
    "Computes O = softmax(scale * Q K^T) V and LSE = log(sum(exp(scale * Q K^T))) in\n"
    "double arithmetic with flashref's counted memory model, and writes them as\n"
    "little-endian float64 .npy files: O with shape [B, Hq, Nq, d], LSE with shape\n"
    "[B, Hq, Nq], whatever the rank of the inputs.\n"
    "\n"
    "Inputs: q is [B, Hq, Nq, d], k and v are [B, Hkv, Nk, d] (the same shape). A 3-D\n"
    "tensor [H, N, d] is read as B = 1 and a 2-D tensor [N, d] as B = H = 1. q and k\n"
    "must agree on B and d, and Hkv must divide Hq (query head h uses key/value head\n"
    "h / (Hq/Hkv)). Accepted dtypes: '<f2', '<f4', bfloat16 (ml_dtypes, saved by\n"
    "np.save as '<V2'; also 'bfloat16'), and '<f8' holding values that are exactly\n"
    "floats. Little-endian, C order, .npy format 1.0, 2.0 or 3.0.\n"
    "\n"
    "options ('--M 4096' and '--M=4096' are the same):\n"
    "  --q path            queries (required)\n"
    "  --k path            keys (required)\n"
    "  --v path            values (required)\n"
    "  --out path          where O goes (required)\n"
    "  --lse path          where LSE goes [not written]\n"
    "  --causal mode       none | top-left | bottom-right [none]\n"
    "                      top-left: key j visible to query i iff j <= i;\n"
    "                      bottom-right: iff j <= i + Nk - Nq\n"
    "  --scale s           softmax scale, a finite number [1/sqrt(d)]\n"
    "  --M words           fast memory in words, at least 4d+3 [max(16384, 4d+3)]\n"
    "  --algorithm name    tiled | standard [tiled]\n"
    "  --block-rows n      Br [default rule for M]\n"
    "  --block-cols n      Bc [default rule for M]\n"
    "  -h, --help          this help\n"
    "\n"
    "The run also checks that the words moved equal the closed form and that the\n"
    "fast-memory peak is at most M, and fails (exit 1) without writing if not.\n";

typedef struct tensor {
    const char *label;
    const char *path;
    fr_npy_array array;
    float *data;
    size_t dims[4];   /* B, H, N, d */
} tensor;

static void shape_text(const fr_npy_array *a, char *buf, size_t cap)
{
    size_t len = 0;
    len += (size_t)snprintf(buf, cap, "(");
    for (size_t i = 0; i < a->ndim && len < cap; i++)
        len += (size_t)snprintf(buf + len, cap - len, i > 0 ? ", %zu" : "%zu", a->shape[i]);
    if (len < cap)
        snprintf(buf + len, cap - len, a->ndim == 1 ? ",)" : ")");
}

static int load_tensor(tensor *t)
{
    t->data = NULL;
    char context[32];
    snprintf(context, sizeof context, "attention: %s", t->label);
    int status = cli_load_npy(context, t->path, &t->array, &t->data);
    if (status != CLI_OK)
        return status;
    char shape[160];
    shape_text(&t->array, shape, sizeof shape);
    size_t nd = t->array.ndim;
    if (nd < 2 || nd > 4)
        return cli_error(CLI_FAILED,
                         "attention: %s (%s) has shape %s: expected [B, H, N, d], [H, N, d] "
                         "or [N, d]", t->label, t->path, shape);
    for (size_t i = 0; i < 4; i++)
        t->dims[i] = 1;
    for (size_t i = 0; i < nd; i++) {
        t->dims[4 - nd + i] = t->array.shape[i];
        if (t->array.shape[i] == 0)
            return cli_error(CLI_FAILED, "attention: %s (%s) has shape %s: every size must be "
                                         "positive", t->label, t->path, shape);
    }
    return CLI_OK;
}

static int check_shapes(const tensor *q, const tensor *k, const tensor *v)
{
    char qs[160], ks[160], vs[160];
    shape_text(&q->array, qs, sizeof qs);
    shape_text(&k->array, ks, sizeof ks);
    shape_text(&v->array, vs, sizeof vs);
    if (memcmp(k->dims, v->dims, sizeof k->dims) != 0)
        return cli_error(CLI_FAILED, "attention: k %s and v %s must have the same shape", ks, vs);
    if (q->dims[0] != k->dims[0])
        return cli_error(CLI_FAILED, "attention: q %s has batch %zu but k %s has batch %zu", qs,
                         q->dims[0], ks, k->dims[0]);
    if (q->dims[3] != k->dims[3])
        return cli_error(CLI_FAILED, "attention: q %s has head dimension %zu but k %s has %zu",
                         qs, q->dims[3], ks, k->dims[3]);
    if (q->dims[1] % k->dims[1] != 0)
        return cli_error(CLI_FAILED, "attention: k %s has %zu heads, which does not divide the "
                                     "%zu heads of q %s", ks, k->dims[1], q->dims[1], qs);
    return CLI_OK;
}

/* Everything from the command line except the tensors. */
typedef struct attention_request {
    fr_causal causal;
    double scale;
    int scale_given;
    size_t fast_words;
    int fast_words_given;
    int standard;
} attention_request;

static int parse_request(const cli_option *opts, size_t n, attention_request *req)
{
    const char *cmd = "attention";
    static const char *required[] = { "q", "k", "v", "out" };
    for (size_t i = 0; i < 4; i++) {
        if (cli_get(opts, n, required[i])->value == NULL)
            return cli_error(CLI_USAGE, "attention: --%s is required (see 'flashref attention "
                                        "--help')", required[i]);
    }
    req->causal = FR_CAUSAL_NONE;
    req->scale = 0.0;
    req->fast_words = 0;
    const char *scale = cli_get(opts, n, "scale")->value;
    const char *m = cli_get(opts, n, "M")->value;
    const char *algorithm = cli_get(opts, n, "algorithm")->value;
    req->scale_given = scale != NULL;
    req->fast_words_given = m != NULL;
    if (cli_causal(cmd, cli_get(opts, n, "causal")->value, &req->causal) != CLI_OK ||
        cli_double(cmd, "scale", scale, &req->scale) != CLI_OK ||
        cli_size(cmd, "M", m, 1, &req->fast_words) != CLI_OK)
        return CLI_USAGE;
    req->standard = 0;
    if (algorithm != NULL) {
        if (strcmp(algorithm, "standard") == 0)
            req->standard = 1;
        else if (strcmp(algorithm, "tiled") != 0)
            return cli_error(CLI_USAGE, "attention: --algorithm expects tiled or standard, "
                                        "got '%s'", algorithm);
    }
    return CLI_OK;
}

static int compute(const cli_option *opts, size_t n, const attention_request *req,
                   const tensor *q, const tensor *k, const tensor *v)
{
    const char *cmd = "attention";
    fr_problem p = fr_problem_make(q->dims[0], q->dims[1], k->dims[1], q->dims[2], k->dims[2],
                                   q->dims[3], req->causal);
    if (req->scale_given)
        p.scale = req->scale;
    fr_status st = fr_problem_check(&p);
    if (st != FR_OK)
        return cli_error(CLI_FAILED, "attention: invalid problem: %s", fr_status_message(st));
    size_t fast_words = req->fast_words;
    if (!req->fast_words_given) {
        size_t minimum = fr_min_fast_words(p.head_dim);
        fast_words = minimum > 16384 ? minimum : 16384;
    }
    fr_blocks blocks;
    int default_blocks = 0;
    if (cli_blocks(cmd, cli_get(opts, n, "block-rows")->value,
                   cli_get(opts, n, "block-cols")->value, fast_words, &p, &blocks,
                   &default_blocks) != CLI_OK)
        return CLI_USAGE;
    fr_io_count closed;
    st = req->standard ? fr_io_standard(&p, blocks, &closed) : fr_io_tiled(&p, blocks, &closed);
    if (st != FR_OK)
        return cli_error(CLI_FAILED, "attention: the transfer counts overflow 64 bits");

    size_t o_count = q->array.count;
    size_t lse_count = p.batch * p.q_heads * p.q_len;
    double *o = malloc(o_count * sizeof(double));
    double *lse = malloc(lse_count * sizeof(double));
    int status = CLI_OK;
    fr_io_stats stats;
    if (o == NULL || lse == NULL) {
        status = cli_error(CLI_FAILED, "attention: out of host memory");
    } else {
        st = req->standard
                 ? fr_attention_standard(&p, fast_words, &blocks, q->data, k->data, v->data, o,
                                         lse, &stats)
                 : fr_attention_tiled(&p, fast_words, &blocks, q->data, k->data, v->data, o,
                                      lse, &stats);
        if (st != FR_OK)
            status = cli_error(CLI_FAILED, "attention: %s attention failed: %s",
                               req->standard ? "standard" : "tiled", fr_status_message(st));
    }
    if (status == CLI_OK && (stats.io.words_read != closed.words_read ||
                             stats.io.words_written != closed.words_written))
        status = cli_error(CLI_FAILED,
                           "attention: check failed: %llu words read and %llu written, the "
                           "closed form says %llu and %llu",
                           (unsigned long long)stats.io.words_read,
                           (unsigned long long)stats.io.words_written,
                           (unsigned long long)closed.words_read,
                           (unsigned long long)closed.words_written);
    if (status == CLI_OK && stats.fast_peak > fast_words)
        status = cli_error(CLI_FAILED, "attention: check failed: fast-memory peak %zu exceeds "
                                       "M = %zu", stats.fast_peak, fast_words);
    const char *out_path = cli_get(opts, n, "out")->value;
    const char *lse_path = cli_get(opts, n, "lse")->value;
    size_t o_shape[4] = { p.batch, p.q_heads, p.q_len, p.head_dim };
    if (status == CLI_OK)
        status = cli_save_npy_f8(cmd, out_path, o_shape, 4, o);
    if (status == CLI_OK && lse_path != NULL)
        status = cli_save_npy_f8(cmd, lse_path, o_shape, 3, lse);
    if (status == CLI_OK) {
        printf("attention: %s, B=%zu Hq=%zu Hkv=%zu Nq=%zu Nk=%zu d=%zu causal=%s "
               "scale=%.17g\n", req->standard ? "standard" : "tiled", p.batch, p.q_heads,
               p.kv_heads, p.q_len, p.kv_len, p.head_dim, cli_causal_name(p.causal), p.scale);
        printf("memory: M=%zu words, blocks Br x Bc = %zu x %zu, fast peak %zu\n", fast_words,
               blocks.rows, blocks.cols, stats.fast_peak);
        printf("transfers: %llu words read, %llu written (equal to the closed form)\n",
               (unsigned long long)stats.io.words_read,
               (unsigned long long)stats.io.words_written);
        printf("wrote O [%zu, %zu, %zu, %zu] to %s", p.batch, p.q_heads, p.q_len, p.head_dim,
               out_path);
        if (lse_path != NULL)
            printf(", LSE [%zu, %zu, %zu] to %s", p.batch, p.q_heads, p.q_len, lse_path);
        printf("\n");
    }
    free(o);
    free(lse);
    return status;
}

int cli_attention(int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        fputs(attention_help, stdout);
        return CLI_OK;
    }
    cli_option opts[] = {
        { "q", CLI_VALUE, NULL },          { "k", CLI_VALUE, NULL },
        { "v", CLI_VALUE, NULL },          { "out", CLI_VALUE, NULL },
        { "lse", CLI_VALUE, NULL },        { "causal", CLI_VALUE, NULL },
        { "scale", CLI_VALUE, NULL },      { "M", CLI_VALUE, NULL },
        { "algorithm", CLI_VALUE, NULL },  { "block-rows", CLI_VALUE, NULL },
        { "block-cols", CLI_VALUE, NULL },
    };
    const size_t n_opts = sizeof opts / sizeof opts[0];
    if (cli_parse("attention", argc, argv, opts, n_opts) != CLI_OK)
        return CLI_USAGE;
    attention_request req;
    if (parse_request(opts, n_opts, &req) != CLI_OK)
        return CLI_USAGE;
    tensor q = { "q", cli_get(opts, n_opts, "q")->value, { 0 }, NULL, { 0 } };
    tensor k = { "k", cli_get(opts, n_opts, "k")->value, { 0 }, NULL, { 0 } };
    tensor v = { "v", cli_get(opts, n_opts, "v")->value, { 0 }, NULL, { 0 } };
    int status = load_tensor(&q);
    if (status == CLI_OK)
        status = load_tensor(&k);
    if (status == CLI_OK)
        status = load_tensor(&v);
    if (status == CLI_OK)
        status = check_shapes(&q, &k, &v);
    if (status == CLI_OK)
        status = compute(opts, n_opts, &req, &q, &k, &v);
    free(q.data);
    free(k.data);
    free(v.data);
    return status;
}
