/* Benchmark driver: interleaved rounds, medians, ratios.
 *
 * Each measurement runs its variants A, B, C, A, B, C, ... for `rounds`
 * rounds; the first round of each variant is warm-up and discarded, so
 * clock scaling, heat and noisy neighbours hit every variant alike.  Results
 * are the median over rounds, printed with min and max. */
#ifndef BENCH_H
#define BENCH_H

#include "thread.h"

#include <stdint.h>
#include <stdio.h>

#define BENCH_MAX_ROUNDS 64

/* A variant: run(state, n) does n operations and returns the elapsed
 * nanoseconds it measured itself (so setup is excluded). */
typedef struct bench_variant {
	const char *name;
	int64_t (*run)(void *state, long n);
	void *state;
} bench_variant;

typedef struct bench_result {
	double median, min, max; /* per operation, in nanoseconds */
} bench_result;

/* Interleave `count` variants for `rounds` rounds of `n` operations each. */
void bench_interleave(const bench_variant *v, int count, int rounds, long n,
                      bench_result *out);

/* Median/min/max of `count` samples (sorts them). */
bench_result bench_summarise(double *samples, int count);

/* Monotonic nanoseconds. */
int64_t bench_now_ns(void);

/* Rounds from BENCH_ROUNDS (default `dflt`, at least 3, at most the max). */
int bench_rounds(int dflt);

/* Operation counts scale with BENCH_SCALE (default 1). */
long bench_scaled(long n);

/* Print CPU, cores, compiler, flags, backend and git hash. */
void bench_print_context(const char *backend);

/* ---- platform baselines (baseline_posix.c, baseline_win.c) ------------- */

/* The platform mutex (pthread_mutex_t, SRWLOCK) as an opaque object. */
typedef struct bench_mutex bench_mutex;
bench_mutex *bench_mutex_new(void);
void bench_mutex_lock(bench_mutex *m);
void bench_mutex_unlock(bench_mutex *m);
void bench_mutex_free(bench_mutex *m);
extern const char *const bench_mutex_name;
extern const size_t bench_mutex_size;

/* The platform semaphore (sem_t, Win32 semaphore). */
typedef struct bench_sem bench_sem;
bench_sem *bench_sem_new(unsigned initial);
void bench_sem_post(bench_sem *s);
void bench_sem_wait(bench_sem *s);
void bench_sem_free(bench_sem *s);
extern const char *const bench_sem_name;
extern const size_t bench_sem_size;

/* Uncontended acquire+release loops of every platform primitive (mutex,
 * semaphore, C11 mtx where present), NULL-terminated. */
extern const bench_variant bench_platform_uncontended[];

/* Online CPUs. */
int bench_cores(void);

/* Start a thread on fn(arg) and join it, with the platform's own calls. */
void bench_native_start_join(void (*fn)(void *), void *arg);
extern const char *const bench_native_start_name;

#endif
