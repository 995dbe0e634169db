/* The .npy reader and writer against files assembled byte by byte here:
 * expected values are written as literals, not computed by the code under
 * test. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "npy.h"

static int failures = 0;

#define CHECK(cond, ...)                                              \
    do {                                                              \
        if (!(cond)) {                                                \
            failures++;                                               \
            fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);      \
            fprintf(stderr, __VA_ARGS__);                             \
            fputc('\n', stderr);                                      \
        }                                                             \
    } while (0)

enum { BUF = 4096 };

/* A .npy image: magic, version, the header length as the version stores it
 * (2 bytes for 1.0, 4 otherwise; hlen_field overrides the real length when
 * not (size_t)-1), the header text, then data. No padding is added: the
 * reader must not depend on it. */
static size_t assemble(unsigned char *buf, unsigned major, unsigned minor, const char *header,
                       size_t hlen_field, const void *data, size_t data_len)
{
    size_t n = 0;
    const unsigned char magic[6] = { 0x93, 'N', 'U', 'M', 'P', 'Y' };
    memcpy(buf, magic, 6);
    n = 6;
    buf[n++] = (unsigned char)major;
    buf[n++] = (unsigned char)minor;
    size_t hlen = strlen(header);
    size_t field = hlen_field == (size_t)-1 ? hlen : hlen_field;
    buf[n++] = (unsigned char)(field & 0xff);
    buf[n++] = (unsigned char)((field >> 8) & 0xff);
    if (major != 1) {
        buf[n++] = (unsigned char)((field >> 16) & 0xff);
        buf[n++] = (unsigned char)((field >> 24) & 0xff);
    }
    memcpy(buf + n, header, hlen);
    n += hlen;
    if (data_len > 0)
        memcpy(buf + n, data, data_len);
    return n + data_len;
}

static size_t v1(unsigned char *buf, const char *header, const void *data, size_t data_len)
{
    return assemble(buf, 1, 0, header, (size_t)-1, data, data_len);
}

static uint32_t bits_of(float f)
{
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    return u;
}

/* Parses the image and checks the status and that the message names `needle`. */
static void expect_error(const char *what, const unsigned char *buf, size_t len,
                         fr_npy_status want, const char *needle)
{
    fr_npy_array a;
    char err[256] = "untouched";
    fr_npy_status st = fr_npy_parse(buf, len, &a, err, sizeof err);
    CHECK(st == want, "%s: status %d (%s), want %d (%s); message: %s", what, (int)st,
          fr_npy_status_name(st), (int)want, fr_npy_status_name(want), err);
    CHECK(strstr(err, needle) != NULL, "%s: message '%s' does not mention '%s'", what, err,
          needle);
    CHECK(strchr(err, '\n') == NULL, "%s: message has a newline", what);
}

static void expect_header_error(const char *header, fr_npy_status want, const char *needle)
{
    static const unsigned char data[64];
    unsigned char buf[BUF];
    size_t len = v1(buf, header, data, 24);
    expect_error(header, buf, len, want, needle);
}

static void test_versions(void)
{
    const float values[6] = { 1.0f, -2.5f, 0x1p-149f, 3.0e38f, -0.0f, 0.125f };
    unsigned char le[24];
    for (int i = 0; i < 6; i++) {
        uint32_t u = bits_of(values[i]);
        for (int b = 0; b < 4; b++)
            le[4 * i + b] = (unsigned char)(u >> (8 * b));
    }
    /* As NumPy writes it: sorted keys, growth padding, spaces, newline. */
    const char *numpy_header =
        "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }"
        "                                                                 \n";
    for (unsigned major = 1; major <= 3; major++) {
        unsigned char buf[BUF];
        size_t len = assemble(buf, major, 0, numpy_header, (size_t)-1, le, sizeof le);
        fr_npy_array a;
        char err[256];
        fr_npy_status st = fr_npy_parse(buf, len, &a, err, sizeof err);
        CHECK(st == FR_NPY_OK, "version %u.0: %s", major, err);
        if (st != FR_NPY_OK)
            continue;
        size_t prefix = major == 1 ? 10 : 12;
        CHECK(a.version_major == major && a.version_minor == 0, "version %u.%u", a.version_major,
              a.version_minor);
        CHECK(a.dtype == FR_NPY_F4 && a.item_size == 4, "dtype %d", (int)a.dtype);
        CHECK(a.ndim == 2 && a.shape[0] == 2 && a.shape[1] == 3 && a.count == 6,
              "shape %zu (%zu, %zu) count %zu", a.ndim, a.shape[0], a.shape[1], a.count);
        CHECK(a.data_offset == prefix + strlen(numpy_header), "data offset %zu", a.data_offset);
        CHECK(a.data_bytes == 24, "data bytes %zu", a.data_bytes);
        float out[6];
        st = fr_npy_to_float(buf, len, &a, out, 6, err, sizeof err);
        CHECK(st == FR_NPY_OK, "to_float: %s", err);
        for (int i = 0; i < 6; i++)
            CHECK(bits_of(out[i]) == bits_of(values[i]), "f4 value %d: %a, want %a", i,
                  (double)out[i], (double)values[i]);
    }
}

static void test_header_forms(void)
{
    static const unsigned char data[64];
    unsigned char buf[BUF];
    fr_npy_array a;
    char err[256];
    /* Other key order, double quotes, whitespace and newlines between tokens,
     * no trailing comma, no final newline. */
    size_t len = v1(buf, " { \"shape\" :\n( 3 , 2 ) ,\t'fortran_order':False,\"descr\":'<f2'}",
                    data, 12);
    CHECK(fr_npy_parse(buf, len, &a, err, sizeof err) == FR_NPY_OK, "free-form header: %s", err);
    CHECK(a.ndim == 2 && a.shape[0] == 3 && a.shape[1] == 2 && a.dtype == FR_NPY_F2,
          "free-form header parsed wrong");
    /* 0-d array: one element. */
    len = v1(buf, "{'descr': '<f8', 'fortran_order': False, 'shape': (), }", data, 8);
    CHECK(fr_npy_parse(buf, len, &a, err, sizeof err) == FR_NPY_OK, "0-d: %s", err);
    CHECK(a.ndim == 0 && a.count == 1, "0-d: ndim %zu count %zu", a.ndim, a.count);
    /* A zero-sized dimension: no data at all. */
    len = v1(buf, "{'descr': '<f4', 'fortran_order': False, 'shape': (0, 5), }", data, 0);
    CHECK(fr_npy_parse(buf, len, &a, err, sizeof err) == FR_NPY_OK, "(0, 5): %s", err);
    CHECK(a.count == 0 && a.data_bytes == 0, "(0, 5): count %zu", a.count);
    /* One dimension with the trailing comma Python requires, and 8 dimensions. */
    len = v1(buf, "{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }", data, 12);
    CHECK(fr_npy_parse(buf, len, &a, err, sizeof err) == FR_NPY_OK && a.ndim == 1 &&
              a.shape[0] == 3, "(3,): %s", err);
    len = v1(buf, "{'descr': '<f2', 'fortran_order': False, 'shape': (1,1,1,1,1,1,1,2), }",
             data, 4);
    CHECK(fr_npy_parse(buf, len, &a, err, sizeof err) == FR_NPY_OK && a.ndim == 8 &&
              a.shape[7] == 2, "8 dims: %s", err);
    /* bfloat16 under both names. */
    len = v1(buf, "{'descr': '<V2', 'fortran_order': False, 'shape': (2,), }", data, 4);
    CHECK(fr_npy_parse(buf, len, &a, err, sizeof err) == FR_NPY_OK && a.dtype == FR_NPY_BF16,
          "<V2: %s", err);
    len = v1(buf, "{'descr': 'bfloat16', 'fortran_order': False, 'shape': (2,), }", data, 4);
    CHECK(fr_npy_parse(buf, len, &a, err, sizeof err) == FR_NPY_OK && a.dtype == FR_NPY_BF16,
          "bfloat16: %s", err);
}

/* Decodes n 16-bit patterns stored as `descr` and compares with want, bit for bit. */
static void check_16bit(const char *descr, const uint16_t *bits, const float *want, size_t n)
{
    unsigned char data[64], buf[BUF];
    for (size_t i = 0; i < n; i++) {
        data[2 * i] = (unsigned char)(bits[i] & 0xff);
        data[2 * i + 1] = (unsigned char)(bits[i] >> 8);
    }
    char header[128];
    snprintf(header, sizeof header, "{'descr': '%s', 'fortran_order': False, 'shape': (%zu,), }",
             descr, n);
    size_t len = v1(buf, header, data, 2 * n);
    fr_npy_array a;
    char err[256];
    float out[32];
    CHECK(fr_npy_parse(buf, len, &a, err, sizeof err) == FR_NPY_OK, "%s: %s", descr, err);
    CHECK(fr_npy_to_float(buf, len, &a, out, n, err, sizeof err) == FR_NPY_OK, "%s: %s", descr,
          err);
    for (size_t i = 0; i < n; i++)
        CHECK(bits_of(out[i]) == bits_of(want[i]), "%s 0x%04x: got %a (0x%08x), want %a (0x%08x)",
              descr, bits[i], (double)out[i], bits_of(out[i]), (double)want[i],
              bits_of(want[i]));
}

static float float_with_bits(uint32_t u)
{
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

static void test_half(void)
{
    const uint16_t bits[] = {
        0x0000, 0x8000, 0x0001, 0x8001, 0x0002, 0x0003, 0x03ff, 0x0200, 0x0400,
        0x3c00, 0xc000, 0x3555, 0x7bff, 0xfbff, 0x7c00, 0xfc00,
    };
    const float want[] = {
        0.0f, -0.0f, 0x1p-24f, -0x1p-24f, 0x1p-23f, 0x1.8p-23f, 0x1.ff8p-15f, 0x1p-15f, 0x1p-14f,
        1.0f, -2.0f, 0x1.554p-2f, 65504.0f, -65504.0f, INFINITY, -INFINITY,
    };
    check_16bit("<f2", bits, want, sizeof bits / sizeof bits[0]);
    /* NaNs keep sign and payload: quiet 0x7e00, signalling 0x7c01, negative 0xfe01. */
    const uint16_t nan_bits[] = { 0x7e00, 0x7c01, 0xfe01 };
    const float nan_want[] = { float_with_bits(0x7fc00000u), float_with_bits(0x7f802000u),
                               float_with_bits(0xffc02000u) };
    check_16bit("<f2", nan_bits, nan_want, 3);
    /* The scalar entry point agrees on every one of the 65536 patterns with
     * value = mantissa * 2^(exponent - 25) computed in double. */
    for (uint32_t h = 0; h < 0x10000u; h++) {
        uint32_t e = (h >> 10) & 0x1f, mant = h & 0x3ff;
        if (e == 0x1f)
            continue;
        double mag = e == 0 ? ldexp((double)mant, -24) : ldexp((double)(mant | 0x400), (int)e - 25);
        double want_value = (h & 0x8000u) ? -mag : mag;
        float got = fr_npy_half_to_float((uint16_t)h);
        if ((double)got != want_value || !signbit(got) != !signbit(want_value)) {
            CHECK(0, "half 0x%04x: got %a, want %a", h, (double)got, want_value);
            break;
        }
    }
}

static void test_bf16(void)
{
    const uint16_t bits[] = {
        0x0000, 0x8000, 0x0001, 0x8001, 0x007f, 0x0080, 0x3f80, 0xc000, 0x4049,
        0x7f7f, 0xff7f, 0x7f80, 0xff80, 0x7fc0, 0x7f81, 0x3e2a,
    };
    const float want[] = {
        0.0f, -0.0f, 0x1p-133f, -0x1p-133f, 0x1.fcp-127f, 0x1p-126f, 1.0f, -2.0f, 3.140625f,
        0x1.fep127f, -0x1.fep127f, INFINITY, -INFINITY, float_with_bits(0x7fc00000u),
        float_with_bits(0x7f810000u), 0x1.54p-3f,
    };
    check_16bit("<V2", bits, want, sizeof bits / sizeof bits[0]);
    check_16bit("bfloat16", bits, want, sizeof bits / sizeof bits[0]);
}

static size_t f8_image(unsigned char *buf, const double *values, size_t n)
{
    unsigned char data[256];
    for (size_t i = 0; i < n; i++) {
        uint64_t u;
        memcpy(&u, &values[i], sizeof u);
        for (int b = 0; b < 8; b++)
            data[8 * i + b] = (unsigned char)(u >> (8 * b));
    }
    char header[128];
    snprintf(header, sizeof header, "{'descr': '<f8', 'fortran_order': False, 'shape': (%zu,), }",
             n);
    return v1(buf, header, data, 8 * n);
}

static void test_f8(void)
{
    unsigned char buf[BUF];
    const double exact[] = { 1.5, -0.0, 0x1p-149, 0x1.fffffep127, -0x1.fffffep127, INFINITY,
                             -INFINITY, NAN, 0x1.000002p0, 16777216.0 };
    const size_t n = sizeof exact / sizeof exact[0];
    size_t len = f8_image(buf, exact, n);
    fr_npy_array a;
    char err[256];
    float out[16];
    CHECK(fr_npy_parse(buf, len, &a, err, sizeof err) == FR_NPY_OK, "f8: %s", err);
    CHECK(fr_npy_to_float(buf, len, &a, out, n, err, sizeof err) == FR_NPY_OK, "f8: %s", err);
    for (size_t i = 0; i < n; i++) {
        if (isnan(exact[i]))
            CHECK(isnan(out[i]), "f8 NaN came out as %a", (double)out[i]);
        else
            CHECK((double)out[i] == exact[i] && !signbit(out[i]) == !signbit(exact[i]),
                  "f8 %a came out as %a", exact[i], (double)out[i]);
    }
    /* Values that are not floats, at index 2 after two good ones. */
    const double inexact[] = { 0.1, 1e300, 0x1p-150, 0x1.0000001p0, 16777217.0, -0x1p128 };
    for (size_t i = 0; i < sizeof inexact / sizeof inexact[0]; i++) {
        double values[3] = { 1.0, 2.0, inexact[i] };
        len = f8_image(buf, values, 3);
        CHECK(fr_npy_parse(buf, len, &a, err, sizeof err) == FR_NPY_OK, "f8: %s", err);
        fr_npy_status st = fr_npy_to_float(buf, len, &a, out, 3, err, sizeof err);
        CHECK(st == FR_NPY_ERR_NOT_FLOAT, "%a accepted as a float (status %d)", inexact[i],
              (int)st);
        CHECK(strstr(err, "index 2 ") != NULL, "%a: message '%s' lacks the index", inexact[i],
              err);
    }
}

static void test_writer(void)
{
    /* Byte for byte what np.save writes for float64 arrays of these shapes:
     * the dict, 21 - digits(shape[0]) growth spaces, spaces and a newline up
     * to a multiple of 64 (a whole line of spaces when already aligned). */
    struct {
        size_t ndim;
        size_t shape[8];
        const char *dict;
        size_t total;
    } cases[] = {
        { 4, { 1, 4, 64, 8 }, "{'descr': '<f8', 'fortran_order': False, 'shape': (1, 4, 64, 8), }"
                              "                    ", 128 },
        { 1, { 5 }, "{'descr': '<f8', 'fortran_order': False, 'shape': (5,), }"
                    "                    ", 128 },
        { 0, { 0 }, "{'descr': '<f8', 'fortran_order': False, 'shape': (), }", 128 },
        { 1, { 123456789012u }, "{'descr': '<f8', 'fortran_order': False, "
                                "'shape': (123456789012,), }         ", 128 },
        { 5, { 7, 123456789, 123456789, 123456789, 123456 },
          "{'descr': '<f8', 'fortran_order': False, "
          "'shape': (7, 123456789, 123456789, 123456789, 123456), }                    ", 192 },
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        unsigned char buf[FR_NPY_HEADER_MAX];
        size_t len = fr_npy_header_f8(cases[c].shape, cases[c].ndim, buf, sizeof buf);
        size_t dict_len = strlen(cases[c].dict);
        CHECK(len == cases[c].total, "writer case %zu: length %zu, want %zu", c, len,
              cases[c].total);
        if (len != cases[c].total)
            continue;
        CHECK(memcmp(buf, "\x93NUMPY\x01\x00", 8) == 0, "writer case %zu: preamble", c);
        size_t hlen = (size_t)buf[8] | (size_t)buf[9] << 8;
        CHECK(hlen == len - 10, "writer case %zu: header length %zu", c, hlen);
        CHECK(memcmp(buf + 10, cases[c].dict, dict_len) == 0, "writer case %zu: dict '%.*s'", c,
              (int)(len - 10), (const char *)buf + 10);
        for (size_t i = 10 + dict_len; i + 1 < len; i++)
            CHECK(buf[i] == ' ', "writer case %zu: byte %zu is 0x%02x, not a space", c, i, buf[i]);
        CHECK(buf[len - 1] == '\n', "writer case %zu: no final newline", c);
    }
    unsigned char small[100];
    size_t shape4[4] = { 1, 4, 64, 8 };
    CHECK(fr_npy_header_f8(shape4, 4, small, sizeof small) == 0, "writer overran a small buffer");
    size_t shape9[9] = { 1, 1, 1, 1, 1, 1, 1, 1, 1 };
    unsigned char big[FR_NPY_HEADER_MAX];
    CHECK(fr_npy_header_f8(shape9, 9, big, sizeof big) == 0, "writer accepted 9 dimensions");
    size_t shape_max[8];
    for (int i = 0; i < 8; i++)
        shape_max[i] = SIZE_MAX;
    CHECK(fr_npy_header_f8(shape_max, 8, big, sizeof big) > 0,
          "FR_NPY_HEADER_MAX is too small for 8 dimensions of SIZE_MAX");

    /* Round trip: writer then reader, values that are floats. */
    const double values[6] = { 0.5, -1.25, 0x1p-149, INFINITY, -0.0, 1e30f };
    size_t shape[2] = { 2, 3 };
    unsigned char file[FR_NPY_HEADER_MAX + 48];
    size_t hl = fr_npy_header_f8(shape, 2, file, FR_NPY_HEADER_MAX);
    fr_npy_put_f8(values, 6, file + hl);
    const unsigned char one_le[8] = { 0, 0, 0, 0, 0, 0, 0xe0, 0x3f };   /* 0.5 */
    CHECK(memcmp(file + hl, one_le, 8) == 0, "fr_npy_put_f8 is not little-endian binary64");
    fr_npy_array a;
    char err[256];
    float out[6];
    CHECK(fr_npy_parse(file, hl + 48, &a, err, sizeof err) == FR_NPY_OK, "round trip: %s", err);
    CHECK(a.dtype == FR_NPY_F8 && a.ndim == 2 && a.shape[0] == 2 && a.shape[1] == 3,
          "round trip: header read back wrong");
    CHECK(fr_npy_to_float(file, hl + 48, &a, out, 6, err, sizeof err) == FR_NPY_OK,
          "round trip: %s", err);
    for (int i = 0; i < 6; i++)
        CHECK((double)out[i] == values[i] && !signbit(out[i]) == !signbit(values[i]),
              "round trip value %d: %a, want %a", i, (double)out[i], values[i]);
}

static void test_preamble_errors(void)
{
    unsigned char buf[BUF];
    static const unsigned char data[24];
    const char *good = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
    size_t len = v1(buf, good, data, 24);

    buf[5] = 'Z';
    expect_error("NUMPZ", buf, len, FR_NPY_ERR_MAGIC, "\\x93NUMPY");
    const unsigned char zip[8] = { 'P', 'K', 3, 4, 0, 0, 0, 0 };
    expect_error("npz", zip, sizeof zip, FR_NPY_ERR_MAGIC, "not a .npy file");
    expect_error("empty", buf, 0, FR_NPY_ERR_HEADER_LENGTH, "empty");
    len = v1(buf, good, data, 24);
    expect_error("7 bytes", buf, 7, FR_NPY_ERR_HEADER_LENGTH, "preamble (7 bytes)");
    expect_error("9 bytes", buf, 9, FR_NPY_ERR_HEADER_LENGTH, "preamble (9 bytes)");

    len = assemble(buf, 4, 0, good, (size_t)-1, data, 24);
    expect_error("version 4.0", buf, len, FR_NPY_ERR_VERSION, "version 4.0");
    len = assemble(buf, 1, 1, good, (size_t)-1, data, 24);
    expect_error("version 1.1", buf, len, FR_NPY_ERR_VERSION, "version 1.1");
    len = assemble(buf, 0, 0, good, (size_t)-1, data, 24);
    expect_error("version 0.0", buf, len, FR_NPY_ERR_VERSION, "version 0.0");
    len = assemble(buf, 2, 0, good, (size_t)-1, data, 0);
    expect_error("v2 11 bytes", buf, 11, FR_NPY_ERR_HEADER_LENGTH, "preamble (11 bytes)");

    len = assemble(buf, 1, 0, good, 1000, data, 24);
    expect_error("header length 1000", buf, len, FR_NPY_ERR_HEADER_LENGTH, "header length 1000");
    len = assemble(buf, 2, 0, good, 0xffffffffu, data, 24);
    expect_error("header length 2^32-1", buf, len, FR_NPY_ERR_HEADER_LENGTH, "4294967295");
    len = assemble(buf, 1, 0, good, 0, data, 0);
    expect_error("header length 0", buf, len, FR_NPY_ERR_HEADER_SYNTAX, "'{'");
}

static void test_header_errors(void)
{
    /* dict structure */
    expect_header_error("'descr': '<f4', 'fortran_order': False, 'shape': (2, 3)",
                        FR_NPY_ERR_HEADER_SYNTAX, "'{'");
    expect_header_error("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), ",
                        FR_NPY_ERR_HEADER_SYNTAX, "not closed");
    expect_header_error("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3)} x",
                        FR_NPY_ERR_HEADER_SYNTAX, "after the closing");
    expect_header_error("{'descr': '<f4' 'fortran_order': False, 'shape': (2, 3)}",
                        FR_NPY_ERR_HEADER_SYNTAX, "expected ',' or '}'");
    expect_header_error("{'descr' '<f4', 'fortran_order': False, 'shape': (2, 3)}",
                        FR_NPY_ERR_HEADER_SYNTAX, "expected ':'");
    expect_header_error("{'descr': '<f4',, 'fortran_order': False, 'shape': (2, 3)}",
                        FR_NPY_ERR_HEADER_SYNTAX, "quoted header key");
    /* quoting */
    expect_header_error("{descr: '<f4', 'fortran_order': False, 'shape': (2, 3)}",
                        FR_NPY_ERR_HEADER_SYNTAX, "quoted header key");
    expect_header_error("{'descr\": '<f4', 'fortran_order': False, 'shape': (2, 3)}",
                        FR_NPY_ERR_HEADER_SYNTAX, "");
    expect_header_error("{'descr': '<f4, 'fortran_order': False, 'shape': (2, 3)}",
                        FR_NPY_ERR_HEADER_SYNTAX, "");
    expect_header_error("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), 'x}",
                        FR_NPY_ERR_HEADER_SYNTAX, "unterminated quote");
    expect_header_error("{'descr': '<\\x66\\x34', 'fortran_order': False, 'shape': (2, 3)}",
                        FR_NPY_ERR_HEADER_SYNTAX, "unsupported character");
    expect_header_error("{'descr': <f4, 'fortran_order': False, 'shape': (2, 3)}",
                        FR_NPY_ERR_HEADER_SYNTAX, "'descr' value");
    expect_header_error("{'descr': '<f4', 'fortran_order': 0, 'shape': (2, 3)}",
                        FR_NPY_ERR_HEADER_SYNTAX, "True or False");
    expect_header_error("{'descr': '<f4', 'fortran_order': Falsey, 'shape': (2, 3)}",
                        FR_NPY_ERR_HEADER_SYNTAX, "True or False");
    /* keys */
    expect_header_error("{'descr': '<f4', 'fortran_order': False}", FR_NPY_ERR_MISSING_KEY,
                        "'shape'");
    expect_header_error("{'fortran_order': False, 'shape': (2, 3)}", FR_NPY_ERR_MISSING_KEY,
                        "'descr'");
    expect_header_error("{'descr': '<f4', 'shape': (2, 3)}", FR_NPY_ERR_MISSING_KEY,
                        "'fortran_order'");
    expect_header_error("{}", FR_NPY_ERR_MISSING_KEY, "'descr'");
    expect_header_error("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), 'extra': 1}",
                        FR_NPY_ERR_UNKNOWN_KEY, "'extra'");
    expect_header_error("{'Descr': '<f4', 'fortran_order': False, 'shape': (2, 3)}",
                        FR_NPY_ERR_UNKNOWN_KEY, "'Descr'");
    expect_header_error("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), "
                        "'shape': (2, 3)}", FR_NPY_ERR_DUPLICATE_KEY, "'shape'");
    /* dtypes */
    expect_header_error("{'descr': '<i4', 'fortran_order': False, 'shape': (2, 3)}",
                        FR_NPY_ERR_DTYPE, "'<i4'");
    expect_header_error("{'descr': '|V2', 'fortran_order': False, 'shape': (2, 3)}",
                        FR_NPY_ERR_DTYPE, "'|V2'");
    expect_header_error("{'descr': 'f4', 'fortran_order': False, 'shape': (2, 3)}",
                        FR_NPY_ERR_DTYPE, "'f4'");
    expect_header_error("{'descr': '<f16', 'fortran_order': False, 'shape': (2, 3)}",
                        FR_NPY_ERR_DTYPE, "'<f16'");
    expect_header_error("{'descr': [('x', '<f4')], 'fortran_order': False, 'shape': (2, 3)}",
                        FR_NPY_ERR_DTYPE, "structured");
    expect_header_error("{'descr': '>f4', 'fortran_order': False, 'shape': (2, 3)}",
                        FR_NPY_ERR_BIG_ENDIAN, "'>f4'");
    expect_header_error("{'descr': '>f8', 'fortran_order': False, 'shape': (2, 3)}",
                        FR_NPY_ERR_BIG_ENDIAN, "'>f8'");
    expect_header_error("{'descr': '>f2', 'fortran_order': False, 'shape': (2, 3)}",
                        FR_NPY_ERR_BIG_ENDIAN, "'>f2'");
    expect_header_error("{'descr': '>V2', 'fortran_order': False, 'shape': (2, 3)}",
                        FR_NPY_ERR_BIG_ENDIAN, "'>V2'");
    /* order */
    expect_header_error("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3)}",
                        FR_NPY_ERR_FORTRAN_ORDER, "Fortran");
    /* shapes */
    expect_header_error("{'descr': '<f4', 'fortran_order': False, 'shape': (2,, 3)}",
                        FR_NPY_ERR_SHAPE, "(2,, 3)");
    expect_header_error("{'descr': '<f4', 'fortran_order': False, 'shape': (,)}",
                        FR_NPY_ERR_SHAPE, "bad shape");
    expect_header_error("{'descr': '<f4', 'fortran_order': False, 'shape': (a, 3)}",
                        FR_NPY_ERR_SHAPE, "integer");
    expect_header_error("{'descr': '<f4', 'fortran_order': False, 'shape': (-2, 3)}",
                        FR_NPY_ERR_SHAPE, "integer");
    expect_header_error("{'descr': '<f4', 'fortran_order': False, 'shape': (2.5, 3)}",
                        FR_NPY_ERR_SHAPE, "expected ',' or ')'");
    expect_header_error("{'descr': '<f4', 'fortran_order': False, 'shape': (2L, 3)}",
                        FR_NPY_ERR_SHAPE, "integer");
    expect_header_error("{'descr': '<f4', 'fortran_order': False, 'shape': (06,)}",
                        FR_NPY_ERR_SHAPE, "leading zero");
    expect_header_error("{'descr': '<f4', 'fortran_order': False, 'shape': (6)}",
                        FR_NPY_ERR_SHAPE, "not a tuple");
    expect_header_error("{'descr': '<f4', 'fortran_order': False, 'shape': [2, 3]}",
                        FR_NPY_ERR_SHAPE, "not a tuple");
    expect_header_error("{'descr': '<f4', 'fortran_order': False, 'shape': 6}",
                        FR_NPY_ERR_SHAPE, "not a tuple");
    expect_header_error("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3",
                        FR_NPY_ERR_SHAPE, "not closed");
    expect_header_error("{'descr': '<f4', 'fortran_order': False, 'shape': (1,1,1,1,1,1,1,1,6)}",
                        FR_NPY_ERR_SHAPE, "more than 8");
    expect_header_error("{'descr': '<f4', 'fortran_order': False, "
                        "'shape': (18446744073709551616,)}", FR_NPY_ERR_SHAPE_OVERFLOW,
                        "does not fit");
    expect_header_error("{'descr': '<f4', 'fortran_order': False, "
                        "'shape': (4294967296, 4294967296)}", FR_NPY_ERR_SHAPE_OVERFLOW,
                        "more elements");
    expect_header_error("{'descr': '<f4', 'fortran_order': False, "
                        "'shape': (4611686018427387904,)}", FR_NPY_ERR_SHAPE_OVERFLOW,
                        "more bytes");
    /* A zero anywhere makes the count zero, whatever the other sizes. */
    expect_header_error("{'descr': '<f4', 'fortran_order': False, "
                        "'shape': (0, 18446744073709551615, 18446744073709551615)}",
                        FR_NPY_ERR_TRAILING, "needs 0 data bytes");
    expect_header_error("{'descr': '<f4', 'fortran_order': False, "
                        "'shape': (18446744073709551615, 18446744073709551615, 0)}",
                        FR_NPY_ERR_TRAILING, "needs 0 data bytes");
}

static void test_data_length(void)
{
    static const unsigned char data[64];
    unsigned char buf[BUF];
    const char *h = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
    size_t len = v1(buf, h, data, 20);
    expect_error("truncated", buf, len, FR_NPY_ERR_TRUNCATED, "needs 24 data bytes, the file has 20");
    len = v1(buf, h, data, 0);
    expect_error("no data", buf, len, FR_NPY_ERR_TRUNCATED, "needs 24 data bytes, the file has 0");
    len = v1(buf, h, data, 28);
    expect_error("trailing", buf, len, FR_NPY_ERR_TRAILING, "needs 24 data bytes, the file has 28");
    len = v1(buf, "{'descr': '<f2', 'fortran_order': False, 'shape': (3,), }", data, 5);
    expect_error("odd f2", buf, len, FR_NPY_ERR_TRUNCATED, "needs 6 data bytes");
}

static void test_arguments(void)
{
    static const unsigned char data[24];
    unsigned char buf[BUF];
    size_t len = v1(buf, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", data, 24);
    fr_npy_array a;
    /* No message buffer, and one too small for the message: no overrun. */
    CHECK(fr_npy_parse(buf, len, &a, NULL, 0) == FR_NPY_OK, "parse without message buffer");
    char tiny[8];
    memset(tiny, 'x', sizeof tiny);
    CHECK(fr_npy_parse(buf, 20, &a, tiny, 5) == FR_NPY_ERR_HEADER_LENGTH, "short buffer");
    CHECK(tiny[4] == '\0' && tiny[5] == 'x', "message not cut to the buffer: '%.8s'", tiny);
    CHECK(fr_npy_parse(NULL, 10, &a, NULL, 0) == FR_NPY_ERR_ARGUMENT, "NULL buffer");
    CHECK(fr_npy_parse(buf, len, NULL, NULL, 0) == FR_NPY_ERR_ARGUMENT, "NULL out");
    /* A description that does not fit the buffer is refused. */
    char err[256];
    float out[6];
    CHECK(fr_npy_parse(buf, len, &a, err, sizeof err) == FR_NPY_OK, "%s", err);
    fr_npy_array forged = a;
    forged.count = 7;
    CHECK(fr_npy_to_float(buf, len, &forged, out, 7, err, sizeof err) == FR_NPY_ERR_ARGUMENT,
          "forged count accepted");
    forged = a;
    forged.data_offset = len + 1;
    CHECK(fr_npy_to_float(buf, len, &forged, out, 6, err, sizeof err) == FR_NPY_ERR_ARGUMENT,
          "forged offset accepted");
    CHECK(fr_npy_to_float(buf, len, &a, out, 5, err, sizeof err) == FR_NPY_ERR_ARGUMENT,
          "short output accepted");
}

int main(void)
{
    test_versions();
    test_header_forms();
    test_half();
    test_bf16();
    test_f8();
    test_writer();
    test_preamble_errors();
    test_header_errors();
    test_data_length();
    test_arguments();
    if (failures > 0) {
        fprintf(stderr, "%d check(s) failed\n", failures);
        return 1;
    }
    printf("test_npy: all checks passed\n");
    return 0;
}
