/* .npy files on disk: the parsing itself is src/npy.c, on a byte buffer. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"

/* The whole file in a malloc'd buffer. Reads until end of file rather than
 * trusting a size from fseek/ftell, which directories and pipes do not give. */
int cli_read_file(const char *context, const char *path, unsigned char **data, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return cli_error(CLI_FAILED, "%s: cannot open '%s': %s", context, path, strerror(errno));
    size_t cap = 1 << 16, n = 0;
    unsigned char *buf = malloc(cap);
    int out_of_memory = buf == NULL, read_error = 0;
    while (!out_of_memory) {
        if (n == cap) {
            unsigned char *bigger = cap <= SIZE_MAX / 2 ? realloc(buf, cap * 2) : NULL;
            if (bigger == NULL) {
                out_of_memory = 1;
                break;
            }
            buf = bigger;
            cap *= 2;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0) {
            read_error = ferror(f) ? errno : 0;
            if (ferror(f) && read_error == 0)
                read_error = EIO;
            break;
        }
    }
    fclose(f);
    if (out_of_memory || read_error != 0) {
        free(buf);
        if (out_of_memory)
            return cli_error(CLI_FAILED, "%s: out of host memory reading '%s'", context, path);
        return cli_error(CLI_FAILED, "%s: cannot read '%s': %s", context, path,
                         strerror(read_error));
    }
    *data = buf;
    *len = n;
    return CLI_OK;
}

int cli_load_npy(const char *context, const char *path, fr_npy_array *array, float **data)
{
    unsigned char *bytes = NULL;
    size_t len = 0;
    int status = cli_read_file(context, path, &bytes, &len);
    if (status != CLI_OK)
        return status;
    char err[256];
    fr_npy_status st = fr_npy_parse(bytes, len, array, err, sizeof err);
    float *values = NULL;
    if (st == FR_NPY_OK) {
        size_t count = array->count > 0 ? array->count : 1;
        values = count <= SIZE_MAX / sizeof(float) ? malloc(count * sizeof(float)) : NULL;
        if (values == NULL) {
            free(bytes);
            return cli_error(CLI_FAILED, "%s: out of host memory loading '%s'", context, path);
        }
        st = fr_npy_to_float(bytes, len, array, values, array->count, err, sizeof err);
    }
    free(bytes);
    if (st != FR_NPY_OK) {
        free(values);
        return cli_error(CLI_FAILED, "%s: '%s': %s", context, path, err);
    }
    *data = values;
    return CLI_OK;
}

int cli_save_npy_f8(const char *command, const char *path, const size_t *shape, size_t ndim,
                    const double *values)
{
    unsigned char header[FR_NPY_HEADER_MAX];
    size_t header_len = fr_npy_header_f8(shape, ndim, header, sizeof header);
    size_t count = 1;
    for (size_t i = 0; i < ndim; i++)
        count *= shape[i];   /* the shape of an array already in memory */
    if (header_len == 0)
        return cli_error(CLI_FAILED, "%s: cannot describe the shape of '%s'", command, path);
    FILE *f = fopen(path, "wb");
    if (f == NULL)
        return cli_error(CLI_FAILED, "%s: cannot create '%s': %s", command, path, strerror(errno));
    int ok = fwrite(header, 1, header_len, f) == header_len;
    enum { CHUNK = 4096 };
    unsigned char bytes[8 * CHUNK];
    for (size_t i = 0; ok && i < count; i += CHUNK) {
        size_t n = count - i < CHUNK ? count - i : CHUNK;
        fr_npy_put_f8(values + i, n, bytes);
        ok = fwrite(bytes, 8, n, f) == n;
    }
    int saved_errno = errno;
    if (fclose(f) != 0 && ok) {
        ok = 0;
        saved_errno = errno;
    }
    if (!ok) {
        remove(path);
        return cli_error(CLI_FAILED, "%s: cannot write '%s': %s", command, path,
                         strerror(saved_errno));
    }
    return CLI_OK;
}
