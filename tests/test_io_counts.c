/* Transfer counts and fast-memory use.
 *
 * For each shape the counters a run reports must equal the library's closed
 * forms AND a count derived here by walking the loops that include/flashref.h
 * describes (the second check does not use the closed forms, so a bug shared
 * by the closed form and the counted code is still caught). Also: the fast
 * memory peak, the default tiling rule, the tiled bound, and causal <= full.
 *
 * Usage: test_io_counts [seed [cases]] */
#include "common.h"

/* ---- counts from first principles ---------------------------------------- */

/* Tiled, one head: each query block loads its Q tile, then K and V tiles for
 * every key block up to the last key its last row sees, then stores O and
 * LSE for its rows. */
static fr_io_count walk_tiled(const fr_problem *p, fr_blocks b)
{
    uint64_t rd = 0, wr = 0, d = p->head_dim;
    size_t nq = p->q_len, nk = p->kv_len;
    for (size_t i0 = 0; i0 < nq; i0 += b.rows) {
        size_t rows = nq - i0 < b.rows ? nq - i0 : b.rows;
        rd += rows * d;
        size_t seen = ref_visible_count(p->causal, i0 + rows - 1, nq, nk);
        for (size_t j0 = 0; j0 < seen; j0 += b.cols) {
            size_t cols = nk - j0 < b.cols ? nk - j0 : b.cols;
            rd += 2 * cols * d;
        }
        wr += rows * d + rows;
    }
    uint64_t heads = (uint64_t)p->batch * p->q_heads;
    fr_io_count c = {rd * heads, wr * heads};
    return c;
}

/* Standard, one head: phase 1 loads every Q tile once and every K tile once
 * per query block and stores S; phase 2 reads each row of S three times and
 * stores its P row and LSE; phase 3 loads every P tile and every V tile once
 * per query block and stores O. */
static fr_io_count walk_standard(const fr_problem *p, fr_blocks b)
{
    uint64_t rd = 0, wr = 0, d = p->head_dim;
    size_t nq = p->q_len, nk = p->kv_len;
    for (size_t i0 = 0; i0 < nq; i0 += b.rows) {
        size_t rows = nq - i0 < b.rows ? nq - i0 : b.rows;
        rd += rows * d;
        for (size_t j0 = 0; j0 < nk; j0 += b.cols) {
            size_t cols = nk - j0 < b.cols ? nk - j0 : b.cols;
            rd += cols * d;
            wr += rows * cols;
        }
    }
    for (size_t i = 0; i < nq; i++) {
        rd += 3 * (uint64_t)nk;
        wr += nk + 1;
    }
    for (size_t i0 = 0; i0 < nq; i0 += b.rows) {
        size_t rows = nq - i0 < b.rows ? nq - i0 : b.rows;
        for (size_t j0 = 0; j0 < nk; j0 += b.cols) {
            size_t cols = nk - j0 < b.cols ? nk - j0 : b.cols;
            rd += rows * cols + cols * d;
        }
        wr += rows * d;
    }
    uint64_t heads = (uint64_t)p->batch * p->q_heads;
    fr_io_count c = {rd * heads, wr * heads};
    return c;
}

static int same(fr_io_count a, fr_io_count b)
{
    return a.words_read == b.words_read && a.words_written == b.words_written;
}

#define COUNT_FMT "%" PRIu64 "/%" PRIu64
#define COUNT_ARGS(c) (c).words_read, (c).words_written

/* Closed forms against the walk, the bound, causal <= full: no run needed. */
static void check_closed_forms(const fr_problem *p, size_t M, fr_blocks b, int is_default,
                               const char *what)
{
    fr_io_count ct, cs;
    fr_status st1 = fr_io_tiled(p, b, &ct), st2 = fr_io_standard(p, b, &cs);
    CHECK(st1 == FR_OK && st2 == FR_OK, "%s: fr_io status %d %d", what, (int)st1, (int)st2);
    if (st1 != FR_OK || st2 != FR_OK)
        return;
    fr_io_count wt = walk_tiled(p, b), ws = walk_standard(p, b);
    CHECK(same(ct, wt), "%s: fr_io_tiled " COUNT_FMT " walk " COUNT_FMT, what, COUNT_ARGS(ct),
          COUNT_ARGS(wt));
    CHECK(same(cs, ws), "%s: fr_io_standard " COUNT_FMT " walk " COUNT_FMT, what,
          COUNT_ARGS(cs), COUNT_ARGS(ws));
    if (p->causal != FR_CAUSAL_NONE) {
        fr_problem full = *p;
        full.causal = FR_CAUSAL_NONE;
        fr_io_count cf;
        CHECK(fr_io_tiled(&full, b, &cf) == FR_OK, "%s: non-causal fr_io_tiled", what);
        CHECK(ct.words_read <= cf.words_read && ct.words_written <= cf.words_written,
              "%s: causal tiled " COUNT_FMT " > non-causal " COUNT_FMT, what, COUNT_ARGS(ct),
              COUNT_ARGS(cf));
    }
    if (is_default) {
        double total = (double)ct.words_read + (double)ct.words_written;
        double bound = fr_tiled_bound(p, M);
        CHECK(total <= bound, "%s: tiled words %.17g above fr_tiled_bound %.17g", what, total,
              bound);
    }
}

/* ---- the random family, run ----------------------------------------------- */

static void run_family(uint64_t seed, size_t ncases)
{
    rng r = {seed};
    for (size_t idx = 0; idx < ncases; idx++) {
        tcase c;
        tensors t;
        make_case(&r, idx, 4e5, &c);
        make_tensors(&r, &c, &t);
        int before = g_failures;
        fr_blocks b = case_blocks(&c);
        double *o = xmalloc(t.nq_el * sizeof(double)), *lse = xmalloc(t.nlse * sizeof(double));
        for (int tiled = 0; tiled <= 1; tiled++) {
            const char *name = tiled ? "tiled" : "standard";
            fr_io_stats s;
            memset(&s, 0xff, sizeof s);
            fr_status st = run_algo(tiled, &c, &t, o, lse, &s);
            CHECK(st == FR_OK, "case %zu %s: status %d", idx, name, (int)st);
            if (st != FR_OK)
                continue;
            fr_io_count closed, walk = tiled ? walk_tiled(&c.p, b) : walk_standard(&c.p, b);
            fr_status cst = tiled ? fr_io_tiled(&c.p, b, &closed) : fr_io_standard(&c.p, b, &closed);
            CHECK(cst == FR_OK, "case %zu %s: closed form status %d", idx, name, (int)cst);
            CHECK(same(s.io, closed), "case %zu %s: counted " COUNT_FMT " closed form " COUNT_FMT,
                  idx, name, COUNT_ARGS(s.io), COUNT_ARGS(closed));
            CHECK(same(s.io, walk), "case %zu %s: counted " COUNT_FMT " walk " COUNT_FMT, idx,
                  name, COUNT_ARGS(s.io), COUNT_ARGS(walk));
            CHECK(s.fast_peak <= c.M, "case %zu %s: fast peak %zu > M %zu", idx, name,
                  s.fast_peak, c.M);
            CHECK(s.fast_peak > 0, "case %zu %s: fast peak 0", idx, name);
            CHECK(s.blocks.rows == b.rows && s.blocks.cols == b.cols,
                  "case %zu %s: stats report blocks %zu x %zu, used %zu x %zu", idx, name,
                  s.blocks.rows, s.blocks.cols, b.rows, b.cols);
            if (tiled) {
                size_t need = fr_fast_words_needed(b, c.p.head_dim);
                CHECK(need == ref_words_needed(b, c.p.head_dim),
                      "case %zu: fr_fast_words_needed %zu, formula %" PRIu64, idx, need,
                      ref_words_needed(b, c.p.head_dim));
                CHECK(s.fast_peak == need, "case %zu tiled: fast peak %zu, needed %zu", idx,
                      s.fast_peak, need);
            }
        }
        check_closed_forms(&c.p, c.M, b, !c.user_blocks, c.tag);
        if (c.user_blocks) {
            /* the same shape with the default tiling, for the bound */
            fr_blocks db;
            CHECK(fr_blocks_default(c.M, c.p.head_dim, c.p.q_len, c.p.kv_len, &db) == FR_OK,
                  "case %zu: fr_blocks_default", idx);
            check_closed_forms(&c.p, c.M, db, 1, c.tag);
        }
        if (g_failures != before) {
            fprintf(stderr, "  in case %zu ", idx);
            print_case(stderr, &c);
            fputc('\n', stderr);
        }
        free(o);
        free(lse);
        free_tensors(&t);
    }
}

/* ---- closed forms on a wider grid (no run) -------------------------------- */

static void sweep_closed_forms(rng *r)
{
    static const size_t lens[] = {1, 2, 3, 7, 16, 31, 64, 100, 257, 1000, 1531};
    static const size_t dims[] = {1, 2, 3, 8, 64, 128, 256};
    size_t nl = sizeof lens / sizeof lens[0], nd = sizeof dims / sizeof dims[0];
    size_t checked = 0;
    for (size_t a = 0; a < nl; a++)
        for (size_t bb = 0; bb < nl; bb++)
            for (size_t di = 0; di < nd; di++)
                for (int causal = 0; causal <= 2; causal++) {
                    size_t d = dims[di];
                    fr_problem p = fr_problem_make(1 + (a + bb) % 2, 2, 1 + (a % 2), lens[a],
                                                   lens[bb], d, (fr_causal)causal);
                    size_t lo = fr_min_fast_words(d);
                    size_t Ms[3] = {lo, lo + rng_range(r, 0, 50 * d * d),
                                    lo + rng_range(r, 0, 3 * (lens[a] + lens[bb]) * d)};
                    for (int mi = 0; mi < 3; mi++) {
                        fr_blocks b;
                        if (fr_blocks_default(Ms[mi], d, p.q_len, p.kv_len, &b) != FR_OK) {
                            CHECK(0, "fr_blocks_default(%zu, %zu) failed", Ms[mi], d);
                            continue;
                        }
                        /* The walk is O(T * Nk / Bc): skip the slowest corner. */
                        if ((double)(p.q_len / b.rows + 1) * (double)(p.kv_len / b.cols + 1) > 3e5)
                            continue;
                        char what[96];
                        snprintf(what, sizeof what, "sweep Nq=%zu Nk=%zu d=%zu causal=%d M=%zu",
                                 p.q_len, p.kv_len, d, causal, Ms[mi]);
                        check_closed_forms(&p, Ms[mi], b, 1, what);
                        checked++;
                    }
                }
    printf("test_io_counts: closed forms checked on %zu more shapes\n", checked);
}

/* ---- the default tiling rule ---------------------------------------------- */

static void check_default_at(size_t M, size_t d, rng *r)
{
    fr_blocks b;
    fr_status st = fr_blocks_default(M, d, SIZE_MAX, SIZE_MAX, &b);
    CHECK(st == FR_OK, "fr_blocks_default(M=%zu, d=%zu): status %d", M, d, (int)st);
    if (st != FR_OK)
        return;
    uint64_t br = b.rows, bc = b.cols, D = d, m = M;
    /* the documented floor rule, computed here */
    uint64_t want_bc = m / (6 * D);
    if (want_bc < 1) want_bc = 1;
    if (want_bc > D) want_bc = D;
    uint64_t want_br = (m - 2 * want_bc * D) / (2 * D + want_bc + 2);
    CHECK(bc == want_bc && br == want_br, "M=%zu d=%zu: blocks %zux%zu, rule gives %" PRIu64
          "x%" PRIu64, M, d, b.rows, b.cols, want_br, want_bc);
    CHECK(br * (2 * D + bc + 2) + 2 * bc * D <= m, "M=%zu d=%zu: %zux%zu overflows M", M, d,
          b.rows, b.cols);
    CHECK((6 * D + 5) * br >= m, "M=%zu d=%zu: Br=%zu too small, (6d+5)Br < M", M, d, b.rows);
    CHECK(bc >= 1 && bc <= D && br >= 1, "M=%zu d=%zu: blocks %zux%zu out of range", M, d,
          b.rows, b.cols);
    /* the caps at Nq and Nk */
    size_t nq = rng_range(r, 1, 2 * b.rows + 2), nk = rng_range(r, 1, 2 * b.cols + 2);
    fr_blocks c;
    st = fr_blocks_default(M, d, nq, nk, &c);
    CHECK(st == FR_OK && c.rows == (b.rows < nq ? b.rows : nq) &&
          c.cols == (b.cols < nk ? b.cols : nk),
          "M=%zu d=%zu Nq=%zu Nk=%zu: capped blocks %zux%zu from %zux%zu", M, d, nq, nk,
          c.rows, c.cols, b.rows, b.cols);
}

static void check_default_rule(rng *r)
{
    size_t calls = 0;
    for (size_t d = 1; d <= 300; d++) {
        size_t lo = 4 * d + 3, hi = 50 * d * d;
        if (hi < lo + 200)
            hi = lo + 200;
        fr_blocks b;
        CHECK(fr_min_fast_words(d) == lo, "fr_min_fast_words(%zu) = %zu", d, fr_min_fast_words(d));
        CHECK(fr_blocks_default(lo - 1, d, 10, 10, &b) == FR_ERR_FAST_MEMORY_TOO_SMALL,
              "fr_blocks_default(4d+2, d=%zu) accepted", d);
        for (size_t M = lo; M < lo + 160; M++, calls++)
            check_default_at(M, d, r);
        /* both sides of every change of Bc, and past Bc = d */
        for (size_t c = 1; c <= d + 2 && 6 * d * c + 1 <= hi; c++)
            for (size_t M = 6 * d * c - 1; M <= 6 * d * c + 1; M++, calls++)
                if (M >= lo)
                    check_default_at(M, d, r);
        for (int k = 0; k < 100; k++, calls++)
            check_default_at(rng_range(r, lo, hi), d, r);
        check_default_at(hi, d, r);
    }
    printf("test_io_counts: default tiling rule checked on %zu (M, d) pairs\n", calls);
}

int main(int argc, char **argv)
{
    uint64_t seed = seed_from_args(argc, argv, 0x10c0fa57ull, "test_io_counts");
    size_t ncases = argc > 2 ? (size_t)strtoul(argv[2], NULL, 0) : 220;
    if (ncases < N_FORCED)
        ncases = N_FORCED;
    rng r = {seed ^ 0x5bd1e995ull};
    run_family(seed, ncases);
    sweep_closed_forms(&r);
    check_default_rule(&r);
    printf("test_io_counts: %zu run cases\n", ncases);
    return finish("test_io_counts");
}
