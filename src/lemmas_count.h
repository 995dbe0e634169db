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
*/

#endif /* FLASHREF_LEMMAS_COUNT_H */
