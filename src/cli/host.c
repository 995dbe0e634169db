/* The one query outside C11: how much physical memory the host has, so that
 * `flashref run` can refuse a problem before the kernel kills it. */
#define _POSIX_C_SOURCE 200809L
#include <unistd.h>
#include "cli.h"

double cli_host_memory_bytes(void)
{
#if defined(_SC_PHYS_PAGES) && defined(_SC_PAGESIZE)
    long pages = sysconf(_SC_PHYS_PAGES);
    long page_size = sysconf(_SC_PAGESIZE);
    if (pages > 0 && page_size > 0)
        return (double)pages * (double)page_size;
#endif
    return 0.0;
}
