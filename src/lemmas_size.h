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

  // Rows [start, start + len) of a total x width matrix end inside it.
  /@ requires inside: start + len <= total;
     assigns \nothing;
     ensures fits: start * width + len * width <= total * width; @/
  void Slice_Fits(size_t start, size_t len, size_t total, size_t width);

  // A positive factor does not shrink a natural.
  /@ requires positive: b >= 1;
     assigns \nothing;
     ensures ge: a <= a * b && a <= b * a; @/
  void Mul_Ge(size_t a, size_t b);

  // A product below a bound checked by division: a <= c / b ==> a*b <= c.
  /@ requires positive: b >= 1;
     requires below: a <= c / b;
     assigns \nothing;
     ensures fits: a * b <= c; @/
  void Mul_Fits(size_t a, size_t b, size_t c);

  // Floor division below a bound: h < k * g ==> h / g < k.
  /@ requires positive: g >= 1;
     requires below: h < k * g;
     assigns \nothing;
     ensures quotient: h / g < k; @/
  void Div_Below(size_t h, size_t g, size_t k);

  // Grouped-query attention: when Hkv divides Hq, the group size Hq / Hkv is
  // positive and query head hq < Hq reads kv head hq / (Hq / Hkv) < Hkv.
  /@ requires positive: q_heads >= 1 && kv_heads >= 1;
     requires divides: q_heads % kv_heads == 0;
     requires head: hq < q_heads;
     assigns \nothing;
     ensures group: q_heads / kv_heads >= 1;
     ensures kv_head: hq / (q_heads / kv_heads) < kv_heads; @/
  void Group_Head(size_t hq, size_t q_heads, size_t kv_heads);
*/

#endif /* FLASHREF_LEMMAS_SIZE_H */
