#include <float.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <mpfr.h>

#include "prims_ulp.h"
#include "prims.h"

typedef struct ulp_task {
    int is_log;
    uint64_t begin, end, total, seed;
    fr_ulp_stats st;
    double progress;
    int report;                   /* this thread prints progress */
} ulp_task;

static uint64_t mix(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static double unit(uint64_t *s) { return (double)(mix(s) >> 11) * 0x1p-53; }

static double now(void)
{
    struct timespec ts;
    timespec_get(&ts, TIME_UTC);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* A double with a uniformly random bit pattern in [lo, hi] (lo < hi, same sign
 * not required): every binade of the range is represented. */
static double any_double(uint64_t *s, double lo, double hi)
{
    for (;;) {
        uint64_t bits = mix(s);
        double x;
        memcpy(&x, &bits, sizeof x);
        if (x >= lo && x <= hi)
            return x;
    }
}

static double exp_point(uint64_t i, uint64_t *s)
{
    switch (i % 4) {
    case 0: return -745.2 + 1455.0 * unit(s);                      /* the whole range */
    case 1: return -40.0 * unit(s);                                /* softmax arguments */
    case 2: return (unit(s) < 0.5 ? -1.0 : 1.0) * ldexp(1.0 + unit(s), -(int)(mix(s) % 60));
    default: return any_double(s, -745.2, 709.8);                  /* every binade */
    }
}

static double log_point(uint64_t i, uint64_t *s)
{
    switch (i % 8) {
    case 0: case 1: case 2: case 3:
        return 1.0 + (0x1p31 - 1.0) * unit(s);                     /* l in [1, Nk] */
    case 4: return 1.0 + (unit(s) < 0.5 ? -1.0 : 1.0) * ldexp(1.0 + unit(s), -(int)(mix(s) % 52) - 1);
    case 5: return unit(s) + 0x1p-60;
    default: return any_double(s, 0x1p-1074, DBL_MAX);             /* every binade */
    }
}

static void note(fr_ulp_stats *st, double x, double err, int normal)
{
    st->points++;
    st->sum_ulp += err;
    if (err > st->max_ulp) {
        st->max_ulp = err;
        st->worst_x = x;
    }
    if (normal && err > st->max_ulp_normal) {
        st->max_ulp_normal = err;
        st->worst_x_normal = x;
    }
}

/* |y - f(x)| in ulps of f(x), f(x) at 80 bits; *normal: f(x) >= 2^-1022. */
static double ulp_error(int is_log, double x, double y, mpfr_t t, mpfr_t e, int *normal)
{
    *normal = 0;
    mpfr_set_d(t, x, MPFR_RNDN);
    if (is_log)
        mpfr_log(e, t, MPFR_RNDN);
    else
        mpfr_exp(e, t, MPFR_RNDN);
    if (mpfr_zero_p(e))
        return fabs(y) / 0x1p-1074;
    long ex = mpfr_get_exp(e) - 1;                 /* e in [2^ex, 2^(ex+1)) */
    *normal = ex >= -1022;
    if (ex < -1022)
        ex = -1022;
    if (ex > 1023)                                 /* beyond double: faithful means DBL_MAX or inf */
        return (isinf(y) && y > 0) || y == DBL_MAX ? 0.0 : HUGE_VAL;
    if (isinf(y))
        return HUGE_VAL;
    mpfr_sub_d(t, e, y, MPFR_RNDN);
    mpfr_abs(t, t, MPFR_RNDN);
    mpfr_mul_2si(t, t, 52 - ex, MPFR_RNDN);
    return mpfr_get_d(t, MPFR_RNDN);
}

static void *ulp_main(void *arg)
{
    ulp_task *tk = arg;
    mpfr_t t, e;
    mpfr_inits2(80, t, e, (mpfr_ptr)0);
    mpfr_exp_t emin = mpfr_get_emin(), emax = mpfr_get_emax();
    mpfr_set_emin(mpfr_get_emin_min());
    mpfr_set_emax(mpfr_get_emax_max());
    uint64_t s = tk->seed;
    double t0 = now(), last = t0;
    for (uint64_t i = tk->begin; i < tk->end; i++) {
        double x = tk->is_log ? log_point(i, &s) : exp_point(i, &s);
        double y = tk->is_log ? fr_log(x) : fr_exp(x);
        int normal = 0;
        double err = ulp_error(tk->is_log, x, y, t, e, &normal);
        note(&tk->st, x, err, normal);
        if (tk->report && tk->progress > 0 && ((i - tk->begin) & 0xffff) == 0) {
            double tn = now();
            if (tn - last >= tk->progress) {
                last = tn;
                fprintf(stderr, "%s: %.0f%% of this thread's points, %.0f s\n",
                        tk->is_log ? "log" : "exp",
                        100.0 * (double)(i - tk->begin) / (double)(tk->end - tk->begin), tn - t0);
            }
        }
    }
    mpfr_set_emin(emin);
    mpfr_set_emax(emax);
    mpfr_clears(t, e, (mpfr_ptr)0);
    return NULL;
}

static void *ulp_thread(void *arg)
{
    ulp_main(arg);
    mpfr_free_cache2(MPFR_FREE_LOCAL_CACHE);
    return NULL;
}

/* IEEE special cases: exact expectations. */
static void specials(fr_ulp_stats *es, fr_ulp_stats *ls)
{
    static const struct { double x, want; } ex[] = {
        { 0.0, 1.0 }, { -0.0, 1.0 }, { HUGE_VAL, HUGE_VAL }, { -HUGE_VAL, 0.0 },
        { 710.0, HUGE_VAL }, { 1000.0, HUGE_VAL }, { -746.0, 0.0 }, { -1e300, 0.0 },
        { DBL_MAX, HUGE_VAL }, { -DBL_MAX, 0.0 },
    };
    for (size_t i = 0; i < sizeof ex / sizeof ex[0]; i++) {
        double y = fr_exp(ex[i].x);
        es->special_points++;
        if (!(y == ex[i].want))
            es->special_failures++;
    }
    es->special_points++;
    if (!isnan(fr_exp(NAN)))
        es->special_failures++;
    static const struct { double x, want; } lx[] = {
        { 1.0, 0.0 }, { HUGE_VAL, HUGE_VAL }, { 0.0, -HUGE_VAL }, { -0.0, -HUGE_VAL },
    };
    for (size_t i = 0; i < sizeof lx / sizeof lx[0]; i++) {
        double y = fr_log(lx[i].x);
        ls->special_points++;
        if (!(y == lx[i].want))
            ls->special_failures++;
    }
    double nan_in[] = { NAN, -1.0, -0x1p-1074, -HUGE_VAL };
    for (size_t i = 0; i < 4; i++) {
        ls->special_points++;
        if (!isnan(fr_log(nan_in[i])))
            ls->special_failures++;
    }
}

/* Edge points measured in ulps like the random ones. */
static void edges(fr_ulp_stats *es, fr_ulp_stats *ls)
{
    mpfr_t t, e;
    mpfr_inits2(80, t, e, (mpfr_ptr)0);
    mpfr_exp_t emin = mpfr_get_emin(), emax = mpfr_get_emax();
    mpfr_set_emin(mpfr_get_emin_min());
    mpfr_set_emax(mpfr_get_emax_max());
    double ex[] = { FR_EXP_OVERFLOW_X, nextafter(FR_EXP_OVERFLOW_X, 0.0), FR_EXP_UNDERFLOW_X,
                    nextafter(FR_EXP_UNDERFLOW_X, 0.0), -708.3964185322641, -708.39641853226408,
                    -744.44007192138126, -745.13321910194110, 0x1p-1074, -0x1p-1074, 0x1p-60,
                    -0x1p-60, 1.0, -1.0, 0.5 * FR_LN2_OVER_64_HI, -0.5 * FR_LN2_OVER_64_HI,
                    709.0, -709.0, -1022.0 * 0.6931471805599453, 1e-300 };
    for (size_t i = 0; i < sizeof ex / sizeof ex[0]; i++) {
        int normal = 0;
        double err = ulp_error(0, ex[i], fr_exp(ex[i]), t, e, &normal);
        note(es, ex[i], err, normal);
    }
    double lx[] = { 0x1p-1074, 0x1p-1022, nextafter(0x1p-1022, 0.0), DBL_MAX, nextafter(1.0, 2.0),
                    nextafter(1.0, 0.0), FR_SQRT_HALF, nextafter(FR_SQRT_HALF, 0.0), 2.0, 0x1p31,
                    0x1p31 - 1.0, 3.0, 0.5, 1e-300, 1e300 };
    for (size_t i = 0; i < sizeof lx / sizeof lx[0]; i++) {
        int normal = 0;
        double err = ulp_error(1, lx[i], fr_log(lx[i]), t, e, &normal);
        note(ls, lx[i], err, normal);
    }
    mpfr_set_emin(emin);
    mpfr_set_emax(emax);
    mpfr_clears(t, e, (mpfr_ptr)0);
}

static void run(int is_log, uint64_t n, int threads, uint64_t seed, double progress,
                fr_ulp_stats *out)
{
    ulp_task tasks[64];
    pthread_t ids[64];
    if (threads < 1)
        threads = 1;
    if (threads > 64)
        threads = 64;
    int started[64] = { 0 };
    for (int t = 0; t < threads; t++) {
        memset(&tasks[t], 0, sizeof tasks[t]);
        tasks[t].is_log = is_log;
        tasks[t].begin = n * (uint64_t)t / (uint64_t)threads;
        tasks[t].end = n * (uint64_t)(t + 1) / (uint64_t)threads;
        tasks[t].total = n;
        tasks[t].seed = seed * 0x9e3779b97f4a7c15ull + (uint64_t)t * 7919u + (uint64_t)is_log;
        tasks[t].progress = progress;
        tasks[t].report = t == 0;
        if (t > 0)
            started[t] = pthread_create(&ids[t], NULL, ulp_thread, &tasks[t]) == 0;
    }
    ulp_main(&tasks[0]);
    for (int t = 1; t < threads; t++) {
        if (started[t])
            pthread_join(ids[t], NULL);
        else
            ulp_main(&tasks[t]);
    }
    for (int t = 0; t < threads; t++) {
        out->points += tasks[t].st.points;
        out->sum_ulp += tasks[t].st.sum_ulp;
        if (tasks[t].st.max_ulp > out->max_ulp) {
            out->max_ulp = tasks[t].st.max_ulp;
            out->worst_x = tasks[t].st.worst_x;
        }
        if (tasks[t].st.max_ulp_normal > out->max_ulp_normal) {
            out->max_ulp_normal = tasks[t].st.max_ulp_normal;
            out->worst_x_normal = tasks[t].st.worst_x_normal;
        }
    }
}

void fr_prims_ulp(uint64_t n_exp, uint64_t n_log, int threads, uint64_t seed, double progress,
                  fr_ulp_stats *exp_stats, fr_ulp_stats *log_stats)
{
    memset(exp_stats, 0, sizeof *exp_stats);
    memset(log_stats, 0, sizeof *log_stats);
    if (!mpfr_buildopt_tls_p())
        threads = 1;
    specials(exp_stats, log_stats);
    edges(exp_stats, log_stats);
    run(0, n_exp, threads, seed, progress, exp_stats);
    run(1, n_log, threads, seed, progress, log_stats);
}
