/* Spinning without sleeping: thread_lock_acquire_spin and thread_spin_while
 * (src/spin.c).  Time limits here only bound how long a broken spin could
 * hang; the lower bounds are the contract (a spin never gives up early). */
#include "harness.h"

#define MS 1000000LL

TEST(spin_on_null_is_einval)
{
	ASSERT_EQ(thread_lock_acquire_spin(NULL, 1000), THREAD_EINVAL);
	ASSERT_EQ(thread_spin_while(NULL, 0, 1000), THREAD_EINVAL);
}

TEST(spin_takes_a_free_lock_at_once)
{
	thread_lock lk = THREAD_LOCK_INIT;
	ASSERT_EQ(thread_lock_acquire_spin(&lk, 0), 1);
	ASSERT_EQ(thread_lock_locked(&lk), 1);
	ASSERT_EQ(thread_lock_release(&lk), 0);
	ASSERT_EQ(thread_lock_acquire_spin(&lk, 10 * MS), 1);
	ASSERT_EQ(thread_lock_release(&lk), 0);
}

TEST(spin_without_time_on_a_held_lock_tries_once)
{
	thread_lock lk = THREAD_LOCK_INIT;
	ASSERT_EQ(thread_lock_acquire(&lk, 1), 1);
	ASSERT_EQ(thread_lock_acquire_spin(&lk, 0), 0);
	ASSERT_EQ(thread_lock_acquire_spin(&lk, -1), 0);
	ASSERT_EQ(thread_lock_locked(&lk), 1);
	ASSERT_EQ(thread_lock_release(&lk), 0);
	ASSERT_EQ(thread_lock_locked(&lk), 0);
}

TEST(spin_on_a_held_lock_gives_up_no_earlier_than_its_time)
{
	thread_lock lk = THREAD_LOCK_INIT;
	int64_t t0;
	ASSERT_EQ(thread_lock_acquire(&lk, 1), 1);
	t0 = thread_monotonic_ns();
	ASSERT_EQ(thread_lock_acquire_spin(&lk, 3 * MS), 0);
	ASSERT_GE(thread_monotonic_ns() - t0, 3 * MS);
	ASSERT_EQ(thread_lock_release(&lk), 0);
}

struct handover {
	thread_lock lk;
	steps *st;
	int data; /* written before the release, read after the spin */
};

static void write_then_release(void *p)
{
	struct handover *h = (struct handover *)p;
	steps_wait(h->st, 1);
	pause_ms(2); /* likely spinning by now; correct either way */
	h->data = 42;
	ASSERT_EQ(thread_lock_release(&h->lk), 0);
}

TEST(spin_takes_a_lock_another_thread_releases_and_sees_its_writes)
{
	struct handover h = {THREAD_LOCK_INIT, steps_new(), 0};
	int r;
	ASSERT_EQ(thread_lock_acquire(&h.lk, 1), 1);
	start_or_fail(write_then_release, &h);
	steps_set(h.st, 1);
	r = thread_lock_acquire_spin(&h.lk, 10000 * MS); /* bound for a broken spin */
	ASSERT_EQ(r, 1);
	ASSERT_EQ(h.data, 42);
	ASSERT_EQ(thread_lock_locked(&h.lk), 1);
	ASSERT_EQ(thread_lock_release(&h.lk), 0);
	steps_free(h.st);
}

TEST(spin_while_returns_at_once_when_the_word_differs)
{
	uint32_t word = 7;
	ASSERT_EQ(thread_spin_while(&word, 6, 0), 1);
	ASSERT_EQ(thread_spin_while(&word, 6, 10000 * MS), 1);
	ASSERT_EQ(word, 7u); /* never written */
}

TEST(spin_while_the_word_holds_gives_up_no_earlier_than_its_time)
{
	uint32_t word = 1;
	int64_t t0 = thread_monotonic_ns();
	ASSERT_EQ(thread_spin_while(&word, 1, 0), 0);
	ASSERT_EQ(thread_spin_while(&word, 1, -5), 0);
	ASSERT_EQ(thread_spin_while(&word, 1, 3 * MS), 0);
	ASSERT_GE(thread_monotonic_ns() - t0, 3 * MS);
}

struct flag {
	uint32_t word; /* atomic */
	steps *st;
};

static void change_word(void *p)
{
	struct flag *f = (struct flag *)p;
	steps_wait(f->st, 1);
	pause_ms(2);
	__atomic_store_n(&f->word, 0, __ATOMIC_RELAXED);
}

TEST(spin_while_sees_another_thread_change_the_word)
{
	struct flag f = {1, steps_new()};
	thread_handle *h = start_joinable_or_fail(change_word, &f, NULL);
	steps_set(f.st, 1);
	ASSERT_EQ(thread_spin_while(&f.word, 1, 10000 * MS), 1);
	ASSERT_EQ(__atomic_load_n(&f.word, __ATOMIC_RELAXED), 0u);
	/* The spin's reads are relaxed (its contract) and order nothing: join
	 * before freeing what the other thread used. */
	ASSERT_EQ(thread_join(h, -1, 0), 1);
	steps_free(f.st);
}
