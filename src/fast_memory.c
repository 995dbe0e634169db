#include "fast_memory.h"
#include "lemmas_size.h"
#include "lemmas_softmax.h"

double *fr_fast_alloc(fr_fast_memory *fm, size_t n)
{
    if (n > fm->capacity - fm->used)
        return NULL;
    double *buffer = fm->words + fm->used;
    fm->used += n;
    if (fm->used > fm->peak)
        fm->peak = fm->used;
    return buffer;
}

void fr_fast_release(fr_fast_memory *fm, size_t mark)
{
    fm->used = mark;
}

void fr_load_f32(fr_fast_memory *fm, double *dst, const float *src,
                 size_t rows, size_t cols, size_t src_stride)
{
    /*@ loop invariant range: 0 <= r <= rows;
        FR_REAL(loop invariant copied: cols == src_stride ==> WordsLoaded(dst, src, r * cols);)
        loop assigns r, dst[0 .. rows * cols - 1];
        loop variant rows - r; */
    for (size_t r = 0; r < rows; r++) {
        //@ ghost Row_Fits(r, rows, cols);
        //@ ghost Mul_Mono(r, rows - 1, src_stride);
        //@ assert row_index: (size_t)(r * cols) == r * cols && (size_t)(r * src_stride) == r * src_stride;
        double *dst_row = dst + r * cols;
        const float *src_row = src + r * src_stride;
        /*@ loop invariant range: 0 <= c <= cols;
            FR_REAL(loop invariant copied: cols == src_stride ==> WordsLoaded(dst, src, r * cols + c);)
            loop assigns c, dst_row[0 .. cols - 1];
            loop variant cols - c; */
        for (size_t c = 0; c < cols; c++)
            dst_row[c] = (double)src_row[c];
        //@ assert next_row: r * cols + cols == (r + 1) * cols;
    }
    fm->words_read += (uint64_t)rows * cols;
}

void fr_load_f64(fr_fast_memory *fm, double *dst, const double *src,
                 size_t rows, size_t cols, size_t src_stride)
{
    /*@ loop invariant range: 0 <= r <= rows;
        FR_REAL(loop invariant copied: cols == src_stride ==> DoublesLoaded(dst, src, r * cols);)
        FR_REAL(loop invariant tile_loaded: BlockStored{Pre, Here}((double *)src, src_stride, dst, r, cols);)
        loop assigns r, dst[0 .. rows * cols - 1];
        loop variant rows - r; */
    for (size_t r = 0; r < rows; r++) {
        //@ ghost Row_Fits(r, rows, cols);
        //@ ghost Mul_Mono(r, rows - 1, src_stride);
        //@ assert row_index: (size_t)(r * cols) == r * cols && (size_t)(r * src_stride) == r * src_stride;
        double *dst_row = dst + r * cols;
        const double *src_row = src + r * src_stride;
        /* The frame of the rows loaded before: their words lie before the
         * row's. */
        /*@ ghost FR_REAL(Rows_Before(r, cols);) */
        /*@ ghost FR_REAL(/@ assert source_row: \forall integer c1; 0 <= c1 < cols ==>
                              TileValue((double *)src, src_stride, r, c1) == TileValue{Pre}((double *)src, src_stride, r, c1); @/ ;) */
        /*@ loop invariant range: 0 <= c <= cols;
            FR_REAL(loop invariant copied: cols == src_stride ==> DoublesLoaded(dst, src, r * cols + c);)
            FR_REAL(loop invariant source_row: \forall integer c1; 0 <= c1 < cols ==>
              TileValue((double *)src, src_stride, r, c1) == TileValue{Pre}((double *)src, src_stride, r, c1);)
            FR_REAL(loop invariant row_loaded: \forall integer c1; 0 <= c1 < c ==>
              TileValue(dst, cols, r, c1) == TileValue{Pre}((double *)src, src_stride, r, c1);)
            loop assigns c, dst_row[0 .. cols - 1];
            loop variant cols - c; */
        for (size_t c = 0; c < cols; c++)
            dst_row[c] = src_row[c];
        /*@ ghost FR_REAL(/@ assert rows_kept: BlockStored{Pre, Here}((double *)src, src_stride, dst, r, cols); @/ ;) */
    }
    fm->words_read += (uint64_t)rows * cols;
}

void fr_store_f64(fr_fast_memory *fm, double *dst, size_t dst_stride,
                  const double *src, size_t rows, size_t cols)
{
    /*@ loop invariant range: 0 <= r <= rows;
        FR_REAL(loop invariant stored: cols == dst_stride ==> WordsStored(dst, src, r * cols);)
        FR_REAL(loop invariant tile_stored: BlockStored{Here, Pre}(dst, dst_stride, src, r, cols);)
        FR_REAL(loop invariant source_kept: TileUnchanged{Pre, Here}((double *)src, rows, cols);)
        FR_REAL(loop invariant kept: KeptOutside{Pre, Here}(dst, dst_stride, rows, cols);)
        loop assigns r, dst[0 .. (rows - 1) * dst_stride + cols - 1];
        loop variant rows - r; */
    for (size_t r = 0; r < rows; r++) {
        //@ ghost Row_Fits(r, rows, cols);
        //@ ghost Mul_Mono(r, rows - 1, dst_stride);
        //@ assert row_index: (size_t)(r * cols) == r * cols && (size_t)(r * dst_stride) == r * dst_stride;
        double *dst_row = dst + r * dst_stride;
        const double *src_row = src + r * cols;
        /* The frame of the row's words: the rows stored before it and the
         * words outside the tile lie apart from them. */
        /*@ ghost FR_REAL(/@ assert earlier_rows: \forall integer r1, c1; 0 <= r1 < r && 0 <= c1 < cols ==>
                              r1 * dst_stride + c1 < r * dst_stride; @/ ;) */
        /*@ ghost FR_REAL(/@ assert outside: \forall integer r1, c1; OutsideTile(dst_stride, rows, cols, r1, c1) ==>
                              r1 * dst_stride + c1 < r * dst_stride || r * dst_stride + cols <= r1 * dst_stride + c1; @/ ;) */
        /*@ ghost FR_REAL(/@ assert row_apart: \separated(dst_row + (0 .. cols - 1), src + (0 .. rows * cols - 1)); @/ ;) */
        /*@ loop invariant range: 0 <= c <= cols;
            FR_REAL(loop invariant stored: cols == dst_stride ==> WordsStored(dst, src, r * cols + c);)
            FR_REAL(loop invariant row_stored: \forall integer c1; 0 <= c1 < c ==>
              TileValue(dst, dst_stride, r, c1) == TileValue{Pre}(src, cols, r, c1);)
            loop assigns c, dst_row[0 .. cols - 1];
            loop variant cols - c; */
        for (size_t c = 0; c < cols; c++)
            dst_row[c] = src_row[c];
        /*@ ghost FR_REAL(/@ assert rows_kept: BlockStored{Here, Pre}(dst, dst_stride, src, r, cols); @/ ;) */
    }
    fm->words_written += (uint64_t)rows * cols;
}
