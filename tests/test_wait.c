/* The wait-on-address contract of src/thread_impl.h, on each backend. */
#include "harness.h"
#include "thread_impl.h"

#define MS 1000000LL

TEST(wait_returns_at_once_when_the_value_differs)
{
	uint32_t word = 5;
	int64_t t0 = now_ns();
	ASSERT_EQ(thread__wait(&word, 4, -1), 0);
	ASSERT_EQ(thread__wait(&word, 4, now_ns() + 5000 * MS), 0);
	ASSERT_LT(now_ns() - t0, 1000 * MS);
}

TEST(wait_with_a_deadline_returns_and_the_deadline_has_passed_or_it_was_spurious)
{
	uint32_t word = 0;
	int64_t deadline = now_ns() + 30 * MS;
	int returns = 0;
	/* Spurious returns are allowed; a caller loops until the clock says so. */
	while (now_ns() < deadline) {
		ASSERT_EQ(thread__wait(&word, 0, deadline), 0);
		returns++;
	}
	ASSERT_LT(returns, 1000);
}

TEST(wake_without_sleepers_is_harmless)
{
	uint32_t word = 0;
	thread__wake_one(&word);
	thread__wake_all(&word);
	ASSERT_EQ(word, 0);
}

struct sleeper {
	uint32_t *word;
	steps *st;
	int index;
};

static void sleep_until_word_changes(void *p)
{
	struct sleeper *s = (struct sleeper *)p;
	steps_set(s->st, 1);
	while (__atomic_load_n(s->word, __ATOMIC_ACQUIRE) == 0)
		thread__wait(s->word, 0, -1);
	steps_set(s->st, 2);
}

TEST(wake_one_wakes_a_sleeper)
{
	uint32_t word = 0;
	struct sleeper s = {&word, steps_new(), 0};
	start_or_fail(sleep_until_word_changes, &s);
	steps_wait(s.st, 1);
	__atomic_store_n(&word, 1, __ATOMIC_RELEASE);
	thread__wake_one(&word);
	ASSERT_EQ(steps_wait_for(s.st, 2, 10000 * MS), 1);
	steps_free(s.st);
}

struct crowd {
	uint32_t word;
	thread_lock count_lock;
	int started, done; /* count_lock */
	steps *st;
};

static void crowd_member(void *p)
{
	struct crowd *c = (struct crowd *)p;
	int n;
	thread_lock_acquire(&c->count_lock, 1);
	n = ++c->started;
	thread_lock_release(&c->count_lock);
	if (n == 4)
		steps_set(c->st, 1);
	while (__atomic_load_n(&c->word, __ATOMIC_ACQUIRE) == 0)
		thread__wait(&c->word, 0, -1);
	thread_lock_acquire(&c->count_lock, 1);
	n = ++c->done;
	thread_lock_release(&c->count_lock);
	if (n == 4)
		steps_set(c->st, 2);
}

TEST(wake_all_wakes_every_sleeper)
{
	struct crowd c = {0, THREAD_LOCK_INIT, 0, 0, steps_new()};
	for (int i = 0; i < 4; i++)
		start_or_fail(crowd_member, &c);
	steps_wait(c.st, 1);
	__atomic_store_n(&c.word, 1, __ATOMIC_RELEASE);
	thread__wake_all(&c.word);
	ASSERT_EQ(steps_wait_for(c.st, 2, 10000 * MS), 1);
	steps_free(c.st);
}

TEST(a_deadline_in_the_past_returns_at_once)
{
	uint32_t word = 0;
	int64_t t0 = now_ns();
	ASSERT_EQ(thread__wait(&word, 0, 0), 0);
	ASSERT_EQ(thread__wait(&word, 0, thread__monotonic_ns() - 1), 0);
	ASSERT_LT(now_ns() - t0, 1000 * MS);
}
