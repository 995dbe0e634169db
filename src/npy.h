/* NumPy .npy files in memory: the reader behind `flashref attention`.
 *
 * What is accepted
 *   - Format versions 1.0, 2.0 and 3.0 (3.0 differs only in allowing UTF-8 in
 *     the header, which no accepted header needs).
 *   - Little-endian, C-order arrays of these dtypes (the header's 'descr'):
 *       '<f2'                IEEE binary16
 *       '<f4'                IEEE binary32
 *       '<f8'                IEEE binary64; every value must be exactly a float
 *                            (or NaN), since flashref computes on float inputs
 *       '<V2' or 'bfloat16'  bfloat16. np.save writes an ml_dtypes.bfloat16
 *                            array with descr '<V2' (NumPy records a user dtype
 *                            by its type string, and ml_dtypes registers its
 *                            types as void); 'bfloat16' is what tools write
 *                            that record str(dtype) instead. Any other void
 *                            dtype, '|V2' (plain np.void) included, is refused.
 *   - The header is the Python dict literal NumPy writes: exactly the keys
 *     'descr', 'fortran_order' and 'shape', in any order, quoted with ' or ",
 *     a trailing comma allowed, whitespace anywhere between tokens.
 *     'shape' is a tuple of at most FR_NPY_MAX_DIMS non-negative decimal
 *     integers (no Python 2 "3L" suffixes); () is a 0-d array of one element.
 *   - The data must fill the file exactly: missing bytes and trailing bytes
 *     are both errors, since either means the file is not the array its
 *     header describes.
 *
 * Every function reads only inside the buffer it is given, with bounded loops
 * and no allocation; errors come back as a category and, when err is not
 * NULL, a one-line message (no newline) naming what was wrong. */
#ifndef FLASHREF_NPY_H
#define FLASHREF_NPY_H

#include <stddef.h>
#include <stdint.h>

#define FR_NPY_MAX_DIMS 8

/* Room for any header fr_npy_header_f8 writes: 10 preamble bytes, the dict with
 * FR_NPY_MAX_DIMS 20-digit sizes, NumPy's growth padding and alignment. */
#define FR_NPY_HEADER_MAX 384

typedef enum fr_npy_dtype {
    FR_NPY_F2 = 0,
    FR_NPY_BF16,
    FR_NPY_F4,
    FR_NPY_F8
} fr_npy_dtype;

typedef enum fr_npy_status {
    FR_NPY_OK = 0,
    FR_NPY_ERR_ARGUMENT,        /* a null pointer, or a description not from fr_npy_parse */
    FR_NPY_ERR_MAGIC,           /* does not start with \x93NUMPY */
    FR_NPY_ERR_VERSION,         /* a format version other than 1.0, 2.0, 3.0 */
    FR_NPY_ERR_HEADER_LENGTH,   /* the file ends inside the preamble or the header */
    FR_NPY_ERR_HEADER_SYNTAX,   /* not a dict literal: bad quoting, missing ':' or '}' */
    FR_NPY_ERR_MISSING_KEY,
    FR_NPY_ERR_UNKNOWN_KEY,
    FR_NPY_ERR_DUPLICATE_KEY,
    FR_NPY_ERR_DTYPE,           /* a dtype not in the list above */
    FR_NPY_ERR_BIG_ENDIAN,      /* '>f4' and the like */
    FR_NPY_ERR_FORTRAN_ORDER,
    FR_NPY_ERR_SHAPE,           /* not a tuple of integers, or too many dimensions */
    FR_NPY_ERR_SHAPE_OVERFLOW,  /* a size or the byte count does not fit in size_t */
    FR_NPY_ERR_TRUNCATED,       /* fewer data bytes than the shape needs */
    FR_NPY_ERR_TRAILING,        /* more data bytes than the shape needs */
    FR_NPY_ERR_NOT_FLOAT        /* an '<f8' value that is not exactly a float */
} fr_npy_status;

/* What fr_npy_parse learnt from a header. */
typedef struct fr_npy_array {
    unsigned version_major;
    unsigned version_minor;
    fr_npy_dtype dtype;
    size_t item_size;                 /* bytes per element: 2, 4 or 8 */
    size_t ndim;                      /* 0 .. FR_NPY_MAX_DIMS */
    size_t shape[FR_NPY_MAX_DIMS];    /* shape[i] for i < ndim, 0 beyond */
    size_t count;                     /* product of the sizes (1 when ndim == 0) */
    size_t data_offset;               /* where the data starts in the buffer */
    size_t data_bytes;                /* count * item_size */
} fr_npy_array;

/* A description whose data fills buf[data_offset .. len-1] exactly. */
/*@ predicate NpyArrayFits(fr_npy_array *a, size_t len) =
      a->data_offset <= len && a->data_bytes == len - a->data_offset &&
      (a->item_size == 2 || a->item_size == 4 || a->item_size == 8) &&
      a->count * a->item_size == a->data_bytes;
*/

/* The short name of a status, e.g. "truncated data". */
/*@ assigns \result \from status;
    ensures name: \valid_read(\result);
*/
const char *fr_npy_status_name(fr_npy_status status);

/* The descr a dtype is read from, e.g. "<f4" ("bfloat16" for FR_NPY_BF16). */
/*@ assigns \result \from dtype;
    ensures name: \valid_read(\result);
*/
const char *fr_npy_dtype_name(fr_npy_dtype dtype);

/* Parses the header of the .npy file buf[0 .. len-1] and checks that the
 * data fills the rest of it exactly. On FR_NPY_OK *out describes the array;
 * otherwise *out is unspecified and err (when not NULL and err_len > 0) holds
 * a NUL-terminated message of at most err_len - 1 bytes. */
/*@ requires valid_buf: buf == \null || \valid_read(buf + (0 .. len - 1));
    requires valid_out: out == \null || \valid(out);
    requires valid_err: err == \null || \valid(err + (0 .. err_len - 1));
    assigns *out, err[0 .. err_len - 1];
    ensures fits: \result == FR_NPY_OK ==> out != \null && NpyArrayFits(out, len);
    ensures dims: \result == FR_NPY_OK ==> out->ndim <= FR_NPY_MAX_DIMS;
*/
fr_npy_status fr_npy_parse(const unsigned char *buf, size_t len, fr_npy_array *out,
                           char *err, size_t err_len);

/* Converts the data of a parsed array to floats: out[i] for i < a->count.
 * binary16 and bfloat16 convert exactly (subnormals, infinities and NaN
 * payloads included); binary32 is copied; binary64 values must be floats:
 * the first one that is not gives FR_NPY_ERR_NOT_FLOAT and its flat index in
 * the message. FR_NPY_ERR_ARGUMENT when a does not fit buf. */
/*@ requires valid_buf: buf == \null || \valid_read(buf + (0 .. len - 1));
    requires valid_array: a == \null || \valid_read(a);
    requires valid_out: out == \null || \valid(out + (0 .. out_count - 1));
    requires valid_err: err == \null || \valid(err + (0 .. err_len - 1));
    assigns out[0 .. out_count - 1], err[0 .. err_len - 1];
    ensures fits: \result == FR_NPY_OK ==>
      a != \null && NpyArrayFits(a, len) && a->count == out_count;
*/
fr_npy_status fr_npy_to_float(const unsigned char *buf, size_t len, const fr_npy_array *a,
                              float *out, size_t out_count, char *err, size_t err_len);

/* The value of an IEEE binary16 bit pattern, exactly. */
/*@ assigns \result \from bits; */
float fr_npy_half_to_float(uint16_t bits);

/* The value of a bfloat16 bit pattern (the top half of a binary32), exactly. */
/*@ assigns \result \from bits; */
float fr_npy_bf16_to_float(uint16_t bits);

/* Writes the preamble and header of a little-endian float64 C-order array of
 * the given shape, byte for byte as NumPy's np.save does (version 1.0, the
 * dict in sorted key order, growth padding, a multiple of 64 bytes ending in
 * a newline). Returns its length, or 0 when ndim > FR_NPY_MAX_DIMS or cap is
 * too small (FR_NPY_HEADER_MAX always suffices). */
/*@ requires valid_shape: shape == \null || \valid_read(shape + (0 .. ndim - 1));
    requires valid_buf: buf == \null || \valid(buf + (0 .. cap - 1));
    requires separated: \separated(buf + (0 .. cap - 1), shape + (0 .. ndim - 1));
    assigns buf[0 .. cap - 1];
    ensures fits: \result <= cap;
    ensures aligned: \result != 0 ==> 10 <= \result && \result % 64 == 0;
*/
size_t fr_npy_header_f8(const size_t *shape, size_t ndim, unsigned char *buf, size_t cap);

/* dst[8i .. 8i+7] = the little-endian bytes of src[i], for i < n. */
/*@ requires size: n <= SIZE_MAX / 8;
    requires valid_src: \valid_read(src + (0 .. n - 1));
    requires valid_dst: \valid(dst + (0 .. 8 * n - 1));
    assigns dst[0 .. 8 * n - 1];
*/
void fr_npy_put_f8(const double *src, size_t n, unsigned char *dst);

#endif /* FLASHREF_NPY_H */
