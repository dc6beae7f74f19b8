/* Starvation: a waiter must get the lock within a bounded time while other
 * threads take and release it as fast as they can. */
#include "harness.h"

#define MS 1000000LL
#define BARGERS 1

struct arena {
	thread_lock lk;
	int stop;          /* atomic */
	long taken;        /* atomic */
	thread_lock mu;
	int finished;      /* mu */
	steps *st;
};

static void barge(void *p)
{
	struct arena *a = (struct arena *)p;
	int n;
	while (!__atomic_load_n(&a->stop, __ATOMIC_RELAXED)) {
		thread_lock_acquire(&a->lk, 1);
		__atomic_fetch_add(&a->taken, 1, __ATOMIC_RELAXED); /* read unlocked */
		for (volatile int spin = 0; spin < 50000; spin++)
			;
		thread_lock_release(&a->lk);
	}
	thread_lock_acquire(&a->mu, 1);
	n = ++a->finished;
	thread_lock_release(&a->mu);
	if (n == BARGERS)
		steps_set(a->st, 1);
}

#define ROUNDS 51

static int by_value(const void *x, const void *y)
{
	int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
	return (a > b) - (a < b);
}

TEST(a_waiter_gets_the_lock_within_the_bound_while_others_barge)
{
	struct arena a;
	int64_t waits[ROUNDS];
	if (threads_serialised())
		SKIP("threads are serialised by the tool running the tests; a time bound would measure it");
	memset(&a, 0, sizeof a);
	a.st = steps_new();
	for (int i = 0; i < BARGERS; i++)
		start_or_fail(barge, &a);
	while (__atomic_load_n(&a.taken, __ATOMIC_RELAXED) < 1000)
		pause_ms(1);
	for (int round = 0; round < ROUNDS; round++) {
		int64_t t0 = now_ns();
		thread_lock_acquire(&a.lk, 1);
		waits[round] = now_ns() - t0;
		thread_lock_release(&a.lk);
		pause_ms(1);
	}
	__atomic_store_n(&a.stop, 1, __ATOMIC_RELAXED);
	steps_wait(a.st, 1);
	qsort(waits, ROUNDS, sizeof waits[0], by_value);
	printf("wait: median %.3f ms, 90th percentile %.3f ms, longest %.3f ms"
	       " over %d acquisitions\n", waits[ROUNDS / 2] / 1e6,
	       waits[ROUNDS * 9 / 10] / 1e6, waits[ROUNDS - 1] / 1e6, ROUNDS);
	/* The policy hands off after ~1 ms of losing races: measured here,
	 * every wait is 1.0-1.1 ms.  Without it (built with a huge FAIR_NS)
	 * the barger, which re-takes the lock while the woken waiter is still
	 * being scheduled, made the longest wait 23-360 ms.  The bound leaves
	 * room for a few time slices of scheduling delay on a loaded machine. */
	ASSERT_LT(waits[ROUNDS - 1], 20 * MS);
	steps_free(a.st);
}
