/* Ghost lemma functions for size and index arithmetic.
 *
 * The SMT solvers do not multiply an inequality by a non-negative factor on
 * their own, and a nonlinear fact asserted inside a large function tends to
 * time out. Each law below is a ghost function: its contract is the law, its
 * body (src/lemmas_size.c) the proof, checked once in a small context. A
 * caller instantiates it in ghost code, e.g.  //@ ghost Mul_Mono(a, b, c);
 * No executable code is generated. */
#ifndef FLASHREF_LEMMAS_SIZE_H
#define FLASHREF_LEMMAS_SIZE_H

#include <stddef.h>
#include <stdint.h>

/*@ ghost
  // a <= b ==> a*c <= b*c (naturals).
  /@ requires le: a <= b;
     assigns \nothing;
     ensures mono: a * c <= b * c; @/
  void Mul_Mono(size_t a, size_t b, size_t c);

  // Row r of a rows x cols tile ends inside the tile.
  /@ requires row: r < rows;
     assigns \nothing;
     ensures fits: r * cols + cols <= rows * cols; @/
  void Row_Fits(size_t r, size_t rows, size_t cols);

  // A positive factor does not shrink a natural.
  /@ requires positive: b >= 1;
     assigns \nothing;
     ensures ge: a <= a * b && a <= b * a; @/
  void Mul_Ge(size_t a, size_t b);
*/

#endif /* FLASHREF_LEMMAS_SIZE_H */
