/* Ghost lemma functions for the transfer bounds (spec/TransferBound.acsl):
 * the tiled algorithm with the default blocks moves at most
 * c1 * N^2 * d^2 / M + c2 * N * d words per head, c1 = 12 + 10/d, c2 = 5;
 * the standard algorithm Theta((Nq + Nk) * d + Nq * Nk) for M >= d^2.
 * As in src/lemmas_size.h, each contract is a law and each body its proof;
 * the products are split into steps the SMT solvers take one at a time. */
#ifndef FLASHREF_LEMMAS_BOUND_H
#define FLASHREF_LEMMAS_BOUND_H

#include <stddef.h>
#include <stdint.h>
#include "flashref.h"   /* spec/Blocks.acsl, TransferCount.acsl, TransferBound.acsl */

/*@ ghost
  // The default rule's full Br is at least M / (6d + 5): the fact c1 rests on.
  /@ requires dim: d >= 1;
     requires memory: m >= 4 * d + 3;
     assigns \nothing;
     ensures cols: 1 <= DefaultColsFull(m, d) <= d;
     ensures room: 2 * DefaultColsFull(m, d) * d + 2 * d + DefaultColsFull(m, d) + 2 <= m;
     ensures rows: DefaultRowsFull(m, d) >= 1;
     ensures rows_large: (6 * d + 5) * DefaultRowsFull(m, d) >= m; @/
  void Default_Rows_Large(size_t m, size_t d);

  // No query block loads more than the nk keys there are.
  /@ assigns \nothing;
     ensures at_most: 0 <= TiledKeys(causal, t, nq, nk, br, bc) <= t * nk; @/
  void TiledKeys_AtMost(fr_causal causal, size_t t, size_t nq, size_t nk,
                        size_t br, size_t bc);

  // One head, for any blocks whose Br is all of Nq or at least M / (6d + 5).
  /@ requires sizes: nq >= 1 && nk >= 1 && d >= 1 && br >= 1 && bc >= 1 && m >= 1;
     requires rows: br >= nq || (6 * d + 5) * br >= m;
     assigns \nothing;
     ensures nonnegative: TiledHeadReads(causal, nq, nk, d, br, bc) >= 0;
     ensures head_bound: m * (TiledHeadReads(causal, nq, nk, d, br, bc) + TiledHeadWrites(nq, d)) <=
                         TiledBoundTimesM(nq, nk, d, m); @/
  void Bound_TiledHead(fr_causal causal, size_t nq, size_t nk, size_t d,
                       size_t br, size_t bc, size_t m);

  // All heads, with the default blocks.
  /@ requires sizes: nq >= 1 && nk >= 1 && d >= 1;
     requires memory: m >= 4 * d + 3;
     requires default_blocks: br == DefaultRows(m, d, nq) && bc == DefaultCols(m, d, nk);
     assigns \nothing;
     ensures bound: m * (TiledReads(causal, nq, nk, d, br, bc, heads) + TiledWrites(nq, d, heads)) <=
                    heads * TiledBoundTimesM(nq, nk, d, m); @/
  void Bound_TiledDefault(fr_causal causal, size_t nq, size_t nk, size_t d,
                          size_t m, size_t br, size_t bc, size_t heads);

  // The standard algorithm's words for one head are at least 2 times
  // StandardGrowth, and for Br all of Nq or at least M / (6d + 5) and
  // M >= d^2 at most 28 times.
  /@ requires sizes: nq >= 1 && nk >= 1 && d >= 1 && br >= 1;
     requires rows: br >= nq || (6 * d + 5) * br >= m;
     assigns \nothing;
     ensures at_least: 2 * StandardGrowth(nq, nk, d) <=
                       StandardHeadReads(nq, nk, d, br) + StandardHeadWrites(nq, nk, d);
     ensures at_most: m >= d * d ==>
                      StandardHeadReads(nq, nk, d, br) + StandardHeadWrites(nq, nk, d) <=
                      28 * StandardGrowth(nq, nk, d); @/
  void Growth_StandardHead(size_t nq, size_t nk, size_t d, size_t br, size_t m);

  // All heads, with the default blocks.
  /@ requires sizes: nq >= 1 && nk >= 1 && d >= 1;
     requires memory: m >= 4 * d + 3;
     requires default_blocks: br == DefaultRows(m, d, nq);
     assigns \nothing;
     ensures at_least: 2 * heads * StandardGrowth(nq, nk, d) <=
                       StandardReads(nq, nk, d, br, heads) + StandardWrites(nq, nk, d, heads);
     ensures at_most: m >= d * d ==>
                      StandardReads(nq, nk, d, br, heads) + StandardWrites(nq, nk, d, heads) <=
                      28 * heads * StandardGrowth(nq, nk, d); @/
  void Growth_StandardDefault(size_t nq, size_t nk, size_t d, size_t m, size_t br,
                              size_t heads);
*/

#endif /* FLASHREF_LEMMAS_BOUND_H */
