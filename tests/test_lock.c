/* One-thread lock behaviour: states, non-blocking and timed acquire, misuse. */
#include "harness.h"

#define MS 1000000LL

TEST(lock_is_one_32_bit_word)
{
	ASSERT_EQ(sizeof(thread_lock), 4);
}

TEST(allocate_lock_returns_an_unlocked_lock)
{
	thread_lock *lk = thread_allocate_lock();
	ASSERT_TRUE(lk != NULL);
	ASSERT_EQ(thread_lock_locked(lk), 0);
	thread_free_lock(lk);
}

TEST(static_initialiser_gives_an_unlocked_lock)
{
	static thread_lock lk = THREAD_LOCK_INIT;
	ASSERT_EQ(thread_lock_locked(&lk), 0);
	ASSERT_EQ(thread_lock_acquire(&lk, 0), 1);
}

TEST(blocking_acquire_of_a_free_lock_returns_1_and_holds_it)
{
	thread_lock lk = THREAD_LOCK_INIT;
	ASSERT_EQ(thread_lock_acquire(&lk, 1), 1);
	ASSERT_EQ(thread_lock_locked(&lk), 1);
}

TEST(nonblocking_acquire_of_a_free_lock_returns_1)
{
	thread_lock lk = THREAD_LOCK_INIT;
	ASSERT_EQ(thread_lock_acquire(&lk, 0), 1);
	ASSERT_EQ(thread_lock_locked(&lk), 1);
}

TEST(nonblocking_acquire_of_a_held_lock_returns_0_without_waiting)
{
	thread_lock lk = THREAD_LOCK_INIT;
	int64_t t0;
	ASSERT_EQ(thread_lock_acquire(&lk, 1), 1);
	t0 = now_ns();
	for (int i = 0; i < 1000; i++)
		ASSERT_EQ(thread_lock_acquire(&lk, 0), 0);
	/* A thousand refusals in well under a second: none of them slept. */
	ASSERT_LT(now_ns() - t0, 1000 * MS);
	ASSERT_EQ(thread_lock_locked(&lk), 1);
}

TEST(release_makes_the_lock_free_again)
{
	thread_lock lk = THREAD_LOCK_INIT;
	ASSERT_EQ(thread_lock_acquire(&lk, 1), 1);
	ASSERT_EQ(thread_lock_release(&lk), 0);
	ASSERT_EQ(thread_lock_locked(&lk), 0);
	ASSERT_EQ(thread_lock_acquire(&lk, 0), 1);
}

TEST(release_of_an_unlocked_lock_returns_enotlocked_and_changes_nothing)
{
	thread_lock lk = THREAD_LOCK_INIT;
	ASSERT_EQ(thread_lock_release(&lk), THREAD_ENOTLOCKED);
	ASSERT_EQ(thread_lock_locked(&lk), 0);
	ASSERT_EQ(thread_lock_acquire(&lk, 0), 1);
	ASSERT_EQ(thread_lock_release(&lk), 0);
	ASSERT_EQ(thread_lock_release(&lk), THREAD_ENOTLOCKED);
	ASSERT_EQ(thread_lock_locked(&lk), 0);
}

TEST(timed_acquire_of_a_free_lock_returns_1)
{
	thread_lock lk = THREAD_LOCK_INIT;
	ASSERT_EQ(thread_lock_acquire_timed(&lk, 10 * MS, 0), 1);
	ASSERT_EQ(thread_lock_locked(&lk), 1);
}

TEST(timed_acquire_with_zero_timeout_of_a_held_lock_returns_0)
{
	thread_lock lk = THREAD_LOCK_INIT;
	ASSERT_EQ(thread_lock_acquire(&lk, 1), 1);
	ASSERT_EQ(thread_lock_acquire_timed(&lk, 0, 0), 0);
}

TEST(timed_acquire_with_negative_timeout_of_a_free_lock_returns_1)
{
	thread_lock lk = THREAD_LOCK_INIT;
	ASSERT_EQ(thread_lock_acquire_timed(&lk, -1, 0), 1);
}

TEST(timed_acquire_of_a_held_lock_times_out_no_earlier_than_the_timeout)
{
	thread_lock lk = THREAD_LOCK_INIT;
	int64_t t0, waited;
	ASSERT_EQ(thread_lock_acquire(&lk, 1), 1);
	t0 = now_ns();
	ASSERT_EQ(thread_lock_acquire_timed(&lk, 50 * MS, 0), 0);
	waited = now_ns() - t0;
	ASSERT_GE(waited, 50 * MS);
	/* Upper bounds catch a unit slip (1000x) or a missed deadline, with
	 * room for a busy machine's scheduling delays. */
	ASSERT_LT(waited, 2000 * MS);
	ASSERT_EQ(thread_lock_locked(&lk), 1);
}

TEST(short_timeouts_never_return_early)
{
	thread_lock lk = THREAD_LOCK_INIT;
	ASSERT_EQ(thread_lock_acquire(&lk, 1), 1);
	for (int64_t t = 1; t <= 2 * MS; t = t * 4 + 3) {
		int64_t t0 = now_ns();
		ASSERT_EQ(thread_lock_acquire_timed(&lk, t, 0), 0);
		ASSERT_GE(now_ns() - t0, t);
	}
}

TEST(huge_timeout_of_a_free_lock_returns_1)
{
	thread_lock lk = THREAD_LOCK_INIT;
	ASSERT_EQ(thread_lock_acquire_timed(&lk, INT64_MAX, 0), 1);
}

TEST(timed_acquire_with_unknown_flags_returns_einval)
{
	thread_lock lk = THREAD_LOCK_INIT;
	ASSERT_EQ(thread_lock_acquire_timed(&lk, 0, 0x80u), THREAD_EINVAL);
	ASSERT_EQ(thread_lock_locked(&lk), 0);
}

TEST(null_lock_gets_einval_from_every_call)
{
	ASSERT_EQ(thread_lock_acquire(NULL, 1), THREAD_EINVAL);
	ASSERT_EQ(thread_lock_acquire(NULL, 0), THREAD_EINVAL);
	ASSERT_EQ(thread_lock_acquire_timed(NULL, 5, 0), THREAD_EINVAL);
	ASSERT_EQ(thread_lock_release(NULL), THREAD_EINVAL);
	ASSERT_EQ(thread_lock_locked(NULL), THREAD_EINVAL);
	thread_free_lock(NULL);
}

TEST(locks_embedded_in_a_struct_are_independent)
{
	struct {
		char c;
		thread_lock a, b;
		int x;
	} s = {'x', THREAD_LOCK_INIT, THREAD_LOCK_INIT, 7};
	ASSERT_EQ(thread_lock_acquire(&s.a, 0), 1);
	ASSERT_EQ(thread_lock_locked(&s.b), 0);
	ASSERT_EQ(thread_lock_acquire(&s.b, 0), 1);
	ASSERT_EQ(thread_lock_release(&s.a), 0);
	ASSERT_EQ(thread_lock_locked(&s.b), 1);
	ASSERT_EQ(s.c, 'x');
	ASSERT_EQ(s.x, 7);
}

TEST(strerror_names_every_code)
{
	const int codes[] = {THREAD_EINVAL, THREAD_ENOMEM, THREAD_EAGAIN,
	                     THREAD_EINTR, THREAD_ENOTLOCKED};
	const char *unknown = thread_strerror(-12345);
	ASSERT_TRUE(unknown != NULL);
	for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
		const char *m = thread_strerror(codes[i]);
		ASSERT_TRUE(m != NULL && m[0] != '\0');
		ASSERT_TRUE(strcmp(m, unknown) != 0);
		for (size_t j = 0; j < i; j++)
			ASSERT_TRUE(strcmp(m, thread_strerror(codes[j])) != 0);
	}
	ASSERT_STR_EQ(thread_strerror(0), "success");
}

TEST(monotonic_clock_never_goes_back_and_matches_timed_waits)
{
	thread_lock lk = THREAD_LOCK_INIT;
	int64_t prev = thread_monotonic_ns(), t0, t1;
	for (int i = 0; i < 100000; i++) {
		int64_t now = thread_monotonic_ns();
		ASSERT_GE(now, prev);
		prev = now;
	}
	ASSERT_EQ(thread_lock_acquire(&lk, 1), 1);
	t0 = thread_monotonic_ns();
	ASSERT_EQ(thread_lock_acquire_timed(&lk, 20 * MS, 0), 0);
	t1 = thread_monotonic_ns();
	ASSERT_GE(t1 - t0, 20 * MS);
	ASSERT_LT(t1 - t0, 2000 * MS);
}
