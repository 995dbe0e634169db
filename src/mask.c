#include "mask.h"

size_t fr_visible_keys(fr_causal causal, size_t i, size_t q_len, size_t kv_len)
{
    if (causal == FR_CAUSAL_TOP_LEFT)
        return i + 1 <= kv_len ? i + 1 : kv_len;
    if (causal == FR_CAUSAL_BOTTOM_RIGHT) {
        /* key j visible iff j <= i + kv_len - q_len; i < q_len keeps it <= kv_len */
        if (kv_len >= q_len)
            return i + 1 + (kv_len - q_len);
        size_t shift = q_len - kv_len;
        return i + 1 > shift ? i + 1 - shift : 0;
    }
    return kv_len;
}

size_t fr_visible_in_block(size_t visible, size_t j0, size_t cols)
{
    if (visible <= j0)
        return 0;
    return visible - j0 <= cols ? visible - j0 : cols;
}
