/* What the flashref commands share: error reporting, option parsing, strict
 * number parsing, .npy files on disk. */
#ifndef FLASHREF_CLI_H
#define FLASHREF_CLI_H

#include <stddef.h>
#include <stdint.h>
#include "flashref.h"
#include "npy.h"

/* Exit statuses: a run that found a problem or could not complete, and a
 * command line that does not describe a valid request. */
enum { CLI_OK = 0, CLI_FAILED = 1, CLI_USAGE = 2 };

/* Prints "flashref: <message>" as one line on stderr; returns status. */
int cli_error(int status, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

typedef enum cli_option_kind { CLI_FLAG, CLI_VALUE } cli_option_kind;

typedef struct cli_option {
    const char *name;      /* spelled --name on the command line */
    cli_option_kind kind;
    const char *value;     /* after cli_parse: NULL when absent, "" for a present flag */
} cli_option;

/* Whether argv holds -h or --help: help wins over every other argument. */
int cli_wants_help(int argc, char **argv);

/* Parses "--name value" and "--name=value" arguments into opts. Unknown
 * options, positional arguments, repeated options, a flag given a value and
 * a missing value are usage errors (reported here). */
int cli_parse(const char *command, int argc, char **argv, cli_option *opts, size_t n_opts);

/* The option called name (which must be in opts). */
const cli_option *cli_get(const cli_option *opts, size_t n_opts, const char *name);

/* Strict decimal parsing of option --name of command: digits only, no sign,
 * no spaces, within range; positive additionally rejects 0. On success
 * stores the value and returns CLI_OK, else reports and returns CLI_USAGE.
 * A NULL text leaves *out alone (the option was not given). */
int cli_size(const char *command, const char *name, const char *text, int positive, size_t *out);
int cli_u64(const char *command, const char *name, const char *text, uint64_t *out);
/* A finite decimal floating-point number. */
int cli_double(const char *command, const char *name, const char *text, double *out);
/* none | top-left | bottom-right */
int cli_causal(const char *command, const char *text, fr_causal *out);
const char *cli_causal_name(fr_causal causal);

/* CLI_OK when M >= fr_min_fast_words(d), else a usage error naming the minimum. */
int cli_check_fast_words(const char *command, size_t fast_words, size_t head_dim);

/* Checks M (cli_check_fast_words), then takes blocks from --block-rows /
 * --block-cols (NULL when not given): the default rule for M, with either
 * size replaced when given, then fr_blocks_check. *is_default tells whether
 * the result is what the default rule gives. */
int cli_blocks(const char *command, const char *rows_text, const char *cols_text,
               size_t fast_words, const fr_problem *p, fr_blocks *out, int *is_default);

/* Seconds since an arbitrary origin, for progress and timings. */
double cli_seconds(void);

/* Physical memory of the host in bytes, or 0 when unknown. */
double cli_host_memory_bytes(void);

/* Reads a whole .npy file and converts it to floats (malloc'd, *data); the
 * shape goes to *array. Errors are reported after context (such as
 * "attention: q") with the path. */
/* The whole file at path in a malloc'd buffer, or CLI_FAILED after one
 * message prefixed with context. */
int cli_read_file(const char *context, const char *path, unsigned char **data, size_t *len);

int cli_load_npy(const char *context, const char *path, fr_npy_array *array, float **data);

/* Writes values[0 .. count-1] as a float64 .npy file of the given shape. */
int cli_save_npy_f8(const char *command, const char *path, const size_t *shape, size_t ndim,
                    const double *values);

int cli_run(int argc, char **argv);
int cli_attention(int argc, char **argv);
int cli_io(int argc, char **argv);

#endif /* FLASHREF_CLI_H */
