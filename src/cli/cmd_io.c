/* flashref io: the closed-form transfer counts across fast-memory sizes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"

static const char io_help[] =
    "usage: flashref io --N n --d d [--Nk n] [--M list] [--causal mode]\n"
    "\n"
    "Prints, for one head (B = Hq = Hkv = 1) and each fast-memory size M, the words\n"
    "standard and tiled attention move between slow and fast memory (the closed forms\n"
    "fr_io_standard and fr_io_tiled with the default blocks for M; nothing is\n"
    "computed), next to the FlashAttention scale N^2*d^2/M (here Nq*Nk*d^2/M) and the\n"
    "tiled bound c1*N^2*d^2/M + c2*N*d with N = max(Nq, Nk), c1 = 12 + 10/d, c2 = 5.\n"
    "\n"
    "options ('--N 64' and '--N=64' are the same):\n"
    "  --N n           query length Nq, and key length unless --Nk is given (required)\n"
    "  --d n           head dimension (required)\n"
    "  --Nk n          key/value length [N]\n"
    "  --M list        comma-separated fast-memory sizes in words, each at least 4d+3,\n"
    "                  e.g. --M 1024,4096 [powers of two from the first at least 4d+3\n"
    "                  up to the first whose default blocks cover the whole problem,\n"
    "                  at most 2^22]\n"
    "  --causal mode   none | top-left | bottom-right [none]\n"
    "  -h, --help      this help\n"
    "\n"
    "Columns: M; the default blocks Br and Bc; standard and tiled words (read +\n"
    "written); N^2d^2/M = Nq*Nk*d^2/M; tiled / that; the bound; tiled / bound.\n";

#define IO_MAX_SIZES 64
#define IO_DEFAULT_TOP ((size_t)1 << 22)

static int parse_list(const char *text, size_t head_dim, size_t *sizes, size_t *count)
{
    const char *cmd = "io";
    size_t n = 0;
    const char *p = text;
    for (;;) {
        const char *comma = strchr(p, ',');
        size_t len = comma != NULL ? (size_t)(comma - p) : strlen(p);
        char item[32];
        if (len == 0 || len >= sizeof item)
            return cli_error(CLI_USAGE, "io: --M expects a comma-separated list of positive "
                                        "integers, got '%s'", text);
        if (n == IO_MAX_SIZES)
            return cli_error(CLI_USAGE, "io: --M lists more than %d sizes", IO_MAX_SIZES);
        memcpy(item, p, len);
        item[len] = '\0';
        if (cli_size(cmd, "M", item, 1, &sizes[n]) != CLI_OK ||
            cli_check_fast_words(cmd, sizes[n], head_dim) != CLI_OK)
            return CLI_USAGE;
        n++;
        if (comma == NULL)
            break;
        p = comma + 1;
    }
    *count = n;
    return CLI_OK;
}

static void default_list(const fr_problem *p, size_t *sizes, size_t *count)
{
    size_t minimum = fr_min_fast_words(p->head_dim);
    size_t full_cols = p->head_dim < p->kv_len ? p->head_dim : p->kv_len;
    size_t m = 1;
    while (m < minimum && m <= SIZE_MAX / 2)
        m *= 2;
    size_t n = 0;
    while (n < IO_MAX_SIZES) {
        sizes[n++] = m;
        fr_blocks b;
        int covered = fr_blocks_default(m, p->head_dim, p->q_len, p->kv_len, &b) == FR_OK &&
                      b.rows >= p->q_len && b.cols >= full_cols;
        if (covered || m >= IO_DEFAULT_TOP || m > SIZE_MAX / 2)
            break;
        m *= 2;
    }
    *count = n;
}

static void print_count(int ok, fr_io_count c)
{
    if (ok)
        printf(" %16llu", (unsigned long long)c.words_read + (unsigned long long)c.words_written);
    else
        printf(" %16s", "overflow");
}

int cli_io(int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        fputs(io_help, stdout);
        return CLI_OK;
    }
    cli_option opts[] = {
        { "N", CLI_VALUE, NULL }, { "Nk", CLI_VALUE, NULL },     { "d", CLI_VALUE, NULL },
        { "M", CLI_VALUE, NULL }, { "causal", CLI_VALUE, NULL },
    };
    const size_t n_opts = sizeof opts / sizeof opts[0];
    const char *cmd = "io";
    if (cli_parse(cmd, argc, argv, opts, n_opts) != CLI_OK)
        return CLI_USAGE;
    const char *n_text = cli_get(opts, n_opts, "N")->value;
    const char *d_text = cli_get(opts, n_opts, "d")->value;
    if (n_text == NULL || d_text == NULL)
        return cli_error(CLI_USAGE, "io: --%s is required (see 'flashref io --help')",
                         n_text == NULL ? "N" : "d");
    size_t nq = 0, nk = 0, d = 0;
    fr_causal causal = FR_CAUSAL_NONE;
    if (cli_size(cmd, "N", n_text, 1, &nq) != CLI_OK ||
        cli_size(cmd, "Nk", cli_get(opts, n_opts, "Nk")->value, 1, &nk) != CLI_OK ||
        cli_size(cmd, "d", d_text, 1, &d) != CLI_OK ||
        cli_causal(cmd, cli_get(opts, n_opts, "causal")->value, &causal) != CLI_OK)
        return CLI_USAGE;
    if (nk == 0)
        nk = nq;
    fr_problem p = fr_problem_make(1, 1, 1, nq, nk, d, causal);
    if (fr_problem_check(&p) != FR_OK)
        return cli_error(CLI_USAGE, "io: the problem is too large: a tensor's byte count "
                                    "overflows size_t");
    size_t sizes[IO_MAX_SIZES];
    size_t count = 0;
    const char *list = cli_get(opts, n_opts, "M")->value;
    if (list != NULL) {
        if (parse_list(list, d, sizes, &count) != CLI_OK)
            return CLI_USAGE;
    } else {
        default_list(&p, sizes, &count);
    }

    printf("closed-form transfer counts in words, one head: Nq=%zu Nk=%zu d=%zu causal=%s\n",
           nq, nk, d, cli_causal_name(causal));
    printf("bound = c1*N^2*d^2/M + c2*N*d, N = max(Nq, Nk), c1 = 12 + 10/d = %.6g, c2 = %g\n",
           fr_tiled_bound_c1(d), FR_TILED_BOUND_C2);
    printf("%12s %9s %6s %16s %16s %16s %12s %16s %12s\n", "M", "Br", "Bc", "standard",
           "tiled", "N^2d^2/M", "tiled/that", "bound", "tiled/bound");
    for (size_t i = 0; i < count; i++) {
        size_t m = sizes[i];
        fr_blocks b;
        if (fr_blocks_default(m, d, nq, nk, &b) != FR_OK)
            return cli_error(CLI_FAILED, "io: no default blocks for M = %zu", m);
        fr_io_count standard = { 0, 0 }, tiled = { 0, 0 };
        int standard_ok = fr_io_standard(&p, b, &standard) == FR_OK;
        int tiled_ok = fr_io_tiled(&p, b, &tiled) == FR_OK;
        double scale = (double)nq * (double)nk * (double)d * (double)d / (double)m;
        double bound = fr_tiled_bound(&p, m);
        double tiled_total = (double)tiled.words_read + (double)tiled.words_written;
        printf("%12zu %9zu %6zu", m, b.rows, b.cols);
        print_count(standard_ok, standard);
        print_count(tiled_ok, tiled);
        printf(" %16.1f", scale);
        if (tiled_ok)
            printf(" %12.4f", tiled_total / scale);
        else
            printf(" %12s", "-");
        printf(" %16.1f", bound);
        if (tiled_ok)
            printf(" %12.4f\n", tiled_total / bound);
        else
            printf(" %12s\n", "-");
    }
    return CLI_OK;
}
