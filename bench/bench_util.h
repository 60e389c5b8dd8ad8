/* Timing helpers shared by the benchmarks: run a body repeatedly, take medians, print a table. */
#ifndef BENCH_UTIL_H
#define BENCH_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static inline double bench_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static inline int bench_compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The median of values; NaN when any is NaN (a failed run fails the figure). */
static inline double bench_median(double *values, int n)
{
    for (int i = 0; i < n; i++) {
        if (values[i] != values[i]) {
            return values[i];
        }
    }
    qsort(values, (size_t)n, sizeof(double), bench_compare_doubles);
    return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

#define BENCH_RUNS 7

typedef int (*bench_body_t)(void *ctx);

/* Ops per second of `body`, the median of BENCH_RUNS runs of about `seconds` each, after a
 * calibration that sizes the batch; -1 if the body reports an error. */
static inline double bench_rate(bench_body_t body, void *ctx, double seconds)
{
    double rates[BENCH_RUNS];
    long batch = 1;
    for (;;) {
        double t0 = bench_now();
        for (long i = 0; i < batch; i++) {
            if (body(ctx) != 0) {
                return -1;
            }
        }
        double dt = bench_now() - t0;
        if (dt > seconds / 4) {
            batch = (long)((double)batch * seconds / dt) + 1;
            break;
        }
        batch *= 2;
    }
    for (int r = 0; r < BENCH_RUNS; r++) {
        double t0 = bench_now();
        for (long i = 0; i < batch; i++) {
            if (body(ctx) != 0) {
                return -1;
            }
        }
        rates[r] = (double)batch / (bench_now() - t0);
    }
    return bench_median(rates, BENCH_RUNS);
}

static inline void bench_table_header(void)
{
    printf("%-34s %14s %14s %8s\n", "operation", "ours ops/s", "baseline ops/s", "ratio");
}

static inline void bench_table_row(const char *name, double ours, double baseline)
{
    printf("%-34s %14.0f %14.0f %8.2f\n", name, ours, baseline, ours / baseline);
}

#endif /* BENCH_UTIL_H */
