/* Proofs of the laws of src/lemmas_size.h (ghost code only: nothing here is
 * compiled into the library). */
#include "lemmas_size.h"

/*@ ghost
  void Mul_Mono(size_t a, size_t b, size_t c)
  {
  }

  void Row_Fits(size_t r, size_t rows, size_t cols)
  {
    /@ assert step: (r + 1) * cols <= rows * cols; @/
  }

  void Slice_Fits(size_t start, size_t len, size_t total, size_t width)
  {
    Mul_Mono(start + len, total, width);
  }

  void Mul_Ge(size_t a, size_t b)
  {
  }

  void Mul_Fits(size_t a, size_t b, size_t c)
  {
    Mul_Mono(a, c / b, b);
    /@ assert quotient: (c / b) * b <= c; @/
  }

  void Div_Below(size_t h, size_t g, size_t k)
  {
  }

  void Group_Head(size_t hq, size_t q_heads, size_t kv_heads)
  {
    /@ assert exact: q_heads == (q_heads / kv_heads) * kv_heads; @/
    /@ assert group: q_heads / kv_heads >= 1; @/
    /@ assert below: hq < kv_heads * (q_heads / kv_heads); @/
  }
*/
