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

  void Last_Block_At(size_t x, size_t i, size_t nq, size_t br)
  {
    Mul_Ge(x, br);
    /@ assert index: x <= x * br < nq; @/
    /@ assert fits: (size_t)(x + 1) == x + 1; @/
    size_t count = x + 1;
    /@ assert reach: count * br == i + br && nq <= count * br < nq + br; @/
    Last_Block(count, nq, br);
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
    Last_Block_At(x, i, nq, br);
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

  void Ceil_Idiom(size_t n, size_t b)
  {
    size_t x = n / b + (n % b != 0);
    /@ assert euclid: n == (n / b) * b + n % b && 0 <= n % b < b; @/
    /@ assert idiom: x == n / b + (n % b != 0 ? 1 : 0); @/
    /@ assert reach: x >= 1 && n <= x * b < n + b; @/
    Last_Block(x, n, b);
    /@ assert at_most: x <= n; @/
  }

  void TiledKeys_Blind(fr_causal causal, size_t u, size_t nq, size_t nk,
                       size_t br, size_t bc)
  {
    size_t x = 0;
    /@ loop invariant upto: x <= u;
       loop invariant none: TiledKeys(causal, x, nq, nk, br, bc) == 0;
       loop assigns x;
       loop variant u - x; @/
    while (x < u) {
      Mul_Mono(x + 1, u, br);
      /@ assert before: x * br + br <= u * br; @/
      /@ assert rows: 1 <= BlockRows(x, nq, br) <= br; @/
      /@ assert blind: VisibleKeys(causal, x * br + BlockRows(x, nq, br) - 1, nq, nk) == 0; @/
      /@ assert nothing: CeilDiv(0, bc) == 0; @/
      /@ assert loaded: KeysLoaded(causal, x, nq, nk, br, bc) == 0; @/
      x++;
    }
  }

  void TiledKeys_Saturated(fr_causal causal, size_t u, size_t nq, size_t nk,
                           size_t br, size_t bc)
  {
    /@ assert euclid: nk + bc - 1 == CeilDiv(nk, bc) * bc + (nk + bc - 1) % bc &&
                      0 <= (nk + bc - 1) % bc < bc; @/
    /@ assert all_blocks: CeilDiv(nk, bc) * bc >= nk; @/
    /@ assert first: KeysLoaded(causal, u, nq, nk, br, bc) == nk; @/
    size_t x = u, i = u * br;
    /@ loop invariant after: u <= x;
       loop invariant start: i == x * br && i < nq;
       loop invariant sees_all: VisibleKeys(causal, x * br + BlockRows(x, nq, br) - 1, nq, nk) == nk;
       loop invariant sum: TiledKeys(causal, x + 1, nq, nk, br, bc) ==
                           TiledKeys(causal, u, nq, nk, br, bc) + (x + 1 - u) * nk;
       loop assigns x, i;
       loop variant nq - i; @/
    while (nq - i > br) {
      Mul_Ge(x, br);
      /@ assert next: (x + 1) * br == i + br && i + br < nq && x + 1 <= nq; @/
      /@ assert fits: (size_t)(i + br) == i + br && (size_t)(x + 1) == x + 1; @/
      /@ assert later_row: x * br + BlockRows(x, nq, br) - 1 <=
                           (x + 1) * br + BlockRows(x + 1, nq, br) - 1 < nq; @/
      /@ assert later_sees_all: VisibleKeys(causal, (x + 1) * br + BlockRows(x + 1, nq, br) - 1, nq, nk) == nk; @/
      /@ assert loaded: KeysLoaded(causal, x + 1, nq, nk, br, bc) == nk; @/
      i += br;
      x++;
    }
    Last_Block_At(x, i, nq, br);
  }

  void Standard_HeadCounts(size_t nq, size_t nk, size_t d, size_t br, size_t t)
  {
    /@ assert blocks: Words(CeilDiv(nq, br), nk) == t * nk; @/
    /@ assert kv: Words(t * nk, d) == t * nk * d; @/
    /@ assert scores: StandardScoresReads(nq, nk, d, br) == nq * d + t * nk * d; @/
    /@ assert output: StandardOutputReads(nq, nk, d, br) == nq * nk + t * nk * d; @/
    /@ assert rows: Words(nq, 3 * nk) == 3 * (nq * nk); @/
    /@ assert writes: Words(nq, nk + 1) == nq * nk + nq; @/
  }

  void Tiled_HeadCounts(fr_causal causal, size_t nq, size_t nk, size_t d,
                        size_t br, size_t bc)
  {
    /@ assert keys: Words(TiledKeys(causal, CeilDiv(nq, br), nq, nk, br, bc), d) ==
                    TiledKeys(causal, CeilDiv(nq, br), nq, nk, br, bc) * d; @/
  }

  void Tiled_AllHeads(fr_causal causal, size_t nq, size_t nk, size_t d,
                      size_t br, size_t bc, size_t heads)
  {
    /@ assert writes: TiledHeadWrites(nq, d) >= 0; @/
  }
*/
