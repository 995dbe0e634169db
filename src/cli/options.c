#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "cli.h"

int cli_error(int status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("flashref: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return status;
}

int cli_wants_help(int argc, char **argv)
{
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)
            return 1;
    }
    return 0;
}

static cli_option *find_option(cli_option *opts, size_t n_opts, const char *name, size_t len)
{
    for (size_t i = 0; i < n_opts; i++) {
        if (strlen(opts[i].name) == len && strncmp(opts[i].name, name, len) == 0)
            return &opts[i];
    }
    return NULL;
}

int cli_parse(const char *command, int argc, char **argv, cli_option *opts, size_t n_opts)
{
    for (size_t i = 0; i < n_opts; i++)
        opts[i].value = NULL;
    for (int i = 0; i < argc; i++) {
        const char *arg = argv[i];
        if (strncmp(arg, "--", 2) != 0 || arg[2] == '\0')
            return cli_error(CLI_USAGE, "%s: unexpected argument '%s' (see 'flashref %s --help')",
                             command, arg, command);
        const char *name = arg + 2;
        const char *eq = strchr(name, '=');
        size_t len = eq != NULL ? (size_t)(eq - name) : strlen(name);
        cli_option *opt = find_option(opts, n_opts, name, len);
        if (opt == NULL)
            return cli_error(CLI_USAGE, "%s: unknown option '--%.*s' (see 'flashref %s --help')",
                             command, (int)len, name, command);
        if (opt->value != NULL)
            return cli_error(CLI_USAGE, "%s: option --%s given twice", command, opt->name);
        if (opt->kind == CLI_FLAG) {
            if (eq != NULL)
                return cli_error(CLI_USAGE, "%s: option --%s takes no value", command, opt->name);
            opt->value = "";
        } else if (eq != NULL) {
            opt->value = eq + 1;
        } else if (i + 1 < argc && strncmp(argv[i + 1], "--", 2) != 0) {
            i++;
            opt->value = argv[i];
        } else {
            return cli_error(CLI_USAGE, "%s: option --%s needs a value", command, opt->name);
        }
    }
    return CLI_OK;
}

const cli_option *cli_get(const cli_option *opts, size_t n_opts, const char *name)
{
    for (size_t i = 0; i < n_opts; i++) {
        if (strcmp(opts[i].name, name) == 0)
            return &opts[i];
    }
    return NULL;
}

/* Digits only: strtoull alone would accept leading spaces, '+' and '-'. */
static int parse_u64(const char *text, uint64_t *out, int *overflow)
{
    *overflow = 0;
    if (text[0] == '\0')
        return 0;
    for (const char *c = text; *c != '\0'; c++) {
        if (*c < '0' || *c > '9')
            return 0;
    }
    errno = 0;
    char *end = NULL;
    unsigned long long v = strtoull(text, &end, 10);
    if (end == NULL || *end != '\0')
        return 0;
    if (errno == ERANGE || v > UINT64_MAX) {
        *overflow = 1;
        return 0;
    }
    *out = (uint64_t)v;
    return 1;
}

int cli_u64(const char *command, const char *name, const char *text, uint64_t *out)
{
    if (text == NULL)
        return CLI_OK;
    int overflow = 0;
    uint64_t v = 0;
    if (!parse_u64(text, &v, &overflow)) {
        if (overflow)
            return cli_error(CLI_USAGE, "%s: --%s %s is too large (at most %llu)", command, name,
                             text, (unsigned long long)UINT64_MAX);
        return cli_error(CLI_USAGE, "%s: --%s expects a non-negative integer, got '%s'", command,
                         name, text);
    }
    *out = v;
    return CLI_OK;
}

int cli_size(const char *command, const char *name, const char *text, int positive, size_t *out)
{
    if (text == NULL)
        return CLI_OK;
    int overflow = 0;
    uint64_t v = 0;
    if (!parse_u64(text, &v, &overflow) && !overflow)
        return cli_error(CLI_USAGE, "%s: --%s expects a %s integer, got '%s'", command, name,
                         positive ? "positive" : "non-negative", text);
    if (overflow || v > SIZE_MAX)
        return cli_error(CLI_USAGE, "%s: --%s %s is too large (at most %zu)", command, name, text,
                         (size_t)SIZE_MAX);
    if (positive && v == 0)
        return cli_error(CLI_USAGE, "%s: --%s must be positive, got 0", command, name);
    *out = (size_t)v;
    return CLI_OK;
}

int cli_double(const char *command, const char *name, const char *text, double *out)
{
    if (text == NULL)
        return CLI_OK;
    char *end = NULL;
    errno = 0;
    double v = strtod(text, &end);
    int spaces = text[0] == ' ' || text[0] == '\t' || text[0] == '\n';
    if (text[0] == '\0' || spaces || end == NULL || *end != '\0')
        return cli_error(CLI_USAGE, "%s: --%s expects a number, got '%s'", command, name, text);
    if (!isfinite(v) || errno == ERANGE)
        return cli_error(CLI_USAGE, "%s: --%s must be a finite number in double range, got '%s'",
                         command, name, text);
    *out = v;
    return CLI_OK;
}

int cli_causal(const char *command, const char *text, fr_causal *out)
{
    if (text == NULL)
        return CLI_OK;
    if (strcmp(text, "none") == 0)
        *out = FR_CAUSAL_NONE;
    else if (strcmp(text, "top-left") == 0)
        *out = FR_CAUSAL_TOP_LEFT;
    else if (strcmp(text, "bottom-right") == 0)
        *out = FR_CAUSAL_BOTTOM_RIGHT;
    else
        return cli_error(CLI_USAGE,
                         "%s: --causal expects none, top-left or bottom-right, got '%s'",
                         command, text);
    return CLI_OK;
}

const char *cli_causal_name(fr_causal causal)
{
    switch (causal) {
    case FR_CAUSAL_NONE: return "none";
    case FR_CAUSAL_TOP_LEFT: return "top-left";
    case FR_CAUSAL_BOTTOM_RIGHT: return "bottom-right";
    }
    return "?";
}

int cli_check_fast_words(const char *command, size_t fast_words, size_t head_dim)
{
    size_t minimum = fr_min_fast_words(head_dim);
    if (fast_words < minimum)
        return cli_error(CLI_USAGE,
                         "%s: M = %zu words of fast memory is too small for d = %zu: "
                         "the minimum is 4d+3 = %zu",
                         command, fast_words, head_dim, minimum);
    return CLI_OK;
}

int cli_blocks(const char *command, const char *rows_text, const char *cols_text,
               size_t fast_words, const fr_problem *p, fr_blocks *out, int *is_default)
{
    fr_blocks b;
    if (cli_check_fast_words(command, fast_words, p->head_dim) != CLI_OK)
        return CLI_USAGE;
    if (fr_blocks_default(fast_words, p->head_dim, p->q_len, p->kv_len, &b) != FR_OK)
        return cli_error(CLI_USAGE, "%s: no default blocks for M = %zu, d = %zu", command,
                         fast_words, p->head_dim);
    fr_blocks chosen = b;
    if (cli_size(command, "block-rows", rows_text, 1, &chosen.rows) != CLI_OK ||
        cli_size(command, "block-cols", cols_text, 1, &chosen.cols) != CLI_OK)
        return CLI_USAGE;
    fr_status st = fr_blocks_check(chosen, fast_words, p->head_dim);
    if (st != FR_OK) {
        size_t needed = fr_fast_words_needed(chosen, p->head_dim);
        return cli_error(CLI_USAGE,
                         "%s: blocks Br x Bc = %zu x %zu need Br*(2d+Bc+2) + 2*Bc*d = %zu words, "
                         "more than M = %zu",
                         command, chosen.rows, chosen.cols, needed, fast_words);
    }
    *out = chosen;
    *is_default = chosen.rows == b.rows && chosen.cols == b.cols;
    return CLI_OK;
}

double cli_seconds(void)
{
    struct timespec ts;
    if (timespec_get(&ts, TIME_UTC) != TIME_UTC)
        return 0.0;
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}
