/* The documented edge semantics, checked in both algorithms: one key, rows
 * without a visible key, NaN and infinity propagation, bit-for-bit
 * reproducibility, independence from batch/head placement and from the
 * tiling where the algorithm promises it.
 *
 * Usage: test_semantics [--inf-scores] [seed]; --inf-scores runs only the
 * section on infinite scores, registered as a test of its own. */
#include "common.h"

typedef struct run {
    double *o, *lse;
    size_t no, nl;
    fr_status st;
} run;

static run run_new(const fr_problem *p)
{
    run r;
    r.no = q_elems(p);
    r.nl = lse_elems(p);
    r.o = xmalloc(r.no * sizeof(double));
    r.lse = xmalloc(r.nl * sizeof(double));
    /* a sentinel, so a value the library never wrote cannot look right */
    for (size_t i = 0; i < r.no; i++) r.o[i] = 12345.0;
    for (size_t i = 0; i < r.nl; i++) r.lse[i] = 12345.0;
    r.st = FR_ERR_INVALID_ARGUMENT;
    return r;
}

static void run_free(run *r)
{
    free(r->o);
    free(r->lse);
}

static run attend(int tiled, const fr_problem *p, size_t M, const fr_blocks *b,
                  const tensors *t)
{
    run r = run_new(p);
    if (tiled)
        r.st = fr_attention_tiled(p, M, b, t->q, t->k, t->v, r.o, r.lse, NULL);
    else
        r.st = fr_attention_standard(p, M, b, t->q, t->k, t->v, r.o, r.lse, NULL);
    return r;
}

static const char *name(int tiled) { return tiled ? "tiled" : "standard"; }

static void fill(rng *r, const fr_problem *p, tensors *t)
{
    tcase c;
    memset(&c, 0, sizeof c);
    c.p = *p;
    make_tensors(r, &c, t);
}

static int row_all_nan(const double *o, size_t d)
{
    for (size_t x = 0; x < d; x++)
        if (!isnan(o[x]))
            return 0;
    return 1;
}

static int row_all_finite(const double *o, size_t d)
{
    for (size_t x = 0; x < d; x++)
        if (!isfinite(o[x]))
            return 0;
    return 1;
}

/* One key and one query: O = v and LSE = scale * q.k exactly, since
 * exp(0) = 1 and log(1) = 0 are exact (faithful on exact values). */
static void one_key(rng *r)
{
    static const size_t dims[] = {1, 5, 64, 256};
    for (int di = 0; di < 4; di++)
        for (int causal = 0; causal <= 2; causal++) {
            size_t d = dims[di];
            fr_problem p = fr_problem_make(1, 1, 1, 1, 1, d, (fr_causal)causal);
            tensors t;
            fill(r, &p, &t);
            double s = dot_f(t.q, t.k, d) * p.scale;
            for (int tiled = 0; tiled <= 1; tiled++) {
                run a = attend(tiled, &p, fr_min_fast_words(d), NULL, &t);
                CHECK(a.st == FR_OK, "N=1 %s status %d", name(tiled), (int)a.st);
                CHECK(a.lse[0] == s, "N=1 d=%zu %s: LSE %a, want %a", d, name(tiled), a.lse[0], s);
                for (size_t x = 0; x < d; x++)
                    CHECK(a.o[x] == (double)t.v[x], "N=1 d=%zu %s: O[%zu] %a, want %a", d,
                          name(tiled), x, a.o[x], (double)t.v[x]);
                run_free(&a);
            }
            free_tensors(&t);
        }
}

/* Bottom-right with Nq > Nk: rows i < Nq - Nk see no key. */
static void masked_rows(rng *r)
{
    fr_problem p = fr_problem_make(2, 2, 1, 13, 5, 6, FR_CAUSAL_BOTTOM_RIGHT);
    tensors t;
    fill(r, &p, &t);
    fr_blocks blocks[3] = {{1, 1}, {4, 3}, {13, 5}};
    for (int tiled = 0; tiled <= 1; tiled++)
        for (int bi = 0; bi < 3; bi++) {
            run a = attend(tiled, &p, 100000, &blocks[bi], &t);
            CHECK(a.st == FR_OK, "masked %s status %d", name(tiled), (int)a.st);
            for (size_t row = 0; row < a.nl; row++) {
                size_t i = row % p.q_len;
                const double *o = a.o + row * p.head_dim;
                if (i < p.q_len - p.kv_len) {
                    CHECK(a.lse[row] == -INFINITY, "%s row %zu: LSE %g, want -inf", name(tiled),
                          i, a.lse[row]);
                    for (size_t x = 0; x < p.head_dim; x++)
                        CHECK(o[x] == 0.0, "%s row %zu: O %g, want 0", name(tiled), i, o[x]);
                } else {
                    CHECK(isfinite(a.lse[row]) && row_all_finite(o, p.head_dim),
                          "%s row %zu sees %zu keys but is not finite", name(tiled), i,
                          i + 1 - (p.q_len - p.kv_len));
                }
            }
            run_free(&a);
        }
    free_tensors(&t);
}

/* NaN in q row i: that row is NaN, every other row keeps its bits. */
static void nan_in_query(rng *r)
{
    fr_problem p = fr_problem_make(1, 4, 2, 11, 9, 5, FR_CAUSAL_NONE);
    tensors t;
    fill(r, &p, &t);
    fr_blocks b = {4, 3};
    size_t head = 3, row = 6, d = p.head_dim;
    for (int tiled = 0; tiled <= 1; tiled++) {
        run base = attend(tiled, &p, 100000, &b, &t);
        float saved = t.q[(head * p.q_len + row) * d + 2];
        t.q[(head * p.q_len + row) * d + 2] = NAN;
        run bad = attend(tiled, &p, 100000, &b, &t);
        t.q[(head * p.q_len + row) * d + 2] = saved;
        CHECK(base.st == FR_OK && bad.st == FR_OK, "nan q status");
        for (size_t rr = 0; rr < bad.nl; rr++) {
            if (rr == head * p.q_len + row) {
                CHECK(isnan(bad.lse[rr]) && row_all_nan(bad.o + rr * d, d),
                      "%s: NaN in q row did not make the row NaN", name(tiled));
            } else {
                CHECK(bits_equal(bad.o + rr * d, base.o + rr * d, d) &&
                          bits_equal(bad.lse + rr, base.lse + rr, 1),
                      "%s: NaN in q row %zu changed row %zu", name(tiled), row, rr);
            }
        }
        run_free(&base);
        run_free(&bad);
    }
    free_tensors(&t);
}

/* A poisoned key j (NaN or +-inf in K or V): rows that cannot see j keep
 * their bits (README: keys a row cannot see never touch it, whatever they
 * hold), also when j shares a key block with keys the row does see. With a
 * NaN, rows that see j are NaN: all of the row for a NaN score, the one
 * column for a NaN value (the other columns and the LSE keep their bits). */
static void poisoned_key(rng *r)
{
    const float poisons[3] = {NAN, INFINITY, -INFINITY};
    for (int causal = 1; causal <= 2; causal++) {
        fr_problem p = fr_problem_make(1, 2, 1, 12, 16, 4, (fr_causal)causal);
        tensors t;
        fill(r, &p, &t);
        size_t d = p.head_dim;
        fr_blocks blocks[3] = {{5, 4}, {1, 16}, {12, 3}};
        size_t keys[3] = {0, 7, 15};
        for (int tiled = 0; tiled <= 1; tiled++)
            for (int bi = 0; bi < 3; bi++) {
                run base = attend(tiled, &p, 100000, &blocks[bi], &t);
                for (int ki = 0; ki < 3; ki++)
                    for (int in_v = 0; in_v <= 1; in_v++)
                        for (int pi = 0; pi < 3; pi++) {
                            size_t j = keys[ki], col = 1;
                            float *slot = (in_v ? t.v : t.k) + j * d + col;
                            float saved = *slot;
                            *slot = poisons[pi];
                            run bad = attend(tiled, &p, 100000, &blocks[bi], &t);
                            *slot = saved;
                            CHECK(base.st == FR_OK && bad.st == FR_OK, "poison status");
                            for (size_t rr = 0; rr < bad.nl; rr++) {
                                size_t i = rr % p.q_len;
                                const double *o = bad.o + rr * d, *o0 = base.o + rr * d;
                                int same_lse = bits_equal(bad.lse + rr, base.lse + rr, 1);
                                if (!ref_visible(p.causal, i, j, p.q_len, p.kv_len)) {
                                    CHECK(bits_equal(o, o0, d) && same_lse,
                                          "%s causal=%d blocks %zux%zu: %g in masked %s[%zu] "
                                          "changed row %zu", name(tiled), causal,
                                          blocks[bi].rows, blocks[bi].cols, (double)poisons[pi],
                                          in_v ? "v" : "k", j, i);
                                } else if (pi == 0 && !in_v) {
                                    CHECK(isnan(bad.lse[rr]) && row_all_nan(o, d),
                                          "%s: NaN in visible k[%zu] left row %zu not NaN",
                                          name(tiled), j, i);
                                } else if (pi == 0) {
                                    int ok = isnan(o[col]) && same_lse;
                                    for (size_t x = 0; x < d; x++)
                                        if (x != col)
                                            ok = ok && bits_equal(o + x, o0 + x, 1);
                                    CHECK(ok, "%s: NaN in visible v[%zu][%zu]: row %zu wrong",
                                          name(tiled), j, col, i);
                                }
                            }
                            run_free(&bad);
                        }
                run_free(&base);
            }
        free_tensors(&t);
    }
}

/* Infinite logits (a huge finite scale, infinite inputs): whatever IEEE-754
 * gives, it is the same bits on every run. */
static void infinities(rng *r)
{
    fr_problem p = fr_problem_make(1, 2, 2, 9, 7, 3, FR_CAUSAL_BOTTOM_RIGHT);
    tensors t;
    fill(r, &p, &t);
    fr_blocks b = {2, 3};
    for (int variant = 0; variant < 4; variant++) {
        fr_problem pv = p;
        if (variant == 0) pv.scale = DBL_MAX;          /* every visible score +-inf */
        if (variant == 1) t.q[13] = INFINITY;          /* a visible query row with an inf */
        if (variant == 2) { t.k[4] = -INFINITY; t.v[7] = INFINITY; }
        if (variant == 3) pv.scale = -DBL_MAX;
        for (int tiled = 0; tiled <= 1; tiled++) {
            run a = attend(tiled, &pv, 100000, &b, &t), c = attend(tiled, &pv, 100000, &b, &t);
            CHECK(a.st == FR_OK && c.st == FR_OK, "inf variant %d status", variant);
            CHECK(bits_equal(a.o, c.o, a.no) && bits_equal(a.lse, c.lse, a.nl),
                  "inf variant %d %s: two runs differ", variant, name(tiled));
            /* rows without a visible key are unaffected by any of this */
            for (size_t rr = 0; rr < a.nl; rr++)
                if (rr % p.q_len < p.q_len - p.kv_len)
                    CHECK(a.lse[rr] == -INFINITY, "inf variant %d: masked row changed", variant);
            run_free(&a);
            run_free(&c);
        }
    }
    free_tensors(&t);
}

/* Two runs give the same bits; the same head data at another (batch, head)
 * position, with other heads around it, gives the same bits too. */
static void reproducible_and_placement(rng *r)
{
    for (int causal = 0; causal <= 2; causal++) {
        size_t nq = 23, nk = 17, d = 8;
        fr_problem one = fr_problem_make(1, 1, 1, nq, nk, d, (fr_causal)causal);
        fr_problem many = fr_problem_make(3, 6, 2, nq, nk, d, (fr_causal)causal);
        tensors t1, tm;
        fill(r, &one, &t1);
        fill(r, &many, &tm);
        /* put the single head's data at batch 2, query head 4 (kv head 1) */
        size_t bq = 2, hq = 4, hk = hq / (many.q_heads / many.kv_heads);
        memcpy(tm.q + (bq * many.q_heads + hq) * nq * d, t1.q, nq * d * sizeof(float));
        memcpy(tm.k + (bq * many.kv_heads + hk) * nk * d, t1.k, nk * d * sizeof(float));
        memcpy(tm.v + (bq * many.kv_heads + hk) * nk * d, t1.v, nk * d * sizeof(float));
        size_t Ms[2] = {fr_min_fast_words(d), 700};
        for (int tiled = 0; tiled <= 1; tiled++)
            for (int mi = 0; mi < 2; mi++) {
                run a = attend(tiled, &one, Ms[mi], NULL, &t1);
                run a2 = attend(tiled, &one, Ms[mi], NULL, &t1);
                run m = attend(tiled, &many, Ms[mi], NULL, &tm);
                CHECK(a.st == FR_OK && a2.st == FR_OK && m.st == FR_OK, "placement status");
                CHECK(bits_equal(a.o, a2.o, a.no) && bits_equal(a.lse, a2.lse, a.nl),
                      "%s causal=%d: two runs differ", name(tiled), causal);
                size_t off = bq * many.q_heads + hq;
                CHECK(bits_equal(a.o, m.o + off * nq * d, nq * d) &&
                          bits_equal(a.lse, m.lse + off * nq, nq),
                      "%s causal=%d M=%zu: head at (b=%zu, h=%zu) differs from the lone head",
                      name(tiled), causal, Ms[mi], bq, hq);
                run_free(&a);
                run_free(&a2);
                run_free(&m);
            }
        free_tensors(&t1);
        free_tensors(&tm);
    }
}

/* Tiled: rows are independent, so Br never changes a bit (for a fixed Bc);
 * Bc changes the summation order, so only within 1e-12. Standard: P is a
 * whole row and every sum runs left to right over keys, so neither block
 * size changes a bit. */
static void tiling_independence(rng *r)
{
    for (int causal = 0; causal <= 2; causal++)
        for (int shape = 0; shape < 2; shape++) {
            size_t nq = shape ? 41 : 19, nk = shape ? 19 : 41, d = 6;
            fr_problem p = fr_problem_make(1, 2, 1, nq, nk, d, (fr_causal)causal);
            tensors t;
            fill(r, &p, &t);
            size_t M = 1000000;
            size_t bcs[4] = {1, 4, 7, nk};
            run ref_t = attend(1, &p, M, &(fr_blocks){1, 1}, &t);
            run ref_s = attend(0, &p, M, &(fr_blocks){1, 1}, &t);
            for (int ci = 0; ci < 4; ci++) {
                fr_blocks b0 = {1, bcs[ci]};
                run base = attend(1, &p, M, &b0, &t);
                double dev = fmax(rel_diff(base.o, ref_t.o, base.no),
                                  rel_diff(base.lse, ref_t.lse, base.nl));
                CHECK(dev <= 1e-12, "tiled causal=%d: Bc=%zu vs Bc=1 differ by %.3g", causal,
                      bcs[ci], dev);
                for (size_t br = 2; br <= nq + 2; br += (br < 8 ? 1 : 5)) {
                    fr_blocks b = {br, bcs[ci]};
                    run a = attend(1, &p, M, &b, &t);
                    CHECK(a.st == FR_OK && bits_equal(a.o, base.o, a.no) &&
                              bits_equal(a.lse, base.lse, a.nl),
                          "tiled causal=%d Nq=%zu Nk=%zu: Br=%zu differs from Br=1 (Bc=%zu)",
                          causal, nq, nk, br, bcs[ci]);
                    run_free(&a);
                    run s = attend(0, &p, M, &b, &t);
                    CHECK(s.st == FR_OK && bits_equal(s.o, ref_s.o, s.no) &&
                              bits_equal(s.lse, ref_s.lse, s.nl),
                          "standard causal=%d: blocks %zux%zu differ from 1x1", causal, br,
                          bcs[ci]);
                    run_free(&s);
                }
                run_free(&base);
            }
            run_free(&ref_t);
            run_free(&ref_s);
            free_tensors(&t);
        }
}

/* Row i of a one-head problem with key j left out, plain loops and libm. */
static void naive_row_without(const fr_problem *p, const tensors *t, size_t i, size_t skip,
                              double *o, double *lse)
{
    size_t d = p->head_dim;
    double m = -INFINITY, l = 0.0;
    for (size_t j = 0; j < p->kv_len; j++)
        if (j != skip && ref_visible(p->causal, i, j, p->q_len, p->kv_len))
            m = fmax(m, dot_f(t->q + i * d, t->k + j * d, d) * p->scale);
    for (size_t x = 0; x < d; x++)
        o[x] = 0.0;
    if (m == -INFINITY) {
        *lse = -INFINITY;
        return;
    }
    for (size_t j = 0; j < p->kv_len; j++)
        if (j != skip && ref_visible(p->causal, i, j, p->q_len, p->kv_len))
            l += exp(dot_f(t->q + i * d, t->k + j * d, d) * p->scale - m);
    for (size_t j = 0; j < p->kv_len; j++)
        if (j != skip && ref_visible(p->causal, i, j, p->q_len, p->kv_len)) {
            double pj = exp(dot_f(t->q + i * d, t->k + j * d, d) * p->scale - m) / l;
            for (size_t x = 0; x < d; x++)
                o[x] += pj * (double)t->v[j * d + x];
        }
    *lse = m + log(l);
}

/* README: "a +inf score makes the row NaN (inf - inf); a -inf score
 * contributes exp(-inf) = 0". k[j][x] = -inf gives row i the score
 * -sign(q[i][x] * scale) * inf for key j and leaves its other scores finite:
 * rows with a -inf score must equal the answer without key j, whatever the
 * tiling, and rows with a +inf score must be NaN. */
static void infinite_scores(rng *r)
{
    for (int causal = 0; causal <= 2; causal++) {
        fr_problem p = fr_problem_make(1, 1, 1, 10, 12, 4, (fr_causal)causal);
        size_t d = p.head_dim, x = 2;
        tensors t;
        fill(r, &p, &t);
        size_t keys[3] = {0, 5, 11};
        size_t bcs[4] = {1, 2, 5, 12};
        for (int ki = 0; ki < 3; ki++) {
            size_t j = keys[ki];
            float saved = t.k[j * d + x];
            t.k[j * d + x] = -INFINITY;
            for (int tiled = 0; tiled <= 1; tiled++)
                for (int bi = 0; bi < 4; bi++) {
                    fr_blocks b = {3, bcs[bi]};
                    run a = attend(tiled, &p, 100000, &b, &t);
                    CHECK(a.st == FR_OK, "inf scores status %d", (int)a.st);
                    for (size_t i = 0; i < p.q_len; i++) {
                        if (!ref_visible(p.causal, i, j, p.q_len, p.kv_len))
                            continue;
                        double want_o[4], want_lse;
                        naive_row_without(&p, &t, i, j, want_o, &want_lse);
                        if (want_lse == -INFINITY)
                            continue;   /* only -inf scores: 0/0, not specified */
                        const double *o = a.o + i * d;
                        if ((double)t.q[i * d + x] * p.scale < 0.0) {
                            CHECK(isnan(a.lse[i]) && row_all_nan(o, d),
                                  "%s causal=%d Bc=%zu: row %zu with a +inf score for key %zu "
                                  "is not NaN", name(tiled), causal, b.cols, i, j);
                            continue;
                        }
                        double dev = fmax(rel_diff(o, want_o, d), rel_diff(a.lse + i, &want_lse, 1));
                        CHECK(dev <= 1e-12,
                              "%s causal=%d Bc=%zu: row %zu with a -inf score for key %zu: "
                              "O[0] %g LSE %g, without the key O[0] %g LSE %g",
                              name(tiled), causal, b.cols, i, j, o[0], a.lse[i], want_o[0],
                              want_lse);
                    }
                    run_free(&a);
                }
            t.k[j * d + x] = saved;
        }
        free_tensors(&t);
    }
}

/* fr_problem_make's scale is RN(1 / RN(sqrt(d))). */
static void default_scale(void)
{
    for (size_t d = 1; d <= 4096; d++) {
        fr_problem p = fr_problem_make(1, 1, 1, 1, 1, d, FR_CAUSAL_NONE);
        volatile double root = sqrt((double)d);
        CHECK(p.scale == 1.0 / root, "d=%zu: scale %a", d, p.scale);
    }
}

int main(int argc, char **argv)
{
    /* --inf-scores runs only that section (registered as its own test) */
    int inf_only = argc > 1 && strcmp(argv[1], "--inf-scores") == 0;
    if (inf_only) {
        argc--;
        argv++;
    }
    uint64_t seed = seed_from_args(argc, argv, 0x5e3a471c5ull, "test_semantics");
    rng r = {seed};
    if (inf_only) {
        infinite_scores(&r);
        return finish("test_semantics --inf-scores");
    }
    default_scale();
    one_key(&r);
    masked_rows(&r);
    nan_in_query(&r);
    poisoned_key(&r);
    infinities(&r);
    reproducible_and_placement(&r);
    tiling_independence(&r);
    return finish("test_semantics");
}
