/* Proofs of the laws of src/lemmas_count.h (ghost code only). */
#include "lemmas_count.h"
#include "lemmas_size.h"

/*@ ghost
  void Last_Block(size_t x, size_t nq, size_t br)
  {
    /@ assert before: (x - 1) * br < nq; @/
    /@ assert above: CeilDiv(nq, br) >= x; @/
    /@ assert step: 0 <= nq + br - 1 < (x + 1) * br; @/
    /@ assert below: CeilDiv(nq, br) < x + 1; @/
  }

  void TiledKeys_Below(fr_causal causal, size_t u, size_t nq, size_t nk,
                       size_t br, size_t bc)
  {
    size_t x = u, i = u * br;
    /@ loop invariant after: u <= x;
       loop invariant start: i == x * br && i < nq;
       loop invariant mono: TiledKeys(causal, u + 1, nq, nk, br, bc) <= TiledKeys(causal, x + 1, nq, nk, br, bc);
       loop assigns x, i;
       loop variant nq - i; @/
    while (nq - i > br) {
      /@ assert loaded: KeysLoaded(causal, x + 1, nq, nk, br, bc) >= 0; @/
      Mul_Ge(x, br);
      /@ assert next: (x + 1) * br == i + br && i + br < nq && x + 1 <= nq; @/
      /@ assert fits: (size_t)(i + br) == i + br && (size_t)(x + 1) == x + 1; @/
      i += br;
      x++;
    }
    Mul_Ge(x, br);
    /@ assert index: x <= x * br < nq; @/
    /@ assert fits: (size_t)(x + 1) == x + 1; @/
    size_t count = x + 1;
    /@ assert reach: count * br == i + br && nq <= count * br < nq + br; @/
    Last_Block(count, nq, br);
  }

  void Ceil_Cover(size_t jb, size_t bc, size_t e)
  {
    /@ assert cover: CeilDiv(e, bc) >= jb + 1; @/
    /@ assert mono: (jb + 1) * bc <= CeilDiv(e, bc) * bc; @/
  }

  void Ceil_Reached(size_t jb, size_t bc, size_t e)
  {
    /@ assert step: 0 <= e + bc - 1 < (jb + 1) * bc; @/
    /@ assert below: CeilDiv(e, bc) < jb + 1; @/
    /@ assert mono: CeilDiv(e, bc) * bc <= jb * bc; @/
  }

  void Key_Words(fr_causal causal, size_t u, size_t extra, size_t nq, size_t nk,
                 size_t br, size_t bc, size_t d)
  {
  }
*/
