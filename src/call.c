#include "call.h"
#include "lemmas_size.h"

fr_status fr_call_begin(const fr_problem *p, size_t fast_words, const fr_blocks *blocks,
                        const float *q, const float *k, const float *v,
                        const double *o, const double *lse, fr_call *call)
{
    fr_status st = fr_problem_check(p);
    if (st != FR_OK)
        return st;
    if (q == NULL || k == NULL || v == NULL || o == NULL || lse == NULL || call == NULL)
        return FR_ERR_INVALID_ARGUMENT;
    if (blocks == NULL) {
        st = fr_blocks_default(fast_words, p->head_dim, p->q_len, p->kv_len, &call->blocks);
    } else {
        call->blocks = *blocks;
        st = fr_blocks_check(*blocks, fast_words, p->head_dim);
    }
    if (st != FR_OK)
        return st;
    size_t needed = fr_fast_words_needed(call->blocks, p->head_dim);
    /* SIZE_MAX is fr_fast_words_needed's "does not fit": never an arena size */
    if (needed == SIZE_MAX)
        return FR_ERR_FAST_MEMORY_TOO_SMALL;
    //@ assert fits: needed == FastWords(call->blocks.rows, call->blocks.cols, p->head_dim);
    /*@ assert parts: call->blocks.rows * p->head_dim <= needed &&
          call->blocks.cols * p->head_dim <= needed &&
          call->blocks.rows * call->blocks.cols <= needed && call->blocks.rows <= needed; */
    call->fm.words = fr_host_alloc(needed);
    if (call->fm.words == NULL)
        return FR_ERR_OUT_OF_MEMORY;
    call->fm.capacity = needed;
    call->fm.used = 0;
    call->fm.peak = 0;
    call->fm.words_read = 0;
    call->fm.words_written = 0;
    return FR_OK;
}

void fr_call_end(fr_call *call, fr_io_stats *stats)
{
    if (stats != NULL) {
        stats->io.words_read = call->fm.words_read;
        stats->io.words_written = call->fm.words_written;
        stats->fast_peak = call->fm.peak;
    }
    fr_host_free(call->fm.words);
    call->fm.words = NULL;
}

size_t fr_head_offset(size_t b, size_t h, size_t batch, size_t heads, size_t len, size_t d)
{
    //@ assert grow_len: batch * heads <= batch * heads * len;
    //@ assert grow_d: batch * heads * len <= batch * heads * len * d;
    //@ ghost Mul_Mono(b + 1, batch, heads);
    //@ assert row: b * heads + h + 1 <= batch * heads;
    //@ ghost Mul_Mono(b * heads + h + 1, batch * heads, len);
    //@ assert first: (b * heads + h) * len + len <= batch * heads * len;
    //@ ghost Mul_Mono((b * heads + h) * len + len, batch * heads * len, d);
    //@ assert slice: ((b * heads + h) * len) * d + len * d <= batch * heads * len * d;
    (void)batch;
    return ((b * heads + h) * len) * d;
}
