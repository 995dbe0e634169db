#include "checked.h"

int fr_mul_fits(size_t a, size_t b, size_t *out)
{
    if (a != 0 && b > SIZE_MAX / a) {
        *out = 0;
        return 0;
    }
    *out = a * b;
    return 1;
}

int fr_mul4_fits(size_t a, size_t b, size_t c, size_t d, size_t *out)
{
    size_t ab = 0, abc = 0;
    if (!fr_mul_fits(a, b, &ab) || !fr_mul_fits(ab, c, &abc))
        return 0;
    return fr_mul_fits(abc, d, out);
}

int fr_mul_u64(uint64_t a, uint64_t b, uint64_t *out)
{
    if (a != 0 && b > UINT64_MAX / a) {
        *out = 0;
        return 0;
    }
    *out = a * b;
    return 1;
}

int fr_add_u64(uint64_t a, uint64_t b, uint64_t *out)
{
    if (b > UINT64_MAX - a) {
        *out = 0;
        return 0;
    }
    *out = a + b;
    return 1;
}
