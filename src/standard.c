#include "standard.h"
#include "call.h"
#include "mask.h"
#include "prims.h"
#include "tile_ops.h"
#include "lemmas_size.h"
#include "lemmas_count.h"
#include "lemmas_bound.h"

void fr_standard_output_tile(fr_head h, fr_blocks b, const double *p_tile, const double *v_tile,
                             double *acc, size_t i0, size_t rows, size_t j0, size_t cols)
{
    size_t d = h.d, nk = h.kv_len;
    (void)b;   /* its sizes appear only in the annotations */
    //@ ghost Mul_Mono(rows, b.rows, cols);
    //@ ghost Mul_Mono(cols, b.cols, b.rows);
    //@ assert p_tile: rows * cols <= b.rows * b.cols;
    /*@ loop invariant range: 0 <= r <= rows;
        loop assigns r, acc[0 .. b.rows * h.d - 1];
        loop variant rows - r; */
    for (size_t r = 0; r < rows; r++) {
        //@ ghost Row_Fits(r, b.rows, d);
        //@ assert acc_row: r * d + d <= b.rows * d;
        //@ ghost Row_Fits(r, rows, cols);
        //@ assert p_row: r * cols + cols <= rows * cols;
        //@ assert v_part: 0 <= cols * d;
        size_t visible = fr_visible_keys(h.causal, i0 + r, h.q_len, nk);
        size_t n = fr_visible_in_block(visible, j0, cols);
        //@ ghost Mul_Mono(n, b.cols, d);
        //@ assert in_p: r * cols + n <= b.rows * b.cols;
        //@ assert in_v: n * d <= b.cols * d;
        /*@ assert sep: \separated(acc + r * d + (0 .. d - 1), p_tile + r * cols + (0 .. n - 1),
                                   v_tile + (0 .. n * d - 1)); */
        fr_row_accumulate(acc + r * d, p_tile + r * cols, v_tile, n, d);
    }
}

fr_status fr_standard_output(fr_head h, fr_blocks b, fr_fast_memory *fm,
                             const double *p, const float *v, double *o)
{
    size_t d = h.d, nk = h.kv_len;
    size_t mark = fm->used;
    double *p_tile = fr_fast_alloc(fm, b.rows * b.cols);
    double *v_tile = fr_fast_alloc(fm, b.cols * d);
    double *acc = fr_fast_alloc(fm, b.rows * d);
    if (p_tile == NULL || v_tile == NULL || acc == NULL) {
        fr_fast_release(fm, mark);
        return FR_ERR_FAST_MEMORY_TOO_SMALL;
    }
    /*@ assert apart: \separated(p_tile + (0 .. b.rows * b.cols - 1), v_tile + (0 .. b.cols * d - 1),
                                 acc + (0 .. b.rows * d - 1)); */
    /* The count proof, as in fr_standard_scores: query block u starts at row
     * i0 == u * Br and reads its rows of P and all Nk rows of V. */
    //@ ghost size_t u = 0;
    /*@ loop invariant range: i0 < h.q_len;
        loop invariant block: i0 == u * b.rows;
        loop invariant read: \at(fm->words_read, Pre) + StandardOutputReads(h.q_len, nk, d, b.rows) <= UINT64_MAX ==>
          fm->words_read == \at(fm->words_read, Pre) + Words(i0, nk) + Words(Words(u, nk), d);
        loop invariant written: \at(fm->words_written, Pre) + Words(h.q_len, d) <= UINT64_MAX ==>
          fm->words_written == \at(fm->words_written, Pre) + Words(i0, d);
        loop assigns i0, u, fm->words_read, fm->words_written, fm->words[0 .. fm->capacity - 1], o[0 .. h.q_len * h.d - 1];
        loop variant h.q_len - i0; */
    for (size_t i0 = 0; i0 < h.q_len; i0 += b.rows) {
        size_t rows = h.q_len - i0 < b.rows ? h.q_len - i0 : b.rows;
        //@ ghost TiledKeys_Below(h.causal, u, h.q_len, nk, b.rows, b.cols);
        //@ assert blocks_so_far: u + 1 <= CeilDiv(h.q_len, b.rows) && i0 + rows <= h.q_len;
        /*@ assert read_room: Words(i0 + rows, nk) <= Words(h.q_len, nk) &&
              Words(u + 1, nk) <= Words(CeilDiv(h.q_len, b.rows), nk) &&
              Words(Words(u + 1, nk), d) <= Words(Words(CeilDiv(h.q_len, b.rows), nk), d); */
        //@ assert write_room: Words(i0 + rows, d) <= Words(h.q_len, d);
        //@ assert o_add: Words(i0 + rows, d) == Words(i0, d) + rows * d;
        /*@ loop invariant range: 0 <= r <= rows;
            loop assigns r, fm->words[0 .. fm->capacity - 1];
            loop variant rows - r; */
        for (size_t r = 0; r < rows; r++) {
            //@ ghost Row_Fits(r, b.rows, d);
            //@ assert acc_row: r * d + d <= b.rows * d;
            fr_row_zero(acc + r * d, d);
        }
        /*@ loop invariant range: j0 < nk;
            loop invariant read: \at(fm->words_read, Pre) + StandardOutputReads(h.q_len, nk, d, b.rows) <= UINT64_MAX ==>
              fm->words_read == \at(fm->words_read, Pre) + Words(i0, nk) + rows * j0 + Words(Words(u, nk) + j0, d);
            loop assigns j0, fm->words_read, fm->words[0 .. fm->capacity - 1];
            loop variant nk - j0; */
        for (size_t j0 = 0; j0 < nk; j0 += b.cols) {
            size_t cols = nk - j0 < b.cols ? nk - j0 : b.cols;
            //@ ghost size_t key_end = j0 + cols;
            //@ assert key_end: key_end == j0 + cols && key_end <= nk;
            //@ assert v_keys: Words(u, nk) + key_end <= Words(u + 1, nk) == Words(u, nk) + nk;
            //@ assert v_room: Words(Words(u, nk) + key_end, d) <= Words(Words(u + 1, nk), d);
            //@ assert v_add: Words(Words(u, nk) + key_end, d) == Words(Words(u, nk) + j0, d) + cols * d;
            //@ ghost Mul_Mono(key_end, nk, rows);
            //@ assert p_room: key_end * rows <= nk * rows && rows * key_end == rows * j0 + rows * cols;
            //@ assert p_words: Words(i0, nk) + rows * nk == Words(i0 + rows, nk);
            //@ ghost Slice_Fits(i0, rows, h.q_len, nk);
            //@ assert p_block: i0 * nk + rows * nk <= h.q_len * nk;
            //@ ghost Mul_Mono(rows, b.rows, cols);
            //@ ghost Mul_Mono(cols, b.cols, b.rows);
            //@ assert p_tile: rows * cols <= b.rows * b.cols;
            fr_load_f64(fm, p_tile, p + i0 * nk + j0, rows, cols, nk);
            //@ ghost Slice_Fits(j0, cols, nk, d);
            //@ assert kv_rows: j0 * d + cols * d <= nk * d;
            //@ ghost Mul_Mono(cols, b.cols, d);
            //@ assert kv_tile: cols * d <= b.cols * d;
            fr_load_f32(fm, v_tile, v + j0 * d, cols, d, d);
            fr_standard_output_tile(h, b, p_tile, v_tile, acc, i0, rows, j0, cols);
            if (nk - j0 <= b.cols) {
                //@ assert all_keys: key_end == nk;
                break;
            }
            //@ assert next_j0: (size_t)(j0 + b.cols) == j0 + b.cols && cols == b.cols && key_end == j0 + b.cols;
        }
        /*@ assert block_read: \at(fm->words_read, Pre) + StandardOutputReads(h.q_len, nk, d, b.rows) <= UINT64_MAX ==>
              fm->words_read == \at(fm->words_read, Pre) + Words(i0 + rows, nk) + Words(Words(u + 1, nk), d); */
        //@ ghost Slice_Fits(i0, rows, h.q_len, d);
        //@ assert o_rows: i0 * d + rows * d <= h.q_len * d;
        //@ ghost Mul_Mono(rows, b.rows, d);
        //@ assert acc_tile: rows * d <= b.rows * d;
        //@ assert o_extent: (rows - 1) * d + d == rows * d && i0 * d + ((rows - 1) * d + d) <= h.q_len * d;
        fr_store_f64(fm, o + i0 * d, d, acc, rows, d);
        /*@ assert block_written: \at(fm->words_written, Pre) + Words(h.q_len, d) <= UINT64_MAX ==>
              fm->words_written == \at(fm->words_written, Pre) + Words(i0 + rows, d); */
        //@ ghost Mul_Ge(u, b.rows);
        //@ assert next: u <= i0 && (size_t)(u + 1) == u + 1 && (u + 1) * b.rows == i0 + b.rows;
        if (h.q_len - i0 <= b.rows) {
            //@ ghost Last_Block(u + 1, h.q_len, b.rows);
            //@ assert all_rows: i0 + rows == h.q_len && u + 1 == CeilDiv(h.q_len, b.rows);
            break;
        }
        //@ assert next_i0: (size_t)(i0 + b.rows) == i0 + b.rows && rows == b.rows;
        //@ ghost u = u + 1;
    }
    fr_fast_release(fm, mark);
    return FR_OK;
}

fr_status fr_standard_heads(fr_head h, fr_blocks b, fr_fast_memory *fm,
                            size_t batch, size_t q_heads, size_t kv_heads,
                            const float *q, const float *k, const float *v,
                            double *s, double *p, double *o, double *lse)
{
    fr_status st = FR_OK;
    //@ ghost Group_Head(0, q_heads, kv_heads);
    size_t group = q_heads / kv_heads;
    size_t heads = batch * q_heads;
    //@ ghost size_t kv_total = batch * kv_heads;
    size_t q_words = h.q_len * h.d;
    size_t kv_words = h.kv_len * h.d;
    //@ assert values: heads == batch * q_heads && kv_total == batch * kv_heads;
    //@ assert words: q_words == h.q_len * h.d && kv_words == h.kv_len * h.d;
    /* The count proof: each head moves the same words. */
    /*@ assert per_head: StandardHeadReads(h.q_len, h.kv_len, h.d, b.rows) >= 0 &&
          StandardHeadWrites(h.q_len, h.kv_len, h.d) >= 0; */
    /*@ loop invariant range: 0 <= head <= heads;
        loop invariant fast_memory: FastMemoryValid(fm) && fm->used == \at(fm->used, Pre);
        loop invariant read: st == FR_OK &&
            \at(fm->words_read, Pre) + Words(heads, StandardHeadReads(h.q_len, h.kv_len, h.d, b.rows)) <= UINT64_MAX ==>
          fm->words_read == \at(fm->words_read, Pre) + Words(head, StandardHeadReads(h.q_len, h.kv_len, h.d, b.rows));
        loop invariant written: st == FR_OK &&
            \at(fm->words_written, Pre) + Words(heads, StandardHeadWrites(h.q_len, h.kv_len, h.d)) <= UINT64_MAX ==>
          fm->words_written == \at(fm->words_written, Pre) + Words(head, StandardHeadWrites(h.q_len, h.kv_len, h.d));
        loop assigns head, st, fm->used, fm->peak, fm->words_read, fm->words_written,
                     fm->words[0 .. fm->capacity - 1],
                     s[0 .. h.q_len * h.kv_len - 1], p[0 .. h.q_len * h.kv_len - 1],
                     o[0 .. batch * q_heads * h.q_len * h.d - 1],
                     lse[0 .. batch * q_heads * h.q_len - 1];
        loop variant heads - head; */
    for (size_t head = 0; st == FR_OK && head < heads; head++) {
        /* (batch bi, query head hq) in order; hq reads kv head hq / group of bi */
        size_t bi = head / q_heads;
        size_t hq = head % q_heads;
        //@ ghost Div_Below(head, q_heads, batch);
        //@ ghost Group_Head(hq, q_heads, kv_heads);
        size_t hk = hq / group;
        //@ ghost Row_Fits(bi, batch, kv_heads);
        //@ assert kv_index: bi * kv_heads + hk + 1 <= kv_total;
        size_t kv_head = bi * kv_heads + hk;
        //@ ghost Row_Fits(head, heads, q_words);
        //@ ghost Row_Fits(head, heads, h.q_len);
        //@ ghost Row_Fits(kv_head, kv_total, kv_words);
        //@ assert q_slice: head * q_words + q_words <= batch * q_heads * h.q_len * h.d;
        //@ assert lse_slice: head * h.q_len + h.q_len <= batch * q_heads * h.q_len;
        //@ assert kv_slice: kv_head * kv_words + kv_words <= batch * kv_heads * h.kv_len * h.d;
        st = fr_standard_head(h, b, fm, q + head * q_words, k + kv_head * kv_words,
                              v + kv_head * kv_words, s, p, o + head * q_words,
                              lse + head * h.q_len);
        /*@ assert heads_after: Words(head + 1, StandardHeadReads(h.q_len, h.kv_len, h.d, b.rows)) <= Words(heads, StandardHeadReads(h.q_len, h.kv_len, h.d, b.rows)) &&
                                 Words(head + 1, StandardHeadWrites(h.q_len, h.kv_len, h.d)) <= Words(heads, StandardHeadWrites(h.q_len, h.kv_len, h.d)); */
        /*@ assert next_head: Words(head + 1, StandardHeadReads(h.q_len, h.kv_len, h.d, b.rows)) == Words(head, StandardHeadReads(h.q_len, h.kv_len, h.d, b.rows)) + StandardHeadReads(h.q_len, h.kv_len, h.d, b.rows) &&
                              Words(head + 1, StandardHeadWrites(h.q_len, h.kv_len, h.d)) == Words(head, StandardHeadWrites(h.q_len, h.kv_len, h.d)) + StandardHeadWrites(h.q_len, h.kv_len, h.d); */
    }
    return st;
}

fr_status fr_attention_standard(const fr_problem *p, size_t fast_words,
                                const fr_blocks *blocks,
                                const float *q, const float *k, const float *v,
                                double *o, double *lse, fr_io_stats *stats)
{
    fr_status st = fr_call_check(p, q, k, v, o, lse);
    if (st != FR_OK)
        return st;
    /* Copied before anything is written, as in fr_attention_tiled. */
    fr_head h;   /* field by field: WP's provers choke on a braced initializer with a double */
    h.q_len = p->q_len;
    h.kv_len = p->kv_len;
    h.d = p->head_dim;
    h.causal = p->causal;
    h.scale = p->scale;
    size_t batch = p->batch, q_heads = p->q_heads, kv_heads = p->kv_heads;
    //@ assert head: HeadOk(h.q_len, h.kv_len, h.d, h.causal);
    /*@ assert tensors:
          batch * q_heads * h.q_len * h.d <= SIZE_MAX && batch * kv_heads * h.kv_len * h.d <= SIZE_MAX &&
          batch * q_heads <= batch * q_heads * h.q_len <= batch * q_heads * h.q_len * h.d &&
          batch * kv_heads <= batch * kv_heads * h.kv_len * h.d &&
          \valid_read(q + (0 .. batch * q_heads * h.q_len * h.d - 1)) &&
          \valid_read(k + (0 .. batch * kv_heads * h.kv_len * h.d - 1)) &&
          \valid_read(v + (0 .. batch * kv_heads * h.kv_len * h.d - 1)) &&
          \valid(o + (0 .. batch * q_heads * h.q_len * h.d - 1)) &&
          \valid(lse + (0 .. batch * q_heads * h.q_len - 1)); */
    //@ assert heads_fit: (size_t)(batch * q_heads) == batch * q_heads;
    //@ ghost size_t all_heads = batch * q_heads;
    fr_call call;
    st = fr_call_begin(h.d, h.q_len, h.kv_len, fast_words, blocks, &call);
    if (st != FR_OK)
        return st;
    //@ assert blocks: BlocksFit(call.blocks, h.d, SIZE_MAX);
    if (h.q_len > SIZE_MAX / h.kv_len || h.q_len * h.kv_len > SIZE_MAX / 8) {
        fr_call_end(&call, NULL);
        return FR_ERR_SIZE_OVERFLOW;
    }
    //@ assert scores: h.q_len * h.kv_len <= SIZE_MAX;
    size_t scores_words = h.q_len * h.kv_len;
    double *s = fr_host_alloc(scores_words);
    double *pm = fr_host_alloc(scores_words);
    if (s == NULL || pm == NULL)
        st = FR_ERR_OUT_OF_MEMORY;
    else
        st = fr_standard_heads(h, call.blocks, &call.fm, batch, q_heads, kv_heads,
                               q, k, v, s, pm, o, lse);
    fr_host_free(s);
    fr_host_free(pm);
    //@ assert fast_peak: st == FR_OK ==> call.fm.peak <= fast_words;
    /*@ assert read_count: st == FR_OK &&
          StandardReads(h.q_len, h.kv_len, h.d, call.blocks.rows, batch * q_heads) <= UINT64_MAX ==>
          call.fm.words_read == StandardReads(h.q_len, h.kv_len, h.d, call.blocks.rows, batch * q_heads); */
    /*@ assert write_count: st == FR_OK && StandardWrites(h.q_len, h.kv_len, h.d, batch * q_heads) <= UINT64_MAX ==>
          call.fm.words_written == StandardWrites(h.q_len, h.kv_len, h.d, batch * q_heads); */
    /* Theta((Nq + Nk) * d + Nq * Nk) for M >= d^2: default blocks only. */
    //@ ghost size_t rows = call.blocks.rows;
    //@ ghost if (st == FR_OK && blocks == NULL) Growth_StandardDefault(h.q_len, h.kv_len, h.d, fast_words, rows, all_heads);
    /*@ assert growth: st == FR_OK && blocks == \null &&
          StandardReads(h.q_len, h.kv_len, h.d, call.blocks.rows, batch * q_heads) <= UINT64_MAX &&
          StandardWrites(h.q_len, h.kv_len, h.d, batch * q_heads) <= UINT64_MAX ==>
          2 * batch * q_heads * StandardGrowth(h.q_len, h.kv_len, h.d) <=
            call.fm.words_read + call.fm.words_written &&
          (fast_words >= h.d * h.d ==>
            call.fm.words_read + call.fm.words_written <=
            28 * batch * q_heads * StandardGrowth(h.q_len, h.kv_len, h.d)); */
    fr_call_end(&call, stats);
    return st;
}
