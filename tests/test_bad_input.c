/* Rejected inputs: every entry point returns the documented status and does
 * not crash. The buffers passed are valid for a small problem, and the
 * problems below are rejected before any element is touched, so a call that
 * wrongly accepts one is reported by its status rather than by a crash.
 *
 * Usage: test_bad_input [--extremes] */

/* alarm() for the --extremes section */
#define _POSIX_C_SOURCE 200809L

#include <signal.h>
#include <unistd.h>

#include "common.h"

/* The OUT_OF_MEMORY case asks malloc for 2^61 bytes: under AddressSanitizer
 * that must return NULL like the system allocator, not abort. */
const char *__asan_default_options(void);
const char *__asan_default_options(void) { return "allocator_may_return_null=1"; }

/* Buffers large enough for every small problem used here. */
#define BUF_ELEMS 4096
static float g_q[BUF_ELEMS], g_k[BUF_ELEMS], g_v[BUF_ELEMS];
static double g_o[BUF_ELEMS], g_lse[BUF_ELEMS];

static const char *algo_name(int tiled) { return tiled ? "tiled" : "standard"; }

static fr_status call_algo(int tiled, const fr_problem *p, size_t M, const fr_blocks *b,
                           const float *q, const float *k, const float *v, double *o,
                           double *lse)
{
    fr_io_stats stats;
    if (tiled)
        return fr_attention_tiled(p, M, b, q, k, v, o, lse, &stats);
    return fr_attention_standard(p, M, b, q, k, v, o, lse, &stats);
}

/* Both algorithms, both fr_io_* closed forms and fr_problem_check give want. */
static void expect_problem(const fr_problem *p, fr_status want, const char *what)
{
    CHECK(fr_problem_check(p) == want, "%s: fr_problem_check %d, want %d", what,
          (int)fr_problem_check(p), (int)want);
    for (int tiled = 0; tiled <= 1; tiled++) {
        fr_status st = call_algo(tiled, p, 100000, NULL, g_q, g_k, g_v, g_o, g_lse);
        CHECK(st == want, "%s: %s returned %d, want %d", what, algo_name(tiled), (int)st,
              (int)want);
    }
    fr_blocks b = {2, 2};
    fr_io_count c;
    CHECK(fr_io_tiled(p, b, &c) == want, "%s: fr_io_tiled %d, want %d", what,
          (int)fr_io_tiled(p, b, &c), (int)want);
    CHECK(fr_io_standard(p, b, &c) == want, "%s: fr_io_standard %d, want %d", what,
          (int)fr_io_standard(p, b, &c), (int)want);
}

static void zero_sizes(void)
{
    fr_problem base = fr_problem_make(2, 4, 2, 5, 6, 8, FR_CAUSAL_NONE);
    CHECK(fr_problem_check(&base) == FR_OK, "base problem rejected");
    size_t *fields[6];
    const char *names[6] = {"B=0", "Hq=0", "Hkv=0", "Nq=0", "Nk=0", "d=0"};
    for (int f = 0; f < 6; f++) {
        fr_problem p = base;
        fields[0] = &p.batch; fields[1] = &p.q_heads; fields[2] = &p.kv_heads;
        fields[3] = &p.q_len; fields[4] = &p.kv_len; fields[5] = &p.head_dim;
        *fields[f] = 0;
        expect_problem(&p, FR_ERR_INVALID_ARGUMENT, names[f]);
    }
    /* fr_problem_make keeps a finite scale for d = 0; the check rejects it */
    fr_problem p0 = fr_problem_make(1, 1, 1, 1, 1, 0, FR_CAUSAL_NONE);
    CHECK(isfinite(p0.scale), "fr_problem_make(d=0) scale %g", p0.scale);
    expect_problem(&p0, FR_ERR_INVALID_ARGUMENT, "made with d=0");
}

static void bad_semantics(void)
{
    fr_problem p = fr_problem_make(1, 3, 2, 4, 4, 4, FR_CAUSAL_NONE);
    expect_problem(&p, FR_ERR_INVALID_ARGUMENT, "Hkv=2 does not divide Hq=3");
    p = fr_problem_make(1, 2, 4, 4, 4, 4, FR_CAUSAL_NONE);
    expect_problem(&p, FR_ERR_INVALID_ARGUMENT, "Hkv=4 > Hq=2");
    p = fr_problem_make(1, 6, 4, 4, 4, 4, FR_CAUSAL_NONE);
    expect_problem(&p, FR_ERR_INVALID_ARGUMENT, "Hkv=4 does not divide Hq=6");

    static const int bad_causal[] = {3, 4, 255, -1, 0x7fffffff};
    for (size_t i = 0; i < sizeof bad_causal / sizeof bad_causal[0]; i++) {
        p = fr_problem_make(1, 1, 1, 4, 4, 4, FR_CAUSAL_NONE);
        p.causal = (fr_causal)bad_causal[i];
        char what[48];
        snprintf(what, sizeof what, "causal=%d", bad_causal[i]);
        expect_problem(&p, FR_ERR_INVALID_ARGUMENT, what);
    }

    const double bad_scale[] = {NAN, -NAN, INFINITY, -INFINITY};
    for (size_t i = 0; i < 4; i++) {
        p = fr_problem_make(1, 1, 1, 4, 4, 4, FR_CAUSAL_TOP_LEFT);
        p.scale = bad_scale[i];
        expect_problem(&p, FR_ERR_INVALID_ARGUMENT, "non-finite scale");
    }
    /* finite scales are all accepted, including 0, negative and huge ones */
    const double ok_scale[] = {0.0, -0.0, -3.5, DBL_MAX, -DBL_MAX, DBL_TRUE_MIN};
    for (size_t i = 0; i < 6; i++) {
        p = fr_problem_make(1, 1, 1, 4, 4, 4, FR_CAUSAL_BOTTOM_RIGHT);
        p.scale = ok_scale[i];
        expect_problem(&p, FR_OK, "finite scale");
    }
}

static void overflowing_sizes(void)
{
    fr_problem p = fr_problem_make(1, 1, 1, SIZE_MAX / 2, 4, 4, FR_CAUSAL_NONE);
    expect_problem(&p, FR_ERR_SIZE_OVERFLOW, "Nq=SIZE_MAX/2 d=4");
    p = fr_problem_make(1, 1, 1, 4, SIZE_MAX / 2, 4, FR_CAUSAL_NONE);
    expect_problem(&p, FR_ERR_SIZE_OVERFLOW, "Nk=SIZE_MAX/2 d=4");
    p = fr_problem_make(1, 1, 1, 4, 4, SIZE_MAX / 3, FR_CAUSAL_NONE);
    expect_problem(&p, FR_ERR_SIZE_OVERFLOW, "d=SIZE_MAX/3");
    p = fr_problem_make((size_t)1 << 32, (size_t)1 << 32, 1, 1, 1, 1, FR_CAUSAL_NONE);
    expect_problem(&p, FR_ERR_SIZE_OVERFLOW, "B*Hq = 2^64");
    p = fr_problem_make(SIZE_MAX, 2, 2, 2, 2, 2, FR_CAUSAL_NONE);
    expect_problem(&p, FR_ERR_SIZE_OVERFLOW, "B=SIZE_MAX");
    /* elements that fit but whose byte count does not */
    p = fr_problem_make(1, 1, 1, SIZE_MAX / 8 + 1, 1, 1, FR_CAUSAL_NONE);
    expect_problem(&p, FR_ERR_SIZE_OVERFLOW, "Nq*d*8 overflows");
    p = fr_problem_make(1, 1, 1, SIZE_MAX / 8, 1, 1, FR_CAUSAL_NONE);
    CHECK(fr_problem_check(&p) == FR_OK, "Nq = SIZE_MAX/8 rejected by fr_problem_check");

    /* The standard algorithm's S and P: each tensor fits, Nq*Nk does not. */
    p = fr_problem_make(1, 1, 1, (size_t)1 << 33, (size_t)1 << 31, 1, FR_CAUSAL_NONE);
    CHECK(fr_problem_check(&p) == FR_OK, "2^33 x 2^31 problem rejected");
    CHECK(fr_attention_standard(&p, 1000, NULL, g_q, g_k, g_v, g_o, g_lse, NULL) ==
              FR_ERR_SIZE_OVERFLOW, "standard with Nq*Nk = 2^64 not rejected");
    p = fr_problem_make(1, 1, 1, (size_t)1 << 31, (size_t)1 << 31, 1, FR_CAUSAL_NONE);
    CHECK(fr_attention_standard(&p, 1000, NULL, g_q, g_k, g_v, g_o, g_lse, NULL) ==
              FR_ERR_SIZE_OVERFLOW, "standard with Nq*Nk*8 = 2^65 not rejected");
    /* S of 2^58 doubles passes the size checks but cannot be allocated
     * (2^61 bytes is beyond any address space). */
    p = fr_problem_make(1, 1, 1, (size_t)1 << 29, (size_t)1 << 29, 1, FR_CAUSAL_NONE);
    CHECK(fr_attention_standard(&p, 1000, NULL, g_q, g_k, g_v, g_o, g_lse, NULL) ==
              FR_ERR_OUT_OF_MEMORY, "standard with a 2^61-byte S not OUT_OF_MEMORY");

    /* Closed forms whose counts leave 64 bits: an error, not a wrapped count. */
    fr_io_count c;
    p = fr_problem_make(1, 1, 1, (size_t)1 << 33, (size_t)1 << 33, 1, FR_CAUSAL_NONE);
    fr_blocks b = {(size_t)1 << 33, (size_t)1 << 33};
    CHECK(fr_io_standard(&p, b, &c) == FR_ERR_SIZE_OVERFLOW, "fr_io_standard 4*2^66 accepted");
    p = fr_problem_make(4, 4, 4, (size_t)1 << 20, (size_t)1 << 40, 1, FR_CAUSAL_NONE);
    b.rows = 1;
    b.cols = (size_t)1 << 40;
    CHECK(fr_problem_check(&p) == FR_OK, "2^20 x 2^40 problem rejected");
    CHECK(fr_io_tiled(&p, b, &c) == FR_ERR_SIZE_OVERFLOW, "fr_io_tiled 2^65 words accepted");
    CHECK(fr_io_standard(&p, b, &c) == FR_ERR_SIZE_OVERFLOW, "fr_io_standard 2^65 accepted");
    /* ... and at the edge: a count just inside 64 bits is exact, twice it is not.
     * Nq = 2^31, Nk = 2^30, d = 1, one block: read = 2^31 + 2*2^30 + 4*2^61,
     * written = 2*2^61 + 2^31 + 2^31. */
    p = fr_problem_make(1, 1, 1, (size_t)1 << 31, (size_t)1 << 30, 1, FR_CAUSAL_NONE);
    b.rows = (size_t)1 << 31;
    b.cols = (size_t)1 << 30;
    CHECK(fr_io_standard(&p, b, &c) == FR_OK &&
              c.words_read == ((uint64_t)1 << 63) + ((uint64_t)1 << 32) &&
              c.words_written == ((uint64_t)1 << 62) + ((uint64_t)1 << 32),
          "fr_io_standard at 2^31 x 2^30: %" PRIu64 "/%" PRIu64, c.words_read,
          c.words_written);
    CHECK(fr_io_tiled(&p, b, &c) == FR_OK && c.words_read == ((uint64_t)1 << 32) &&
              c.words_written == ((uint64_t)1 << 32),
          "fr_io_tiled at 2^31 x 2^30: %" PRIu64 "/%" PRIu64, c.words_read, c.words_written);
    p.batch = 2;
    CHECK(fr_io_standard(&p, b, &c) == FR_ERR_SIZE_OVERFLOW,
          "fr_io_standard 2^64 + 2^33 words accepted");
}

static void memory_and_blocks(void)
{
    for (size_t d = 1; d <= 64; d = d * 2 + 1) {
        fr_problem p = fr_problem_make(1, 2, 1, 5, 7, d, FR_CAUSAL_TOP_LEFT);
        size_t lo = 4 * d + 3;
        CHECK(fr_min_fast_words(d) == lo, "fr_min_fast_words(%zu)", d);
        fr_blocks b;
        CHECK(fr_blocks_default(lo - 1, d, 5, 7, &b) == FR_ERR_FAST_MEMORY_TOO_SMALL,
              "fr_blocks_default(4d+2) accepted, d=%zu", d);
        CHECK(fr_blocks_default(lo, d, 5, 7, &b) == FR_OK && b.rows == 1 && b.cols == 1,
              "fr_blocks_default(4d+3), d=%zu: %zux%zu", d, b.rows, b.cols);
        CHECK(fr_blocks_default(0, d, 5, 7, &b) == FR_ERR_FAST_MEMORY_TOO_SMALL,
              "fr_blocks_default(M=0) accepted");
        for (int tiled = 0; tiled <= 1; tiled++) {
            fr_status st = call_algo(tiled, &p, lo - 1, NULL, g_q, g_k, g_v, g_o, g_lse);
            CHECK(st == FR_ERR_FAST_MEMORY_TOO_SMALL, "%s M=4d+2 d=%zu: %d", algo_name(tiled),
                  d, (int)st);
            st = call_algo(tiled, &p, 0, NULL, g_q, g_k, g_v, g_o, g_lse);
            CHECK(st == FR_ERR_FAST_MEMORY_TOO_SMALL, "%s M=0: %d", algo_name(tiled), (int)st);
            st = call_algo(tiled, &p, lo, NULL, g_q, g_k, g_v, g_o, g_lse);
            CHECK(st == FR_OK, "%s M=4d+3 d=%zu: %d", algo_name(tiled), d, (int)st);

            /* user blocks: fitting exactly, one word over, zero sizes */
            fr_blocks fit = {3, 2};
            size_t need = (size_t)ref_words_needed(fit, d);
            st = call_algo(tiled, &p, need, &fit, g_q, g_k, g_v, g_o, g_lse);
            CHECK(st == FR_OK, "%s blocks 3x2 in exactly %zu words: %d", algo_name(tiled), need,
                  (int)st);
            st = call_algo(tiled, &p, need - 1, &fit, g_q, g_k, g_v, g_o, g_lse);
            CHECK(st == FR_ERR_FAST_MEMORY_TOO_SMALL, "%s blocks 3x2 in %zu words: %d",
                  algo_name(tiled), need - 1, (int)st);
            fr_blocks zr = {0, 2}, zc = {3, 0}, zz = {0, 0};
            const fr_blocks *zeros[3] = {&zr, &zc, &zz};
            for (int z = 0; z < 3; z++) {
                st = call_algo(tiled, &p, 100000, zeros[z], g_q, g_k, g_v, g_o, g_lse);
                CHECK(st == FR_ERR_INVALID_ARGUMENT, "%s zero blocks %zux%zu: %d",
                      algo_name(tiled), zeros[z]->rows, zeros[z]->cols, (int)st);
            }
            fr_blocks huge = {SIZE_MAX / 4, 2};
            st = call_algo(tiled, &p, 100000, &huge, g_q, g_k, g_v, g_o, g_lse);
            CHECK(st == FR_ERR_FAST_MEMORY_TOO_SMALL, "%s blocks SIZE_MAX/4 rows: %d",
                  algo_name(tiled), (int)st);
        }
        CHECK(fr_blocks_check((fr_blocks){1, 1}, lo, d) == FR_OK, "1x1 blocks in 4d+3");
        CHECK(fr_blocks_check((fr_blocks){1, 1}, lo - 1, d) == FR_ERR_FAST_MEMORY_TOO_SMALL,
              "1x1 blocks in 4d+2");
        CHECK(fr_blocks_check((fr_blocks){1, 1}, lo, 0) == FR_ERR_INVALID_ARGUMENT,
              "fr_blocks_check d=0");
        CHECK(fr_blocks_check((fr_blocks){0, 1}, lo, d) == FR_ERR_INVALID_ARGUMENT,
              "fr_blocks_check Br=0");
        CHECK(fr_blocks_check((fr_blocks){1, 0}, lo, d) == FR_ERR_INVALID_ARGUMENT,
              "fr_blocks_check Bc=0");
    }
    /* fr_fast_words_needed saturates instead of wrapping */
    CHECK(fr_fast_words_needed((fr_blocks){SIZE_MAX / 2, SIZE_MAX / 2}, 8) == SIZE_MAX,
          "fr_fast_words_needed wraps");
    CHECK(fr_fast_words_needed((fr_blocks){1, 1}, SIZE_MAX / 2) == SIZE_MAX,
          "fr_fast_words_needed wraps for huge d");
    CHECK(fr_min_fast_words(SIZE_MAX / 2) == SIZE_MAX, "fr_min_fast_words wraps");

    fr_blocks b;
    CHECK(fr_blocks_default(1000, 4, 5, 5, NULL) == FR_ERR_INVALID_ARGUMENT,
          "fr_blocks_default NULL out");
    CHECK(fr_blocks_default(1000, 0, 5, 5, &b) == FR_ERR_INVALID_ARGUMENT, "blocks d=0");
    CHECK(fr_blocks_default(1000, 4, 0, 5, &b) == FR_ERR_INVALID_ARGUMENT, "blocks Nq=0");
    CHECK(fr_blocks_default(1000, 4, 5, 0, &b) == FR_ERR_INVALID_ARGUMENT, "blocks Nk=0");

    fr_problem p = fr_problem_make(1, 1, 1, 4, 4, 4, FR_CAUSAL_NONE);
    fr_io_count c;
    CHECK(fr_io_tiled(&p, (fr_blocks){0, 1}, &c) == FR_ERR_INVALID_ARGUMENT, "io Br=0");
    CHECK(fr_io_tiled(&p, (fr_blocks){1, 0}, &c) == FR_ERR_INVALID_ARGUMENT, "io Bc=0");
    CHECK(fr_io_standard(&p, (fr_blocks){0, 1}, &c) == FR_ERR_INVALID_ARGUMENT, "io Br=0");
    CHECK(fr_io_standard(&p, (fr_blocks){1, 0}, &c) == FR_ERR_INVALID_ARGUMENT, "io Bc=0");
}

static void null_pointers(void)
{
    fr_problem p = fr_problem_make(1, 2, 1, 5, 7, 4, FR_CAUSAL_BOTTOM_RIGHT);
    for (int tiled = 0; tiled <= 1; tiled++) {
        const char *n = algo_name(tiled);
        CHECK(call_algo(tiled, NULL, 1000, NULL, g_q, g_k, g_v, g_o, g_lse) ==
                  FR_ERR_INVALID_ARGUMENT, "%s problem NULL", n);
        CHECK(call_algo(tiled, &p, 1000, NULL, NULL, g_k, g_v, g_o, g_lse) ==
                  FR_ERR_INVALID_ARGUMENT, "%s q NULL", n);
        CHECK(call_algo(tiled, &p, 1000, NULL, g_q, NULL, g_v, g_o, g_lse) ==
                  FR_ERR_INVALID_ARGUMENT, "%s k NULL", n);
        CHECK(call_algo(tiled, &p, 1000, NULL, g_q, g_k, NULL, g_o, g_lse) ==
                  FR_ERR_INVALID_ARGUMENT, "%s v NULL", n);
        CHECK(call_algo(tiled, &p, 1000, NULL, g_q, g_k, g_v, NULL, g_lse) ==
                  FR_ERR_INVALID_ARGUMENT, "%s o NULL", n);
        CHECK(call_algo(tiled, &p, 1000, NULL, g_q, g_k, g_v, g_o, NULL) ==
                  FR_ERR_INVALID_ARGUMENT, "%s lse NULL", n);
        /* stats is optional */
        fr_status st = tiled ? fr_attention_tiled(&p, 1000, NULL, g_q, g_k, g_v, g_o, g_lse, NULL)
                             : fr_attention_standard(&p, 1000, NULL, g_q, g_k, g_v, g_o, g_lse,
                                                     NULL);
        CHECK(st == FR_OK, "%s stats NULL: %d", n, (int)st);
    }
    fr_io_count c;
    CHECK(fr_problem_check(NULL) == FR_ERR_INVALID_ARGUMENT, "fr_problem_check(NULL)");
    CHECK(fr_io_tiled(NULL, (fr_blocks){1, 1}, &c) == FR_ERR_INVALID_ARGUMENT, "io tiled NULL p");
    CHECK(fr_io_standard(NULL, (fr_blocks){1, 1}, &c) == FR_ERR_INVALID_ARGUMENT,
          "io standard NULL p");
    CHECK(fr_io_tiled(&p, (fr_blocks){1, 1}, NULL) == FR_ERR_INVALID_ARGUMENT,
          "io tiled NULL out");
    CHECK(fr_io_standard(&p, (fr_blocks){1, 1}, NULL) == FR_ERR_INVALID_ARGUMENT,
          "io standard NULL out");
}

static void messages(void)
{
    const fr_status all[] = {FR_OK, FR_ERR_INVALID_ARGUMENT, FR_ERR_SIZE_OVERFLOW,
                             FR_ERR_FAST_MEMORY_TOO_SMALL, FR_ERR_OUT_OF_MEMORY,
                             (fr_status)99, (fr_status)-1};
    const size_t n = sizeof all / sizeof all[0];
    for (size_t i = 0; i < n; i++) {
        const char *m = fr_status_message(all[i]);
        CHECK(m != NULL && m[0] != '\0', "fr_status_message(%d) empty", (int)all[i]);
        /* the five real statuses are told apart */
        for (size_t j = 0; j < i && i < 5; j++)
            CHECK(m != NULL && strcmp(m, fr_status_message(all[j])) != 0,
                  "statuses %d and %d share a message", (int)all[i], (int)all[j]);
    }
}

/* ---- sizes far beyond any problem that can run -------------------------------
 * fr_blocks_default, fr_blocks_check and fr_io_tiled take sizes directly,
 * without fr_problem_check's limits, so their promises must hold up to
 * SIZE_MAX too. Registered as a test of its own (test_bad_input --extremes). */

static void on_alarm(int sig)
{
    (void)sig;
    static const char msg[] = "FAIL: fr_io_tiled did not return within 10 s "
                              "(its cost grows with Nq/Br)\n";
    if (write(2, msg, sizeof msg - 1) < 0) { /* nothing more to do */ }
    _exit(1);
}

static void extremes(void)
{
    /* The default rule for every d whose minimum 4d+3 is below SIZE_MAX (the
     * value word counts saturate at, "more than any size_t"), M = SIZE_MAX and
     * M = 4d+3: blocks must fit (Br >= 1 and the words needed <= M). */
    const size_t dims[] = {SIZE_MAX / 8, SIZE_MAX / 6, SIZE_MAX / 6 + 1, SIZE_MAX / 5,
                           (SIZE_MAX - 3) / 4 - 1};
    for (size_t i = 0; i < sizeof dims / sizeof dims[0]; i++) {
        size_t d = dims[i];
        size_t Ms[2] = {SIZE_MAX, fr_min_fast_words(d)};
        for (int mi = 0; mi < 2; mi++) {
            fr_blocks b = {0, 0};
            fr_status st = fr_blocks_default(Ms[mi], d, SIZE_MAX, SIZE_MAX, &b);
            int fits = b.rows >= 1 && b.cols >= 1 && b.cols <= d &&
                       fr_fast_words_needed(b, d) < SIZE_MAX &&
                       fr_fast_words_needed(b, d) <= Ms[mi];
            CHECK(st == FR_OK && fits,
                  "fr_blocks_default(M=%zu, d=%zu) = %d with blocks %zux%zu needing %zu words",
                  Ms[mi], d, (int)st, b.rows, b.cols, fr_fast_words_needed(b, d));
        }
    }
    /* d whose minimum does not fit below SIZE_MAX: no M is enough */
    fr_blocks b;
    fr_status st = fr_blocks_default(SIZE_MAX, (SIZE_MAX - 3) / 4, 1, 1, &b);
    CHECK(st == FR_ERR_FAST_MEMORY_TOO_SMALL, "fr_blocks_default(SIZE_MAX, d=(SIZE_MAX-3)/4) = %d "
          "(4d+3 = SIZE_MAX words)", (int)st);
    st = fr_blocks_default(SIZE_MAX, SIZE_MAX / 2, 1, 1, &b);
    CHECK(st == FR_ERR_FAST_MEMORY_TOO_SMALL, "fr_blocks_default(SIZE_MAX, d=SIZE_MAX/2) = %d "
          "with blocks %zux%zu (4d+3 > SIZE_MAX words)", (int)st, b.rows, b.cols);
    /* blocks whose word count does not fit in size_t do not fit in M = SIZE_MAX */
    CHECK(fr_blocks_check((fr_blocks){SIZE_MAX, SIZE_MAX}, SIZE_MAX, 1) ==
              FR_ERR_FAST_MEMORY_TOO_SMALL,
          "fr_blocks_check(SIZE_MAX x SIZE_MAX blocks, M = SIZE_MAX) = %d",
          (int)fr_blocks_check((fr_blocks){SIZE_MAX, SIZE_MAX}, SIZE_MAX, 1));
    /* a closed form is a formula: it answers at once for any accepted shape */
    signal(SIGALRM, on_alarm);
    alarm(10);
    fr_problem p = fr_problem_make(1, 1, 1, (size_t)1 << 60, 1, 1, FR_CAUSAL_NONE);
    fr_io_count c;
    st = fr_io_tiled(&p, (fr_blocks){1, 1}, &c);
    alarm(0);
    CHECK(st == FR_OK && c.words_read == 3 * ((uint64_t)1 << 60),
          "fr_io_tiled(Nq=2^60, Nk=d=1, 1x1) = %d, %" PRIu64 " words read", (int)st,
          c.words_read);
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "--extremes") == 0) {
        extremes();
        return finish("test_bad_input --extremes");
    }
    zero_sizes();
    bad_semantics();
    overflowing_sizes();
    memory_and_blocks();
    null_pointers();
    messages();
    return finish("test_bad_input");
}
