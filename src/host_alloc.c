/* The only calls to the host heap. */
#include <stdlib.h>
#include "call.h"

double *fr_host_alloc(size_t n)
{
    if (n == 0 || n > SIZE_MAX / sizeof(double))
        return NULL;
    return (double *)malloc(n * sizeof(double));
}

void fr_host_free(double *words)
{
    free(words);
}
