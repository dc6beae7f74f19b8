/* The hand-off to a hungry sleeper, seen from outside: a lock released
 * again before its sleeper has collected it is free, for everyone. */
#include "harness.h"

#define ROUNDS 40

/* One sleeper, driven round by round: round r starts when the counter
 * reaches 2r+1 and ends, its acquire returned, at 2r+2. */
struct sleeper {
	thread_lock lk;
	steps *st;
	int rounds;
	int returned; /* atomic: this round's acquire has returned */
	int result;   /* written before step 2r+2 */
};

static void sleeper_main(void *p)
{
	struct sleeper *s = (struct sleeper *)p;
	for (int r = 0; r < s->rounds; r++) {
		steps_wait(s->st, 2 * r + 1);
		s->result = thread_lock_acquire(&s->lk, 1);
		__atomic_store_n(&s->returned, 1, __ATOMIC_RELEASE);
		steps_set(s->st, 2 * r + 2);
	}
}

/* Each round makes the sleeper hungry (asleep for longer than lock.c's
 * 1 ms fairness limit, woken, beaten by our re-acquire), so that our next
 * release hands the lock to it and leaves it held on its behalf; a second
 * release at once, before the woken sleeper has run, frees it.  A lock
 * that is not locked must then be taken by a zero-wait acquire, both
 * kinds.  The pauses only make that interleaving likely: the checks hold
 * in every interleaving in which the second release succeeds, because the
 * sleeper's one acquire of the round has then either returned or been
 * granted, and a granted sleeper never sets the lock again. */
TEST(a_lock_released_again_before_its_hand_off_is_collected_is_free_for_anyone)
{
	struct sleeper s;
	int reached = 0;
	memset(&s, 0, sizeof s);
	s.st = steps_new();
	s.rounds = ROUNDS;
	ASSERT_EQ(thread_lock_acquire(&s.lk, 1), 1);
	start_or_fail(sleeper_main, &s);
	/* The lock is held (by us, or by the sleeper's acquire, which we then
	 * adopt: any thread may release) at the start of every round. */
	for (int r = 0; r < ROUNDS; r++) {
		int second;
		__atomic_store_n(&s.returned, 0, __ATOMIC_RELAXED);
		steps_set(s.st, 2 * r + 1);
		pause_ms(3); /* the sleeper is likely asleep in acquire */
		ASSERT_EQ(thread_lock_release(&s.lk), 0);
		if (thread_lock_acquire(&s.lk, 0) != 1) {
			steps_wait(s.st, 2 * r + 2); /* it won: it holds the lock */
			continue;
		}
		pause_ms(2); /* likely woken, beaten, hungry and asleep again */
		ASSERT_EQ(thread_lock_release(&s.lk), 0); /* hands off if hungry */
		second = thread_lock_release(&s.lk);
		if (second == THREAD_ENOTLOCKED) {
			/* No hand-off, and the sleeper has not taken the lock yet. */
			steps_wait(s.st, 2 * r + 2);
			continue;
		}
		ASSERT_EQ(second, 0);
		ASSERT_EQ(thread_lock_locked(&s.lk), 0);
		ASSERT_EQ(thread_lock_acquire(&s.lk, 0), 1);
		ASSERT_EQ(thread_lock_release(&s.lk), 0);
		ASSERT_EQ(thread_lock_locked(&s.lk), 0);
		ASSERT_EQ(thread_lock_acquire_timed(&s.lk, 0, 0), 1);
		/* The checks ran while the sleeper was still inside acquire: the
		 * second release freed a lock held on its behalf. */
		if (!__atomic_load_n(&s.returned, __ATOMIC_ACQUIRE))
			reached++;
		steps_wait(s.st, 2 * r + 2);
		ASSERT_EQ(s.result, 1); /* granted, then released by us */
		ASSERT_EQ(thread_lock_locked(&s.lk), 1); /* ours */
	}
	ASSERT_EQ(thread_lock_release(&s.lk), 0);
	steps_free(s.st);
	printf("in %d of %d rounds the second release and the checks came before "
	       "the sleeper's acquire returned\n", reached, ROUNDS);
	if (reached == 0)
		SKIP("in no round did the second release come before the sleeper's "
		     "acquire returned; the machine never let this thread run first");
}
