/* Test data for `flashref attention`, written and checked without src/npy.c:
 *   cli_fixture gen DIR
 *       writes the input sets and a collection of malformed files into DIR;
 *   cli_fixture check DIR SET CAUSAL ALGORITHM M SCALE O.npy LSE.npy
 *       recomputes SET's inputs, calls fr_attention_tiled or
 *       fr_attention_standard directly (M and SCALE may be "default") and
 *       checks that the files flashref wrote hold exactly those bits.
 * Sets: A is 4-D float32 with grouped heads; B is 3-D with q as float16, k as
 * bfloat16 ('<V2') and v as float64; C is 2-D float32. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "flashref.h"

typedef struct set_shape {
    size_t ndim;             /* 4, 3 or 2 */
    size_t b, hq, hkv, nq, nk, d;
} set_shape;

static int set_shape_of(const char *name, set_shape *s)
{
    if (strcmp(name, "A") == 0) {
        *s = (set_shape){ 4, 2, 4, 2, 37, 29, 16 };
    } else if (strcmp(name, "B") == 0) {
        *s = (set_shape){ 3, 1, 4, 2, 33, 41, 8 };
    } else if (strcmp(name, "C") == 0) {
        *s = (set_shape){ 2, 1, 1, 1, 50, 23, 12 };
    } else {
        return 0;
    }
    return 1;
}

static uint64_t lcg(uint64_t *state)
{
    *state = *state * 6364136223846793005u + 1442695040888963407u;
    return *state >> 33;
}

/* Set B's values are multiples of 2^-8 in [-1, 1): exact in float16 and bfloat16;
 * the others use 24 random bits. */
static void fill(float *x, size_t n, uint64_t seed, int coarse)
{
    uint64_t state = seed;
    for (size_t i = 0; i < n; i++) {
        uint64_t r = lcg(&state);
        x[i] = coarse ? (float)((double)(r & 0x1ff) / 256.0 - 1.0)
                      : (float)((double)(r & 0xffffff) / 8388608.0 - 1.0);
    }
}

typedef struct inputs {
    set_shape s;
    size_t q_count, kv_count;
    float *q, *k, *v;
} inputs;

static int make_inputs(const char *set, inputs *in)
{
    if (!set_shape_of(set, &in->s))
        return 0;
    const set_shape *s = &in->s;
    in->q_count = s->b * s->hq * s->nq * s->d;
    in->kv_count = s->b * s->hkv * s->nk * s->d;
    in->q = malloc(in->q_count * sizeof(float));
    in->k = malloc(in->kv_count * sizeof(float));
    in->v = malloc(in->kv_count * sizeof(float));
    if (in->q == NULL || in->k == NULL || in->v == NULL)
        return 0;
    int coarse = strcmp(set, "B") == 0;
    fill(in->q, in->q_count, 11u + (uint64_t)set[0], coarse);
    fill(in->k, in->kv_count, 23u + (uint64_t)set[0], coarse);
    fill(in->v, in->kv_count, 37u + (uint64_t)set[0], coarse);
    return 1;
}

/* ------------------------------------------------------------------------- */
/* Writing .npy files the plain way: the dict, spaces, a newline, aligned to 64. */

static int write_raw(const char *dir, const char *name, const char *descr, const char *shape,
                     int major, const unsigned char *data, size_t data_len)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (f == NULL) {
        perror(path);
        return 0;
    }
    char dict[512];
    int n = snprintf(dict, sizeof dict, "{'descr': '%s', 'fortran_order': False, 'shape': %s, }",
                     descr, shape);
    size_t prefix = major == 1 ? 10 : 12;
    size_t len = (size_t)n;
    while ((prefix + len + 1) % 64 != 0)
        dict[len++] = ' ';
    dict[len++] = '\n';
    unsigned char pre[12] = { 0x93, 'N', 'U', 'M', 'P', 'Y', (unsigned char)major, 0,
                              (unsigned char)(len & 0xff), (unsigned char)(len >> 8), 0, 0 };
    int ok = fwrite(pre, 1, prefix, f) == prefix && fwrite(dict, 1, len, f) == len &&
             (data_len == 0 || fwrite(data, 1, data_len, f) == data_len);
    return fclose(f) == 0 && ok;
}

static unsigned char *le_bytes(const void *values, size_t count, size_t width)
{
    unsigned char *out = malloc(count * width + 1);
    const unsigned char *src = values;
    for (size_t i = 0; i < count; i++) {
        uint64_t u = 0;
        memcpy(&u, src + i * width, width);   /* host order: little-endian on test hosts */
        for (size_t b = 0; b < width; b++)
            out[i * width + b] = (unsigned char)(u >> (8 * b));
    }
    return out;
}

static int write_f4(const char *dir, const char *name, const char *shape, const float *x,
                    size_t count, int major)
{
    unsigned char *bytes = le_bytes(x, count, 4);
    int ok = write_raw(dir, name, "<f4", shape, major, bytes, 4 * count);
    free(bytes);
    return ok;
}

/* float -> float16 for values known to be exact: sign, exponent, 10 mantissa bits. */
static uint16_t to_half(float x)
{
    if (x == 0.0f)
        return signbit(x) ? 0x8000 : 0;
    uint16_t sign = x < 0 ? 0x8000 : 0;
    int e = 0;
    double m = frexp(fabs((double)x), &e);          /* |x| = m * 2^e, m in [0.5, 1) */
    if (e - 1 < -14)                                 /* subnormal: units of 2^-24 */
        return (uint16_t)(sign | (uint16_t)ldexp(fabs((double)x), 24));
    uint16_t mant = (uint16_t)(ldexp(m, 11) - 1024.0);
    return (uint16_t)(sign | (uint16_t)((e - 1 + 15) << 10) | mant);
}

static uint16_t to_bf16(float x)
{
    uint32_t u;
    memcpy(&u, &x, 4);
    return (uint16_t)(u >> 16);   /* exact for values with 8 significant bits */
}

static int write_16(const char *dir, const char *name, const char *descr, const char *shape,
                    const float *x, size_t count, int bf16)
{
    unsigned char *bytes = malloc(2 * count + 1);
    for (size_t i = 0; i < count; i++) {
        uint16_t h = bf16 ? to_bf16(x[i]) : to_half(x[i]);
        bytes[2 * i] = (unsigned char)(h & 0xff);
        bytes[2 * i + 1] = (unsigned char)(h >> 8);
    }
    int ok = write_raw(dir, name, descr, shape, 1, bytes, 2 * count);
    free(bytes);
    return ok;
}

static int write_f8(const char *dir, const char *name, const char *shape, const float *x,
                    size_t count)
{
    double *d = malloc(count * sizeof(double) + 1);
    for (size_t i = 0; i < count; i++)
        d[i] = x[i];
    unsigned char *bytes = le_bytes(d, count, 8);
    int ok = write_raw(dir, name, "<f8", shape, 1, bytes, 8 * count);
    free(bytes);
    free(d);
    return ok;
}

static void shape_text(char *buf, size_t cap, size_t ndim, size_t b, size_t h, size_t n, size_t d)
{
    if (ndim == 4)
        snprintf(buf, cap, "(%zu, %zu, %zu, %zu)", b, h, n, d);
    else if (ndim == 3)
        snprintf(buf, cap, "(%zu, %zu, %zu)", h, n, d);
    else
        snprintf(buf, cap, "(%zu, %zu)", n, d);
}

static int gen(const char *dir)
{
    int ok = 1;
    const char *sets[3] = { "A", "B", "C" };
    for (int i = 0; i < 3; i++) {
        inputs in;
        if (!make_inputs(sets[i], &in))
            return 0;
        const set_shape *s = &in.s;
        char qs[64], kvs[64], name[32];
        shape_text(qs, sizeof qs, s->ndim, s->b, s->hq, s->nq, s->d);
        shape_text(kvs, sizeof kvs, s->ndim, s->b, s->hkv, s->nk, s->d);
        if (strcmp(sets[i], "B") == 0) {
            ok = ok && write_16(dir, "B_q.npy", "<f2", qs, in.q, in.q_count, 0);
            ok = ok && write_16(dir, "B_k.npy", "<V2", kvs, in.k, in.kv_count, 1);
            ok = ok && write_f8(dir, "B_v.npy", kvs, in.v, in.kv_count);
        } else {
            /* Set A's q goes in format 2.0, the rest in 1.0. */
            snprintf(name, sizeof name, "%s_q.npy", sets[i]);
            ok = ok && write_f4(dir, name, qs, in.q, in.q_count, i == 0 ? 2 : 1);
            snprintf(name, sizeof name, "%s_k.npy", sets[i]);
            ok = ok && write_f4(dir, name, kvs, in.k, in.kv_count, 1);
            snprintf(name, sizeof name, "%s_v.npy", sets[i]);
            ok = ok && write_f4(dir, name, kvs, in.v, in.kv_count, 1);
        }
        if (i == 0) {
            /* Files that disagree with set A in one way each. */
            const char *shape = "(2, 4, 37, 16)";
            unsigned char *bytes = le_bytes(in.q, in.q_count, 4);
            ok = ok && write_raw(dir, "big_endian.npy", ">f4", shape, 1, bytes, 4 * in.q_count);
            ok = ok && write_raw(dir, "int32.npy", "<i4", shape, 1, bytes, 4 * in.q_count);
            ok = ok && write_raw(dir, "truncated.npy", "<f4", shape, 1, bytes,
                                 4 * in.q_count - 6);
            ok = ok && write_raw(dir, "rank1.npy", "<f4", "(16,)", 1, bytes, 64);
            ok = ok && write_raw(dir, "rank5.npy", "<f4", "(1, 2, 4, 37, 16)", 1, bytes,
                                 4 * in.q_count);
            ok = ok && write_raw(dir, "zero_len.npy", "<f4", "(2, 4, 0, 16)", 1, bytes, 0);
            ok = ok && write_raw(dir, "k_d8.npy", "<f4", "(2, 2, 29, 8)", 1, bytes, 4 * 928);
            ok = ok && write_raw(dir, "k_batch3.npy", "<f4", "(3, 2, 29, 16)", 1, bytes,
                                 4 * 2784);
            ok = ok && write_raw(dir, "k_heads3.npy", "<f4", "(2, 3, 29, 16)", 1, bytes,
                                 4 * 2784);
            ok = ok && write_raw(dir, "v_len30.npy", "<f4", "(2, 2, 30, 16)", 1, bytes,
                                 4 * 1920);
            free(bytes);
            double tenth[2] = { 0.5, 0.1 };
            unsigned char *d = le_bytes(tenth, 2, 8);
            ok = ok && write_raw(dir, "not_float.npy", "<f8", "(1, 2)", 1, d, 16);
            free(d);
            char path[4096];
            snprintf(path, sizeof path, "%s/empty.npy", dir);
            FILE *f = fopen(path, "wb");
            ok = ok && f != NULL && fclose(f) == 0;
            snprintf(path, sizeof path, "%s/not_npy.npy", dir);
            f = fopen(path, "wb");
            ok = ok && f != NULL && fputs("PK\003\004 this is a zip file\n", f) >= 0 &&
                 fclose(f) == 0;
        }
        free(in.q);
        free(in.k);
        free(in.v);
    }
    return ok;
}

/* ------------------------------------------------------------------------- */
/* Checking what flashref wrote. */

static unsigned char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        perror(path);
        return NULL;
    }
    size_t cap = 1 << 20, n = 0;
    unsigned char *buf = malloc(cap);
    size_t got;
    while (buf != NULL && (got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap)
            buf = realloc(buf, cap *= 2);
    }
    fclose(f);
    *len = n;
    return buf;
}

static int check_file(const char *path, const char *shape, const double *want, size_t count)
{
    size_t len = 0;
    unsigned char *buf = slurp(path, &len);
    if (buf == NULL)
        return 0;
    int ok = 1;
    if (len < 10 || memcmp(buf, "\x93NUMPY\x01\x00", 8) != 0) {
        fprintf(stderr, "%s: not a version 1.0 .npy file\n", path);
        ok = 0;
    }
    size_t hlen = ok ? ((size_t)buf[8] | (size_t)buf[9] << 8) : 0;
    if (ok && 10 + hlen > len) {
        fprintf(stderr, "%s: header runs past the end\n", path);
        ok = 0;
    }
    if (ok) {
        char *header = malloc(hlen + 1);
        memcpy(header, buf + 10, hlen);
        header[hlen] = '\0';
        char want_shape[128];
        snprintf(want_shape, sizeof want_shape, "'shape': %s", shape);
        if (strstr(header, "'descr': '<f8'") == NULL ||
            strstr(header, "'fortran_order': False") == NULL ||
            strstr(header, want_shape) == NULL) {
            fprintf(stderr, "%s: header '%s' is not <f8 C-order %s\n", path, header, shape);
            ok = 0;
        }
        free(header);
    }
    if (ok && len - 10 - hlen != 8 * count) {
        fprintf(stderr, "%s: %zu data bytes, want %zu\n", path, len - 10 - hlen, 8 * count);
        ok = 0;
    }
    if (ok) {
        unsigned char *expected = le_bytes(want, count, 8);
        for (size_t i = 0; i < count; i++) {
            if (memcmp(buf + 10 + hlen + 8 * i, expected + 8 * i, 8) != 0) {
                double got;
                uint64_t u = 0;
                for (int b = 7; b >= 0; b--)
                    u = u << 8 | buf[10 + hlen + 8 * i + (size_t)b];
                memcpy(&got, &u, 8);
                fprintf(stderr, "%s: element %zu is %a, the direct call gave %a\n", path, i, got,
                        want[i]);
                ok = 0;
                break;
            }
        }
        free(expected);
    }
    free(buf);
    return ok;
}

static int check(char **argv)
{
    const char *set = argv[0], *causal_name = argv[1], *algorithm = argv[2];
    const char *m_text = argv[3], *scale_text = argv[4], *o_path = argv[5], *lse_path = argv[6];
    inputs in;
    if (!make_inputs(set, &in)) {
        fprintf(stderr, "unknown set '%s'\n", set);
        return 0;
    }
    fr_causal causal = strcmp(causal_name, "top-left") == 0 ? FR_CAUSAL_TOP_LEFT
                       : strcmp(causal_name, "bottom-right") == 0 ? FR_CAUSAL_BOTTOM_RIGHT
                       : FR_CAUSAL_NONE;
    const set_shape *s = &in.s;
    fr_problem p = fr_problem_make(s->b, s->hq, s->hkv, s->nq, s->nk, s->d, causal);
    if (strcmp(scale_text, "default") != 0)
        p.scale = strtod(scale_text, NULL);
    size_t m = 16384;
    if (strcmp(m_text, "default") != 0)
        m = (size_t)strtoull(m_text, NULL, 10);
    size_t lse_count = s->b * s->hq * s->nq;
    double *o = malloc(in.q_count * sizeof(double));
    double *lse = malloc(lse_count * sizeof(double));
    fr_status st = strcmp(algorithm, "standard") == 0
                       ? fr_attention_standard(&p, m, NULL, in.q, in.k, in.v, o, lse, NULL)
                       : fr_attention_tiled(&p, m, NULL, in.q, in.k, in.v, o, lse, NULL);
    if (st != FR_OK) {
        fprintf(stderr, "direct call failed: %s\n", fr_status_message(st));
        return 0;
    }
    char o_shape[96], lse_shape[96];
    snprintf(o_shape, sizeof o_shape, "(%zu, %zu, %zu, %zu)", s->b, s->hq, s->nq, s->d);
    snprintf(lse_shape, sizeof lse_shape, "(%zu, %zu, %zu)", s->b, s->hq, s->nq);
    int ok = check_file(o_path, o_shape, o, in.q_count) &&
             check_file(lse_path, lse_shape, lse, lse_count);
    free(o);
    free(lse);
    free(in.q);
    free(in.k);
    free(in.v);
    return ok;
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "gen") == 0)
        return gen(argv[2]) ? 0 : 1;
    if (argc == 10 && strcmp(argv[1], "check") == 0)
        return check(argv + 3) ? 0 : 1;
    fprintf(stderr, "usage: cli_fixture gen DIR | check DIR SET CAUSAL ALGORITHM M SCALE O LSE\n");
    return 2;
}
