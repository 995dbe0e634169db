/* Overflow-checked size arithmetic. */
#ifndef FLASHREF_CHECKED_H
#define FLASHREF_CHECKED_H

#include <stddef.h>
#include <stdint.h>

/* *out = a * b when it fits in size_t; returns whether it fits. */
/*@ requires \valid(out);
    assigns *out;
    ensures boolean: \result == 0 || \result == 1;
    ensures \result == 1 <==> a * b <= SIZE_MAX;
    ensures \result == 1 ==> *out == a * b;
*/
int fr_mul_fits(size_t a, size_t b, size_t *out);

/*@ requires \valid(out);
    assigns *out;
    ensures boolean: \result == 0 || \result == 1;
    ensures \result == 1 ==> *out == a * b * c * d && a * b * c * d <= SIZE_MAX;
*/
int fr_mul4_fits(size_t a, size_t b, size_t c, size_t d, size_t *out);

/* The same in 64 bits, for transfer counts. */
/*@ requires \valid(out);
    assigns *out;
    ensures boolean: \result == 0 || \result == 1;
    ensures \result == 1 <==> a * b <= UINT64_MAX;
    ensures \result == 1 ==> *out == a * b;
*/
int fr_mul_u64(uint64_t a, uint64_t b, uint64_t *out);

/*@ requires \valid(out);
    assigns *out;
    ensures boolean: \result == 0 || \result == 1;
    ensures \result == 1 <==> a + b <= UINT64_MAX;
    ensures \result == 1 ==> *out == a + b;
*/
int fr_add_u64(uint64_t a, uint64_t b, uint64_t *out);

#endif /* FLASHREF_CHECKED_H */
