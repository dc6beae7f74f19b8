/* The model checker's scenarios: what each simulated thread does with the
 * lock, and which threads run together.  Every atomic operation inside the
 * lock is a scheduling point (model.c); a body may add its own with
 * thread__model_point(). */
#include "model.h"

static void critical_section(void)
{
	holders++;
	thread__model_point();
	holders--;
}

static void release_held(void)
{
	int rc = thread_lock_release(&lk);
	if (rc != 0)
		failure("release of a held lock failed");
	released++;
}

/* Mutex use: blocking acquire, critical section, release. */
static void mutex_body(void)
{
	for (int i = 0; i < rounds; i++) {
		if (thread_lock_acquire(&lk, 1) != 1)
			failure("blocking acquire did not return 1");
		acquired++;
		critical_section();
		release_held();
	}
}

/* Timed use: every kind of timeout, release only what was acquired. */
static void timed_body(void)
{
	static const int64_t timeouts[] = {0, 300000, 1500000, 5000000, -1};
	for (int i = 0; i < rounds; i++) {
		int64_t t = timeouts[pick(5)];
		int rc = thread_lock_acquire_timed(&lk, t, interruptible ? THREAD_INTERRUPTIBLE : 0);
		if (rc == 1) {
			acquired++;
			critical_section();
			release_held();
		} else if (rc == THREAD_EINTR) {
			if (!interruptible)
				failure("EINTR without THREAD_INTERRUPTIBLE");
		} else if (rc != 0 || t < 0) {
			failure("timed acquire returned a wrong value");
		}
	}
}

/* Semaphore use: acquire here, release anywhere, whenever. */
static void consumer_body(void)
{
	for (int i = 0; i < rounds; i++) {
		int rc = thread_lock_acquire_timed(&lk, pick(2) ? 2000000 : 0, 0);
		if (rc == 1)
			acquired++;
	}
}

static void blocking_consumer_body(void)
{
	for (int i = 0; i < rounds; i++) {
		if (thread_lock_acquire(&lk, 1) != 1)
			failure("blocking acquire did not return 1");
		acquired++;
	}
}

static void producer_release(void)
{
	int rc = thread_lock_release(&lk);
	if (rc == 0)
		released++;
	else if (rc != THREAD_ENOTLOCKED)
		failure("release returned neither 0 nor THREAD_ENOTLOCKED");
}

static void producer_body(void)
{
	for (int i = 0; i < rounds * 2; i++)
		producer_release();
}

/* A newcomer that never sleeps long: takes the lock if it is free now or
 * soon, and gives back what it took unless a producer already did. */
static void newcomer_body(void)
{
	for (int i = 0; i < rounds * 2; i++) {
		int rc = thread_lock_acquire_timed(&lk, pick(2) ? 0 : 300000, 0);
		if (rc == 0)
			continue;
		if (rc != 1)
			failure("timed acquire returned a wrong value");
		acquired++;
		producer_release(); /* unless a producer has released it */
	}
}

/* A producer that releases twice in a row, the first time (when it can,
 * within a bounded number of scheduling points) while a waiter is hungry:
 * the first release then hands the lock off, and the second frees it
 * before, or after, the collection, as the schedule falls. */
static void double_producer_body(void)
{
	for (int i = 0; i < rounds; i++) {
		for (int k = 0; k < 100 && !((lk.word_ & LK_LOCKED) && lk.word_ >= LK_HUNGRY); k++)
			thread__model_point();
		producer_release();
		producer_release();
	}
}

const struct scenario scenarios[] = {
	{.name = "mutex", .bodies = {mutex_body, mutex_body, mutex_body},
	 .threads = 3, .rounds = 3, .ends_free = 1},
	{.name = "timed", .bodies = {timed_body, timed_body, timed_body},
	 .threads = 3, .rounds = 3, .ends_free = 1},
	{.name = "mixed", .bodies = {mutex_body, timed_body, timed_body, mutex_body},
	 .threads = 4, .rounds = 2, .ends_free = 1},
	{.name = "interruptible", .bodies = {timed_body, timed_body, mutex_body},
	 .threads = 3, .rounds = 3, .interruptible = 1, .ends_free = 1},
	{.name = "semaphore", .bodies = {consumer_body, consumer_body, producer_body},
	 .threads = 3, .rounds = 3},
	{.name = "signalling", .bodies = {blocking_consumer_body, blocking_consumer_body,
	                                  producer_body, producer_body},
	 .threads = 4, .rounds = 3, .may_end_blocked = 1},
	/* Hungry sleepers, a producer releasing twice in a row, and a
	 * newcomer to take the lock that a second release freed while its
	 * hand-off was not yet collected. */
	{.name = "double_release", .bodies = {blocking_consumer_body, blocking_consumer_body,
	                                      double_producer_body, newcomer_body},
	 .threads = 4, .rounds = 3, .may_end_blocked = 1, .must_double_release = 1},
	{.name = NULL},
};
