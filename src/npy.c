/* The .npy reader and float64 writer. The header is parsed by hand rather
 * than with a general literal parser: the grammar NumPy writes is small, and a
 * cursor that only moves forward over a bounded range keeps every access
 * checkable. */
#include <float.h>
#include <string.h>
#include "npy.h"

/* ------------------------------------------------------------------------- */
/* Messages: appended piece by piece into the caller's buffer, truncated to
 * fit, always NUL-terminated. */

typedef struct npy_msg {
    char *buf;
    size_t cap;
    size_t len;
} npy_msg;

static void msg_init(npy_msg *m, char *buf, size_t cap)
{
    m->buf = buf;
    m->cap = buf == NULL ? 0 : cap;
    m->len = 0;
    if (m->cap > 0)
        m->buf[0] = '\0';
}

static void msg_char(npy_msg *m, char c)
{
    if (m->cap > 0 && m->len < m->cap - 1) {
        m->buf[m->len] = c;
        m->len++;
        m->buf[m->len] = '\0';
    }
}

/* Literal text only; the bound keeps the loop finite without knowing the length. */
static void msg_str(npy_msg *m, const char *s)
{
    for (size_t i = 0; i < 256 && s[i] != '\0'; i++)
        msg_char(m, s[i]);
}

static void msg_u64(npy_msg *m, uint64_t v)
{
    char digits[20];
    size_t n = 0;
    do {
        digits[n] = (char)('0' + (int)(v % 10));
        n++;
        v /= 10;
    } while (v != 0 && n < sizeof digits);
    while (n > 0) {
        n--;
        msg_char(m, digits[n]);
    }
}

/* Quotes header bytes: printable ASCII as is, anything else as '?', so a
 * message stays one printable line whatever the file holds. */
static void msg_quote(npy_msg *m, const unsigned char *p, size_t n)
{
    const size_t shown_max = 40;
    msg_char(m, '\'');
    for (size_t i = 0; i < n && i < shown_max; i++)
        msg_char(m, p[i] >= 0x20 && p[i] < 0x7f ? (char)p[i] : '?');
    if (n > shown_max)
        msg_str(m, "...");
    msg_char(m, '\'');
}

static void msg_shape(npy_msg *m, const fr_npy_array *a)
{
    msg_char(m, '(');
    for (size_t i = 0; i < a->ndim && i < FR_NPY_MAX_DIMS; i++) {
        if (i > 0)
            msg_str(m, ", ");
        msg_u64(m, a->shape[i]);
    }
    if (a->ndim == 1)
        msg_char(m, ',');
    msg_char(m, ')');
}

static fr_npy_status fail(npy_msg *m, fr_npy_status st, const char *text)
{
    msg_str(m, text);
    return st;
}

const char *fr_npy_status_name(fr_npy_status status)
{
    switch (status) {
    case FR_NPY_OK: return "ok";
    case FR_NPY_ERR_ARGUMENT: return "invalid argument";
    case FR_NPY_ERR_MAGIC: return "bad magic";
    case FR_NPY_ERR_VERSION: return "unsupported version";
    case FR_NPY_ERR_HEADER_LENGTH: return "header past end of file";
    case FR_NPY_ERR_HEADER_SYNTAX: return "malformed header";
    case FR_NPY_ERR_MISSING_KEY: return "missing header key";
    case FR_NPY_ERR_UNKNOWN_KEY: return "unknown header key";
    case FR_NPY_ERR_DUPLICATE_KEY: return "duplicate header key";
    case FR_NPY_ERR_DTYPE: return "unsupported dtype";
    case FR_NPY_ERR_BIG_ENDIAN: return "big-endian data";
    case FR_NPY_ERR_FORTRAN_ORDER: return "Fortran order";
    case FR_NPY_ERR_SHAPE: return "bad shape";
    case FR_NPY_ERR_SHAPE_OVERFLOW: return "shape too large";
    case FR_NPY_ERR_TRUNCATED: return "truncated data";
    case FR_NPY_ERR_TRAILING: return "trailing data";
    case FR_NPY_ERR_NOT_FLOAT: return "value not a float";
    }
    return "unknown status";
}

const char *fr_npy_dtype_name(fr_npy_dtype dtype)
{
    switch (dtype) {
    case FR_NPY_F2: return "<f2";
    case FR_NPY_BF16: return "bfloat16";
    case FR_NPY_F4: return "<f4";
    case FR_NPY_F8: return "<f8";
    }
    return "?";
}

/* ------------------------------------------------------------------------- */
/* The header cursor: buf[pos .. end-1] is what is left of the header. */

typedef struct npy_cursor {
    const unsigned char *buf;
    size_t pos;
    size_t end;
} npy_cursor;

static int is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static int is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

static int is_name_char(unsigned char c)
{
    return is_digit(c) || c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static void skip_space(npy_cursor *c)
{
    while (c->pos < c->end && is_space(c->buf[c->pos]))
        c->pos++;
}

static int at(const npy_cursor *c, unsigned char ch)
{
    return c->pos < c->end && c->buf[c->pos] == ch;
}

/* Whether p[0 .. n-1] spells the literal word. */
static int bytes_are(const unsigned char *p, size_t n, const char *word)
{
    size_t i = 0;
    for (; i < n; i++) {
        if (word[i] == '\0' || p[i] != (unsigned char)word[i])
            return 0;
    }
    return word[i] == '\0';
}

/* A Python string literal without escapes, in ' or " quotes: sets *start and
 * *n to its contents. `what` names it in messages. */
static fr_npy_status parse_string(npy_cursor *c, size_t *start, size_t *n,
                                  const char *what, npy_msg *m)
{
    if (!at(c, '\'') && !at(c, '"')) {
        msg_str(m, "malformed header: expected a quoted ");
        return fail(m, FR_NPY_ERR_HEADER_SYNTAX, what);
    }
    unsigned char quote = c->buf[c->pos];
    c->pos++;
    *start = c->pos;
    while (c->pos < c->end && c->buf[c->pos] != quote) {
        unsigned char ch = c->buf[c->pos];
        if (ch == '\\' || ch == '\n') {
            msg_str(m, "malformed header: unsupported character in the quoted ");
            return fail(m, FR_NPY_ERR_HEADER_SYNTAX, what);
        }
        c->pos++;
    }
    if (c->pos >= c->end) {
        msg_str(m, "malformed header: unterminated quote in the ");
        return fail(m, FR_NPY_ERR_HEADER_SYNTAX, what);
    }
    *n = c->pos - *start;
    c->pos++;
    return FR_NPY_OK;
}

/* The 'descr' value: only its span is kept; it is judged once the whole
 * dict has parsed, so that a malformed header is reported as such. */
static fr_npy_status parse_descr(npy_cursor *c, size_t *start, size_t *n, npy_msg *m)
{
    if (at(c, '['))
        return fail(m, FR_NPY_ERR_DTYPE,
                    "unsupported dtype: structured dtypes (a list of fields) are not accepted");
    if (at(c, '('))
        return fail(m, FR_NPY_ERR_DTYPE, "unsupported dtype: subarray dtypes are not accepted");
    return parse_string(c, start, n, "'descr' value", m);
}

static fr_npy_status classify_descr(const unsigned char *d, size_t n, fr_npy_array *out,
                                    npy_msg *m)
{
    if (bytes_are(d, n, "<f2")) {
        out->dtype = FR_NPY_F2;
        out->item_size = 2;
    } else if (bytes_are(d, n, "<V2") || bytes_are(d, n, "bfloat16")) {
        out->dtype = FR_NPY_BF16;
        out->item_size = 2;
    } else if (bytes_are(d, n, "<f4")) {
        out->dtype = FR_NPY_F4;
        out->item_size = 4;
    } else if (bytes_are(d, n, "<f8")) {
        out->dtype = FR_NPY_F8;
        out->item_size = 8;
    } else if (bytes_are(d, n, ">f2") || bytes_are(d, n, ">f4") ||
               bytes_are(d, n, ">f8") || bytes_are(d, n, ">V2")) {
        msg_str(m, "big-endian dtype ");
        msg_quote(m, d, n);
        return fail(m, FR_NPY_ERR_BIG_ENDIAN,
                    " is not supported; save a little-endian copy "
                    "(a.astype(a.dtype.newbyteorder('<')))");
    } else {
        msg_str(m, "unsupported dtype ");
        msg_quote(m, d, n);
        return fail(m, FR_NPY_ERR_DTYPE,
                    " (accepted: '<f2', '<f4', '<f8', bfloat16 as '<V2' or 'bfloat16')");
    }
    return FR_NPY_OK;
}

static fr_npy_status parse_bool(npy_cursor *c, int *value, npy_msg *m)
{
    size_t start = c->pos;
    while (c->pos < c->end && is_name_char(c->buf[c->pos]))
        c->pos++;
    const unsigned char *w = c->buf + start;
    size_t n = c->pos - start;
    if (bytes_are(w, n, "True")) {
        *value = 1;
        return FR_NPY_OK;
    }
    if (bytes_are(w, n, "False")) {
        *value = 0;
        return FR_NPY_OK;
    }
    return fail(m, FR_NPY_ERR_HEADER_SYNTAX,
                "malformed header: 'fortran_order' must be True or False");
}

/* The text of the shape from `start` to its ')' (or the header's end), for messages. */
static size_t shape_span(const npy_cursor *c, size_t start)
{
    size_t i = start;
    while (i < c->end && c->buf[i] != ')')
        i++;
    return i < c->end ? i + 1 - start : i - start;
}

static fr_npy_status bad_shape(const npy_cursor *c, size_t start, npy_msg *m,
                               fr_npy_status st, const char *why)
{
    msg_str(m, "bad shape ");
    msg_quote(m, c->buf + start, shape_span(c, start));
    msg_str(m, ": ");
    return fail(m, st, why);
}

static fr_npy_status parse_shape(npy_cursor *c, fr_npy_array *out, npy_msg *m)
{
    size_t start = c->pos;
    if (!at(c, '('))
        return bad_shape(c, start, m, FR_NPY_ERR_SHAPE, "not a tuple");
    c->pos++;
    skip_space(c);
    size_t ndim = 0;
    int comma_after_last = 0;
    while (c->pos < c->end && c->buf[c->pos] != ')') {
        if (!is_digit(c->buf[c->pos]))
            return bad_shape(c, start, m, FR_NPY_ERR_SHAPE,
                             "expected a non-negative decimal integer");
        if (ndim == FR_NPY_MAX_DIMS)
            return bad_shape(c, start, m, FR_NPY_ERR_SHAPE, "more than 8 dimensions");
        size_t first = c->pos;
        size_t value = 0;
        while (c->pos < c->end && is_digit(c->buf[c->pos])) {
            size_t digit = (size_t)(c->buf[c->pos] - '0');
            if (value > (SIZE_MAX - digit) / 10)
                return bad_shape(c, start, m, FR_NPY_ERR_SHAPE_OVERFLOW,
                                 "a size does not fit in size_t");
            value = value * 10 + digit;
            c->pos++;
        }
        if (c->pos - first > 1 && c->buf[first] == '0')
            return bad_shape(c, start, m, FR_NPY_ERR_SHAPE, "a size has a leading zero");
        if (c->pos < c->end && is_name_char(c->buf[c->pos]))
            return bad_shape(c, start, m, FR_NPY_ERR_SHAPE,
                             "expected a non-negative decimal integer");
        out->shape[ndim] = value;
        ndim++;
        skip_space(c);
        if (c->pos >= c->end)
            break;
        if (at(c, ',')) {
            c->pos++;
            comma_after_last = 1;
            skip_space(c);
        } else if (at(c, ')')) {
            comma_after_last = 0;
        } else {
            return bad_shape(c, start, m, FR_NPY_ERR_SHAPE, "expected ',' or ')' after a size");
        }
    }
    if (c->pos >= c->end)
        return bad_shape(c, start, m, FR_NPY_ERR_SHAPE, "the tuple is not closed");
    c->pos++;
    if (ndim == 1 && !comma_after_last)
        return bad_shape(c, start, m, FR_NPY_ERR_SHAPE,
                         "not a tuple (a one-dimensional shape is written (n,))");
    out->ndim = ndim;
    return FR_NPY_OK;
}

enum { KEY_DESCR = 1, KEY_FORTRAN = 2, KEY_SHAPE = 4 };

/* What the dict says, before its values are judged. */
typedef struct npy_dict {
    unsigned seen;          /* KEY_* bits */
    size_t descr_start;
    size_t descr_len;
    int fortran;
} npy_dict;

static fr_npy_status parse_entry(npy_cursor *c, fr_npy_array *out, npy_dict *dict, npy_msg *m)
{
    size_t s = 0, n = 0;
    fr_npy_status st = parse_string(c, &s, &n, "header key", m);
    if (st != FR_NPY_OK)
        return st;
    const unsigned char *key = c->buf + s;
    skip_space(c);
    if (!at(c, ':')) {
        msg_str(m, "malformed header: expected ':' after the key ");
        msg_quote(m, key, n);
        return FR_NPY_ERR_HEADER_SYNTAX;
    }
    c->pos++;
    skip_space(c);
    unsigned which = bytes_are(key, n, "descr") ? KEY_DESCR
                     : bytes_are(key, n, "fortran_order") ? KEY_FORTRAN
                     : bytes_are(key, n, "shape") ? KEY_SHAPE : 0u;
    if (which == 0) {
        msg_str(m, "unknown header key ");
        msg_quote(m, key, n);
        return fail(m, FR_NPY_ERR_UNKNOWN_KEY,
                    " (a .npy header has exactly 'descr', 'fortran_order', 'shape')");
    }
    if ((dict->seen & which) != 0) {
        msg_str(m, "duplicate header key ");
        msg_quote(m, key, n);
        return FR_NPY_ERR_DUPLICATE_KEY;
    }
    dict->seen |= which;
    if (which == KEY_DESCR)
        return parse_descr(c, &dict->descr_start, &dict->descr_len, m);
    if (which == KEY_FORTRAN)
        return parse_bool(c, &dict->fortran, m);
    return parse_shape(c, out, m);
}

static fr_npy_status parse_dict(npy_cursor *c, fr_npy_array *out, npy_dict *dict, npy_msg *m)
{
    int closed = 0;
    skip_space(c);
    if (!at(c, '{'))
        return fail(m, FR_NPY_ERR_HEADER_SYNTAX, "malformed header: it does not start with '{'");
    c->pos++;
    while (c->pos < c->end) {
        skip_space(c);
        if (c->pos >= c->end)
            break;
        if (at(c, '}')) {
            c->pos++;
            closed = 1;
            break;
        }
        size_t before = c->pos;
        fr_npy_status st = parse_entry(c, out, dict, m);
        if (st != FR_NPY_OK)
            return st;
        skip_space(c);
        if (at(c, ',')) {
            c->pos++;
        } else if (at(c, '}')) {
            c->pos++;
            closed = 1;
            break;
        } else {
            return fail(m, FR_NPY_ERR_HEADER_SYNTAX,
                        "malformed header: expected ',' or '}' after a value");
        }
        if (c->pos <= before)   /* every entry consumes input */
            break;
    }
    if (!closed)
        return fail(m, FR_NPY_ERR_HEADER_SYNTAX, "malformed header: the dict is not closed by '}'");
    skip_space(c);
    if (c->pos != c->end)
        return fail(m, FR_NPY_ERR_HEADER_SYNTAX, "malformed header: text after the closing '}'");
    if ((dict->seen & KEY_DESCR) == 0)
        return fail(m, FR_NPY_ERR_MISSING_KEY, "the header has no 'descr' key");
    if ((dict->seen & KEY_FORTRAN) == 0)
        return fail(m, FR_NPY_ERR_MISSING_KEY, "the header has no 'fortran_order' key");
    if ((dict->seen & KEY_SHAPE) == 0)
        return fail(m, FR_NPY_ERR_MISSING_KEY, "the header has no 'shape' key");
    return FR_NPY_OK;
}

fr_npy_status fr_npy_parse(const unsigned char *buf, size_t len, fr_npy_array *out,
                           char *err, size_t err_len)
{
    static const unsigned char magic[6] = { 0x93, 'N', 'U', 'M', 'P', 'Y' };
    npy_msg m;
    msg_init(&m, err, err_len);
    if (out == NULL || (buf == NULL && len > 0))
        return fail(&m, FR_NPY_ERR_ARGUMENT, "no buffer to parse");
    out->version_major = 0;
    out->version_minor = 0;
    out->dtype = FR_NPY_F4;
    out->item_size = 4;
    out->ndim = 0;
    for (size_t i = 0; i < FR_NPY_MAX_DIMS; i++)
        out->shape[i] = 0;
    out->count = 0;
    out->data_offset = 0;
    out->data_bytes = 0;

    for (size_t i = 0; i < len && i < sizeof magic; i++) {
        if (buf[i] != magic[i])
            return fail(&m, FR_NPY_ERR_MAGIC, "not a .npy file: it does not start with \\x93NUMPY");
    }
    if (len == 0)
        return fail(&m, FR_NPY_ERR_HEADER_LENGTH, "the file is empty, not a .npy file");
    if (len < 8) {
        msg_str(&m, "the file ends inside the .npy preamble (");
        msg_u64(&m, len);
        return fail(&m, FR_NPY_ERR_HEADER_LENGTH, " bytes)");
    }
    unsigned major = buf[6], minor = buf[7];
    if (major < 1 || major > 3 || minor != 0) {
        msg_str(&m, "unsupported .npy format version ");
        msg_u64(&m, major);
        msg_char(&m, '.');
        msg_u64(&m, minor);
        return fail(&m, FR_NPY_ERR_VERSION, " (supported: 1.0, 2.0, 3.0)");
    }
    out->version_major = major;
    out->version_minor = minor;
    size_t prefix = major == 1 ? 10 : 12;
    if (len < prefix) {
        msg_str(&m, "the file ends inside the .npy preamble (");
        msg_u64(&m, len);
        return fail(&m, FR_NPY_ERR_HEADER_LENGTH, " bytes)");
    }
    uint32_t hlen32 = (uint32_t)buf[8] | (uint32_t)buf[9] << 8;
    if (major > 1)
        hlen32 |= (uint32_t)buf[10] << 16 | (uint32_t)buf[11] << 24;
    size_t hlen = hlen32;
    if (hlen > len - prefix) {
        msg_str(&m, "header length ");
        msg_u64(&m, hlen);
        msg_str(&m, " runs past the end of the file (");
        msg_u64(&m, len - prefix);
        return fail(&m, FR_NPY_ERR_HEADER_LENGTH, " bytes follow the preamble)");
    }

    npy_cursor c = { buf, prefix, prefix + hlen };
    npy_dict dict = { 0, prefix, 0, 0 };
    fr_npy_status st = parse_dict(&c, out, &dict, &m);
    if (st == FR_NPY_OK)
        st = classify_descr(buf + dict.descr_start, dict.descr_len, out, &m);
    if (st != FR_NPY_OK)
        return st;
    if (dict.fortran)
        return fail(&m, FR_NPY_ERR_FORTRAN_ORDER,
                    "Fortran-order arrays are not supported; save a C-order copy "
                    "(np.ascontiguousarray)");

    /* A zero size empties the array whatever the others are, as in NumPy. */
    int empty = 0;
    for (size_t i = 0; i < out->ndim && i < FR_NPY_MAX_DIMS; i++)
        empty |= out->shape[i] == 0;
    size_t count = empty ? 0 : 1;
    for (size_t i = 0; !empty && i < out->ndim && i < FR_NPY_MAX_DIMS; i++) {
        if (count > SIZE_MAX / out->shape[i]) {
            msg_str(&m, "shape ");
            msg_shape(&m, out);
            return fail(&m, FR_NPY_ERR_SHAPE_OVERFLOW, " has more elements than size_t can count");
        }
        count *= out->shape[i];
    }
    if (count > SIZE_MAX / out->item_size) {
        msg_str(&m, "shape ");
        msg_shape(&m, out);
        return fail(&m, FR_NPY_ERR_SHAPE_OVERFLOW, " needs more bytes than size_t can count");
    }
    out->count = count;
    out->data_offset = prefix + hlen;
    out->data_bytes = count * out->item_size;
    size_t available = len - out->data_offset;
    if (available != out->data_bytes) {
        int short_of_data = available < out->data_bytes;
        msg_str(&m, short_of_data ? "truncated data: " : "trailing data: ");
        msg_str(&m, "shape ");
        msg_shape(&m, out);
        msg_str(&m, " of '");
        msg_str(&m, fr_npy_dtype_name(out->dtype));
        msg_str(&m, "' needs ");
        msg_u64(&m, out->data_bytes);
        msg_str(&m, " data bytes, the file has ");
        msg_u64(&m, available);
        return fail(&m, short_of_data ? FR_NPY_ERR_TRUNCATED : FR_NPY_ERR_TRAILING,
                    " after the header");
    }
    return FR_NPY_OK;
}

/* ------------------------------------------------------------------------- */
/* Values. */

static float float_from_bits(uint32_t bits)
{
    float f;
    memcpy(&f, &bits, sizeof f);
    return f;
}

float fr_npy_half_to_float(uint16_t bits)
{
    uint32_t sign = (uint32_t)(bits >> 15) << 31;
    uint32_t exponent = (uint32_t)(bits >> 10) & 0x1fu;
    uint32_t mantissa = (uint32_t)bits & 0x3ffu;
    if (exponent == 0x1fu)   /* infinity, or NaN with its payload kept */
        return float_from_bits(sign | 0x7f800000u | mantissa << 13);
    if (exponent != 0)       /* rebias 15 -> 127 */
        return float_from_bits(sign | (exponent + 112u) << 23 | mantissa << 13);
    if (mantissa == 0)
        return float_from_bits(sign);
    /* Subnormal mantissa * 2^-24: normalise; every such value is a normal float. */
    uint32_t e = 113;
    for (int i = 0; i < 10 && (mantissa & 0x400u) == 0; i++) {
        mantissa <<= 1;
        e--;
    }
    return float_from_bits(sign | e << 23 | (mantissa & 0x3ffu) << 13);
}

float fr_npy_bf16_to_float(uint16_t bits)
{
    return float_from_bits((uint32_t)bits << 16);
}

static uint16_t le16(const unsigned char *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t le32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t le64(const unsigned char *p)
{
    return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

/* Whether an (exactly decoded) double value is a float, and that float. */
static int double_to_float_exact(double x, float *out)
{
    if (x != x) {              /* NaN: flashref propagates it, payload aside */
        *out = (float)x;
        return 1;
    }
    if (x - x != 0.0) {        /* infinite */
        *out = (float)x;
        return 1;
    }
    if (x > FLT_MAX || x < -FLT_MAX)
        return 0;
    float f = (float)x;
    *out = f;
    return (double)f == x;
}

fr_npy_status fr_npy_to_float(const unsigned char *buf, size_t len, const fr_npy_array *a,
                              float *out, size_t out_count, char *err, size_t err_len)
{
    npy_msg m;
    msg_init(&m, err, err_len);
    if (a == NULL || (buf == NULL && len > 0) || (out == NULL && out_count > 0))
        return fail(&m, FR_NPY_ERR_ARGUMENT, "no buffer to convert");
    size_t item = a->dtype == FR_NPY_F8 ? 8 : a->dtype == FR_NPY_F4 ? 4 : 2;
    if (a->item_size != item || a->data_offset > len || a->data_bytes != len - a->data_offset ||
        a->count != out_count || a->data_bytes / item != a->count || a->data_bytes % item != 0)
        return fail(&m, FR_NPY_ERR_ARGUMENT, "the array description does not match the buffer");
    const unsigned char *p = buf + a->data_offset;
    size_t n = a->count;
    switch (a->dtype) {
    case FR_NPY_F2:
        for (size_t i = 0; i < n; i++)
            out[i] = fr_npy_half_to_float(le16(p + 2 * i));
        break;
    case FR_NPY_BF16:
        for (size_t i = 0; i < n; i++)
            out[i] = fr_npy_bf16_to_float(le16(p + 2 * i));
        break;
    case FR_NPY_F4:
        for (size_t i = 0; i < n; i++)
            out[i] = float_from_bits(le32(p + 4 * i));
        break;
    case FR_NPY_F8:
        for (size_t i = 0; i < n; i++) {
            uint64_t bits = le64(p + 8 * i);
            double x;
            memcpy(&x, &bits, sizeof x);
            if (!double_to_float_exact(x, &out[i])) {
                msg_str(&m, "value at flat index ");
                msg_u64(&m, i);
                return fail(&m, FR_NPY_ERR_NOT_FLOAT,
                            " of the '<f8' array is not exactly a float; flashref computes "
                            "on float inputs (convert with a.astype('<f4') to round)");
            }
        }
        break;
    }
    return FR_NPY_OK;
}

/* ------------------------------------------------------------------------- */
/* Writing. */

/* Appends text to buf[*len ..], failing (returning 0) rather than overrunning cap. */
static int put_text(unsigned char *buf, size_t cap, size_t *len, const char *text)
{
    for (size_t i = 0; i < 256 && text[i] != '\0'; i++) {
        if (*len >= cap)
            return 0;
        buf[*len] = (unsigned char)text[i];
        (*len)++;
    }
    return 1;
}

static size_t decimal_digits(uint64_t v)
{
    size_t n = 1;
    while (v >= 10 && n < 20) {
        v /= 10;
        n++;
    }
    return n;
}

static int put_u64(unsigned char *buf, size_t cap, size_t *len, uint64_t v)
{
    size_t n = decimal_digits(v);
    if (*len > cap || n > cap - *len)
        return 0;
    for (size_t i = n; i > 0; i--) {
        buf[*len + i - 1] = (unsigned char)('0' + (int)(v % 10));
        v /= 10;
    }
    *len += n;
    return 1;
}

size_t fr_npy_header_f8(const size_t *shape, size_t ndim, unsigned char *buf, size_t cap)
{
    /* NumPy leaves room to grow the first axis to 21 digits without rewriting. */
    const size_t growth_digits = 21;
    const size_t align = 64;
    if (ndim > FR_NPY_MAX_DIMS || buf == NULL || (shape == NULL && ndim > 0) || cap < 10)
        return 0;
    size_t len = 10;   /* the preamble goes in last, once the length is known */
    int ok = put_text(buf, cap, &len, "{'descr': '<f8', 'fortran_order': False, 'shape': (");
    for (size_t i = 0; ok && i < ndim; i++) {
        if (i > 0)
            ok = put_text(buf, cap, &len, ", ");
        ok = ok && put_u64(buf, cap, &len, shape[i]);
    }
    if (ok && ndim == 1)
        ok = put_text(buf, cap, &len, ",");
    ok = ok && put_text(buf, cap, &len, "), }");
    if (ok && ndim > 0) {
        for (size_t i = decimal_digits(shape[0]); ok && i < growth_digits; i++)
            ok = put_text(buf, cap, &len, " ");
    }
    if (!ok)
        return 0;
    /* Spaces then a newline up to a multiple of 64: a whole line of spaces
     * when the text with its newline already ends on the boundary. */
    size_t pad = align - (len + 1) % align;
    for (size_t i = 0; ok && i < pad; i++)
        ok = put_text(buf, cap, &len, " ");
    ok = ok && put_text(buf, cap, &len, "\n");
    if (!ok || len - 10 > 0xffffu)
        return 0;
    size_t header = len - 10;
    buf[0] = 0x93;
    buf[1] = 'N';
    buf[2] = 'U';
    buf[3] = 'M';
    buf[4] = 'P';
    buf[5] = 'Y';
    buf[6] = 1;
    buf[7] = 0;
    buf[8] = (unsigned char)(header & 0xffu);
    buf[9] = (unsigned char)(header >> 8);
    return len;
}

void fr_npy_put_f8(const double *src, size_t n, unsigned char *dst)
{
    for (size_t i = 0; i < n; i++) {
        uint64_t bits;
        memcpy(&bits, &src[i], sizeof bits);
        for (size_t b = 0; b < 8; b++)
            dst[8 * i + b] = (unsigned char)(bits >> (8 * b));
    }
}
