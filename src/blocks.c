/* Block sizes and the exact closed forms of the transfer counts. */
#include "flashref.h"
#include "checked.h"
#include "mask.h"
#include "lemmas_count.h"
#include "lemmas_size.h"

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
    ensures added: \result == 1 ==> *total == \old(*total) + a * b;
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
    ensures scaled: \result == FR_OK ==>
      out->words_read == read * (\old(p->batch) * \old(p->q_heads)) &&
      out->words_written == written * (\old(p->batch) * \old(p->q_heads));
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
    //@ ghost Ceil_Idiom(nq, b.rows);
    //@ assert small: nq <= SizeBound && q_blocks <= nq;
    //@ assert multiples: (uint64_t)(2 * q_blocks) == 2 * q_blocks && (uint64_t)(4 * nq) == 4 * nq && (uint64_t)(2 * nq) == 2 * nq;
    int ok = fr_mul_u64(nk, d, &kv_per_block) &&
             add_product(&read, nq, d) &&                   /* Q tiles */
             add_product(&read, 2 * q_blocks, kv_per_block) && /* K (phase 1), V (phase 3) */
             add_product(&read, 4 * nq, nk) &&              /* S three times, P once */
             add_product(&written, 2 * nq, nk) &&           /* S, P */
             add_product(&written, nq, d) &&                /* O */
             fr_add_u64(written, nq, &written);             /* LSE */
    if (!ok)
        return FR_ERR_SIZE_OVERFLOW;
    //@ ghost Standard_HeadCounts(nq, nk, d, b.rows, q_blocks);
    //@ assert head_reads: read == StandardHeadReads(nq, nk, d, b.rows);
    //@ assert head_writes: written == StandardHeadWrites(nq, nk, d);
    /*@ assert all_heads:
          StandardReads(nq, nk, d, b.rows, p->batch * p->q_heads) == read * (p->batch * p->q_heads) &&
          StandardWrites(nq, nk, d, p->batch * p->q_heads) == written * (p->batch * p->q_heads); */
    return scale_by_heads(p, read, written, out);
}

/* The K rows (as many V rows) the query blocks of one head load together
 * under a causal mask: TiledKeys. Query blocks in order see non-decreasing
 * key counts; once a block's last row sees every key, so do all later
 * blocks: those are counted at once, so the loop runs over at most
 * ceil(Nk/Br) + 1 blocks plus the leading blocks that see nothing (skipped
 * in one step too). 0 when the sum does not fit in 64 bits. */
/*@ requires keys: \valid(keys);
    requires sizes: 1 <= nq <= SizeBound && 1 <= nk <= SizeBound;
    requires blocks: br >= 1 && bc >= 1;
    assigns *keys;
    ensures boolean: \result == 0 || \result == 1;
    ensures counted: \result == 1 ==>
      *keys == TiledKeys(causal, CeilDiv(nq, br), nq, nk, br, bc);
*/
static int masked_keys_loaded(fr_causal causal, size_t nq, size_t nk,
                              size_t br, size_t bc, uint64_t *keys)
{
    uint64_t sum = 0;
    size_t i0 = 0;
    //@ ghost size_t u = 0;
    if (causal == FR_CAUSAL_BOTTOM_RIGHT && nq > nk) {
        /* rows i < Nq - Nk see no key: whole blocks of them load nothing */
        size_t blind = nq - nk;
        i0 = blind / br * br;
        //@ ghost u = blind / br;
        //@ assert blind_blocks: i0 == u * br && u * br + nk <= nq;
        //@ ghost TiledKeys_Blind(causal, u, nq, nk, br, bc);
    }
    /*@ loop invariant block_start: i0 == u * br && u <= i0 < nq;
        loop invariant keys_before: sum == TiledKeys(causal, u, nq, nk, br, bc);
        loop assigns i0, sum, u;
        loop variant nq - i0; */
    while (i0 < nq) {
        size_t rows = nq - i0 < br ? nq - i0 : br;
        //@ assert rows: rows == BlockRows(u, nq, br);
        size_t visible = fr_visible_keys(causal, i0 + rows - 1, nq, nk);
        //@ assert visible: visible == VisibleKeys(causal, u * br + BlockRows(u, nq, br) - 1, nq, nk);
        if (visible == nk) {
            size_t left = nq - i0;
            uint64_t rest = left / br + (left % br != 0);
            //@ ghost Ceil_Idiom(left, br);
            //@ assert rest_value: rest == CeilDiv(left, br);
            //@ assert rest_bounds: 1 <= rest <= left && u + rest <= nq;
            //@ assert rest_reach: nq <= i0 + rest * br < nq + br;
            //@ assert total_fits: (size_t)(u + rest) == u + rest;
            //@ ghost size_t blocks_total = u + rest;
            //@ assert distribute: (u + rest) * br == u * br + rest * br;
            //@ assert blocks_total: blocks_total == u + rest && blocks_total * br == i0 + rest * br;
            //@ ghost Last_Block(blocks_total, nq, br);
            //@ ghost TiledKeys_Saturated(causal, u, nq, nk, br, bc);
            if (!add_product(&sum, rest, nk))
                return 0;
            //@ assert all_keys: sum == TiledKeys(causal, CeilDiv(nq, br), nq, nk, br, bc);
            break;
        }
        size_t blocks = visible / bc + (visible % bc != 0);
        //@ ghost if (visible >= 1) Ceil_Idiom(visible, bc);
        //@ assert blocks: blocks == CeilDiv(visible, bc);
        uint64_t loaded = 0;
        if (!fr_mul_u64(blocks, bc, &loaded))
            return 0;
        if (loaded > nk)
            loaded = nk;
        //@ assert loaded: loaded == KeysLoaded(causal, u, nq, nk, br, bc);
        if (!fr_add_u64(sum, loaded, &sum))
            return 0;
        //@ assert keys_upto: sum == TiledKeys(causal, u + 1, nq, nk, br, bc);
        //@ assert next_start: (u + 1) * br == i0 + br;
        if (nq - i0 <= br) {
            //@ ghost Last_Block_At(u, i0, nq, br);
            //@ assert all_keys: sum == TiledKeys(causal, CeilDiv(nq, br), nq, nk, br, bc);
            break;
        }
        //@ assert next_fits: i0 + br < nq && u + 1 <= i0 + br;
        //@ assert next_cast: (size_t)(i0 + br) == i0 + br && (size_t)(u + 1) == u + 1;
        i0 += br;
        //@ ghost u++;
    }
    *keys = sum;
    return 1;
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
    //@ ghost Ceil_Idiom(nq, b.rows);
    //@ assert q_blocks: q_blocks == CeilDiv(nq, b.rows);
    if (p->causal == FR_CAUSAL_NONE) {
        /* every query block loads all Nk keys */
        if (!fr_mul_u64(q_blocks, p->kv_len, &keys_loaded))
            return FR_ERR_SIZE_OVERFLOW;
        //@ ghost TiledKeys_Saturated(p->causal, 0, p->q_len, p->kv_len, b.rows, b.cols);
    } else if (!masked_keys_loaded(p->causal, p->q_len, p->kv_len, b.rows, b.cols, &keys_loaded)) {
        return FR_ERR_SIZE_OVERFLOW;
    }
    /*@ assert keys_total: keys_loaded ==
          TiledKeys(p->causal, CeilDiv(nq, b.rows), nq, p->kv_len, b.rows, b.cols); */
    uint64_t read = 0, written = 0;
    //@ assert small: nq <= SizeBound && d <= SizeBound;
    //@ assert double_d: (uint64_t)(2 * d) == 2 * d;
    int ok = add_product(&read, nq, d) &&
             add_product(&read, 2 * d, keys_loaded) &&
             add_product(&written, nq, d) &&
             fr_add_u64(written, nq, &written);
    if (!ok)
        return FR_ERR_SIZE_OVERFLOW;
    //@ ghost Tiled_HeadCounts(p->causal, nq, p->kv_len, d, b.rows, b.cols);
    /*@ assert head_reads:
          read == TiledHeadReads(p->causal, nq, p->kv_len, d, b.rows, b.cols); */
    //@ assert head_writes: written == TiledHeadWrites(nq, d);
    //@ assert heads_fit: (size_t)(p->batch * p->q_heads) == p->batch * p->q_heads;
    //@ ghost Tiled_AllHeads(p->causal, nq, p->kv_len, d, b.rows, b.cols, p->batch * p->q_heads);
    /*@ assert all_heads:
          TiledReads(p->causal, nq, p->kv_len, d, b.rows, b.cols, p->batch * p->q_heads) ==
            read * (p->batch * p->q_heads) &&
          TiledWrites(nq, d, p->batch * p->q_heads) == written * (p->batch * p->q_heads); */
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
