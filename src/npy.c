/* The .npy reader and float64 writer. The header is parsed by hand rather
 * than with a general literal parser: the grammar NumPy writes is small, and a
 * cursor that only moves forward over a bounded range keeps every access
 * checkable. */
#include <float.h>
#include "npy.h"

/* Text lives in named char arrays, passed with their length, never as string
 * literals: WP's typed memory model knows neither the bytes of a literal (so
 * no read could be bounded by its NUL) nor, without a prover, its size; it
 * proves an array's validity by itself. A literal's validity would instead
 * stay a hypothesis of every later goal of the function, and a few dozen of
 * those make z3 very slow. */
#define TEXT(array) (array), (sizeof(array) - 1)

/* Appends literal text to a message, through a function-local array. */
#define MSG(m, literal)                                   \
    do {                                                  \
        static const char msg_literal_[] = literal;       \
        msg_text((m), TEXT(msg_literal_));                \
    } while (0)

static const char descr_f2[] = "<f2", descr_v2[] = "<V2", descr_bf16[] = "bfloat16",
                  descr_f4[] = "<f4", descr_f8[] = "<f8", descr_big_f2[] = ">f2",
                  descr_big_f4[] = ">f4", descr_big_f8[] = ">f8", descr_big_v2[] = ">V2",
                  descr_unknown[] = "?";
static const char key_descr[] = "descr", key_fortran[] = "fortran_order", key_shape[] = "shape";
static const char word_true[] = "True", word_false[] = "False";
static const char header_dict[] = "{'descr': '<f8', 'fortran_order': False, 'shape': (",
                  header_comma_space[] = ", ", header_comma[] = ",", header_close[] = "), }",
                  header_space[] = " ", header_newline[] = "\n";

/* ------------------------------------------------------------------------- */
/* Messages: appended piece by piece into the caller's buffer, truncated to
 * fit, always NUL-terminated. */

typedef struct npy_msg {
    char *buf;
    size_t cap;
    size_t len;
} npy_msg;

/* len < cap keeps room for the terminator; cap == 0 means no buffer at all. */
/*@ predicate MsgValid(npy_msg *m) =
      \valid(m) && m->len <= m->cap &&
      (m->cap != 0 ==> m->len < m->cap && \valid(m->buf + (0 .. m->cap - 1)));
*/

/*@ requires valid_m: \valid(m);
    requires valid_buf: buf == \null || \valid(buf + (0 .. cap - 1));
    assigns *m, buf[0 .. cap - 1];
    ensures msg: MsgValid(m);
    ensures same_buf: m->buf == buf;
    ensures cap: m->cap == (buf == \null ? 0 : cap);
*/
static void msg_init(npy_msg *m, char *buf, size_t cap)
{
    m->buf = buf;
    m->cap = buf == NULL ? 0 : cap;
    m->len = 0;
    if (m->cap > 0)
        m->buf[0] = '\0';
}

/*@ requires msg: MsgValid(m);
    assigns m->len, m->buf[0 .. m->cap - 1];
    ensures msg: MsgValid(m);
*/
static void msg_char(npy_msg *m, char c)
{
    if (m->cap > 0 && m->len < m->cap - 1) {
        m->buf[m->len] = c;
        m->len++;
        m->buf[m->len] = '\0';
    }
}

/*@ requires msg: MsgValid(m);
    requires text: \valid_read(s + (0 .. n - 1));
    assigns m->len, m->buf[0 .. m->cap - 1];
    ensures msg: MsgValid(m);
*/
static void msg_text(npy_msg *m, const char *s, size_t n)
{
    /*@ loop invariant bound: 0 <= i <= n;
        loop invariant msg: MsgValid(m);
        loop assigns i, m->len, m->buf[0 .. m->cap - 1];
        loop variant n - i;
    */
    for (size_t i = 0; i < n; i++)
        msg_char(m, s[i]);
}

/*@ requires msg: MsgValid(m);
    assigns m->len, m->buf[0 .. m->cap - 1];
    ensures msg: MsgValid(m);
*/
static void msg_u64(npy_msg *m, uint64_t v)
{
    char digits[20];
    size_t n = 0;
    /*@ loop invariant bound: 0 <= n < 20;
        loop assigns n, v, digits[0 .. 19];
        loop variant 20 - n;
    */
    do {
        digits[n] = (char)('0' + (int)(v % 10));
        n++;
        v /= 10;
    } while (v != 0 && n < sizeof digits);
    /*@ loop invariant bound: 0 <= n <= 20;
        loop invariant msg: MsgValid(m);
        loop assigns n, m->len, m->buf[0 .. m->cap - 1];
        loop variant n;
    */
    while (n > 0) {
        n--;
        msg_char(m, digits[n]);
    }
}

/* Quotes header bytes: printable ASCII as is, anything else as '?', so a
 * message stays one printable line whatever the file holds. */
/*@ requires msg: MsgValid(m);
    requires bytes: \valid_read(p + (0 .. n - 1));
    assigns m->len, m->buf[0 .. m->cap - 1];
    ensures msg: MsgValid(m);
*/
static void msg_quote(npy_msg *m, const unsigned char *p, size_t n)
{
    const size_t shown_max = 40;
    msg_char(m, '\'');
    /*@ loop invariant bound: 0 <= i <= n && i <= shown_max;
        loop invariant msg: MsgValid(m);
        loop assigns i, m->len, m->buf[0 .. m->cap - 1];
        loop variant shown_max - i;
    */
    for (size_t i = 0; i < n && i < shown_max; i++)
        msg_char(m, p[i] >= 0x20 && p[i] < 0x7f ? (char)p[i] : '?');
    if (n > shown_max)
        MSG(m, "...");
    msg_char(m, '\'');
}

/*@ requires msg: MsgValid(m);
    requires array: \valid_read(a);
    assigns m->len, m->buf[0 .. m->cap - 1];
    ensures msg: MsgValid(m);
*/
static void msg_shape(npy_msg *m, const fr_npy_array *a)
{
    msg_char(m, '(');
    /*@ loop invariant bound: 0 <= i <= FR_NPY_MAX_DIMS;
        loop invariant msg: MsgValid(m);
        loop assigns i, m->len, m->buf[0 .. m->cap - 1];
        loop variant FR_NPY_MAX_DIMS - i;
    */
    for (size_t i = 0; i < a->ndim && i < FR_NPY_MAX_DIMS; i++) {
        if (i > 0)
            MSG(m, ", ");
        msg_u64(m, a->shape[i]);
    }
    if (a->ndim == 1)
        msg_char(m, ',');
    msg_char(m, ')');
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

/* The one table of dtype names, with lengths for messages. */
/*@ requires valid_n: \valid(n);
    assigns *n, \result \from dtype;
    ensures length: 1 <= *n;
    ensures text: \valid_read(\result + (0 .. *n - 1));
*/
static const char *dtype_text(fr_npy_dtype dtype, size_t *n)
{
    switch (dtype) {
    case FR_NPY_F2: *n = sizeof descr_f2 - 1; return descr_f2;
    case FR_NPY_BF16: *n = sizeof descr_bf16 - 1; return descr_bf16;
    case FR_NPY_F4: *n = sizeof descr_f4 - 1; return descr_f4;
    case FR_NPY_F8: *n = sizeof descr_f8 - 1; return descr_f8;
    }
    *n = sizeof descr_unknown - 1;
    return descr_unknown;
}

const char *fr_npy_dtype_name(fr_npy_dtype dtype)
{
    size_t n;
    return dtype_text(dtype, &n);
}

/* ------------------------------------------------------------------------- */
/* The header cursor: buf[pos .. end-1] is what is left of the header. */

typedef struct npy_cursor {
    const unsigned char *buf;
    size_t pos;
    size_t end;
} npy_cursor;

/*@ predicate CursorReadable(npy_cursor *c) =
      \valid_read(c) && c->pos <= c->end && \valid_read(c->buf + (0 .. c->end - 1));
    predicate CursorValid(npy_cursor *c) = \valid(c) && CursorReadable(c);
*/

/*@ assigns \result \from ch;
    ensures space: \result != 0 <==> (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r');
*/
static int is_space(unsigned char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r';
}

/*@ assigns \result \from ch;
    ensures digit: \result != 0 <==> '0' <= ch <= '9';
*/
static int is_digit(unsigned char ch)
{
    return ch >= '0' && ch <= '9';
}

/*@ assigns \result \from ch;
    ensures name: \result != 0 <==>
      ('0' <= ch <= '9' || ch == '_' || 'a' <= ch <= 'z' || 'A' <= ch <= 'Z');
*/
static int is_name_char(unsigned char ch)
{
    return is_digit(ch) || ch == '_' || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
}

/*@ requires cursor: CursorValid(c);
    assigns c->pos;
    ensures cursor: CursorValid(c);
    ensures forward: \old(c->pos) <= c->pos;
*/
static void skip_space(npy_cursor *c)
{
    /*@ loop invariant forward: \at(c->pos, Pre) <= c->pos <= c->end;
        loop assigns c->pos;
        loop variant c->end - c->pos;
    */
    while (c->pos < c->end && is_space(c->buf[c->pos]))
        c->pos++;
}

/*@ requires cursor: CursorReadable(c);
    assigns \result \from c->pos, c->end, c->buf[c->pos], ch;
    ensures at: \result != 0 <==> (c->pos < c->end && c->buf[c->pos] == ch);
*/
static int at(const npy_cursor *c, unsigned char ch)
{
    return c->pos < c->end && c->buf[c->pos] == ch;
}

/* Whether p[0 .. n-1] spells the word. */
/*@ requires bytes: \valid_read(p + (0 .. n - 1));
    requires word: \valid_read(word + (0 .. word_len - 1));
    assigns \nothing;
    ensures length: \result != 0 ==> n == word_len;
*/
static int bytes_are(const unsigned char *p, size_t n, const char *word, size_t word_len)
{
    if (n != word_len)
        return 0;
    /*@ loop invariant bound: 0 <= i <= n;
        loop assigns i;
        loop variant n - i;
    */
    for (size_t i = 0; i < n; i++) {
        if (p[i] != (unsigned char)word[i])
            return 0;
    }
    return 1;
}

/* A Python string literal without escapes, in ' or " quotes: sets *start and
 * *n to its contents. `what` names it in messages. */
/*@ requires cursor: CursorValid(c);
    requires msg: MsgValid(m);
    requires outputs: \valid(start) && \valid(n);
    requires what: \valid_read(what + (0 .. what_len - 1));
    requires separated: \separated(c, m, start, n);
    assigns c->pos, *start, *n, m->len, m->buf[0 .. m->cap - 1];
    ensures cursor: \result == FR_NPY_OK ==> CursorValid(c);
    ensures msg: MsgValid(m);
    ensures forward: \result == FR_NPY_OK ==> \old(c->pos) <= c->pos;
    ensures span: \result == FR_NPY_OK ==> *start + *n < c->pos;
*/
static fr_npy_status parse_string(npy_cursor *c, size_t *start, size_t *n,
                                  const char *what, size_t what_len, npy_msg *m)
{
    if (!at(c, '\'') && !at(c, '"')) {
        MSG(m, "malformed header: expected a quoted ");
        msg_text(m, what, what_len);
        return FR_NPY_ERR_HEADER_SYNTAX;
    }
    unsigned char quote = c->buf[c->pos];
    c->pos++;
    *start = c->pos;
    /*@ loop invariant inside: *start <= c->pos <= c->end;
        loop assigns c->pos;
        loop variant c->end - c->pos;
    */
    while (c->pos < c->end && c->buf[c->pos] != quote) {
        unsigned char ch = c->buf[c->pos];
        if (ch == '\\' || ch == '\n') {
            MSG(m, "malformed header: unsupported character in the quoted ");
            msg_text(m, what, what_len);
            return FR_NPY_ERR_HEADER_SYNTAX;
        }
        c->pos++;
    }
    if (c->pos >= c->end) {
        MSG(m, "malformed header: unterminated quote in the ");
        msg_text(m, what, what_len);
        return FR_NPY_ERR_HEADER_SYNTAX;
    }
    *n = c->pos - *start;
    c->pos++;
    return FR_NPY_OK;
}

/* The 'descr' value: only its span is kept; it is judged once the whole
 * dict has parsed, so that a malformed header is reported as such. */
/*@ requires cursor: CursorValid(c);
    requires msg: MsgValid(m);
    requires outputs: \valid(start) && \valid(n);
    requires separated: \separated(c, m, start, n);
    assigns c->pos, *start, *n, m->len, m->buf[0 .. m->cap - 1];
    ensures cursor: \result == FR_NPY_OK ==> CursorValid(c);
    ensures msg: MsgValid(m);
    ensures forward: \result == FR_NPY_OK ==> \old(c->pos) <= c->pos;
    ensures span: \result == FR_NPY_OK ==> *start + *n < c->pos;
*/
static fr_npy_status parse_descr(npy_cursor *c, size_t *start, size_t *n, npy_msg *m)
{
    static const char what[] = "'descr' value";
    if (at(c, '[')) {
        MSG(m, "unsupported dtype: structured dtypes (a list of fields) are not accepted");
        return FR_NPY_ERR_DTYPE;
    }
    if (at(c, '(')) {
        MSG(m, "unsupported dtype: subarray dtypes are not accepted");
        return FR_NPY_ERR_DTYPE;
    }
    return parse_string(c, start, n, TEXT(what), m);
}

/*@ requires descr: \valid_read(d + (0 .. n - 1));
    requires msg: MsgValid(m);
    requires valid_out: \valid(out);
    requires separated: \separated(out, m);
    assigns out->dtype, out->item_size, m->len, m->buf[0 .. m->cap - 1];
    ensures msg: MsgValid(m);
    ensures item_size: \result == FR_NPY_OK ==>
      (out->item_size == 2 || out->item_size == 4 || out->item_size == 8);
*/
static fr_npy_status classify_descr(const unsigned char *d, size_t n, fr_npy_array *out,
                                    npy_msg *m)
{
    if (bytes_are(d, n, TEXT(descr_f2))) {
        out->dtype = FR_NPY_F2;
        out->item_size = 2;
    } else if (bytes_are(d, n, TEXT(descr_v2)) || bytes_are(d, n, TEXT(descr_bf16))) {
        out->dtype = FR_NPY_BF16;
        out->item_size = 2;
    } else if (bytes_are(d, n, TEXT(descr_f4))) {
        out->dtype = FR_NPY_F4;
        out->item_size = 4;
    } else if (bytes_are(d, n, TEXT(descr_f8))) {
        out->dtype = FR_NPY_F8;
        out->item_size = 8;
    } else if (bytes_are(d, n, TEXT(descr_big_f2)) || bytes_are(d, n, TEXT(descr_big_f4)) ||
               bytes_are(d, n, TEXT(descr_big_f8)) || bytes_are(d, n, TEXT(descr_big_v2))) {
        MSG(m, "big-endian dtype ");
        msg_quote(m, d, n);
        MSG(m, " is not supported; save a little-endian copy "
               "(a.astype(a.dtype.newbyteorder('<')))");
        return FR_NPY_ERR_BIG_ENDIAN;
    } else {
        MSG(m, "unsupported dtype ");
        msg_quote(m, d, n);
        MSG(m, " (accepted: '<f2', '<f4', '<f8', bfloat16 as '<V2' or 'bfloat16')");
        return FR_NPY_ERR_DTYPE;
    }
    return FR_NPY_OK;
}

/*@ requires cursor: CursorValid(c);
    requires msg: MsgValid(m);
    requires valid_value: \valid(value);
    requires separated: \separated(c, m, value);
    assigns c->pos, *value, m->len, m->buf[0 .. m->cap - 1];
    ensures cursor: \result == FR_NPY_OK ==> CursorValid(c);
    ensures msg: MsgValid(m);
    ensures forward: \result == FR_NPY_OK ==> \old(c->pos) <= c->pos;
*/
static fr_npy_status parse_bool(npy_cursor *c, int *value, npy_msg *m)
{
    size_t start = c->pos;
    /*@ loop invariant word: start <= c->pos <= c->end;
        loop assigns c->pos;
        loop variant c->end - c->pos;
    */
    while (c->pos < c->end && is_name_char(c->buf[c->pos]))
        c->pos++;
    const unsigned char *w = c->buf + start;
    size_t n = c->pos - start;
    if (bytes_are(w, n, TEXT(word_true))) {
        *value = 1;
        return FR_NPY_OK;
    }
    if (bytes_are(w, n, TEXT(word_false))) {
        *value = 0;
        return FR_NPY_OK;
    }
    MSG(m, "malformed header: 'fortran_order' must be True or False");
    return FR_NPY_ERR_HEADER_SYNTAX;
}

/* The text of the shape from `start` to its ')' (or the header's end), for messages. */
/*@ requires cursor: CursorReadable(c);
    requires start: start <= c->end;
    assigns \nothing;
    ensures span: start + \result <= c->end;
*/
static size_t shape_span(const npy_cursor *c, size_t start)
{
    size_t i = start;
    /*@ loop invariant bound: start <= i <= c->end;
        loop assigns i;
        loop variant c->end - i;
    */
    while (i < c->end && c->buf[i] != ')')
        i++;
    return i < c->end ? i + 1 - start : i - start;
}

/* The start of a shape message: "bad shape '(...)': ", the reason follows. */
/*@ requires cursor: CursorReadable(c);
    requires start: start <= c->end;
    requires msg: MsgValid(m);
    requires separated: \separated(c, m);
    assigns m->len, m->buf[0 .. m->cap - 1];
    ensures msg: MsgValid(m);
*/
static void msg_bad_shape(npy_msg *m, const npy_cursor *c, size_t start)
{
    MSG(m, "bad shape ");
    msg_quote(m, c->buf + start, shape_span(c, start));
    MSG(m, ": ");
}

/* One size of a shape, at c->pos (a digit): a decimal integer without a
 * leading zero. The shape starts at `start`, for messages. */
/*@ requires cursor: CursorValid(c);
    requires digit: c->pos < c->end && '0' <= c->buf[c->pos] <= '9';
    requires start: start <= c->pos;
    requires msg: MsgValid(m);
    requires valid_value: \valid(value);
    requires separated: \separated(c, m, value);
    assigns c->pos, *value, m->len, m->buf[0 .. m->cap - 1];
    ensures cursor: \result == FR_NPY_OK ==> CursorValid(c);
    ensures msg: MsgValid(m);
    ensures progress: \result == FR_NPY_OK ==> \old(c->pos) < c->pos;
*/
static fr_npy_status parse_size(npy_cursor *c, size_t start, size_t *value, npy_msg *m)
{
    size_t first = c->pos;
    size_t v = 0;
    /*@ loop invariant digits: first <= c->pos <= c->end;
        loop assigns c->pos, v;
        loop variant c->end - c->pos;
    */
    while (c->pos < c->end && is_digit(c->buf[c->pos])) {
        size_t digit = (size_t)(c->buf[c->pos] - '0');
        if (v > (SIZE_MAX - digit) / 10) {
            msg_bad_shape(m, c, start);
            MSG(m, "a size does not fit in size_t");
            return FR_NPY_ERR_SHAPE_OVERFLOW;
        }
        v = v * 10 + digit;
        c->pos++;
    }
    if (c->pos - first > 1 && c->buf[first] == '0') {
        msg_bad_shape(m, c, start);
        MSG(m, "a size has a leading zero");
        return FR_NPY_ERR_SHAPE;
    }
    if (c->pos < c->end && is_name_char(c->buf[c->pos])) {
        msg_bad_shape(m, c, start);
        MSG(m, "expected a non-negative decimal integer");
        return FR_NPY_ERR_SHAPE;
    }
    *value = v;
    return FR_NPY_OK;
}

/*@ requires cursor: CursorValid(c);
    requires msg: MsgValid(m);
    requires valid_out: \valid(out);
    requires separated: \separated(c, m, out);
    assigns c->pos, out->shape[0 .. FR_NPY_MAX_DIMS - 1], out->ndim,
            m->len, m->buf[0 .. m->cap - 1];
    ensures cursor: \result == FR_NPY_OK ==> CursorValid(c);
    ensures msg: MsgValid(m);
    ensures forward: \result == FR_NPY_OK ==> \old(c->pos) <= c->pos;
    ensures dims: \result == FR_NPY_OK ==> out->ndim <= FR_NPY_MAX_DIMS;
*/
static fr_npy_status parse_shape(npy_cursor *c, fr_npy_array *out, npy_msg *m)
{
    size_t start = c->pos;
    if (!at(c, '(')) {
        msg_bad_shape(m, c, start);
        MSG(m, "not a tuple");
        return FR_NPY_ERR_SHAPE;
    }
    c->pos++;
    skip_space(c);
    size_t ndim = 0;
    int comma_after_last = 0;
    /*@ loop invariant cursor: CursorValid(c);
        loop invariant forward: start < c->pos;
        loop invariant dims: ndim <= FR_NPY_MAX_DIMS;
        loop invariant msg: MsgValid(m);
        loop assigns c->pos, ndim, comma_after_last, out->shape[0 .. FR_NPY_MAX_DIMS - 1],
                     m->len, m->buf[0 .. m->cap - 1];
        loop variant c->end - c->pos;
    */
    while (c->pos < c->end && c->buf[c->pos] != ')') {
        if (!is_digit(c->buf[c->pos])) {
            msg_bad_shape(m, c, start);
            MSG(m, "expected a non-negative decimal integer");
            return FR_NPY_ERR_SHAPE;
        }
        if (ndim == FR_NPY_MAX_DIMS) {
            msg_bad_shape(m, c, start);
            MSG(m, "more than 8 dimensions");
            return FR_NPY_ERR_SHAPE;
        }
        size_t value = 0;
        fr_npy_status st = parse_size(c, start, &value, m);
        if (st != FR_NPY_OK)
            return st;
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
            msg_bad_shape(m, c, start);
            MSG(m, "expected ',' or ')' after a size");
            return FR_NPY_ERR_SHAPE;
        }
    }
    if (c->pos >= c->end) {
        msg_bad_shape(m, c, start);
        MSG(m, "the tuple is not closed");
        return FR_NPY_ERR_SHAPE;
    }
    c->pos++;
    if (ndim == 1 && !comma_after_last) {
        msg_bad_shape(m, c, start);
        MSG(m, "not a tuple (a one-dimensional shape is written (n,))");
        return FR_NPY_ERR_SHAPE;
    }
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

/* The descr span lies inside the header, so classify_descr may read it. */
/*@ predicate DescrInside(npy_dict *d, integer end) =
      d->descr_start <= end && d->descr_len <= end - d->descr_start;
*/

/*@ requires cursor: CursorValid(c);
    requires msg: MsgValid(m);
    requires valid_out: \valid(out);
    requires valid_dict: \valid(dict);
    requires dims: out->ndim <= FR_NPY_MAX_DIMS;
    requires descr: DescrInside(dict, c->end);
    requires separated: \separated(c, m, out, dict);
    assigns c->pos, out->shape[0 .. FR_NPY_MAX_DIMS - 1], out->ndim, *dict,
            m->len, m->buf[0 .. m->cap - 1];
    ensures cursor: \result == FR_NPY_OK ==> CursorValid(c);
    ensures msg: MsgValid(m);
    ensures forward: \result == FR_NPY_OK ==> \old(c->pos) <= c->pos;
    ensures dims: \result == FR_NPY_OK ==> out->ndim <= FR_NPY_MAX_DIMS;
    ensures descr: \result == FR_NPY_OK ==> DescrInside(dict, c->end);
*/
static fr_npy_status parse_entry(npy_cursor *c, fr_npy_array *out, npy_dict *dict, npy_msg *m)
{
    static const char what[] = "header key";
    size_t s = 0, n = 0;
    fr_npy_status st = parse_string(c, &s, &n, TEXT(what), m);
    if (st != FR_NPY_OK)
        return st;
    const unsigned char *key = c->buf + s;
    skip_space(c);
    if (!at(c, ':')) {
        MSG(m, "malformed header: expected ':' after the key ");
        msg_quote(m, key, n);
        return FR_NPY_ERR_HEADER_SYNTAX;
    }
    c->pos++;
    skip_space(c);
    unsigned which = bytes_are(key, n, TEXT(key_descr)) ? KEY_DESCR
                     : bytes_are(key, n, TEXT(key_fortran)) ? KEY_FORTRAN
                     : bytes_are(key, n, TEXT(key_shape)) ? KEY_SHAPE : 0u;
    if (which == 0) {
        MSG(m, "unknown header key ");
        msg_quote(m, key, n);
        MSG(m, " (a .npy header has exactly 'descr', 'fortran_order', 'shape')");
        return FR_NPY_ERR_UNKNOWN_KEY;
    }
    if ((dict->seen & which) != 0) {
        MSG(m, "duplicate header key ");
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

/* The entries of the dict, after its '{', up to and including its '}'. */
/*@ requires cursor: CursorValid(c);
    requires msg: MsgValid(m);
    requires valid_out: \valid(out);
    requires valid_dict: \valid(dict);
    requires dims: out->ndim <= FR_NPY_MAX_DIMS;
    requires descr: DescrInside(dict, c->end);
    requires separated: \separated(c, m, out, dict);
    assigns c->pos, out->shape[0 .. FR_NPY_MAX_DIMS - 1], out->ndim, *dict,
            m->len, m->buf[0 .. m->cap - 1];
    ensures cursor: \result == FR_NPY_OK ==> CursorValid(c);
    ensures msg: MsgValid(m);
    ensures dims: \result == FR_NPY_OK ==> out->ndim <= FR_NPY_MAX_DIMS;
    ensures descr: \result == FR_NPY_OK ==> DescrInside(dict, c->end);
*/
static fr_npy_status parse_entries(npy_cursor *c, fr_npy_array *out, npy_dict *dict,
                                   npy_msg *m)
{
    /*@ loop invariant cursor: CursorValid(c);
        loop invariant msg: MsgValid(m);
        loop invariant dims: out->ndim <= FR_NPY_MAX_DIMS;
        loop invariant descr: DescrInside(dict, c->end);
        loop assigns c->pos, out->shape[0 .. FR_NPY_MAX_DIMS - 1], out->ndim, *dict,
                     m->len, m->buf[0 .. m->cap - 1];
        loop variant c->end - c->pos;
    */
    while (c->pos < c->end) {
        skip_space(c);
        if (c->pos >= c->end)
            break;
        if (at(c, '}')) {
            c->pos++;
            return FR_NPY_OK;
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
            return FR_NPY_OK;
        } else {
            MSG(m, "malformed header: expected ',' or '}' after a value");
            return FR_NPY_ERR_HEADER_SYNTAX;
        }
        if (c->pos <= before)   /* every entry consumes input */
            break;
    }
    MSG(m, "malformed header: the dict is not closed by '}'");
    return FR_NPY_ERR_HEADER_SYNTAX;
}

/*@ requires msg: MsgValid(m);
    requires valid_dict: \valid_read(dict);
    assigns m->len, m->buf[0 .. m->cap - 1];
    ensures msg: MsgValid(m);
*/
static fr_npy_status missing_keys(const npy_dict *dict, npy_msg *m)
{
    if ((dict->seen & KEY_DESCR) == 0) {
        MSG(m, "the header has no 'descr' key");
        return FR_NPY_ERR_MISSING_KEY;
    }
    if ((dict->seen & KEY_FORTRAN) == 0) {
        MSG(m, "the header has no 'fortran_order' key");
        return FR_NPY_ERR_MISSING_KEY;
    }
    if ((dict->seen & KEY_SHAPE) == 0) {
        MSG(m, "the header has no 'shape' key");
        return FR_NPY_ERR_MISSING_KEY;
    }
    return FR_NPY_OK;
}

/*@ requires cursor: CursorValid(c);
    requires msg: MsgValid(m);
    requires valid_out: \valid(out);
    requires valid_dict: \valid(dict);
    requires dims: out->ndim <= FR_NPY_MAX_DIMS;
    requires descr: DescrInside(dict, c->end);
    requires separated: \separated(c, m, out, dict);
    assigns c->pos, out->shape[0 .. FR_NPY_MAX_DIMS - 1], out->ndim, *dict,
            m->len, m->buf[0 .. m->cap - 1];
    ensures cursor: \result == FR_NPY_OK ==> CursorValid(c);
    ensures msg: MsgValid(m);
    ensures dims: \result == FR_NPY_OK ==> out->ndim <= FR_NPY_MAX_DIMS;
    ensures descr: \result == FR_NPY_OK ==> DescrInside(dict, c->end);
*/
static fr_npy_status parse_dict(npy_cursor *c, fr_npy_array *out, npy_dict *dict, npy_msg *m)
{
    skip_space(c);
    if (!at(c, '{')) {
        MSG(m, "malformed header: it does not start with '{'");
        return FR_NPY_ERR_HEADER_SYNTAX;
    }
    c->pos++;
    fr_npy_status st = parse_entries(c, out, dict, m);
    if (st != FR_NPY_OK)
        return st;
    skip_space(c);
    if (c->pos != c->end) {
        MSG(m, "malformed header: text after the closing '}'");
        return FR_NPY_ERR_HEADER_SYNTAX;
    }
    return missing_keys(dict, m);
}

/*@ requires valid_a: \valid(a);
    assigns *a;
    ensures dims: a->ndim == 0;
*/
static void array_clear(fr_npy_array *a)
{
    a->version_major = 0;
    a->version_minor = 0;
    a->dtype = FR_NPY_F4;
    a->item_size = 4;
    a->ndim = 0;
    /*@ loop invariant bound: 0 <= i <= FR_NPY_MAX_DIMS;
        loop assigns i, a->shape[0 .. FR_NPY_MAX_DIMS - 1];
        loop variant FR_NPY_MAX_DIMS - i;
    */
    for (size_t i = 0; i < FR_NPY_MAX_DIMS; i++)
        a->shape[i] = 0;
    a->count = 0;
    a->data_offset = 0;
    a->data_bytes = 0;
}

/*@ requires msg: MsgValid(m);
    assigns m->len, m->buf[0 .. m->cap - 1];
    ensures msg: MsgValid(m);
    ensures status: \result == FR_NPY_ERR_HEADER_LENGTH;
*/
static fr_npy_status short_preamble(size_t len, npy_msg *m)
{
    MSG(m, "the file ends inside the .npy preamble (");
    msg_u64(m, len);
    MSG(m, " bytes)");
    return FR_NPY_ERR_HEADER_LENGTH;
}

/*@ requires msg: MsgValid(m);
    assigns m->len, m->buf[0 .. m->cap - 1];
    ensures msg: MsgValid(m);
    ensures status: \result == FR_NPY_ERR_VERSION;
*/
static fr_npy_status bad_version(unsigned major, unsigned minor, npy_msg *m)
{
    MSG(m, "unsupported .npy format version ");
    msg_u64(m, major);
    msg_char(m, '.');
    msg_u64(m, minor);
    MSG(m, " (supported: 1.0, 2.0, 3.0)");
    return FR_NPY_ERR_VERSION;
}

/*@ requires msg: MsgValid(m);
    assigns m->len, m->buf[0 .. m->cap - 1];
    ensures msg: MsgValid(m);
    ensures status: \result == FR_NPY_ERR_HEADER_LENGTH;
*/
static fr_npy_status long_header(size_t hlen, size_t rest, npy_msg *m)
{
    MSG(m, "header length ");
    msg_u64(m, hlen);
    MSG(m, " runs past the end of the file (");
    msg_u64(m, rest);
    MSG(m, " bytes follow the preamble)");
    return FR_NPY_ERR_HEADER_LENGTH;
}

/* The preamble: magic, version and header length. On FR_NPY_OK the header
 * is buf[*prefix .. *prefix + *hlen - 1]. */
/*@ requires valid_buf: \valid_read(buf + (0 .. len - 1));
    requires msg: MsgValid(m);
    requires valid_out: \valid(out);
    requires outputs: \valid(prefix) && \valid(hlen);
    requires separated: \separated(m, prefix, hlen);
    assigns out->version_major, out->version_minor, *prefix, *hlen,
            m->len, m->buf[0 .. m->cap - 1];
    ensures msg: MsgValid(m);
    ensures header: \result == FR_NPY_OK ==> *prefix <= len && *hlen <= len - *prefix;
*/
static fr_npy_status parse_preamble(const unsigned char *buf, size_t len, fr_npy_array *out,
                                    size_t *prefix, size_t *hlen, npy_msg *m)
{
    static const unsigned char magic[6] = { 0x93, 'N', 'U', 'M', 'P', 'Y' };
    /*@ loop invariant bound: 0 <= i <= 6;
        loop assigns i;
        loop variant 6 - i;
    */
    for (size_t i = 0; i < len && i < sizeof magic; i++) {
        if (buf[i] != magic[i]) {
            MSG(m, "not a .npy file: it does not start with \\x93NUMPY");
            return FR_NPY_ERR_MAGIC;
        }
    }
    if (len == 0) {
        MSG(m, "the file is empty, not a .npy file");
        return FR_NPY_ERR_HEADER_LENGTH;
    }
    if (len < 8)
        return short_preamble(len, m);
    unsigned major = buf[6], minor = buf[7];
    if (major < 1 || major > 3 || minor != 0)
        return bad_version(major, minor, m);
    out->version_major = major;
    out->version_minor = minor;
    size_t start = major == 1 ? 10 : 12;
    if (len < start)
        return short_preamble(len, m);
    uint32_t hlen32 = (uint32_t)buf[8] | (uint32_t)buf[9] << 8;
    if (major > 1)
        hlen32 |= (uint32_t)buf[10] << 16 | (uint32_t)buf[11] << 24;
    size_t n = hlen32;
    if (n > len - start)
        return long_header(n, len - start, m);
    *prefix = start;
    *hlen = n;
    return FR_NPY_OK;
}

/* The number of elements, refused when it or its byte count does not fit in
 * size_t. A zero size empties the array whatever the others are, as in NumPy. */
/*@ requires msg: MsgValid(m);
    requires valid_a: \valid_read(a);
    requires outputs: \valid(count) && \valid(bytes);
    requires dims: a->ndim <= FR_NPY_MAX_DIMS;
    requires item_size: a->item_size == 2 || a->item_size == 4 || a->item_size == 8;
    requires separated: \separated(a, m, count, bytes);
    assigns *count, *bytes, m->len, m->buf[0 .. m->cap - 1];
    ensures msg: MsgValid(m);
    ensures bytes: \result == FR_NPY_OK ==> *bytes == *count * a->item_size;
*/
static fr_npy_status element_count(const fr_npy_array *a, size_t *count, size_t *bytes,
                                   npy_msg *m)
{
    int empty = 0;
    /*@ loop invariant bound: 0 <= i <= a->ndim;
        loop invariant empty: empty == 0 <==> (\forall integer k; 0 <= k < i ==> a->shape[k] != 0);
        loop assigns i, empty;
        loop variant FR_NPY_MAX_DIMS - i;
    */
    for (size_t i = 0; i < a->ndim && i < FR_NPY_MAX_DIMS; i++) {
        if (a->shape[i] == 0)
            empty = 1;
    }
    size_t product = empty ? 0 : 1;
    /*@ loop invariant bound: 0 <= i <= a->ndim;
        loop assigns i, product;
        loop variant FR_NPY_MAX_DIMS - i;
    */
    for (size_t i = 0; !empty && i < a->ndim && i < FR_NPY_MAX_DIMS; i++) {
        if (product > SIZE_MAX / a->shape[i]) {
            MSG(m, "shape ");
            msg_shape(m, a);
            MSG(m, " has more elements than size_t can count");
            return FR_NPY_ERR_SHAPE_OVERFLOW;
        }
        product *= a->shape[i];
    }
    if (product > SIZE_MAX / a->item_size) {
        MSG(m, "shape ");
        msg_shape(m, a);
        MSG(m, " needs more bytes than size_t can count");
        return FR_NPY_ERR_SHAPE_OVERFLOW;
    }
    *count = product;
    *bytes = product * a->item_size;
    return FR_NPY_OK;
}

/* The message for data that does not fill the file exactly. */
/*@ requires msg: MsgValid(m);
    requires valid_a: \valid_read(a);
    assigns m->len, m->buf[0 .. m->cap - 1];
    ensures msg: MsgValid(m);
    ensures status: \result == FR_NPY_ERR_TRUNCATED || \result == FR_NPY_ERR_TRAILING;
*/
static fr_npy_status data_length_error(const fr_npy_array *a, size_t available, npy_msg *m)
{
    int short_of_data = available < a->data_bytes;
    size_t name_len;
    const char *name = dtype_text(a->dtype, &name_len);
    if (short_of_data)
        MSG(m, "truncated data: ");
    else
        MSG(m, "trailing data: ");
    MSG(m, "shape ");
    msg_shape(m, a);
    MSG(m, " of '");
    msg_text(m, name, name_len);
    MSG(m, "' needs ");
    msg_u64(m, a->data_bytes);
    MSG(m, " data bytes, the file has ");
    msg_u64(m, available);
    MSG(m, " after the header");
    return short_of_data ? FR_NPY_ERR_TRUNCATED : FR_NPY_ERR_TRAILING;
}

/* Records where the data lies, and checks that it fills the file exactly. */
/*@ requires valid_a: \valid(a);
    requires msg: MsgValid(m);
    requires separated: \separated(a, m);
    requires item_size: a->item_size == 2 || a->item_size == 4 || a->item_size == 8;
    requires bytes: bytes == count * a->item_size;
    requires offset: offset <= len;
    assigns a->count, a->data_offset, a->data_bytes, m->len, m->buf[0 .. m->cap - 1];
    ensures msg: MsgValid(m);
    ensures fits: \result == FR_NPY_OK ==> NpyArrayFits(a, len);
*/
static fr_npy_status place_data(fr_npy_array *a, size_t len, size_t offset, size_t count,
                                size_t bytes, npy_msg *m)
{
    a->count = count;
    a->data_offset = offset;
    a->data_bytes = bytes;
    size_t available = len - a->data_offset;
    if (available != a->data_bytes)
        return data_length_error(a, available, m);
    return FR_NPY_OK;
}

/* The header dict buf[start .. end-1]: the shape and dtype of out. */
/*@ requires valid_buf: \valid_read(buf + (0 .. end - 1));
    requires start: start <= end;
    requires msg: MsgValid(m);
    requires valid_out: \valid(out);
    requires dims: out->ndim <= FR_NPY_MAX_DIMS;
    requires separated: \separated(out, m);
    assigns out->shape[0 .. FR_NPY_MAX_DIMS - 1], out->ndim, out->dtype, out->item_size,
            m->len, m->buf[0 .. m->cap - 1];
    ensures msg: MsgValid(m);
    ensures dims: \result == FR_NPY_OK ==> out->ndim <= FR_NPY_MAX_DIMS;
    ensures item_size: \result == FR_NPY_OK ==>
      (out->item_size == 2 || out->item_size == 4 || out->item_size == 8);
*/
static fr_npy_status parse_header(const unsigned char *buf, size_t start, size_t end,
                                  fr_npy_array *out, npy_msg *m)
{
    npy_cursor c = { buf, start, end };
    npy_dict dict = { 0, start, 0, 0 };
    fr_npy_status st = parse_dict(&c, out, &dict, m);
    if (st == FR_NPY_OK)
        st = classify_descr(buf + dict.descr_start, dict.descr_len, out, m);
    if (st != FR_NPY_OK)
        return st;
    if (dict.fortran) {
        MSG(m, "Fortran-order arrays are not supported; save a C-order copy "
               "(np.ascontiguousarray)");
        return FR_NPY_ERR_FORTRAN_ORDER;
    }
    return FR_NPY_OK;
}

fr_npy_status fr_npy_parse(const unsigned char *buf, size_t len, fr_npy_array *out,
                           char *err, size_t err_len)
{
    npy_msg m;
    msg_init(&m, err, err_len);
    if (out == NULL || (buf == NULL && len > 0)) {
        MSG(&m, "no buffer to parse");
        return FR_NPY_ERR_ARGUMENT;
    }
    array_clear(out);
    size_t prefix = 0, hlen = 0;
    fr_npy_status st = parse_preamble(buf, len, out, &prefix, &hlen, &m);
    if (st == FR_NPY_OK)
        st = parse_header(buf, prefix, prefix + hlen, out, &m);
    size_t count = 0, bytes = 0;
    if (st == FR_NPY_OK)
        st = element_count(out, &count, &bytes, &m);
    if (st != FR_NPY_OK)
        return st;
    return place_data(out, len, prefix + hlen, count, bytes, &m);
}

/* ------------------------------------------------------------------------- */
/* Values. */

/* A union read reinterprets the bits (C11 6.5.2.3, footnote 95); unlike a
 * memcpy between a float and an integer it needs no pointer casts, which
 * WP's typed memory model cannot follow. */
/*@ assigns \result \from bits; */
static float float_from_bits(uint32_t bits)
{
    union { uint32_t u; float f; } v;
    v.u = bits;
    return v.f;
}

/*@ assigns \result \from bits; */
static double double_from_bits(uint64_t bits)
{
    union { uint64_t u; double d; } v;
    v.u = bits;
    return v.d;
}

/*@ assigns \result \from x; */
static uint64_t bits_from_double(double x)
{
    union { double d; uint64_t u; } v;
    v.d = x;
    return v.u;
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
    /*@ loop invariant bound: 0 <= i <= 10;
        loop invariant exponent: e == 113 - i;
        loop assigns i, mantissa, e;
        loop variant 10 - i;
    */
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

/*@ requires bytes: \valid_read(p + (0 .. 1));
    assigns \result \from p[0 .. 1];
*/
static uint16_t le16(const unsigned char *p)
{
    return (uint16_t)((uint32_t)p[0] | (uint32_t)p[1] << 8);
}

/*@ requires bytes: \valid_read(p + (0 .. 3));
    assigns \result \from p[0 .. 3];
*/
static uint32_t le32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/*@ requires bytes: \valid_read(p + (0 .. 7));
    assigns \result \from p[0 .. 7];
*/
static uint64_t le64(const unsigned char *p)
{
    return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

/* Whether an (exactly decoded) double value is a float, and that float. */
/*@ requires valid_out: \valid(out);
    assigns *out;
*/
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
    if (a == NULL || (buf == NULL && len > 0) || (out == NULL && out_count > 0)) {
        MSG(&m, "no buffer to convert");
        return FR_NPY_ERR_ARGUMENT;
    }
    size_t item = a->dtype == FR_NPY_F8 ? 8 : a->dtype == FR_NPY_F4 ? 4 : 2;
    if (a->item_size != item || a->data_offset > len || a->data_bytes != len - a->data_offset ||
        a->count != out_count || a->data_bytes / item != a->count || a->data_bytes % item != 0) {
        MSG(&m, "the array description does not match the buffer");
        return FR_NPY_ERR_ARGUMENT;
    }
    const unsigned char *p = buf + a->data_offset;
    size_t n = a->count;
    switch (a->dtype) {
    case FR_NPY_F2:
        /*@ loop invariant bound: 0 <= i <= n;
            loop assigns i, out[0 .. n - 1];
            loop variant n - i;
        */
        for (size_t i = 0; i < n; i++)
            out[i] = fr_npy_half_to_float(le16(p + 2 * i));
        break;
    case FR_NPY_BF16:
        /*@ loop invariant bound: 0 <= i <= n;
            loop assigns i, out[0 .. n - 1];
            loop variant n - i;
        */
        for (size_t i = 0; i < n; i++)
            out[i] = fr_npy_bf16_to_float(le16(p + 2 * i));
        break;
    case FR_NPY_F4:
        /*@ loop invariant bound: 0 <= i <= n;
            loop assigns i, out[0 .. n - 1];
            loop variant n - i;
        */
        for (size_t i = 0; i < n; i++)
            out[i] = float_from_bits(le32(p + 4 * i));
        break;
    case FR_NPY_F8:
        /*@ loop invariant bound: 0 <= i <= n;
            loop assigns i, out[0 .. n - 1];
            loop variant n - i;
        */
        for (size_t i = 0; i < n; i++) {
            double x = double_from_bits(le64(p + 8 * i));
            if (!double_to_float_exact(x, &out[i])) {
                MSG(&m, "value at flat index ");
                msg_u64(&m, i);
                MSG(&m, " of the '<f8' array is not exactly a float; flashref computes "
                       "on float inputs (convert with a.astype('<f4') to round)");
                return FR_NPY_ERR_NOT_FLOAT;
            }
        }
        break;
    }
    return FR_NPY_OK;
}

/* ------------------------------------------------------------------------- */
/* Writing. */

/* Appends text to buf[*len ..], failing (returning 0) rather than overrunning cap. */
/*@ requires valid_len: \valid(len);
    requires room: *len <= cap;
    requires valid_buf: \valid(buf + (0 .. cap - 1));
    requires text: \valid_read(text + (0 .. n - 1));
    assigns *len, buf[0 .. cap - 1];
    ensures room: \old(*len) <= *len <= cap;
    ensures appended: \result != 0 ==> *len == \old(*len) + n;
*/
static int put_text(unsigned char *buf, size_t cap, size_t *len, const char *text, size_t n)
{
    /*@ loop invariant bound: 0 <= i <= n;
        loop invariant room: *len == \at(*len, Pre) + i && *len <= cap;
        loop assigns i, *len, buf[0 .. cap - 1];
        loop variant n - i;
    */
    for (size_t i = 0; i < n; i++) {
        if (*len >= cap)
            return 0;
        buf[*len] = (unsigned char)text[i];
        (*len)++;
    }
    return 1;
}

/*@ assigns \result \from v;
    ensures digits: 1 <= \result <= 20;
*/
static size_t decimal_digits(uint64_t v)
{
    size_t n = 1;
    /*@ loop invariant bound: 1 <= n <= 20;
        loop assigns v, n;
        loop variant 20 - n;
    */
    while (v >= 10 && n < 20) {
        v /= 10;
        n++;
    }
    return n;
}

/*@ requires valid_len: \valid(len);
    requires room: *len <= cap;
    requires valid_buf: \valid(buf + (0 .. cap - 1));
    assigns *len, buf[0 .. cap - 1];
    ensures room: \old(*len) <= *len <= cap;
*/
static int put_u64(unsigned char *buf, size_t cap, size_t *len, uint64_t v)
{
    size_t n = decimal_digits(v);
    if (*len > cap || n > cap - *len)
        return 0;
    /*@ loop invariant bound: 0 <= i <= n;
        loop assigns i, v, buf[0 .. cap - 1];
        loop variant i;
    */
    for (size_t i = n; i > 0; i--) {
        buf[*len + i - 1] = (unsigned char)('0' + (int)(v % 10));
        v /= 10;
    }
    *len += n;
    return 1;
}

/* The dict, "{'descr': ... }" and NumPy's growth padding, at buf[*len ..]. */
/*@ requires valid_len: \valid(len);
    requires room: *len <= cap;
    requires valid_buf: \valid(buf + (0 .. cap - 1));
    requires valid_shape: \valid_read(shape + (0 .. ndim - 1));
    assigns *len, buf[0 .. cap - 1];
    ensures room: \old(*len) <= *len <= cap;
*/
static int put_dict(unsigned char *buf, size_t cap, size_t *len, const size_t *shape, size_t ndim)
{
    /* NumPy leaves room to grow the first axis to 21 digits without rewriting. */
    const size_t growth_digits = 21;
    if (!put_text(buf, cap, len, TEXT(header_dict)))
        return 0;
    /*@ loop invariant bound: 0 <= i <= ndim;
        loop invariant room: \at(*len, Pre) <= *len <= cap;
        loop assigns i, *len, buf[0 .. cap - 1];
        loop variant ndim - i;
    */
    for (size_t i = 0; i < ndim; i++) {
        if (i > 0 && !put_text(buf, cap, len, TEXT(header_comma_space)))
            return 0;
        if (!put_u64(buf, cap, len, shape[i]))
            return 0;
    }
    if (ndim == 1 && !put_text(buf, cap, len, TEXT(header_comma)))
        return 0;
    if (!put_text(buf, cap, len, TEXT(header_close)))
        return 0;
    if (ndim > 0) {
        /*@ loop invariant room: \at(*len, Pre) <= *len <= cap;
            loop assigns i, *len, buf[0 .. cap - 1];
            loop variant growth_digits - i;
        */
        for (size_t i = decimal_digits(shape[0]); i < growth_digits; i++) {
            if (!put_text(buf, cap, len, TEXT(header_space)))
                return 0;
        }
    }
    return 1;
}

/* Spaces then a newline up to a multiple of 64: a whole line of spaces
 * when the text with its newline already ends on the boundary. */
/*@ requires valid_len: \valid(len);
    requires room: *len <= cap;
    requires valid_buf: \valid(buf + (0 .. cap - 1));
    assigns *len, buf[0 .. cap - 1];
    ensures room: \old(*len) <= *len <= cap;
    ensures aligned: \result != 0 ==> *len % 64 == 0;
*/
static int put_padding(unsigned char *buf, size_t cap, size_t *len)
{
    const size_t align = 64;
    size_t pad = align - (*len + 1) % align;
    /*@ loop invariant bound: 0 <= i <= pad;
        loop invariant room: *len == \at(*len, Pre) + i && *len <= cap;
        loop assigns i, *len, buf[0 .. cap - 1];
        loop variant pad - i;
    */
    for (size_t i = 0; i < pad; i++) {
        if (!put_text(buf, cap, len, TEXT(header_space)))
            return 0;
    }
    return put_text(buf, cap, len, TEXT(header_newline));
}

size_t fr_npy_header_f8(const size_t *shape, size_t ndim, unsigned char *buf, size_t cap)
{
    if (ndim > FR_NPY_MAX_DIMS || buf == NULL || (shape == NULL && ndim > 0) || cap < 10)
        return 0;
    size_t len = 10;   /* the preamble goes in last, once the length is known */
    if (!put_dict(buf, cap, &len, shape, ndim) || !put_padding(buf, cap, &len) ||
        len - 10 > 0xffffu)
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
    /*@ loop invariant bound: 0 <= i <= n;
        loop assigns i, dst[0 .. 8 * n - 1];
        loop variant n - i;
    */
    for (size_t i = 0; i < n; i++) {
        uint64_t bits = bits_from_double(src[i]);
        /*@ loop invariant bound: 0 <= b <= 8;
            loop assigns b, dst[8 * i .. 8 * i + 7];
            loop variant 8 - b;
        */
        for (size_t b = 0; b < 8; b++)
            dst[8 * i + b] = (unsigned char)(bits >> (8 * b));
    }
}
