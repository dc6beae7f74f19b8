/* Threads on POSIX: detached pthreads started through one trampoline; the
 * identifier is pthread_self(), so it matches what other code in the
 * process (CPython included) reports for the same thread. */
#include "thread_impl.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

/* What the new thread needs; malloc'ed by the starter, freed by the new
 * thread before it calls func, so nothing is left when func ends in any way
 * (return, thread_exit, cancellation). */
struct boot {
	thread_func func;
	void *arg;
};

/* Stack size for new threads, 0 for the default.  Written by
 * thread_stack_size, read by thread_start_new_thread; relaxed, as a new
 * value only needs to be seen by threads started after the setter returns
 * in the same thread or after other synchronisation. */
static size_t stack_size;

static void *trampoline(void *p)
{
	struct boot b = *(struct boot *)p;
	free(p);
	b.func(b.arg);
	return NULL;
}

static int from_errno(int e)
{
	switch (e) {
	case ENOMEM:
		return THREAD_ENOMEM;
	case EINVAL:
		return THREAD_EINVAL;
	default:
		return THREAD_EAGAIN;
	}
}

int thread_start_new_thread(thread_func func, void *arg, thread_ident *ident)
{
	pthread_attr_t attr;
	pthread_t tid;
	struct boot *b;
	size_t size = __atomic_load_n(&stack_size, __ATOMIC_RELAXED);
	int rc;

	if (!func)
		return THREAD_EINVAL;
	b = (struct boot *)malloc(sizeof *b);
	if (!b)
		return THREAD_ENOMEM;
	b->func = func;
	b->arg = arg;
	if (pthread_attr_init(&attr) != 0) {
		free(b);
		return THREAD_ENOMEM;
	}
	rc = pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	if (rc == 0 && size != 0)
		rc = pthread_attr_setstacksize(&attr, size);
	if (rc == 0)
		rc = pthread_create(&tid, &attr, trampoline, b);
	pthread_attr_destroy(&attr);
	if (rc != 0) {
		free(b);
		/* A size the platform accepted but cannot map is a resource
		 * shortage, not a bad argument. */
		return rc == EINVAL ? THREAD_EAGAIN : from_errno(rc);
	}
	if (ident)
		*ident = (thread_ident)tid;
	return 0;
}

void thread_exit(void)
{
	pthread_exit(NULL);
}

thread_ident thread_get_ident(void)
{
	return (thread_ident)pthread_self();
}

int thread_stack_size(size_t size, size_t *previous)
{
	size_t old;
	if (size != 0) {
		/* Ask the platform whether it would take this size. */
		pthread_attr_t attr;
		int rc;
		if (pthread_attr_init(&attr) != 0)
			return THREAD_ENOMEM;
		rc = pthread_attr_setstacksize(&attr, size);
		pthread_attr_destroy(&attr);
		if (rc != 0)
			return THREAD_EINVAL;
	}
	old = __atomic_exchange_n(&stack_size, size, __ATOMIC_RELAXED);
	if (previous)
		*previous = old;
	return 0;
}

int thread__online_cpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 && n < 65536 ? (int)n : 0;
}

int64_t thread__monotonic_ns(void)
{
	struct timespec ts;
	if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
		thread__fatal("libthread: CLOCK_MONOTONIC is unavailable");
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}
