/* POSIX baselines: pthread mutex, sem_t, C11 mtx, bare atomics, and
 * pthread_create + pthread_join. */
#include "bench.h"

#include <pthread.h>
#include <semaphore.h>
#include <stdlib.h>
#include <threads.h>
#include <time.h>
#include <unistd.h>

int64_t bench_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int bench_cores(void)
{
	return (int)sysconf(_SC_NPROCESSORS_ONLN);
}

struct bench_mutex {
	pthread_mutex_t m;
};
const char *const bench_mutex_name = "pthread_mutex";
const size_t bench_mutex_size = sizeof(pthread_mutex_t);

bench_mutex *bench_mutex_new(void)
{
	bench_mutex *m = (bench_mutex *)malloc(sizeof *m);
	if (!m)
		abort();
	pthread_mutex_init(&m->m, NULL);
	return m;
}
void bench_mutex_lock(bench_mutex *m) { pthread_mutex_lock(&m->m); }
void bench_mutex_unlock(bench_mutex *m) { pthread_mutex_unlock(&m->m); }
void bench_mutex_free(bench_mutex *m)
{
	pthread_mutex_destroy(&m->m);
	free(m);
}

struct bench_sem {
	sem_t s;
};
const char *const bench_sem_name = "sem_t";
const size_t bench_sem_size = sizeof(sem_t);

bench_sem *bench_sem_new(unsigned initial)
{
	bench_sem *s = (bench_sem *)malloc(sizeof *s);
	if (!s || sem_init(&s->s, 0, initial) != 0)
		abort();
	return s;
}
void bench_sem_post(bench_sem *s) { sem_post(&s->s); }
void bench_sem_wait(bench_sem *s)
{
	while (sem_wait(&s->s) != 0)
		;
}
void bench_sem_free(bench_sem *s)
{
	sem_destroy(&s->s);
	free(s);
}

/* ---- uncontended loops: each inlines its own primitive's calls --------- */

static pthread_mutex_t mutex = PTHREAD_MUTEX_INITIALIZER;
static sem_t sem;
static mtx_t mtx;
static uint32_t word;

static int64_t loop_mutex(void *state, long n)
{
	int64_t t0 = bench_now_ns();
	(void)state;
	for (long i = 0; i < n; i++) {
		pthread_mutex_lock(&mutex);
		pthread_mutex_unlock(&mutex);
	}
	return bench_now_ns() - t0;
}

static int64_t loop_sem(void *state, long n)
{
	static int ready;
	int64_t t0;
	(void)state;
	if (!ready && sem_init(&sem, 0, 1) == 0)
		ready = 1;
	t0 = bench_now_ns();
	for (long i = 0; i < n; i++) {
		sem_wait(&sem);
		sem_post(&sem);
	}
	return bench_now_ns() - t0;
}

static int64_t loop_mtx(void *state, long n)
{
	static int ready;
	int64_t t0;
	(void)state;
	if (!ready && mtx_init(&mtx, mtx_plain) == thrd_success)
		ready = 1;
	t0 = bench_now_ns();
	for (long i = 0; i < n; i++) {
		mtx_lock(&mtx);
		mtx_unlock(&mtx);
	}
	return bench_now_ns() - t0;
}

/* The floor: an acquiring exchange and a releasing exchange, inline.  No
 * lock whose release must notice waiters can do less. */
static int64_t loop_floor(void *state, long n)
{
	int64_t t0 = bench_now_ns();
	(void)state;
	for (long i = 0; i < n; i++) {
		while (__atomic_exchange_n(&word, 1, __ATOMIC_ACQUIRE) != 0)
			;
		if (__atomic_exchange_n(&word, 0, __ATOMIC_RELEASE) != 1)
			abort();
	}
	return bench_now_ns() - t0;
}

const bench_variant bench_platform_uncontended[] = {
	{"pthread_mutex", loop_mutex, NULL},
	{"sem_t", loop_sem, NULL},
	{"C11 mtx", loop_mtx, NULL},
	{"floor: 2 atomic xchg", loop_floor, NULL},
	{NULL, NULL, NULL},
};

/* ---- thread start ------------------------------------------------------ */

struct call {
	void (*fn)(void *);
	void *arg;
};

static void *call_main(void *p)
{
	struct call *c = (struct call *)p;
	c->fn(c->arg);
	return NULL;
}

const char *const bench_native_start_name = "pthread_create+join";

void bench_native_start_join(void (*fn)(void *), void *arg)
{
	pthread_t t;
	struct call c = {fn, arg};
	if (pthread_create(&t, NULL, call_main, &c) != 0 || pthread_join(t, NULL) != 0)
		abort();
}
