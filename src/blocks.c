/* Block sizes and the exact closed forms of the transfer counts. */
#include "flashref.h"
#include "checked.h"
#include "mask.h"

size_t fr_min_fast_words(size_t head_dim)
{
    /* SIZE_MAX stands for "more than any size_t": 4d + 3 >= SIZE_MAX */
    if (head_dim >= (SIZE_MAX - 3) / 4)
        return SIZE_MAX;
    return 4 * head_dim + 3;
}

size_t fr_fast_words_needed(fr_blocks b, size_t head_dim)
{
    size_t row_words = 0, rows_total = 0, kv_words = 0;
    /* Br * (2d + Bc + 2) + 2 * Bc * d, saturating at SIZE_MAX */
    if (head_dim > (SIZE_MAX - 2) / 2 || b.cols > SIZE_MAX - 2 - 2 * head_dim)
        return SIZE_MAX;
    row_words = 2 * head_dim + b.cols + 2;
    //@ assert row_words: row_words == 2 * head_dim + b.cols + 2;
    if (!fr_mul_fits(b.rows, row_words, &rows_total))
        return SIZE_MAX;
    //@ assert rows_total: rows_total == b.rows * (2 * head_dim + b.cols + 2);
    if (!fr_mul_fits(b.cols, 2 * head_dim, &kv_words))
        return SIZE_MAX;
    //@ assert kv_words: kv_words == b.cols * (2 * head_dim) == 2 * b.cols * head_dim;
    if (kv_words > SIZE_MAX - rows_total)
        return SIZE_MAX;
    //@ assert total: rows_total + kv_words == FastWords(b.rows, b.cols, head_dim);
    return rows_total + kv_words;
}

fr_status fr_blocks_check(fr_blocks b, size_t fast_words, size_t head_dim)
{
    if (b.rows == 0 || b.cols == 0 || head_dim == 0)
        return FR_ERR_INVALID_ARGUMENT;
    /* SIZE_MAX is also what fr_fast_words_needed saturates at: never fits */
    size_t needed = fr_fast_words_needed(b, head_dim);
    if (needed == SIZE_MAX || needed > fast_words)
        return FR_ERR_FAST_MEMORY_TOO_SMALL;
    //@ assert parts: b.rows * head_dim <= needed && b.cols * head_dim <= needed && b.rows * b.cols <= needed && b.rows <= needed;
    return FR_OK;
}

fr_status fr_blocks_default(size_t fast_words, size_t head_dim,
                            size_t q_len, size_t kv_len, fr_blocks *out)
{
    if (out == NULL || head_dim == 0 || q_len == 0 || kv_len == 0)
        return FR_ERR_INVALID_ARGUMENT;
    size_t minimum = fr_min_fast_words(head_dim);
    if (minimum == SIZE_MAX || fast_words < minimum)
        return FR_ERR_FAST_MEMORY_TOO_SMALL;
    /* floor(M / (6d)) without forming 6d, which can exceed SIZE_MAX */
    size_t cols = fast_words / 6 / head_dim;
    //@ assert six: 6 * (cols * head_dim) <= fast_words;
    if (cols < 1)
        cols = 1;
    if (cols > head_dim)
        cols = head_dim;
    /* cols <= max(1, M / 6d) keeps 2*cols*d <= M - 2d - 3 (see README) */
    /*@ assert kv_room: 2 * cols * head_dim + 2 * head_dim + 3 <= fast_words; */
    //@ assert wide: cols == 1 || 2 * head_dim <= cols * head_dim;
    /*@ assert one_row: 2 * cols * head_dim + (2 * head_dim + cols + 2) <= fast_words; */
    //@ ghost size_t left = fast_words - 2 * cols * head_dim;
    //@ ghost size_t per_row = 2 * head_dim + cols + 2;
    //@ assert parts: left == fast_words - 2 * cols * head_dim && per_row == 2 * head_dim + cols + 2;
    size_t rows = (fast_words - 2 * cols * head_dim) / (2 * head_dim + cols + 2);
    //@ assert rows_ge: rows == left / per_row && rows >= 1;
    //@ assert rule_cols: cols == DefaultColsFull(fast_words, head_dim);
    //@ assert rows_value: rows == RowsForCols(fast_words, head_dim, cols);
    //@ assert rule_rows: rows == DefaultRowsFull(fast_words, head_dim);
    //@ assert rows_mul: rows * per_row <= left;
    //@ assert rows_fit: rows >= 1 && FastWords(rows, cols, head_dim) <= fast_words;
    //@ ghost size_t full_rows = rows;
    //@ ghost size_t full_cols = cols;
    if (rows > q_len)
        rows = q_len;
    if (cols > kv_len)
        cols = kv_len;
    //@ assert capped: FastWords(rows, cols, head_dim) <= FastWords(full_rows, full_cols, head_dim);
    out->rows = rows;
    out->cols = cols;
    return FR_OK;
}

/* Accumulates total += a * b, reporting overflow. */
/*@ requires total: \valid(total);
    assigns *total;
    ensures boolean: \result == 0 || \result == 1;
*/
static int add_product(uint64_t *total, uint64_t a, uint64_t b)
{
    uint64_t product = 0;
    return fr_mul_u64(a, b, &product) && fr_add_u64(*total, product, total);
}

/* Multiplies a per-head count by the number of (batch, query head) pairs. */
/*@ requires problem: \valid_read(p);
    requires out: \valid(out);
    requires separated: \separated(p, out);
    assigns out->words_read, out->words_written;
*/
static fr_status scale_by_heads(const fr_problem *p, uint64_t read, uint64_t written,
                                fr_io_count *out)
{
    uint64_t heads = 0;
    if (!fr_mul_u64(p->batch, p->q_heads, &heads) ||
        !fr_mul_u64(read, heads, &out->words_read) ||
        !fr_mul_u64(written, heads, &out->words_written))
        return FR_ERR_SIZE_OVERFLOW;
    return FR_OK;
}

fr_status fr_io_standard(const fr_problem *p, fr_blocks b, fr_io_count *out)
{
    fr_status st = fr_problem_check(p);
    if (st != FR_OK)
        return st;
    if (out == NULL || b.rows == 0 || b.cols == 0)
        return FR_ERR_INVALID_ARGUMENT;
    uint64_t nq = p->q_len, nk = p->kv_len, d = p->head_dim;
    uint64_t q_blocks = nq / b.rows + (nq % b.rows != 0);
    uint64_t kv_per_block = 0, read = 0, written = 0;
    int ok = fr_mul_u64(nk, d, &kv_per_block) &&
             add_product(&read, nq, d) &&                   /* Q tiles */
             add_product(&read, 2 * q_blocks, kv_per_block) && /* K (phase 1), V (phase 3) */
             add_product(&read, 4 * nq, nk) &&              /* S three times, P once */
             add_product(&written, 2 * nq, nk) &&           /* S, P */
             add_product(&written, nq, d) &&                /* O */
             fr_add_u64(written, nq, &written);             /* LSE */
    if (!ok)
        return FR_ERR_SIZE_OVERFLOW;
    return scale_by_heads(p, read, written, out);
}

fr_status fr_io_tiled(const fr_problem *p, fr_blocks b, fr_io_count *out)
{
    fr_status st = fr_problem_check(p);
    if (st != FR_OK)
        return st;
    if (out == NULL || b.rows == 0 || b.cols == 0)
        return FR_ERR_INVALID_ARGUMENT;
    uint64_t nq = p->q_len, d = p->head_dim;
    uint64_t keys_loaded = 0;   /* sum over query blocks of K (= V) rows loaded */
    uint64_t q_blocks = nq / b.rows + (nq % b.rows != 0);
    if (p->causal == FR_CAUSAL_NONE) {
        /* every query block loads all Nk keys */
        if (!fr_mul_u64(q_blocks, p->kv_len, &keys_loaded))
            return FR_ERR_SIZE_OVERFLOW;
    } else {
        /* Query blocks in order see non-decreasing key counts; once a block's
         * last row sees every key, so do all later blocks: count those at
         * once, so the loop runs over at most ceil(Nk/Br) + 1 blocks plus
         * the leading blocks that see nothing (skipped in one step too). */
        size_t i0 = 0;
        if (p->causal == FR_CAUSAL_BOTTOM_RIGHT && p->q_len > p->kv_len) {
            /* rows i < Nq - Nk see no key: whole blocks of them load nothing */
            size_t blind = p->q_len - p->kv_len;
            i0 = blind / b.rows * b.rows;
        }
        /*@ loop assigns i0, keys_loaded;
            loop variant p->q_len - i0; */
        while (i0 < p->q_len) {
            size_t rows = p->q_len - i0 < b.rows ? p->q_len - i0 : b.rows;
            size_t visible = fr_visible_keys(p->causal, i0 + rows - 1, p->q_len, p->kv_len);
            if (visible == p->kv_len) {
                uint64_t rest = (uint64_t)(p->q_len - i0) / b.rows +
                                ((p->q_len - i0) % b.rows != 0);
                if (!add_product(&keys_loaded, rest, p->kv_len))
                    return FR_ERR_SIZE_OVERFLOW;
                break;
            }
            size_t blocks = visible / b.cols + (visible % b.cols != 0);
            uint64_t loaded = 0;
            if (!fr_mul_u64(blocks, b.cols, &loaded))
                return FR_ERR_SIZE_OVERFLOW;
            if (loaded > p->kv_len)
                loaded = p->kv_len;
            if (!fr_add_u64(keys_loaded, loaded, &keys_loaded))
                return FR_ERR_SIZE_OVERFLOW;
            if (p->q_len - i0 <= b.rows)
                break;
            i0 += b.rows;
        }
    }
    uint64_t read = 0, written = 0;
    int ok = add_product(&read, nq, d) &&
             add_product(&read, 2 * d, keys_loaded) &&
             add_product(&written, nq, d) &&
             fr_add_u64(written, nq, &written);
    if (!ok)
        return FR_ERR_SIZE_OVERFLOW;
    return scale_by_heads(p, read, written, out);
}

double fr_tiled_bound_c1(size_t head_dim)
{
    return 12.0 + 10.0 / (double)(head_dim > 0 ? head_dim : 1);
}

double fr_tiled_bound(const fr_problem *p, size_t fast_words)
{
    double n = (double)(p->q_len > p->kv_len ? p->q_len : p->kv_len);
    double d = (double)p->head_dim;
    double heads = (double)p->batch * (double)p->q_heads;
    double per_head = fr_tiled_bound_c1(p->head_dim) * n * n * d * d / (double)fast_words
                      + FR_TILED_BOUND_C2 * n * d;
    return heads * per_head;
}
