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

  void Mul_Ge(size_t a, size_t b)
  {
  }
*/
