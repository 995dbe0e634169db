#include <stdio.h>
#include <string.h>
#include "cli.h"
#ifdef FLASHREF_HAVE_CHECK
#include "check.h"
#endif

static const char usage[] =
    "usage: flashref <command> [options]\n"
    "\n"
    "flashref is a reference implementation of attention over a counted two-level\n"
    "memory model: slow memory holds the tensors, fast memory is M words, and every\n"
    "word moved between them is counted.\n"
    "\n"
    "commands:\n"
    "  run         standard and tiled attention on a seeded problem: compares their\n"
    "              outputs, checks the transfer counts against the closed forms and\n"
    "              the fast-memory peak against M\n"
    "  attention   attention on tensors from .npy files, written to .npy files\n"
    "  io          closed-form transfer counts for a range of fast-memory sizes\n"
    "\n"
    "'flashref <command> --help' describes a command's options.\n"
    "Exit status: 0 success, 1 a failed check or run, 2 a bad command line\n"
    "(for check: 2 also when an input cannot be read, like diff).\n";

int main(int argc, char **argv)
{
    if (argc < 2)
        return cli_error(CLI_USAGE, "no command given (see 'flashref --help')");
    const char *command = argv[1];
    if (strcmp(command, "--help") == 0 || strcmp(command, "-h") == 0) {
        fputs(usage, stdout);
        return CLI_OK;
    }
    if (strcmp(command, "run") == 0)
        return cli_run(argc - 2, argv + 2);
    if (strcmp(command, "attention") == 0)
        return cli_attention(argc - 2, argv + 2);
    if (strcmp(command, "io") == 0)
        return cli_io(argc - 2, argv + 2);
    if (strcmp(command, "check") == 0) {
#ifdef FLASHREF_HAVE_CHECK
        return fr_cli_check(argc - 1, argv + 1);
#else
        return cli_error(CLI_FAILED, "check needs the exact oracle: rebuild with GMP and MPFR "
                                     "installed and -DFLASHREF_ORACLE=ON");
#endif
    }
    return cli_error(CLI_USAGE, "unknown command '%s' (commands: run, attention, io, check; "
                                "see 'flashref --help')", command);
}
