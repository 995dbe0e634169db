/* The two-level memory model: slow memory is the caller's tensors, fast memory
 * is an arena of M words. Data moves between them only through the counted
 * transfers below; compute functions only ever see fast buffers. */
#ifndef FLASHREF_FAST_MEMORY_H
#define FLASHREF_FAST_MEMORY_H

#include <stddef.h>
#include <stdint.h>

typedef struct fr_fast_memory {
    double *words;          /* backing store: capacity words */
    size_t capacity;        /* M */
    size_t used;            /* words handed out, as a stack */
    size_t peak;            /* high-water mark of used */
    uint64_t words_read;    /* slow -> fast */
    uint64_t words_written; /* fast -> slow */
} fr_fast_memory;

#ifdef __FRAMAC__
#include "FastMemory.acsl"
#endif
#include "real_model.h"

/* Hands out n words on top of the stack, or NULL (leaving fm unchanged) when
 * that would exceed the capacity: fast memory is never overrun. */
/*@ requires valid: FastMemoryValid(fm);
    requires positive: n > 0;
    assigns fm->used, fm->peak;
    ensures valid: FastMemoryValid(fm);
    behavior fits:
      assumes n <= fm->capacity - fm->used;
      ensures at_top: \result == fm->words + \old(fm->used);
      ensures used: fm->used == \old(fm->used) + n;
      ensures buffer: \valid(\result + (0 .. n - 1));
    behavior refused:
      assumes n > fm->capacity - fm->used;
      ensures null: \result == \null;
      ensures unchanged: fm->used == \old(fm->used) && fm->peak == \old(fm->peak);
    complete behaviors; disjoint behaviors;
*/
double *fr_fast_alloc(fr_fast_memory *fm, size_t n);

/* Releases everything above mark (a previous value of fm->used). */
/*@ requires valid: FastMemoryValid(fm);
    requires below: mark <= fm->used;
    assigns fm->used;
    ensures valid: FastMemoryValid(fm);
    ensures released: fm->used == mark;
*/
void fr_fast_release(fr_fast_memory *fm, size_t mark);

/* Loads a rows x cols tile of a float tensor (row stride src_stride) into the
 * fast buffer dst (rows*cols words, row-major). Counts rows*cols words read
 * (modulo 2^64 here; that the totals never wrap is part of the count proof). */
/*@ requires fm: \valid(fm);
    requires sizes: rows * cols <= SIZE_MAX && cols <= src_stride;
    requires extent: rows == 0 || (rows - 1) * src_stride + cols <= SIZE_MAX;
    requires dst: \valid(dst + (0 .. rows * cols - 1));
    requires src: rows == 0 || \valid_read(src + (0 .. (rows - 1) * src_stride + cols - 1));
    assigns fm->words_read, dst[0 .. rows * cols - 1];
    ensures counted: fm->words_read == (uint64_t)(\old(fm->words_read) + rows * cols);
    FR_REAL(ensures copied: cols == src_stride ==> WordsLoaded(dst, src, rows * cols);)
*/
void fr_load_f32(fr_fast_memory *fm, double *dst, const float *src,
                 size_t rows, size_t cols, size_t src_stride);

/* The same for a double tensor in slow memory (the S and P matrices); the
 * tile's row r is row r of the block (BlockStored, read the other way): a
 * tile of P when the stride is wider than the tile. Slow and fast memory
 * are both doubles here, so the functional pass needs them apart to know
 * the loaded words are still the tensor's. */
/*@ requires fm: \valid(fm);
    requires sizes: rows * cols <= SIZE_MAX && cols <= src_stride;
    requires extent: rows == 0 || (rows - 1) * src_stride + cols <= SIZE_MAX;
    requires dst: \valid(dst + (0 .. rows * cols - 1));
    requires src: rows == 0 || \valid_read(src + (0 .. (rows - 1) * src_stride + cols - 1));
    FR_REAL(requires apart: cols == src_stride ==>
              \separated(dst + (0 .. rows * cols - 1), src + (0 .. rows * cols - 1));)
    FR_REAL(requires strided_apart: cols < src_stride ==>
              \separated(dst + (0 .. rows * cols - 1), src + (0 .. (rows - 1) * src_stride + cols - 1));)
    assigns fm->words_read, dst[0 .. rows * cols - 1];
    ensures counted: fm->words_read == (uint64_t)(\old(fm->words_read) + rows * cols);
    FR_REAL(ensures copied: cols == src_stride ==> DoublesLoaded(dst, src, rows * cols);)
    FR_REAL(ensures tile_loaded: BlockStored{Pre, Post}((double *)src, src_stride, dst, rows, cols);)
*/
void fr_load_f64(fr_fast_memory *fm, double *dst, const double *src,
                 size_t rows, size_t cols, size_t src_stride);

/* Stores the fast buffer src (rows*cols words) as a rows x cols tile of a
 * double tensor in slow memory (row stride dst_stride). Counts the words.
 * The words around the tile (OutsideTile) are left as they were: the
 * standard algorithm stores S tile by tile.
 * Slow and fast memory are both doubles here, so the functional pass needs
 * them apart to know the stored words are still the buffer's. */
/*@ requires fm: \valid(fm);
    requires sizes: rows * cols <= SIZE_MAX && cols <= dst_stride;
    requires extent: rows == 0 || (rows - 1) * dst_stride + cols <= SIZE_MAX;
    requires src: \valid_read(src + (0 .. rows * cols - 1));
    requires dst: rows == 0 || \valid(dst + (0 .. (rows - 1) * dst_stride + cols - 1));
    FR_REAL(requires apart: cols == dst_stride ==>
              \separated(dst + (0 .. rows * cols - 1), src + (0 .. rows * cols - 1));)
    FR_REAL(requires strided_apart: cols < dst_stride ==>
              \separated(dst + (0 .. (rows - 1) * dst_stride + cols - 1), src + (0 .. rows * cols - 1));)
    assigns fm->words_written, dst[0 .. (rows - 1) * dst_stride + cols - 1];
    ensures counted: fm->words_written == (uint64_t)(\old(fm->words_written) + rows * cols);
    FR_REAL(ensures stored: cols == dst_stride ==> WordsStored(dst, src, rows * cols);)
    FR_REAL(ensures tile_stored: BlockStored{Post, Pre}(dst, dst_stride, src, rows, cols);)
    FR_REAL(ensures kept: KeptOutside{Pre, Post}(dst, dst_stride, rows, cols);)
*/
void fr_store_f64(fr_fast_memory *fm, double *dst, size_t dst_stride,
                  const double *src, size_t rows, size_t cols);

#endif /* FLASHREF_FAST_MEMORY_H */
