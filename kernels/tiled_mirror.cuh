/* The CTA body of the mirror kernel: tiled online-softmax attention in double
 * that performs, for every query row, exactly the floating-point operations of
 * fr_tiled_key_block and fr_tiled_finalize (src/tiled_rows.c),
 * whose row steps are in src/online_softmax.c, in the same order. Launch code
 * is in tiled_mirror.cu.
 *
 * Versions: CUDA 13.0, sm_90 (H100/H200); nvcc must get -fmad=false.
 * How to run: through fr_cuda_attention_tiled (include/flashref_cuda.h); the
 * GPU tests (ctest -L gpu) check it against fr_attention_tiled.
 *
 * Why each piece is shaped the way it is (the reference's order is the law):
 *   - A score is one fma chain over x = 0 .. d-1 starting at +0, then one
 *     multiplication by scale. Each thread owns a TM x TN micro-tile of scores
 *     and runs the x loop outermost, so every score is still its own chain in
 *     x order. The head dimension is padded with zeros up to DP; a padded step
 *     is fma(0, 0, dot) = dot + 0, which is dot exactly because the chain never
 *     holds -0 (it starts at +0, and an exact zero sum rounds to +0).
 *   - Key blocks are the reference's: [j0, j0 + Bc) for j0 = 0, Bc, 2Bc, ...
 *     A block wider than the KC keys a tile holds is done in two passes (block
 *     max, then the scores again for p), since p needs the block's maximum.
 *   - The block maximum is combined across threads in a tree. fr_max is exact,
 *     so the tree gives the left-to-right value; only the sign of a zero maximum
 *     or a NaN payload could differ, and neither can reach an output: s - m and
 *     m_old - m_new then only see +-0 - +-0, exp(+-0) = 1, and l >= 1 makes
 *     m + log(l) = +0 for m = +-0. NaN still propagates.
 *   - p = exp(s - m_new) is computed in parallel; the row sum is then added
 *     strictly in key order by one thread per row, interleaved with the P V
 *     loop. Masked keys get p = +0, which changes no sum (sums are never -0).
 *   - P V: each thread owns (row, column) accumulators and runs the key loop in
 *     increasing order: acc = fma(p, v, acc), one chain per output element. A
 *     key a row does not see is skipped, not multiplied by zero: fma(0, v, acc)
 *     is not a no-op for v = inf or NaN, or for acc = -0.
 *   - Rows without a key in a block are left alone (alpha stored as 1, and
 *     x * 1 = x exactly); key blocks no row of the CTA sees are skipped, which
 *     is the per-row no-op of the reference.
 */
#ifndef FLASHREF_TILED_MIRROR_CUH
#define FLASHREF_TILED_MIRROR_CUH

#include <stddef.h>

#include "prims.h"

namespace frk {

/* Kernel arguments. Pointers are device pointers, shapes as in flashref_cuda.h:
 * d_q [B,Hq,Nq,d], d_k and d_v [B,Hkv,Nk,d], d_o [B,Hq,Nq,d], d_lse [B,Hq,Nq]. */
struct Params {
    const float *d_q;
    const float *d_k;
    const float *d_v;
    double *d_o;
    double *d_lse;
    int batch, q_heads, kv_heads;
    int q_len, kv_len, d;
    int block_cols;   /* Bc, at most kv_len */
    int causal;       /* fr_causal */
    int row_tiles;    /* ceil(Nq / BR) */
    int vec4;         /* d % 4 == 0 and 16-byte aligned tensors: float4 loads */
    double scale;
};

/* Query row i sees keys 0 .. visible_keys(i) - 1: the prefix rule of
 * src/mask.c (fr_visible_keys), restated for the device. */
__host__ __device__ __forceinline__ int visible_keys(int causal, int i, int q_len, int kv_len)
{
    if (causal == 1)
        return i + 1 <= kv_len ? i + 1 : kv_len;
    if (causal == 2) {
        if (kv_len >= q_len)
            return i + 1 + (kv_len - q_len);
        int shift = q_len - kv_len;
        return i + 1 > shift ? i + 1 - shift : 0;
    }
    return kv_len;
}

/* Keys of [j0, j0 + cols) that a row seeing `visible` keys sees
 * (fr_visible_in_block). */
__host__ __device__ __forceinline__ int visible_in_block(int visible, int j0, int cols)
{
    if (visible <= j0)
        return 0;
    return visible - j0 <= cols ? visible - j0 : cols;
}

/* Element e of group g when G groups share a dimension: neighbouring pairs,
 * groups interleaved, so a warp's 16-byte accesses are contiguous. */
__host__ __device__ constexpr int spread(int g, int e, int groups)
{
    return (e >> 1) * 2 * groups + 2 * g + (e & 1);
}

/* Tile shapes. DP: padded head dimension; BR query rows and KC keys per CTA
 * tile; NT threads. Scores: TM x TN per thread, GY x GX thread grid, WX of the
 * GX column groups in one warp. P V: TMO rows x TNO columns per thread,
 * GYO x GXO grid, WXO column groups per warp. MIN_BLOCKS: CTAs per SM the
 * registers must allow; SU, PU: unrolling of the score and P V loops. */
template <int DP_, int BR_, int KC_, int NT_, int TM_, int TN_, int WX_,
          int TMO_, int TNO_, int WXO_, int MIN_BLOCKS_, int SU_ = 4, int PU_ = 4>
struct Config {
    static constexpr int DP = DP_, BR = BR_, KC = KC_, NT = NT_;
    static constexpr int TM = TM_, TN = TN_, WX = WX_;
    static constexpr int GY = BR / TM, GX = KC / TN;
    static constexpr int TMO = TMO_, TNO = TNO_, WXO = WXO_;
    static constexpr int GYO = BR / TMO, GXO = DP / TNO;
    static constexpr int MIN_BLOCKS = MIN_BLOCKS_;
    static constexpr int SU = SU_, PU = PU_;
    static constexpr int PARTS = GX / WX;   /* partial maxima per row */

    /* Shared memory, in doubles. Leading dimensions stay even so rows keep
     * 16-byte alignment; the +2 spreads transposed stores over the banks. */
    static constexpr int QT_LD = BR + 2;   /* QT [DP][QT_LD]: Q tile, transposed */
    static constexpr int KT_LD = KC + 2;   /* KT [DP][KT_LD]: K tile, transposed */
    static constexpr int PT_LD = BR + 2;   /* PT [KC][PT_LD]: p, transposed; reuses KT */
    static constexpr int V_LD = DP;        /* V  [KC][V_LD] */
    static constexpr int QT_SIZE = DP * QT_LD;
    static constexpr int KP_SIZE = DP * KT_LD > KC * PT_LD ? DP * KT_LD : KC * PT_LD;
    static constexpr int V_SIZE = KC * V_LD;
    static constexpr int SMEM_DOUBLES = QT_SIZE + KP_SIZE + V_SIZE + BR * PARTS + 3 * BR;
    static constexpr size_t SMEM_BYTES = (size_t)SMEM_DOUBLES * sizeof(double);

    static_assert(GX * GY == NT && GXO * GYO == NT, "thread grids must cover NT");
    static_assert(TM % 2 == 0 && TN % 2 == 0 && TMO % 2 == 0 && TNO % 2 == 0, "pairs");
    static_assert(32 % WX == 0 && GX % WX == 0 && 32 % WXO == 0 && GXO % WXO == 0, "warps");
    static_assert(NT % 32 == 0 && BR % 32 == 0 && BR <= NT, "one row-sum thread per row");
    static_assert(DP % 4 == 0, "float4 loads");
    static_assert(SMEM_DOUBLES % 2 == 0 && QT_SIZE % 2 == 0 && KP_SIZE % 2 == 0 &&
                  V_SIZE % 2 == 0 && (BR * PARTS) % 2 == 0, "16-byte aligned regions");
};

/* Thread coordinates in a grid of gx_count column groups, wx of them per warp. */
struct GridPos {
    int gy, gx;
};
__device__ __forceinline__ GridPos grid_pos(int tid, int gx_count, int wx)
{
    int warp = tid / 32, lane = tid % 32;
    int warps_per_row = gx_count / wx;
    GridPos g;
    g.gx = (warp % warps_per_row) * wx + lane % wx;
    g.gy = (warp / warps_per_row) * (32 / wx) + lane / wx;
    return g;
}

/* dst[x * ld + r] = src[r * d + x] (widened) for r < rows_valid, x < d; zero
 * for the other r < NR, x < DP. Lanes run along r, so the shared-memory stores
 * do not conflict. */
template <class C, int NR>
__device__ __forceinline__ void load_transposed(double *dst, int ld, const float *src,
                                                int rows_valid, int d, bool vec4, int tid)
{
    if (vec4) {
        constexpr int TOTAL = NR * (C::DP / 4);
        constexpr int ITERS = (TOTAL + C::NT - 1) / C::NT;
        float4 buf[ITERS];
#pragma unroll
        for (int it = 0; it < ITERS; ++it) {
            int idx = tid + it * C::NT;
            int r = idx % NR, x = 4 * (idx / NR);
            buf[it] = make_float4(0.0f, 0.0f, 0.0f, 0.0f);
            if (idx < TOTAL && r < rows_valid && x < d)
                buf[it] = *reinterpret_cast<const float4 *>(src + (size_t)r * d + x);
        }
#pragma unroll
        for (int it = 0; it < ITERS; ++it) {
            int idx = tid + it * C::NT;
            int r = idx % NR, x = 4 * (idx / NR);
            if (idx < TOTAL) {
                dst[(x + 0) * ld + r] = fr_widen(buf[it].x);
                dst[(x + 1) * ld + r] = fr_widen(buf[it].y);
                dst[(x + 2) * ld + r] = fr_widen(buf[it].z);
                dst[(x + 3) * ld + r] = fr_widen(buf[it].w);
            }
        }
    } else {
        for (int idx = tid; idx < NR * C::DP; idx += C::NT) {
            int r = idx % NR, x = idx / NR;
            double val = 0.0;
            if (r < rows_valid && x < d)
                val = fr_widen(src[(size_t)r * d + x]);
            dst[x * ld + r] = val;
        }
    }
}

/* V[c * V_LD + x] = src[c * d + x] (widened) for c < rows_valid, x < d; zero
 * elsewhere. */
template <class C>
__device__ __forceinline__ void load_v(double *dst, const float *src, int rows_valid, int d,
                                       bool vec4, int tid)
{
    if (vec4) {
        constexpr int QUADS = C::DP / 4;
        constexpr int TOTAL = C::KC * QUADS;
        constexpr int ITERS = (TOTAL + C::NT - 1) / C::NT;
        float4 buf[ITERS];
#pragma unroll
        for (int it = 0; it < ITERS; ++it) {
            int idx = tid + it * C::NT;
            int c = idx / QUADS, x = 4 * (idx % QUADS);
            buf[it] = make_float4(0.0f, 0.0f, 0.0f, 0.0f);
            if (idx < TOTAL && c < rows_valid && x < d)
                buf[it] = *reinterpret_cast<const float4 *>(src + (size_t)c * d + x);
        }
#pragma unroll
        for (int it = 0; it < ITERS; ++it) {
            int idx = tid + it * C::NT;
            int c = idx / QUADS, x = 4 * (idx % QUADS);
            if (idx < TOTAL) {
                double2 *row = reinterpret_cast<double2 *>(dst + c * C::V_LD + x);
                row[0] = make_double2(fr_widen(buf[it].x), fr_widen(buf[it].y));
                row[1] = make_double2(fr_widen(buf[it].z), fr_widen(buf[it].w));
            }
        }
    } else {
        for (int idx = tid; idx < C::KC * C::DP; idx += C::NT) {
            int c = idx / C::DP, x = idx % C::DP;
            double val = 0.0;
            if (c < rows_valid && x < d)
                val = fr_widen(src[(size_t)c * d + x]);
            dst[c * C::V_LD + x] = val;
        }
    }
}

/* s[i][j] = fr_score(q row, k row): fr_mul(fma chain over x, scale). */
template <class C>
__device__ __forceinline__ void compute_scores(const double *QT, const double *KT,
                                               double scale, GridPos g,
                                               double (&s)[C::TM][C::TN])
{
    double a[C::TM][C::TN];
#pragma unroll
    for (int i = 0; i < C::TM; ++i)
#pragma unroll
        for (int j = 0; j < C::TN; ++j)
            a[i][j] = 0.0;
#pragma unroll C::SU
    for (int x = 0; x < C::DP; ++x) {
        const double *qrow = QT + x * C::QT_LD;
        const double *krow = KT + x * C::KT_LD;
        double q[C::TM], k[C::TN];
#pragma unroll
        for (int i = 0; i < C::TM; i += 2) {
            double2 t = *reinterpret_cast<const double2 *>(qrow + spread(g.gy, i, C::GY));
            q[i] = t.x;
            q[i + 1] = t.y;
        }
#pragma unroll
        for (int j = 0; j < C::TN; j += 2) {
            double2 t = *reinterpret_cast<const double2 *>(krow + spread(g.gx, j, C::GX));
            k[j] = t.x;
            k[j + 1] = t.y;
        }
#pragma unroll
        for (int i = 0; i < C::TM; ++i)
#pragma unroll
            for (int j = 0; j < C::TN; ++j)
                a[i][j] = fr_fma(q[i], k[j], a[i][j]);
    }
#pragma unroll
    for (int i = 0; i < C::TM; ++i)
#pragma unroll
        for (int j = 0; j < C::TN; ++j)
            s[i][j] = fr_mul(a[i][j], scale);
}

/* Folds the scores of the keys each row sees (column < nloc[i]) into bm. */
template <class C, bool MASKED>
__device__ __forceinline__ void fold_max(const double (&s)[C::TM][C::TN], const int (&nloc)[C::TM],
                                         GridPos g, double (&bm)[C::TM])
{
#pragma unroll
    for (int i = 0; i < C::TM; ++i)
#pragma unroll
        for (int j = 0; j < C::TN; ++j)
            if (!MASKED || spread(g.gx, j, C::GX) < nloc[i])
                bm[i] = fr_max(bm[i], s[i][j]);
}

/* Combines bm over the GX threads of each row; every thread of the row ends
 * with the same value, read back from shared memory. Contains a barrier. */
template <class C>
__device__ __forceinline__ void reduce_max(double (&bm)[C::TM], double *red, GridPos g, int tid)
{
#pragma unroll
    for (int i = 0; i < C::TM; ++i)
#pragma unroll
        for (int off = 1; off < C::WX; off <<= 1)
            bm[i] = fr_max(bm[i], __shfl_xor_sync(0xffffffffu, bm[i], off));
    if ((tid % 32) % C::WX == 0) {
#pragma unroll
        for (int i = 0; i < C::TM; ++i)
            red[spread(g.gy, i, C::GY) * C::PARTS + g.gx / C::WX] = bm[i];
    }
    __syncthreads();
#pragma unroll
    for (int i = 0; i < C::TM; ++i) {
        const double *part = red + spread(g.gy, i, C::GY) * C::PARTS;
        double m = part[0];
#pragma unroll
        for (int k = 1; k < C::PARTS; ++k)
            m = fr_max(m, part[k]);
        bm[i] = m;
    }
}

/* PT[c][row] = exp(s - m) for the keys the row sees, +0 for the others. */
template <class C, bool MASKED>
__device__ __forceinline__ void write_p(const double (&s)[C::TM][C::TN], const double (&m)[C::TM],
                                        const int (&nloc)[C::TM], double *PT, GridPos g)
{
#pragma unroll
    for (int j = 0; j < C::TN; ++j) {
        int c = spread(g.gx, j, C::GX);
#pragma unroll
        for (int i = 0; i < C::TM; i += 2) {
            double p0 = fr_exp(fr_sub(s[i][j], fr_shift_point(m[i])));
            double p1 = fr_exp(fr_sub(s[i + 1][j], fr_shift_point(m[i + 1])));
            if (MASKED) {
                if (!(c < nloc[i]))
                    p0 = 0.0;
                if (!(c < nloc[i + 1]))
                    p1 = 0.0;
            }
            *reinterpret_cast<double2 *>(PT + c * C::PT_LD + spread(g.gy, i, C::GY)) =
                make_double2(p0, p1);
        }
    }
}

/* acc[i][j] = fma(p[c], v[c][x], acc[i][j]) for the keys c < n of the tile in
 * increasing order, skipping keys a row does not see; the row-sum threads
 * (SUMS, one row each, row = tid) also add p[c][row] to sum in key order. */
template <class C, bool MASKED, bool SUMS>
__device__ __forceinline__ void accumulate_pv(const double *PT, const double *V, int n,
                                              const int (&nloc)[C::TMO], GridPos g, int tid,
                                              double (&acc)[C::TMO][C::TNO], double &sum)
{
    const int keys = MASKED ? n : C::KC;
#pragma unroll C::PU
    for (int c = 0; c < keys; ++c) {
        const double *prow = PT + c * C::PT_LD;
        const double *vrow = V + c * C::V_LD;
        double p[C::TMO], v[C::TNO];
#pragma unroll
        for (int i = 0; i < C::TMO; i += 2) {
            double2 t = *reinterpret_cast<const double2 *>(prow + spread(g.gy, i, C::GYO));
            p[i] = t.x;
            p[i + 1] = t.y;
        }
#pragma unroll
        for (int j = 0; j < C::TNO; j += 2) {
            double2 t = *reinterpret_cast<const double2 *>(vrow + spread(g.gx, j, C::GXO));
            v[j] = t.x;
            v[j + 1] = t.y;
        }
#pragma unroll
        for (int i = 0; i < C::TMO; ++i) {
            if (!MASKED || c < nloc[i]) {
#pragma unroll
                for (int j = 0; j < C::TNO; ++j)
                    acc[i][j] = fr_fma(p[i], v[j], acc[i][j]);
            }
        }
        if (SUMS)
            sum = fr_add(sum, prow[tid]);
    }
}

template <class C, bool MASKED>
__device__ __forceinline__ void accumulate_pv_dispatch(const double *PT, const double *V, int n,
                                                       const int (&nloc)[C::TMO], GridPos g,
                                                       int tid, double (&acc)[C::TMO][C::TNO],
                                                       double &sum)
{
    if (tid < C::BR)   /* whole warps: BR is a multiple of 32 */
        accumulate_pv<C, MASKED, true>(PT, V, n, nloc, g, tid, acc, sum);
    else
        accumulate_pv<C, MASKED, false>(PT, V, n, nloc, g, tid, acc, sum);
}

/* Local counts: keys of the tile [c0, c0 + w) a row seeing vis keys sees. */
__device__ __forceinline__ int tile_visible(int vis, int c0, int w)
{
    int n = vis - c0;
    return n < 0 ? 0 : (n > w ? w : n);
}

/* One CTA: BR query rows of one (batch, query head). cta is the linear block
 * index (tiles of heavy causal rows first), smem holds C::SMEM_DOUBLES. */
template <class C>
__device__ void cta_run(const Params &p, double *smem, int cta, int tid)
{
    double *QT = smem;
    double *KT = QT + C::QT_SIZE;
    double *PT = KT;   /* p replaces K once the scores are computed */
    double *V = KT + C::KP_SIZE;
    double *red = V + C::V_SIZE;
    double *alpha_s = red + C::BR * C::PARTS;
    double *m_s = alpha_s + C::BR;
    double *l_s = m_s + C::BR;

    const int heads = p.batch * p.q_heads;
    const int tile = p.row_tiles - 1 - cta / heads;
    const int bh = cta % heads;
    const int b = bh / p.q_heads, h = bh % p.q_heads;
    const int hk = h / (p.q_heads / p.kv_heads);
    const int nq = p.q_len, nk = p.kv_len, d = p.d;
    const int i0 = tile * C::BR;
    const bool vec4 = p.vec4 != 0;

    const float *q = p.d_q + ((size_t)(b * p.q_heads + h) * nq + i0) * d;
    const float *k = p.d_k + (size_t)(b * p.kv_heads + hk) * nk * d;
    const float *v = p.d_v + (size_t)(b * p.kv_heads + hk) * nk * d;
    double *o = p.d_o + ((size_t)(b * p.q_heads + h) * nq + i0) * d;
    double *lse = p.d_lse + (size_t)(b * p.q_heads + h) * nq + i0;

    const GridPos gs = grid_pos(tid, C::GX, C::WX);
    const GridPos go = grid_pos(tid, C::GXO, C::WXO);
    const int rows_valid = nq - i0 < C::BR ? nq - i0 : C::BR;

    /* Visible keys of each row this thread touches; rows past Nq copy the
     * last row (their results are never stored). */
    int vis_s[C::TM], vis_o[C::TMO];
#pragma unroll
    for (int i = 0; i < C::TM; ++i) {
        int r = spread(gs.gy, i, C::GY);
        vis_s[i] = visible_keys(p.causal, i0 + (r < rows_valid ? r : rows_valid - 1), nq, nk);
    }
#pragma unroll
    for (int i = 0; i < C::TMO; ++i) {
        int r = spread(go.gy, i, C::GYO);
        vis_o[i] = visible_keys(p.causal, i0 + (r < rows_valid ? r : rows_valid - 1), nq, nk);
    }
    const int vis_sum = visible_keys(p.causal, i0 + (tid < rows_valid ? tid : rows_valid - 1),
                                     nq, nk);
    const int vis_first = visible_keys(p.causal, i0, nq, nk);
    const int key_end = visible_keys(p.causal, i0 + rows_valid - 1, nq, nk);

    double m[C::TM];
#pragma unroll
    for (int i = 0; i < C::TM; ++i)
        m[i] = fr_neg_inf();
    double acc[C::TMO][C::TNO];
#pragma unroll
    for (int i = 0; i < C::TMO; ++i)
#pragma unroll
        for (int j = 0; j < C::TNO; ++j)
            acc[i][j] = 0.0;
    double l = 0.0;   /* row tid's, for tid < BR */

    load_transposed<C, C::BR>(QT, C::QT_LD, q, rows_valid, d, vec4, tid);

    const int bc = p.block_cols;
    for (int j0 = 0; j0 < key_end; j0 += bc) {
        const int cols = nk - j0 < bc ? nk - j0 : bc;
        const int chunks = (cols + C::KC - 1) / C::KC;
        const bool first = j0 == 0;

        double s[C::TM][C::TN];
        double bm[C::TM];
#pragma unroll
        for (int i = 0; i < C::TM; ++i)
            bm[i] = fr_neg_inf();

        /* Pass 1: the block maximum (with the scores kept when one tile
         * holds the whole block). */
        for (int t = 0; t < chunks; ++t) {
            const int c0 = j0 + t * C::KC;
            const int w = cols - t * C::KC < C::KC ? cols - t * C::KC : C::KC;
            load_transposed<C, C::KC>(KT, C::KT_LD, k + (size_t)c0 * d, w, d, vec4, tid);
            if (chunks == 1)
                load_v<C>(V, v + (size_t)c0 * d, w, d, vec4, tid);
            __syncthreads();
            compute_scores<C>(QT, KT, p.scale, gs, s);
            int nloc[C::TM];
#pragma unroll
            for (int i = 0; i < C::TM; ++i)
                nloc[i] = tile_visible(vis_s[i], c0, w);
            if (w == C::KC && vis_first >= c0 + C::KC)
                fold_max<C, false>(s, nloc, gs, bm);
            else
                fold_max<C, true>(s, nloc, gs, bm);
            if (chunks > 1)
                __syncthreads();   /* KT is reloaded */
        }
        reduce_max<C>(bm, red, gs, tid);   /* barrier: KT reads are over */

        /* The online-softmax update of m; alpha for the P V threads. */
#pragma unroll
        for (int i = 0; i < C::TM; ++i) {
            double alpha = 1.0;
            if (visible_in_block(vis_s[i], j0, cols) > 0) {
                if (first) {
                    m[i] = bm[i];
                } else {
                    double m_new = fr_max(m[i], bm[i]);
                    alpha = fr_exp(fr_sub(m[i], fr_shift_point(m_new)));
                    m[i] = m_new;
                }
            }
            if (gs.gx == 0)
                alpha_s[spread(gs.gy, i, C::GY)] = alpha;
        }

        /* Pass 2: p, the row sums and P V, tile by tile in key order. */
        double sum = 0.0;
        double alpha_row = 1.0;
        for (int t = 0; t < chunks; ++t) {
            const int c0 = j0 + t * C::KC;
            const int w = cols - t * C::KC < C::KC ? cols - t * C::KC : C::KC;
            if (chunks > 1) {
                load_transposed<C, C::KC>(KT, C::KT_LD, k + (size_t)c0 * d, w, d, vec4, tid);
                load_v<C>(V, v + (size_t)c0 * d, w, d, vec4, tid);
                __syncthreads();
                compute_scores<C>(QT, KT, p.scale, gs, s);
                __syncthreads();   /* PT overwrites KT */
            }
            const bool full = w == C::KC && vis_first >= c0 + C::KC;
            int nloc[C::TM];
#pragma unroll
            for (int i = 0; i < C::TM; ++i)
                nloc[i] = tile_visible(vis_s[i], c0, w);
            if (full)
                write_p<C, false>(s, m, nloc, PT, gs);
            else
                write_p<C, true>(s, m, nloc, PT, gs);
            __syncthreads();

            if (t == 0) {
                if (tid < C::BR)
                    alpha_row = alpha_s[tid];
                if (!first) {
#pragma unroll
                    for (int i = 0; i < C::TMO; ++i) {
                        double a = alpha_s[spread(go.gy, i, C::GYO)];
#pragma unroll
                        for (int j = 0; j < C::TNO; ++j)
                            acc[i][j] = fr_mul(acc[i][j], a);
                    }
                }
            }
            int nloc_o[C::TMO];
#pragma unroll
            for (int i = 0; i < C::TMO; ++i)
                nloc_o[i] = tile_visible(vis_o[i], c0, w);
            if (full)
                accumulate_pv_dispatch<C, false>(PT, V, w, nloc_o, go, tid, acc, sum);
            else
                accumulate_pv_dispatch<C, true>(PT, V, w, nloc_o, go, tid, acc, sum);
            __syncthreads();   /* PT, V and alpha_s are rewritten next */
        }

        if (tid < C::BR && visible_in_block(vis_sum, j0, cols) > 0)
            l = first ? sum : fr_fma(alpha_row, l, sum);

        if (nk - j0 <= bc)
            break;
    }

    /* fr_tiled_finalize: O = acc / l and LSE = m + log(l); O = 0 and
     * LSE = -inf for rows that see no key or whose scores are all -inf. */
    if (gs.gx == 0) {
#pragma unroll
        for (int i = 0; i < C::TM; ++i)
            m_s[spread(gs.gy, i, C::GY)] = m[i];
    }
    if (tid < C::BR)
        l_s[tid] = l;
    __syncthreads();
#pragma unroll
    for (int i = 0; i < C::TMO; ++i) {
        int r = spread(go.gy, i, C::GYO);
        if (r < rows_valid) {
            double row_l = l_s[r];
#pragma unroll
            for (int j = 0; j < C::TNO; ++j) {
                int x = spread(go.gx, j, C::GXO);
                if (x < d)
                    o[(size_t)r * d + x] =
                        vis_o[i] == 0 || row_l == 0.0 ? 0.0 : fr_div(acc[i][j], row_l);
            }
        }
    }
    if (tid < rows_valid)
        lse[tid] = vis_sum == 0 || l == 0.0 ? fr_neg_inf() : fr_add(m_s[tid], fr_log(l));
}

} /* namespace frk */

#endif /* FLASHREF_TILED_MIRROR_CUH */
