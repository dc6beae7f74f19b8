/* Wait backend: Linux futex(2), process-private.
 *
 * FUTEX_WAIT_BITSET takes an absolute CLOCK_MONOTONIC deadline, so a wait
 * that lock.c restarts after a signal never moves the deadline.  The kernel
 * itself restarts only a wait without a deadline, and only for a handler
 * installed with SA_RESTART; a wait with a deadline fails with EINTR after
 * any handler, SA_RESTART or not (it would restart only after a stop). */
#include "thread_impl.h"

#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static long futex(const uint32_t *addr, int op, uint32_t val,
                  const struct timespec *ts, uint32_t bitset)
{
	return syscall(SYS_futex, addr, op | FUTEX_PRIVATE_FLAG, val, ts, NULL,
	               bitset);
}

int thread__wait(const uint32_t *addr, uint32_t expected, int64_t deadline_ns)
{
	struct timespec ts, *tsp = NULL;
	if (deadline_ns >= 0) {
		ts.tv_sec = (time_t)(deadline_ns / 1000000000);
		ts.tv_nsec = (long)(deadline_ns % 1000000000);
		tsp = &ts;
	}
	if (futex(addr, FUTEX_WAIT_BITSET, expected, tsp, FUTEX_BITSET_MATCH_ANY) == 0)
		return 0;
	switch (errno) {
	case EAGAIN:    /* *addr != expected */
	case ETIMEDOUT: /* the caller reads the clock */
		return 0;
	case EINTR:
		return THREAD_EINTR;
	default:
		thread__fatal("libthread: futex wait failed");
	}
}

void thread__wake_one(const uint32_t *addr)
{
	if (futex(addr, FUTEX_WAKE, 1, NULL, 0) < 0)
		thread__fatal("libthread: futex wake failed");
}

void thread__wake_all(const uint32_t *addr)
{
	if (futex(addr, FUTEX_WAKE, INT_MAX, NULL, 0) < 0)
		thread__fatal("libthread: futex wake failed");
}

void thread__wait_after_fork(void)
{
	/* The kernel keeps the futex queues, and the child's are empty. */
}
