/* Tiled attention, FlashAttention-2 loop order, for one (batch, query head). */
#ifndef FLASHREF_TILED_H
#define FLASHREF_TILED_H

#include "flashref.h"
#include "fast_memory.h"
#include "real_model.h"

/* One head's sizes and semantics. */
typedef struct fr_head {
    size_t q_len;   /* Nq */
    size_t kv_len;  /* Nk */
    size_t d;
    fr_causal causal;
    double scale;
} fr_head;

/* Fast buffers of the tiled algorithm (Br = rows, Bc = cols):
 *   q [Br, d]  k [Bc, d]  v [Bc, d]  s [Br, Bc]  acc [Br, d]  m [Br]  l [Br] */
typedef struct fr_tiled_buffers {
    double *q, *k, *v, *s, *acc, *m, *l;
} fr_tiled_buffers;

#ifdef __FRAMAC__
#include "Tiling.acsl"
#endif
#if FR_REAL_MODEL
#include "TiledRows.acsl"
#include "Heads.acsl"
#endif
#include "lemmas_count.h"

/* Carves the buffers from fast memory; FR_ERR_FAST_MEMORY_TOO_SMALL if any
 * request is refused. In the functional pass, blocks that lie apart from
 * the arena (ghost parameters: the request's outputs) lie apart from every
 * buffer. */
/*@ requires fast_memory: FastMemoryValid(fm);
    requires blocks: BlocksFit(b, d, SIZE_MAX);
    requires out: \valid(t);
    requires separated: \separated(t, fm);
    FR_REAL(requires arena_apart:
              \separated(fm->words + (0 .. fm->capacity - 1), o + (0 .. n_o - 1)) &&
              \separated(fm->words + (0 .. fm->capacity - 1), lse + (0 .. n_lse - 1));)
    assigns fm->used, fm->peak, *t;
    ensures valid: FastMemoryValid(fm);
    ensures ok: \result == FR_OK ==> TiledBuffersValid(t, b, d);
    FR_REAL(ensures apart: \result == FR_OK ==>
              ApartFromBuffers(o, n_o, t, b, d) && ApartFromBuffers(lse, n_lse, t, b, d);)
*/
fr_status fr_tiled_buffers_alloc(fr_fast_memory *fm, fr_blocks b, size_t d,
                                 fr_tiled_buffers *t)
#if FR_REAL_MODEL
    /*@ ghost (double *o, size_t n_o, double *lse, size_t n_lse) */
#endif
    ;

/* Row r of the block against the key block: its scores and one online
 * softmax step, when it sees keys of the block (fr_tiled_key_block calls
 * it for each row). In the functional pass the tiles copy rows i0 .. i0 +
 * rows - 1 of the head's queries q_in and rows j0 .. of its keys k_in and
 * values v_in (ghost parameters; rows is the Q tile's row count), and the
 * row's RowState moves from the keys it had seen before the block to those
 * it has seen after it (SeenKeys) while the other rows' states and the
 * tiles stay as they were: the loop over the block's rows moves on by one
 * row (BlockRowsSeen from r to r + 1). */
/*@ requires head: HeadOk(h.q_len, h.kv_len, h.d, h.causal);
    requires blocks: BlocksFit(b, h.d, SIZE_MAX);
    requires buffers: TiledBuffersValid(t, b, h.d);
    requires query_row: r < b.rows && i0 + r < h.q_len;
    requires key_cols: cols <= b.cols;
    FR_REAL(requires keys_in_head: j0 + cols <= h.kv_len;)
    FR_REAL(requires query_rows: r < rows <= b.rows;)
    FR_REAL(requires query_tile: TileCopies(t->q, q_in, h.d, i0, rows);)
    FR_REAL(requires key_tile: TileCopies(t->k, k_in, h.d, j0, cols);)
    FR_REAL(requires value_tile: TileCopies(t->v, v_in, h.d, j0, cols);)
    FR_REAL(requires seen: BlockRowsSeen{Here, Here}(q_in, k_in, v_in, h.d, h.scale, h.causal, h.q_len, h.kv_len,
                                         i0, rows, r, j0, j0 + cols, t->m, t->l, t->acc);)
    assigns t->s[0 .. b.rows * b.cols - 1], t->acc[0 .. b.rows * h.d - 1],
            t->m[0 .. b.rows - 1], t->l[0 .. b.rows - 1];
    FR_REAL(ensures seen: BlockRowsSeen{Here, Here}(q_in, k_in, v_in, h.d, h.scale, h.causal, h.q_len, h.kv_len,
                                        i0, rows, r + 1, j0, j0 + cols, t->m, t->l, t->acc);)
    FR_REAL(ensures query_tile: TileCopies(t->q, q_in, h.d, i0, rows);)
    FR_REAL(ensures key_tile: TileCopies(t->k, k_in, h.d, j0, cols);)
    FR_REAL(ensures value_tile: TileCopies(t->v, v_in, h.d, j0, cols);)
*/
void fr_tiled_key_row(fr_head h, fr_blocks b, const fr_tiled_buffers *t,
                      size_t i0, size_t r, size_t j0, size_t cols)
#if FR_REAL_MODEL
    /*@ ghost (const float *q_in, const float *k_in, const float *v_in, size_t rows) */
#endif
    ;

/* One key block [j0, j0 + cols) against the rows [i0, i0 + rows) whose Q tile
 * and running state (m, l, acc) are in fast memory; K and V tiles loaded:
 * fr_tiled_key_row for each row. In the functional pass every row of the
 * block moves from the keys before j0 to those before j0 + cols. */
/*@ requires head: HeadOk(h.q_len, h.kv_len, h.d, h.causal);
    requires blocks: BlocksFit(b, h.d, SIZE_MAX);
    requires buffers: TiledBuffersValid(t, b, h.d);
    requires query_rows: 1 <= rows <= b.rows && i0 + rows <= h.q_len;
    requires key_cols: cols <= b.cols;
    FR_REAL(requires keys_in_head: j0 + cols <= h.kv_len;)
    FR_REAL(requires query_tile: TileCopies(t->q, q_in, h.d, i0, rows);)
    FR_REAL(requires key_tile: TileCopies(t->k, k_in, h.d, j0, cols);)
    FR_REAL(requires value_tile: TileCopies(t->v, v_in, h.d, j0, cols);)
    FR_REAL(requires seen: BlockRowsSeen{Here, Here}(q_in, k_in, v_in, h.d, h.scale, h.causal, h.q_len, h.kv_len,
                                         i0, rows, 0, j0, j0 + cols, t->m, t->l, t->acc);)
    assigns t->s[0 .. b.rows * b.cols - 1], t->acc[0 .. b.rows * h.d - 1],
            t->m[0 .. b.rows - 1], t->l[0 .. b.rows - 1];
    FR_REAL(ensures seen: BlockRowsSeen{Here, Here}(q_in, k_in, v_in, h.d, h.scale, h.causal, h.q_len, h.kv_len,
                                        i0, rows, rows, j0, j0 + cols, t->m, t->l, t->acc);)
    FR_REAL(ensures query_tile: TileCopies(t->q, q_in, h.d, i0, rows);)
*/
void fr_tiled_key_block(fr_head h, fr_blocks b, const fr_tiled_buffers *t,
                        size_t i0, size_t rows, size_t j0, size_t cols)
#if FR_REAL_MODEL
    /*@ ghost (const float *q_in, const float *k_in, const float *v_in) */
#endif
    ;

/* The loop over key blocks of the query block [i0, i0 + rows), block u of
 * the head, whose Q tile is loaded: each key block that a row of the
 * block sees is loaded (K and V tiles) and run against the block's rows
 * (fr_tiled_key_block). Its count clauses speak of the head's words read
 * since the head's start, reads_at_start (ghost): block u's K and V words
 * join them. In the functional pass every row of the block has then seen
 * all the keys it sees. */
/*@ requires head: HeadOk(h.q_len, h.kv_len, h.d, h.causal);
    requires blocks: BlocksFit(b, h.d, SIZE_MAX);
    requires fast_memory: \valid(fm);
    requires buffers: TiledBuffersValid(t, b, h.d);
    requires k: \valid_read(k + (0 .. h.kv_len * h.d - 1));
    requires v: \valid_read(v + (0 .. h.kv_len * h.d - 1));
    requires query_rows: 1 <= rows <= b.rows && i0 + rows <= h.q_len;
    requires block: i0 == u * b.rows && rows == BlockRows(u, h.q_len, b.rows);
    FR_COUNT(requires read: reads_at_start +
        TiledHeadReads(h.causal, h.q_len, h.kv_len, h.d, b.rows, b.cols) <= UINT64_MAX ==>
      fm->words_read == reads_at_start + Words(i0 + rows, h.d) +
        2 * Words(TiledKeys(h.causal, u, h.q_len, h.kv_len, b.rows, b.cols), h.d);)
    FR_REAL(requires query_tile: TileCopies(t->q, q_in, h.d, i0, rows);)
    assigns fm->words_read, t->k[0 .. b.cols * h.d - 1], t->v[0 .. b.cols * h.d - 1],
            t->s[0 .. b.rows * b.cols - 1], t->acc[0 .. b.rows * h.d - 1],
            t->m[0 .. b.rows - 1], t->l[0 .. b.rows - 1];
    FR_COUNT(ensures read: reads_at_start +
        TiledHeadReads(h.causal, h.q_len, h.kv_len, h.d, b.rows, b.cols) <= UINT64_MAX ==>
      fm->words_read == reads_at_start + Words(i0 + rows, h.d) +
        2 * Words(TiledKeys(h.causal, u + 1, h.q_len, h.kv_len, b.rows, b.cols), h.d);)
    FR_REAL(ensures all_seen: BlockRowsSeen{Here, Here}(q_in, k, v, h.d, h.scale, h.causal, h.q_len,
                                                        h.kv_len, i0, rows, 0, h.kv_len, h.kv_len,
                                                        t->m, t->l, t->acc);)
*/
void fr_tiled_key_blocks(fr_head h, fr_blocks b, fr_fast_memory *fm, const fr_tiled_buffers *t,
                         const float *k, const float *v, size_t i0, size_t rows)
    /*@ ghost (const float *q_in, size_t u, uint64_t reads_at_start) */;

/* Turns the running state into O rows (acc / l) and LSE (m + log l) in place;
 * rows without a visible key, or whose visible scores are all -inf (l = 0),
 * get O = 0 and LSE = -inf. */
/*@ requires head: HeadOk(h.q_len, h.kv_len, h.d, h.causal);
    requires blocks: BlocksFit(b, h.d, SIZE_MAX);
    requires buffers: TiledBuffersValid(t, b, h.d);
    requires query_rows: 1 <= rows <= b.rows && i0 + rows <= h.q_len;
    FR_REAL(requires seen: BlockRowsSeen{Here, Here}(q_in, k_in, v_in, h.d, h.scale, h.causal, h.q_len, h.kv_len,
                                         i0, rows, 0, h.kv_len, h.kv_len, t->m, t->l, t->acc);)
    assigns t->acc[0 .. b.rows * h.d - 1], t->m[0 .. b.rows - 1];
    FR_REAL(ensures output: BlockOutput{Pre, Post}(q_in, k_in, v_in, h.d, h.scale, h.causal, h.q_len,
                                                   h.kv_len, i0, rows, t->acc, t->m);)
*/
void fr_tiled_finalize(fr_head h, fr_blocks b, const fr_tiled_buffers *t,
                       size_t i0, size_t rows)
#if FR_REAL_MODEL
    /*@ ghost (const float *q_in, const float *k_in, const float *v_in) */
#endif
    ;

/* Stores the block's finished rows to slow memory: row c of acc to row
 * i0 + c of o, m[c] to lse[i0 + c]. In the functional pass the head's
 * rows before i0 + rows then hold the specification's output, given
 * that those before i0 did and the block's rows hold theirs. */
/*@ requires head: HeadOk(h.q_len, h.kv_len, h.d, h.causal);
    requires blocks: BlocksFit(b, h.d, SIZE_MAX);
    requires fast_memory: \valid(fm);
    requires buffers: TiledBuffersValid(t, b, h.d);
    requires query_rows: 1 <= rows <= b.rows && i0 + rows <= h.q_len;
    requires o: \valid(o + (0 .. h.q_len * h.d - 1));
    requires lse: \valid(lse + (0 .. h.q_len - 1));
    FR_REAL(requires outputs_apart:
              \separated(o + (0 .. h.q_len * h.d - 1), lse + (0 .. h.q_len - 1),
                         t->acc + (0 .. b.rows * h.d - 1), t->m + (0 .. b.rows - 1));)
    FR_REAL(requires done: HeadOutput{Here, Here}(q_in, k_in, v_in, h.d, h.scale, h.causal, h.q_len,
                                                  h.kv_len, i0, o, lse);)
    FR_REAL(requires block: BlockOutput{Here, Here}(q_in, k_in, v_in, h.d, h.scale, h.causal, h.q_len,
                                                    h.kv_len, i0, rows, t->acc, t->m);)
    assigns fm->words_written, o[i0 * h.d .. i0 * h.d + rows * h.d - 1], lse[i0 .. i0 + rows - 1];
    ensures counted: \old(fm->words_written) + rows * h.d + rows <= UINT64_MAX ==>
      fm->words_written == \old(fm->words_written) + rows * h.d + rows;
    FR_REAL(ensures done: HeadOutput{Here, Here}(q_in, k_in, v_in, h.d, h.scale, h.causal, h.q_len,
                                                 h.kv_len, i0 + rows, o, lse);)
*/
void fr_tiled_store(fr_head h, fr_blocks b, fr_fast_memory *fm, const fr_tiled_buffers *t,
                    size_t i0, size_t rows, double *o, double *lse)
#if FR_REAL_MODEL
    /*@ ghost (const float *q_in, const float *k_in, const float *v_in) */
#endif
    ;

/* One head: q [Nq, d], k and v [Nk, d], o [Nq, d], lse [Nq]. Its words
 * moved are the closed forms of spec/TransferCount.acsl (the rte pass); in
 * the functional pass every row of O and LSE is the specification's
 * (HeadOutput), given that O and LSE lie apart from the fast buffers. */
/*@ requires head: HeadOk(h.q_len, h.kv_len, h.d, h.causal);
    requires blocks: BlocksFit(b, h.d, SIZE_MAX);
    requires fast_memory: \valid(fm);
    requires buffers: TiledBuffersValid(t, b, h.d);
    requires q: \valid_read(q + (0 .. h.q_len * h.d - 1));
    requires k: \valid_read(k + (0 .. h.kv_len * h.d - 1));
    requires v: \valid_read(v + (0 .. h.kv_len * h.d - 1));
    requires o: \valid(o + (0 .. h.q_len * h.d - 1));
    requires lse: \valid(lse + (0 .. h.q_len - 1));
    FR_REAL(requires outputs_apart:
              \separated(o + (0 .. h.q_len * h.d - 1), lse + (0 .. h.q_len - 1),
                         t->q + (0 .. b.rows * h.d - 1), t->k + (0 .. b.cols * h.d - 1),
                         t->v + (0 .. b.cols * h.d - 1), t->s + (0 .. b.rows * b.cols - 1),
                         t->acc + (0 .. b.rows * h.d - 1), t->m + (0 .. b.rows - 1),
                         t->l + (0 .. b.rows - 1));)
    assigns fm->words_read, fm->words_written,
            t->q[0 .. b.rows * h.d - 1], t->k[0 .. b.cols * h.d - 1],
            t->v[0 .. b.cols * h.d - 1], t->s[0 .. b.rows * b.cols - 1],
            t->acc[0 .. b.rows * h.d - 1], t->m[0 .. b.rows - 1], t->l[0 .. b.rows - 1],
            o[0 .. h.q_len * h.d - 1], lse[0 .. h.q_len - 1];
    FR_REAL(ensures output: HeadOutput{Pre, Post}(q, k, v, h.d, h.scale, h.causal, h.q_len, h.kv_len,
                                                  h.q_len, o, lse);)
    FR_COUNT(ensures read_count: \old(fm->words_read) +
        TiledHeadReads(h.causal, h.q_len, h.kv_len, h.d, b.rows, b.cols) <= UINT64_MAX ==>
      fm->words_read == \old(fm->words_read) +
        TiledHeadReads(h.causal, h.q_len, h.kv_len, h.d, b.rows, b.cols);)
    FR_COUNT(ensures write_count: \old(fm->words_written) + TiledHeadWrites(h.q_len, h.d) <= UINT64_MAX ==>
      fm->words_written == \old(fm->words_written) + TiledHeadWrites(h.q_len, h.d);)
*/
void fr_tiled_head(fr_head h, fr_blocks b, fr_fast_memory *fm,
                   const fr_tiled_buffers *t,
                   const float *q, const float *k, const float *v,
                   double *o, double *lse);

/* Every (batch, query head) pair in order: head hq of batch bi reads kv head
 * hq / (Hq / Hkv). Tensors as in include/flashref.h.
 * P2 over the whole tensor (functional pass, ensures output): every query
 * head's O and LSE are the specification's (HeadsOutput, spec/Heads.acsl),
 * for any batch, any Hq that Hkv divides, and every shape fr_tiled_head
 * takes, given O and LSE apart from each other and from the fast buffers. */
/*@ requires head: HeadOk(h.q_len, h.kv_len, h.d, h.causal);
    requires blocks: BlocksFit(b, h.d, SIZE_MAX);
    requires fast_memory: \valid(fm);
    requires buffers: TiledBuffersValid(t, b, h.d);
    requires heads: batch >= 1 && q_heads >= 1 && kv_heads >= 1 && q_heads % kv_heads == 0;
    requires q_size: batch * q_heads * h.q_len * h.d <= SIZE_MAX;
    requires kv_size: batch * kv_heads * h.kv_len * h.d <= SIZE_MAX;
    requires grow: batch * q_heads <= batch * q_heads * h.q_len <= batch * q_heads * h.q_len * h.d &&
                   batch * kv_heads <= batch * kv_heads * h.kv_len * h.d;
    requires q: \valid_read(q + (0 .. batch * q_heads * h.q_len * h.d - 1));
    requires k: \valid_read(k + (0 .. batch * kv_heads * h.kv_len * h.d - 1));
    requires v: \valid_read(v + (0 .. batch * kv_heads * h.kv_len * h.d - 1));
    requires o: \valid(o + (0 .. batch * q_heads * h.q_len * h.d - 1));
    requires lse: \valid(lse + (0 .. batch * q_heads * h.q_len - 1));
    FR_REAL(requires outputs_apart: OutputsApart(o, batch * q_heads * h.q_len * h.d,
                                                 lse, batch * q_heads * h.q_len, t, b, h.d);)
    assigns fm->words_read, fm->words_written,
            t->q[0 .. b.rows * h.d - 1], t->k[0 .. b.cols * h.d - 1],
            t->v[0 .. b.cols * h.d - 1], t->s[0 .. b.rows * b.cols - 1],
            t->acc[0 .. b.rows * h.d - 1], t->m[0 .. b.rows - 1], t->l[0 .. b.rows - 1],
            o[0 .. batch * q_heads * h.q_len * h.d - 1], lse[0 .. batch * q_heads * h.q_len - 1];
    FR_REAL(ensures output: HeadsOutput{Pre, Post}(q, k, v, h.d, h.scale, h.causal, h.q_len, h.kv_len,
                                                   q_heads, kv_heads, batch * q_heads, o, lse);)
    FR_COUNT(ensures read_count: \old(fm->words_read) +
        TiledReads(h.causal, h.q_len, h.kv_len, h.d, b.rows, b.cols, batch * q_heads) <= UINT64_MAX ==>
      fm->words_read == \old(fm->words_read) +
        TiledReads(h.causal, h.q_len, h.kv_len, h.d, b.rows, b.cols, batch * q_heads);)
    FR_COUNT(ensures write_count: \old(fm->words_written) + TiledWrites(h.q_len, h.d, batch * q_heads) <= UINT64_MAX ==>
      fm->words_written == \old(fm->words_written) + TiledWrites(h.q_len, h.d, batch * q_heads);)
*/
void fr_tiled_heads(fr_head h, fr_blocks b, fr_fast_memory *fm, const fr_tiled_buffers *t,
                    size_t batch, size_t q_heads, size_t kv_heads,
                    const float *q, const float *k, const float *v,
                    double *o, double *lse);

#if FR_REAL_MODEL
/* P2 at the entry point (include/flashref.h), the functional pass's
 * contract: when the call succeeds, every query head's O and LSE are the
 * specification's (HeadsOutput, spec/Heads.acsl), for every problem the
 * entry point accepts, given O and LSE apart from each other. (Stated here,
 * beside the logic it uses, and merged with the declaration there, which
 * carries the rte pass's contract.) */
/*@ requires problem: p == \null || \valid_read(p);
    requires blocks: blocks == \null || \valid_read(blocks);
    requires stats: stats == \null || \valid(stats);
    requires tensors: p != \null && ProblemOk(p) ==> TensorsValid(p, q, k, v, o, lse);
    requires separated_stats: stats == \null || \separated(stats, p, blocks);
    requires outputs_apart: p != \null && ProblemOk(p) && o != \null && lse != \null ==>
      \separated(o + (0 .. QElems(p) - 1), lse + (0 .. LseElems(p) - 1));
    ensures output: \result == FR_OK ==>
      HeadsOutput{Pre, Post}(q, k, v, \old(p->head_dim), \old(p->scale), \old(p->causal),
                             \old(p->q_len), \old(p->kv_len), \old(p->q_heads), \old(p->kv_heads),
                             \old(p->batch) * \old(p->q_heads), o, lse);
*/
fr_status fr_attention_tiled(const fr_problem *p, size_t fast_words,
                             const fr_blocks *blocks,
                             const float *q, const float *k, const float *v,
                             double *o, double *lse, fr_io_stats *stats);
#endif

#endif /* FLASHREF_TILED_H */
