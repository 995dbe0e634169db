/* Ghost lemma functions of the functional pass for fr_tiled_head's loops
 * (spec/TiledRows.acsl): facts about all the rows of a query block at once.
 * Each is a lemma whose instances, row by row, the provers could not find
 * from a logic lemma (the rows' facts before and after name different
 * keys, so no quantifier instance has a trigger); the body's ghost loop
 * names each row. Real model only (see src/real_model.h). */
#ifndef FLASHREF_LEMMAS_TILED_H
#define FLASHREF_LEMMAS_TILED_H

#include "tiled.h"

#if FR_REAL_MODEL
/*@ ghost
  // Rows that have gone past the last key the block's last row sees have
  // seen every key they see: the loop over key blocks may stop there.
  /@ requires rows: 1 <= rows && i0 + rows <= nq;
     requires past: VisibleKeys(causal, i0 + rows - 1, nq, nk) <= j;
     requires seen: BlockRowsSeen{Here, Here}(q, k, v, d, scale, causal, nq, nk, i0, rows, 0, j, j, m, l, acc);
     assigns \nothing;
     ensures all_keys: BlockRowsSeen{Here, Here}(q, k, v, d, scale, causal, nq, nk, i0, rows, 0, nk, nk, m, l, acc); @/
  void BlockRowsSeen_AllKeys(const float *q, const float *k, const float *v, size_t d, double scale,
                             fr_causal causal, size_t nq, size_t nk, size_t i0, size_t rows, size_t j,
                             const double *m, const double *l, const double *acc);

  // Rows that have seen all the keys they see hold the state of them all.
  /@ requires rows: i0 + rows <= nq;
     requires seen: BlockRowsSeen{Here, Here}(q, k, v, d, scale, causal, nq, nk, i0, rows, 0, nk, nk, m, l, acc);
     assigns \nothing;
     ensures states: \forall integer c; 0 <= c < rows ==>
               VisibleKeys(causal, i0 + c, nq, nk) >= 1 ==>
               RowState(q + (i0 + c) * d, k, v, d, scale, VisibleKeys(causal, i0 + c, nq, nk),
                        m[c], l[c], RowOf(acc, d, c)); @/
  void BlockRowsSeen_States(const float *q, const float *k, const float *v, size_t d, double scale,
                            fr_causal causal, size_t nq, size_t nk, size_t i0, size_t rows,
                            const double *m, const double *l, const double *acc);

  // Storing a finished query block's rows (O from acc, LSE from m) after
  // the head's rows 0 .. i0 - 1 extends the head's output to its rows
  // 0 .. i0 + rows - 1.
  /@ requires sizes: d >= 1 && i0 + rows <= nq;
     requires done: HeadOutput{Here, Here}(q, k, v, d, scale, causal, nq, nk, i0, o, lse);
     requires block: BlockOutput{Here, Here}(q, k, v, d, scale, causal, nq, nk, i0, rows, acc, m);
     requires o_stored: WordsStored(o + i0 * d, acc, rows * d);
     requires lse_stored: WordsStored(lse + i0, m, rows);
     assigns \nothing;
     ensures done: HeadOutput{Here, Here}(q, k, v, d, scale, causal, nq, nk, i0 + rows, o, lse); @/
  void HeadOutput_Store(const float *q, const float *k, const float *v, size_t d, double scale,
                        fr_causal causal, size_t nq, size_t nk, size_t i0, size_t rows,
                        const double *o, const double *lse, const double *acc, const double *m);

  // Query heads 0 .. n - 1 hold their output and so does head n (its
  // slices of the tensors as fr_tiled_heads takes them): heads 0 .. n do.
  /@ requires done: HeadsOutput{Here, Here}(q, k, v, d, scale, causal, nq, nk, q_heads, kv_heads, n, o, lse);
     requires head: QueryHeadOutput{Here, Here}(q, k, v, d, scale, causal, nq, nk, q_heads, kv_heads, n, o, lse);
     assigns \nothing;
     ensures done: HeadsOutput{Here, Here}(q, k, v, d, scale, causal, nq, nk, q_heads, kv_heads, n + 1, o, lse); @/
  void HeadsOutput_Next(const float *q, const float *k, const float *v, size_t d, double scale,
                        fr_causal causal, size_t nq, size_t nk, size_t q_heads, size_t kv_heads,
                        size_t n, const double *o, const double *lse);
*/
#endif

#endif /* FLASHREF_LEMMAS_TILED_H */
