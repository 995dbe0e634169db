#include "call.h"

fr_status fr_call_check(const fr_problem *p,
                        const float *q, const float *k, const float *v,
                        const double *o, const double *lse)
{
    fr_status st = fr_problem_check(p);
    if (st != FR_OK)
        return st;
    if (q == NULL || k == NULL || v == NULL || o == NULL || lse == NULL)
        return FR_ERR_INVALID_ARGUMENT;
    return FR_OK;
}

fr_status fr_call_begin(size_t d, size_t q_len, size_t kv_len, size_t fast_words,
                        const fr_blocks *blocks, fr_call *call)
#if FR_REAL_MODEL
    /*@ ghost (double *o, size_t n_o, double *lse, size_t n_lse) */
#endif
{
    fr_status st;
    fr_blocks chosen;
    if (blocks == NULL) {
        st = fr_blocks_default(fast_words, d, q_len, kv_len, &chosen);
    } else {
        chosen = *blocks;
        st = fr_blocks_check(chosen, fast_words, d);
    }
    if (st != FR_OK)
        return st;
    size_t needed = fr_fast_words_needed(chosen, d);
    /* SIZE_MAX is fr_fast_words_needed's "does not fit": never an arena size */
    if (needed == SIZE_MAX)
        return FR_ERR_FAST_MEMORY_TOO_SMALL;
    //@ assert fits: needed == FastWords(chosen.rows, chosen.cols, d);
    /*@ assert parts: chosen.rows * d <= needed && chosen.cols * d <= needed &&
          chosen.rows * chosen.cols <= needed && chosen.rows <= needed; */
    //@ assert blocks_fit: BlocksFit(chosen, d, needed);
    double *words = fr_host_alloc(needed)
#if FR_REAL_MODEL
        /*@ ghost (o, n_o, lse, n_lse, o, 0) */
#endif
        ;
    if (words == NULL)
        return FR_ERR_OUT_OF_MEMORY;
    call->fm.words = words;
    call->fm.capacity = needed;
    call->fm.used = 0;
    call->fm.peak = 0;
    call->fm.words_read = 0;
    call->fm.words_written = 0;
    //@ assert arena: FastMemoryValid(&call->fm) && call->fm.used == 0;
    /* last, so that the blocks just proved to fit are what the call holds */
    call->blocks = chosen;
    return FR_OK;
}

void fr_call_end(fr_call *call, fr_io_stats *stats)
{
    if (stats != NULL) {
        stats->io.words_read = call->fm.words_read;
        stats->io.words_written = call->fm.words_written;
        stats->fast_peak = call->fm.peak;
        stats->blocks = call->blocks;
    }
    fr_host_free(call->fm.words);
    call->fm.words = NULL;
}
