/* Causal visibility. Every mask flashref supports is a prefix: query row i
 * sees keys 0 .. fr_visible_keys(i) - 1, so one count describes the row. */
#ifndef FLASHREF_MASK_H
#define FLASHREF_MASK_H

#include <stddef.h>
#include "flashref.h"

/*@ requires row: i < q_len;
    assigns \nothing;
    ensures at_most_all: \result <= kv_len;
    behavior none:
      assumes causal != FR_CAUSAL_TOP_LEFT && causal != FR_CAUSAL_BOTTOM_RIGHT;
      ensures \result == kv_len;
    behavior top_left:
      assumes causal == FR_CAUSAL_TOP_LEFT;
      ensures \result == (i + 1 <= kv_len ? i + 1 : kv_len);
    behavior bottom_right:
      assumes causal == FR_CAUSAL_BOTTOM_RIGHT;
      ensures \result == (i + 1 + kv_len <= q_len ? 0 : i + 1 + kv_len - q_len);
    complete behaviors; disjoint behaviors;
*/
size_t fr_visible_keys(fr_causal causal, size_t i, size_t q_len, size_t kv_len);

/* How many of the cols keys of the block starting at key j0 row i sees. */
/*@ assigns \nothing;
    ensures \result <= cols;
    ensures visible <= j0 ==> \result == 0;
    ensures visible > j0 ==> \result == (visible - j0 <= cols ? visible - j0 : cols);
*/
size_t fr_visible_in_block(size_t visible, size_t j0, size_t cols);

#endif /* FLASHREF_MASK_H */
