/* libthread's lock and threads against the platform's primitives, in one
 * process, interleaved: uncontended cost, contended throughput, fairness,
 * hand-off latency, thread start, and size.  Prints markdown tables. */
#include "bench.h"

#include <stdlib.h>
#include <string.h>

#ifndef BENCH_BACKEND
#define BENCH_BACKEND "unknown"
#endif

static void sleep_ns(int64_t ns)
{
	thread_lock lk = THREAD_LOCK_INIT;
	thread_lock_acquire(&lk, 1);
	thread_lock_acquire_timed(&lk, ns, 0); /* times out: a plain sleep */
}

/* ---- 1. uncontended ---------------------------------------------------- */

static int64_t loop_ours(void *state, long n)
{
	thread_lock *lk = (thread_lock *)state;
	int64_t t0 = bench_now_ns();
	for (long i = 0; i < n; i++) {
		thread_lock_acquire(lk, 1);
		thread_lock_release(lk);
	}
	return bench_now_ns() - t0;
}

static void noop(void *arg)
{
	(void)arg;
}

static void uncontended(int rounds)
{
	static thread_lock lk = THREAD_LOCK_INIT;
	bench_variant v[8];
	bench_result r[8];
	int count = 0, mutex = 0, floor_ = 0;
	v[count++] = (bench_variant){"thread_lock", loop_ours, &lk};
	for (const bench_variant *p = bench_platform_uncontended; p->name; p++) {
		if (strcmp(p->name, bench_mutex_name) == 0)
			mutex = count;
		if (strncmp(p->name, "floor", 5) == 0)
			floor_ = count;
		v[count++] = *p;
	}
	bench_interleave(v, count, rounds, bench_scaled(2000000), r);
	printf("\n### 1. Uncontended acquire+release (ns per pair; %d rounds)\n\n", rounds);
	printf("| primitive | median | min | max | thread_lock / this |\n|---|---:|---:|---:|---:|\n");
	for (int i = 0; i < count; i++)
		printf("| %s | %.2f | %.2f | %.2f | %.2fx |\n", v[i].name, r[i].median,
		       r[i].min, r[i].max, r[0].median / r[i].median);
	printf("\ntargets: <= 1.0x %s: %.2fx; <= 1.25x floor: %.2fx\n", bench_mutex_name,
	       r[0].median / r[mutex].median, r[0].median / r[floor_].median);
}

/* ---- 2. contended throughput ------------------------------------------- */

#define MAX_THREADS 16

struct arena {
	int use_mutex;
	thread_lock lk;
	bench_mutex *mu;
	int go, stop, running;      /* atomics */
	long ops[MAX_THREADS];      /* each written by its own worker */
	unsigned shared[8];         /* under the lock */
	int next_index;             /* atomic */
};

static void contend(void *p)
{
	struct arena *a = (struct arena *)p;
	int me = __atomic_fetch_add(&a->next_index, 1, __ATOMIC_RELAXED);
	long ops = 0;
	unsigned local = (unsigned)me;
	while (!__atomic_load_n(&a->go, __ATOMIC_ACQUIRE))
		;
	while (!__atomic_load_n(&a->stop, __ATOMIC_RELAXED)) {
		if (a->use_mutex)
			bench_mutex_lock(a->mu);
		else
			thread_lock_acquire(&a->lk, 1);
		/* Fixed work under the lock: touch shared state. */
		for (int k = 0; k < 8; k++)
			a->shared[k] = a->shared[k] * 1103515245u + 12345u;
		if (a->use_mutex)
			bench_mutex_unlock(a->mu);
		else
			thread_lock_release(&a->lk);
		/* Fixed work outside it. */
		for (int k = 0; k < 16; k++)
			local = local * 1664525u + 1013904223u;
		ops++;
	}
	a->ops[me] = ops + (local == 42); /* keep `local` alive */
	__atomic_fetch_sub(&a->running, 1, __ATOMIC_RELEASE);
}

/* One round: returns total operations per second; fewest/most per thread. */
static double contended_round(int use_mutex, int threads, int64_t duration,
                              long *fewest, long *most)
{
	struct arena *a = (struct arena *)calloc(1, sizeof *a);
	long total = 0;
	int64_t t0, t1;
	a->use_mutex = use_mutex;
	a->mu = bench_mutex_new();
	a->running = threads;
	for (int i = 0; i < threads; i++)
		if (thread_start_new_thread(contend, a, NULL) != 0)
			abort();
	while (__atomic_load_n(&a->next_index, __ATOMIC_RELAXED) < threads)
		sleep_ns(100000);
	t0 = bench_now_ns();
	__atomic_store_n(&a->go, 1, __ATOMIC_RELEASE);
	sleep_ns(duration);
	__atomic_store_n(&a->stop, 1, __ATOMIC_RELAXED);
	while (__atomic_load_n(&a->running, __ATOMIC_ACQUIRE) > 0)
		sleep_ns(100000);
	t1 = bench_now_ns();
	*fewest = *most = a->ops[0];
	for (int i = 0; i < threads; i++) {
		total += a->ops[i];
		if (a->ops[i] < *fewest)
			*fewest = a->ops[i];
		if (a->ops[i] > *most)
			*most = a->ops[i];
	}
	bench_mutex_free(a->mu);
	free(a);
	return (double)total * 1e9 / (double)(t1 - t0);
}

/* Append "backend threads ours mutex" to $BENCH_PLOT_DATA for the plot. */
static void plot_point(int threads, double ours, double mutex)
{
	const char *path = getenv("BENCH_PLOT_DATA");
	FILE *f = path ? fopen(path, "a") : NULL;
	if (!f)
		return;
	fprintf(f, "%s %d %.3f %.3f\n", BENCH_BACKEND, threads, ours, mutex);
	fclose(f);
}

static void contended(int rounds)
{
	static const int counts[] = {2, 4, 8, 16};
	int64_t duration = (int64_t)bench_scaled(100) * 1000000;
	printf("\n### 2. Contended throughput (million acquisitions/s; %d rounds of %lld ms)\n\n",
	       rounds, (long long)(duration / 1000000));
	printf("| threads | thread_lock | %s | ratio | thread_lock fewest..most per thread | %s fewest..most |\n",
	       bench_mutex_name, bench_mutex_name);
	printf("|---:|---:|---:|---:|---:|---:|\n");
	for (size_t c = 0; c < sizeof counts / sizeof counts[0]; c++) {
		double s[2][BENCH_MAX_ROUNDS];
		long lo[2] = {0, 0}, hi[2] = {0, 0};
		bench_result r[2];
		for (int round = 0; round <= rounds; round++)
			for (int m = 0; m < 2; m++) {
				long f, h;
				double ops = contended_round(m, counts[c], duration, &f, &h);
				if (round == 0)
					continue;
				s[m][round - 1] = ops / 1e6;
				if (round == rounds / 2 + 1) {
					lo[m] = f;
					hi[m] = h;
				}
			}
		r[0] = bench_summarise(s[0], rounds);
		r[1] = bench_summarise(s[1], rounds);
		printf("| %d | %.2f (%.2f-%.2f) | %.2f (%.2f-%.2f) | %.2fx | %ld..%ld | %ld..%ld |\n",
		       counts[c], r[0].median, r[0].min, r[0].max, r[1].median,
		       r[1].min, r[1].max, r[0].median / r[1].median, lo[0], hi[0],
		       lo[1], hi[1]);
		plot_point(counts[c], r[0].median, r[1].median);
	}
}

/* ---- 3. fairness ------------------------------------------------------- */

struct barger {
	int use_mutex;
	thread_lock lk;
	bench_mutex *mu;
	int stop, stopped; /* atomics */
};

static void barge(void *p)
{
	struct barger *b = (struct barger *)p;
	while (!__atomic_load_n(&b->stop, __ATOMIC_RELAXED)) {
		if (b->use_mutex)
			bench_mutex_lock(b->mu);
		else
			thread_lock_acquire(&b->lk, 1);
		for (volatile int spin = 0; spin < 50000; spin++)
			;
		if (b->use_mutex)
			bench_mutex_unlock(b->mu);
		else
			thread_lock_release(&b->lk);
	}
	__atomic_store_n(&b->stopped, 1, __ATOMIC_RELEASE);
}

/* The longest and median wait of one acquirer while a barger re-takes
 * the lock at once after every release. */
static bench_result fairness_run(int use_mutex, int acquisitions)
{
	struct barger b;
	double waits[BENCH_MAX_ROUNDS];
	memset(&b, 0, sizeof b);
	b.use_mutex = use_mutex;
	b.mu = bench_mutex_new();
	if (thread_start_new_thread(barge, &b, NULL) != 0)
		abort();
	sleep_ns(20000000);
	for (int i = 0; i < acquisitions; i++) {
		int64_t t0 = bench_now_ns();
		if (use_mutex)
			bench_mutex_lock(b.mu);
		else
			thread_lock_acquire(&b.lk, 1);
		waits[i] = (double)(bench_now_ns() - t0) / 1e6;
		if (use_mutex)
			bench_mutex_unlock(b.mu);
		else
			thread_lock_release(&b.lk);
		sleep_ns(1000000);
	}
	__atomic_store_n(&b.stop, 1, __ATOMIC_RELAXED);
	while (!__atomic_load_n(&b.stopped, __ATOMIC_ACQUIRE))
		sleep_ns(1000000);
	bench_mutex_free(b.mu);
	return bench_summarise(waits, acquisitions);
}

static void fairness(void)
{
	int n = 41;
	bench_result ours = fairness_run(0, n), theirs = fairness_run(1, n);
	printf("\n### 3. Fairness: one waiter against a barger (50 us critical section; %d acquisitions)\n\n", n);
	printf("| lock | median wait ms | longest wait ms |\n|---|---:|---:|\n");
	printf("| thread_lock | %.3f | %.3f |\n", ours.median, ours.max);
	printf("| %s | %.3f | %.3f |\n", bench_mutex_name, theirs.median, theirs.max);
}

/* ---- 4. hand-off latency ------------------------------------------------ */

struct pingpong {
	thread_lock ping, pong;
	bench_sem *sping, *spong;
	long n;
	int done; /* atomic */
};

static void pong_locks(void *p)
{
	struct pingpong *pp = (struct pingpong *)p;
	for (long i = 0; i < pp->n; i++) {
		thread_lock_acquire(&pp->ping, 1);
		thread_lock_release(&pp->pong);
	}
	__atomic_store_n(&pp->done, 1, __ATOMIC_RELEASE);
}

static void pong_sems(void *p)
{
	struct pingpong *pp = (struct pingpong *)p;
	for (long i = 0; i < pp->n; i++) {
		bench_sem_wait(pp->sping);
		bench_sem_post(pp->spong);
	}
	__atomic_store_n(&pp->done, 1, __ATOMIC_RELEASE);
}

static int64_t pingpong_run(int sems, long n)
{
	struct pingpong pp;
	int64_t t0, t1;
	memset(&pp, 0, sizeof pp);
	pp.n = n;
	pp.sping = bench_sem_new(0);
	pp.spong = bench_sem_new(0);
	thread_lock_acquire(&pp.ping, 1);
	thread_lock_acquire(&pp.pong, 1);
	if (thread_start_new_thread(sems ? pong_sems : pong_locks, &pp, NULL) != 0)
		abort();
	t0 = bench_now_ns();
	for (long i = 0; i < n; i++) {
		if (sems) {
			bench_sem_post(pp.sping);
			bench_sem_wait(pp.spong);
		} else {
			thread_lock_release(&pp.ping);
			thread_lock_acquire(&pp.pong, 1);
		}
	}
	t1 = bench_now_ns();
	while (!__atomic_load_n(&pp.done, __ATOMIC_ACQUIRE))
		sleep_ns(100000);
	bench_sem_free(pp.sping);
	bench_sem_free(pp.spong);
	return (t1 - t0) / 2; /* two hand-offs per round trip */
}

static int64_t pingpong_locks(void *state, long n)
{
	(void)state;
	return pingpong_run(0, n);
}

static int64_t pingpong_sems(void *state, long n)
{
	(void)state;
	return pingpong_run(1, n);
}

static void handoff(int rounds)
{
	bench_variant v[2] = {{"thread_lock pair", pingpong_locks, NULL},
	                      {NULL, pingpong_sems, NULL}};
	bench_result r[2];
	v[1].name = bench_sem_name;
	bench_interleave(v, 2, rounds, bench_scaled(20000), r);
	printf("\n### 4. Hand-off latency: ping-pong between two threads (ns per hand-off; %d rounds)\n\n", rounds);
	printf("| primitive | median | min | max | ratio |\n|---|---:|---:|---:|---:|\n");
	printf("| thread_lock pair | %.0f | %.0f | %.0f | %.2fx |\n", r[0].median,
	       r[0].min, r[0].max, r[0].median / r[1].median);
	printf("| %s pair | %.0f | %.0f | %.0f | 1.00x |\n", bench_sem_name,
	       r[1].median, r[1].min, r[1].max);
}

/* ---- 5. thread start ---------------------------------------------------- */

static void signal_done(void *p)
{
	thread_lock_release((thread_lock *)p);
}

static int64_t start_ours(void *state, long n)
{
	thread_lock done = THREAD_LOCK_INIT;
	int64_t t0;
	(void)state;
	thread_lock_acquire(&done, 1);
	t0 = bench_now_ns();
	for (long i = 0; i < n; i++) {
		if (thread_start_new_thread(signal_done, &done, NULL) != 0)
			abort();
		thread_lock_acquire(&done, 1); /* the thread has run */
	}
	return bench_now_ns() - t0;
}

static int64_t start_native(void *state, long n)
{
	int64_t t0 = bench_now_ns();
	(void)state;
	for (long i = 0; i < n; i++)
		bench_native_start_join(noop, NULL);
	return bench_now_ns() - t0;
}

static void thread_start(int rounds)
{
	bench_variant v[2] = {{"thread_start_new_thread", start_ours, NULL},
	                      {NULL, start_native, NULL}};
	bench_result r[2];
	v[1].name = bench_native_start_name;
	bench_interleave(v, 2, rounds, bench_scaled(2000), r);
	printf("\n### 5. Start a thread and learn it finished (us per thread; %d rounds)\n\n", rounds);
	printf("| how | median | min | max | ratio |\n|---|---:|---:|---:|---:|\n");
	printf("| thread_start_new_thread + lock | %.2f | %.2f | %.2f | %.2fx |\n",
	       r[0].median / 1e3, r[0].min / 1e3, r[0].max / 1e3, r[0].median / r[1].median);
	printf("| %s | %.2f | %.2f | %.2f | 1.00x |\n", bench_native_start_name,
	       r[1].median / 1e3, r[1].min / 1e3, r[1].max / 1e3);
}

/* ---- 6. size ------------------------------------------------------------- */

static void sizes(void)
{
	printf("\n### 6. Size in bytes\n\n| type | bytes |\n|---|---:|\n");
	printf("| thread_lock | %zu |\n| %s | %zu |\n| %s | %zu |\n", sizeof(thread_lock),
	       bench_mutex_name, bench_mutex_size, bench_sem_name, bench_sem_size);
}

int main(int argc, char **argv)
{
	int rounds = bench_rounds(11);
	const char *only = argc > 1 ? argv[1] : "";
	/* A started thread makes the process multi-threaded, so no libc skips
	 * its atomics for single-threaded processes. */
	if (thread_start_new_thread(noop, NULL, NULL) != 0)
		return 1;
	printf("## libthread benchmarks, %s backend\n\n", BENCH_BACKEND);
	bench_print_context(BENCH_BACKEND);
	if (!*only || strstr(only, "uncontended"))
		uncontended(rounds);
	if (!*only || strstr(only, "contended") == only || strstr(only, ",contended"))
		contended(rounds);
	if (!*only || strstr(only, "fairness"))
		fairness();
	if (!*only || strstr(only, "handoff"))
		handoff(rounds);
	if (!*only || strstr(only, "start"))
		thread_start(rounds);
	sizes();
	return 0;
}
