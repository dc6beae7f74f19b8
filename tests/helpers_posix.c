/* Test helpers on POSIX: clock and step counter on pthreads directly. */
#include "harness.h"

#include <pthread.h>
#include <time.h>

int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

struct steps {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int n; /* mu */
};

steps *steps_new(void)
{
	steps *s = (steps *)calloc(1, sizeof *s);
	pthread_condattr_t ca;
	if (!s)
		FAIL_("out of memory");
	pthread_mutex_init(&s->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&s->cv, &ca);
	pthread_condattr_destroy(&ca);
	return s;
}

void steps_free(steps *s)
{
	pthread_mutex_destroy(&s->mu);
	pthread_cond_destroy(&s->cv);
	free(s);
}

void steps_set(steps *s, int n)
{
	pthread_mutex_lock(&s->mu);
	if (n > s->n)
		s->n = n;
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mu);
}

int steps_wait_for(steps *s, int n, int64_t timeout_ns)
{
	int64_t deadline = now_ns() + timeout_ns;
	struct timespec ts;
	int reached;
	ts.tv_sec = (time_t)(deadline / 1000000000);
	ts.tv_nsec = (long)(deadline % 1000000000);
	pthread_mutex_lock(&s->mu);
	while (s->n < n && pthread_cond_timedwait(&s->cv, &s->mu, &ts) == 0)
		;
	reached = s->n >= n;
	pthread_mutex_unlock(&s->mu);
	return reached;
}

void steps_wait(steps *s, int n)
{
	pthread_mutex_lock(&s->mu);
	while (s->n < n)
		pthread_cond_wait(&s->cv, &s->mu);
	pthread_mutex_unlock(&s->mu);
}
