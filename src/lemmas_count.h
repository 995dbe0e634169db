/* Ghost lemma functions for the transfer-count proof (spec/TransferCount.acsl).
 * As in src/lemmas_size.h: each contract is a law, each body its proof by
 * induction, instantiated in ghost code where it is needed. */
#ifndef FLASHREF_LEMMAS_COUNT_H
#define FLASHREF_LEMMAS_COUNT_H

#include <stddef.h>
#include <stdint.h>
#include "flashref.h"   /* spec/TransferCount.acsl, under __FRAMAC__ */

/*@ ghost
  // The keys of query blocks 0 .. u (block u starts inside the nq rows) are
  // at most those of all ceil(nq / br) blocks.
  /@ requires blocks: br >= 1 && bc >= 1;
     requires inside: u * br < nq;
     assigns \nothing;
     ensures upto_end: u + 1 <= CeilDiv(nq, br);
     ensures below_total: TiledKeys(causal, u + 1, nq, nk, br, bc) <=
                          TiledKeys(causal, CeilDiv(nq, br), nq, nk, br, bc); @/
  void TiledKeys_Below(fr_causal causal, size_t u, size_t nq, size_t nk,
                       size_t br, size_t bc);

  // x blocks of br rows reach row nq, x - 1 do not: x == ceil(nq / br).
  /@ requires blocks: br >= 1 && x >= 1;
     requires last: nq <= x * br < nq + br;
     assigns \nothing;
     ensures count: CeilDiv(nq, br) == x; @/
  void Last_Block(size_t x, size_t nq, size_t br);

  // The block x that starts at row i == x * br < nq and reaches row nq is
  // the last: there are x + 1 blocks.
  /@ requires blocks: br >= 1;
     requires start: i == x * br && i < nq;
     requires reaches: nq - i <= br;
     assigns \nothing;
     ensures count: CeilDiv(nq, br) == x + 1; @/
  void Last_Block_At(size_t x, size_t i, size_t nq, size_t br);

  // The key blocks a row seeing e keys loads: jb whole blocks cover fewer
  // than e keys, so ceil(e / bc) blocks reach past jb + 1 of them ...
  /@ requires block: bc >= 1;
     requires before: jb * bc < e;
     assigns \nothing;
     ensures cover: CeilDiv(e, bc) >= jb + 1;
     ensures cover_rows: CeilDiv(e, bc) * bc >= jb * bc + bc; @/
  void Ceil_Cover(size_t jb, size_t bc, size_t e);

  // ... and once jb blocks reach e keys, ceil(e / bc) blocks are no more.
  /@ requires block: bc >= 1;
     requires reached: e <= jb * bc;
     assigns \nothing;
     ensures exact_rows: CeilDiv(e, bc) * bc <= jb * bc; @/
  void Ceil_Reached(size_t jb, size_t bc, size_t e);

  // Words_Mono at the counts of the proof: in the large context of the
  // algorithm the solvers did not find this instance on their own.
  /@ requires below: TiledKeys(causal, u, nq, nk, br, bc) + extra <=
                     TiledKeys(causal, CeilDiv(nq, br), nq, nk, br, bc);
     assigns \nothing;
     ensures words: Words(TiledKeys(causal, u, nq, nk, br, bc) + extra, d) <=
                    Words(TiledKeys(causal, CeilDiv(nq, br), nq, nk, br, bc), d); @/
  void Key_Words(fr_causal causal, size_t u, size_t extra, size_t nq, size_t nk,
                 size_t br, size_t bc, size_t d);

  // The C idiom n / b + (n % b != 0) is CeilDiv(n, b), and that many
  // blocks of b cover n, one fewer do not.
  /@ requires sizes: n >= 1 && b >= 1;
     assigns \nothing;
     ensures idiom: n / b + (n % b != 0 ? 1 : 0) == CeilDiv(n, b);
     ensures covers: n <= CeilDiv(n, b) * b < n + b;
     ensures at_most: 1 <= CeilDiv(n, b) <= n; @/
  void Ceil_Idiom(size_t n, size_t b);

  // Under the bottom-right mask rows i < nq - nk see no key, so the u
  // whole query blocks before row u * br <= nq - nk load none.
  /@ requires blocks: br >= 1 && bc >= 1;
     requires blind: causal == FR_CAUSAL_BOTTOM_RIGHT && u * br + nk <= nq;
     assigns \nothing;
     ensures none: TiledKeys(causal, u, nq, nk, br, bc) == 0; @/
  void TiledKeys_Blind(fr_causal causal, size_t u, size_t nq, size_t nk,
                       size_t br, size_t bc);

  // Once the last row of query block u sees all nk keys, so does the last
  // row of every later block (masks are monotone in the row), and each of
  // those blocks loads all nk keys.
  /@ requires blocks: br >= 1 && bc >= 1;
     requires inside: u * br < nq;
     requires saturated: VisibleKeys(causal, u * br + BlockRows(u, nq, br) - 1, nq, nk) == nk;
     assigns \nothing;
     ensures rest: TiledKeys(causal, CeilDiv(nq, br), nq, nk, br, bc) ==
                   TiledKeys(causal, u, nq, nk, br, bc) + (CeilDiv(nq, br) - u) * nk; @/
  void TiledKeys_Saturated(fr_causal causal, size_t u, size_t nq, size_t nk,
                           size_t br, size_t bc);

  // The per-head closed forms, in the products the counting code of
  // fr_io_standard and fr_io_tiled forms.
  /@ requires blocks: t == CeilDiv(nq, br);
     assigns \nothing;
     ensures reads: StandardHeadReads(nq, nk, d, br) == nq * d + (2 * t) * (nk * d) + (4 * nq) * nk;
     ensures writes: StandardHeadWrites(nq, nk, d) == (2 * nq) * nk + nq * d + nq; @/
  void Standard_HeadCounts(size_t nq, size_t nk, size_t d, size_t br, size_t t);

  /@ assigns \nothing;
     ensures reads: TiledHeadReads(causal, nq, nk, d, br, bc) ==
                    nq * d + (2 * d) * TiledKeys(causal, CeilDiv(nq, br), nq, nk, br, bc);
     ensures writes: TiledHeadWrites(nq, d) == nq * d + nq; @/
  void Tiled_HeadCounts(fr_causal causal, size_t nq, size_t nk, size_t d,
                        size_t br, size_t bc);

  // All heads: the per-head counts times the number of heads.
  /@ requires counted: TiledHeadReads(causal, nq, nk, d, br, bc) >= 0;
     assigns \nothing;
     ensures reads: TiledReads(causal, nq, nk, d, br, bc, heads) ==
                    TiledHeadReads(causal, nq, nk, d, br, bc) * heads;
     ensures writes: TiledWrites(nq, d, heads) == TiledHeadWrites(nq, d) * heads; @/
  void Tiled_AllHeads(fr_causal causal, size_t nq, size_t nk, size_t d,
                      size_t br, size_t bc, size_t heads);
*/

#endif /* FLASHREF_LEMMAS_COUNT_H */
