#include <math.h>
#include "flashref.h"
#include "checked.h"

const char *fr_status_message(fr_status status)
{
    switch (status) {
    case FR_OK: return "ok";
    case FR_ERR_INVALID_ARGUMENT: return "invalid argument";
    case FR_ERR_SIZE_OVERFLOW: return "tensor size overflows";
    case FR_ERR_FAST_MEMORY_TOO_SMALL: return "fast memory too small for the tiling";
    case FR_ERR_OUT_OF_MEMORY: return "out of host memory";
    }
    return "unknown status";
}

fr_problem fr_problem_make(size_t batch, size_t q_heads, size_t kv_heads,
                           size_t q_len, size_t kv_len, size_t head_dim,
                           fr_causal causal)
{
    fr_problem p;
    p.batch = batch;
    p.q_heads = q_heads;
    p.kv_heads = kv_heads;
    p.q_len = q_len;
    p.kv_len = kv_len;
    p.head_dim = head_dim;
    p.causal = causal;
    p.scale = head_dim > 0 ? 1.0 / sqrt((double)head_dim) : 1.0;
    return p;
}

fr_status fr_problem_check(const fr_problem *p)
{
    if (p == NULL)
        return FR_ERR_INVALID_ARGUMENT;
    if (p->batch == 0 || p->q_heads == 0 || p->kv_heads == 0 ||
        p->q_len == 0 || p->kv_len == 0 || p->head_dim == 0)
        return FR_ERR_INVALID_ARGUMENT;
    if (p->q_heads % p->kv_heads != 0)
        return FR_ERR_INVALID_ARGUMENT;
    if (p->causal != FR_CAUSAL_NONE && p->causal != FR_CAUSAL_TOP_LEFT &&
        p->causal != FR_CAUSAL_BOTTOM_RIGHT)
        return FR_ERR_INVALID_ARGUMENT;
    if (!(p->scale - p->scale == 0.0))   /* NaN or infinite */
        return FR_ERR_INVALID_ARGUMENT;
    size_t n;
    /* Every tensor, with room for byte counts: elements * 8 must fit too. */
    if (!fr_mul4_fits(p->batch, p->q_heads, p->q_len, p->head_dim, &n) || n > SIZE_MAX / 8)
        return FR_ERR_SIZE_OVERFLOW;
    if (!fr_mul4_fits(p->batch, p->kv_heads, p->kv_len, p->head_dim, &n) || n > SIZE_MAX / 8)
        return FR_ERR_SIZE_OVERFLOW;
    /*@ assert lse_le_q: LseElems(p) <= LseElems(p) * p->head_dim; */
    /*@ assert heads: 1 <= p->batch * p->q_heads && 1 <= p->batch * p->kv_heads; */
    /*@ assert q_heads_le: p->batch * p->q_heads <= (p->batch * p->q_heads) * p->q_len; */
    /*@ assert kv_heads_le: p->batch * p->kv_heads <= (p->batch * p->kv_heads) * (p->kv_len * p->head_dim); */
    /*@ assert q_head: p->q_len * p->head_dim <= (p->batch * p->q_heads) * (p->q_len * p->head_dim); */
    /*@ assert kv_head: p->kv_len * p->head_dim <= (p->batch * p->kv_heads) * (p->kv_len * p->head_dim); */
    /*@ assert factors: p->q_len <= p->q_len * p->head_dim && p->kv_len <= p->kv_len * p->head_dim &&
                        p->head_dim <= p->q_len * p->head_dim; */
    return FR_OK;
}
