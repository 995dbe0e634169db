/* Proofs of the laws of src/lemmas_tiled.h (ghost code of the functional
 * pass only: nothing here is compiled into the library). */
#include "lemmas_tiled.h"

#if FR_REAL_MODEL
/*@ ghost
  void BlockRowsSeen_AllKeys(const float *q, const float *k, const float *v, size_t d, double scale,
                             fr_causal causal, size_t nq, size_t nk, size_t i0, size_t rows, size_t j,
                             const double *m, const double *l, const double *acc)
  {
    /@ loop invariant range: 0 <= c <= rows;
       loop invariant done: \forall integer c2; 0 <= c2 < c ==>
         RowSeen{Here, Here}(q, k, v, d, scale, causal, nq, nk, i0, c2, nk, m, l, acc);
       loop assigns c;
       loop variant rows - c; @/
    for (size_t c = 0; c < rows; c++) {
      /@ assert before: RowSeen{Here, Here}(q, k, v, d, scale, causal, nq, nk, i0, c, j, m, l, acc); @/
      /@ assert within: VisibleKeys(causal, i0 + c, nq, nk) <= VisibleKeys(causal, i0 + rows - 1, nq, nk); @/
      /@ assert same_keys: SeenKeys(causal, i0 + c, nq, nk, j) == SeenKeys(causal, i0 + c, nq, nk, nk); @/
      /@ assert after: RowSeen{Here, Here}(q, k, v, d, scale, causal, nq, nk, i0, c, nk, m, l, acc); @/
    }
  }

  void BlockRowsSeen_States(const float *q, const float *k, const float *v, size_t d, double scale,
                            fr_causal causal, size_t nq, size_t nk, size_t i0, size_t rows,
                            const double *m, const double *l, const double *acc)
  {
    /@ loop invariant range: 0 <= c <= rows;
       loop invariant done: \forall integer c2; 0 <= c2 < c ==>
         VisibleKeys(causal, i0 + c2, nq, nk) >= 1 ==>
         RowState(q + (i0 + c2) * d, k, v, d, scale, VisibleKeys(causal, i0 + c2, nq, nk),
                  m[c2], l[c2], RowOf(acc, d, c2));
       loop assigns c;
       loop variant rows - c; @/
    for (size_t c = 0; c < rows; c++) {
      /@ assert seen: RowSeen{Here, Here}(q, k, v, d, scale, causal, nq, nk, i0, c, nk, m, l, acc); @/
      /@ assert all_keys: SeenKeys(causal, i0 + c, nq, nk, nk) == VisibleKeys(causal, i0 + c, nq, nk); @/
      /@ assert state: VisibleKeys(causal, i0 + c, nq, nk) >= 1 ==>
           RowState(q + (i0 + c) * d, k, v, d, scale, VisibleKeys(causal, i0 + c, nq, nk),
                    m[c], l[c], RowOf(acc, d, c)); @/
    }
  }

  void HeadOutput_Store(const float *q, const float *k, const float *v, size_t d, double scale,
                        fr_causal causal, size_t nq, size_t nk, size_t i0, size_t rows,
                        const double *o, const double *lse, const double *acc, const double *m)
  {
    /@ assert rows_stored: RowsStored(o, acc, d, i0, rows); @/
    /@ loop invariant range: 0 <= c <= rows;
       loop invariant done: HeadOutput{Here, Here}(q, k, v, d, scale, causal, nq, nk, i0 + c, o, lse);
       loop assigns c;
       loop variant rows - c; @/
    for (size_t c = 0; c < rows; c++) {
      /@ assert block_row: BlockRowOutput{Here, Here}(q, k, v, d, scale, causal, nq, nk, i0, c, acc, m); @/
      /@ assert in_block: RowOutput{Here, Here}(q + (i0 + c) * d, k, v, d, scale,
                                                VisibleKeys(causal, i0 + c, nq, nk),
                                                RowOf(acc, d, c), m[c]); @/
      /@ assert row_values: \forall integer x; 0 <= x < d ==>
           TileValue(o, d, i0 + c, x) == TileValue(acc, d, c, x); @/
      /@ assert row_entries: \forall integer x; 0 <= x < d ==>
           RowOf(o, d, i0 + c)[x] == TileValue(o, d, i0 + c, x) &&
           RowOf(acc, d, c)[x] == TileValue(acc, d, c, x); @/
      /@ assert row_words: \forall integer x; 0 <= x < d ==>
           RowOf(o, d, i0 + c)[x] == RowOf(acc, d, c)[x]; @/
      /@ assert in_head: RowOutput{Here, Here}(q + (i0 + c) * d, k, v, d, scale,
                                               VisibleKeys(causal, i0 + c, nq, nk),
                                               RowOf(o, d, i0 + c), m[c]); @/
      /@ assert lse_row: lse[i0 + c] == m[c]; @/
      /@ assert row: HeadRowOutput{Here, Here}(q, k, v, d, scale, causal, nq, nk, i0 + c, o, lse); @/
    }
  }

  void HeadsOutput_Next(const float *q, const float *k, const float *v, size_t d, double scale,
                        fr_causal causal, size_t nq, size_t nk, size_t q_heads, size_t kv_heads,
                        size_t n, const double *o, const double *lse)
  {
  }
*/
#endif
