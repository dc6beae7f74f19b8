/* Cross-thread lock behaviour: foreign release, wake-ups, timed waits,
 * the lock as a binary semaphore, and starvation. */
#include "harness.h"

#define MS 1000000LL

struct pair {
	thread_lock lk;
	steps *st;
	int result;
	int64_t timeout_ns, waited_ns;
	unsigned flags; /* for acquire_timed */
};

static void release_it(void *p)
{
	struct pair *pr = (struct pair *)p;
	pr->result = thread_lock_release(&pr->lk);
	steps_set(pr->st, 1);
}

TEST(release_by_a_thread_other_than_the_acquirer_is_allowed)
{
	struct pair pr = {THREAD_LOCK_INIT, steps_new(), -99, 0, 0, 0};
	ASSERT_EQ(thread_lock_acquire(&pr.lk, 1), 1);
	start_or_fail(release_it, &pr);
	steps_wait(pr.st, 1);
	ASSERT_EQ(pr.result, 0);
	ASSERT_EQ(thread_lock_locked(&pr.lk), 0);
	ASSERT_EQ(thread_lock_acquire(&pr.lk, 0), 1);
	steps_free(pr.st);
}

static void acquire_blocking(void *p)
{
	struct pair *pr = (struct pair *)p;
	steps_set(pr->st, 1);
	pr->result = thread_lock_acquire(&pr->lk, 1);
	steps_set(pr->st, 2);
}

TEST(release_wakes_a_thread_blocked_in_acquire)
{
	struct pair pr = {THREAD_LOCK_INIT, steps_new(), -99, 0, 0, 0};
	ASSERT_EQ(thread_lock_acquire(&pr.lk, 1), 1);
	start_or_fail(acquire_blocking, &pr);
	steps_wait(pr.st, 1);
	pause_ms(20); /* likely asleep in acquire now; correct either way */
	ASSERT_EQ(steps_wait_for(pr.st, 2, 0), 0); /* still blocked */
	ASSERT_EQ(thread_lock_release(&pr.lk), 0);
	ASSERT_EQ(steps_wait_for(pr.st, 2, 10000 * MS), 1);
	ASSERT_EQ(pr.result, 1);
	ASSERT_EQ(thread_lock_locked(&pr.lk), 1);
	steps_free(pr.st);
}

static void acquire_timed(void *p)
{
	struct pair *pr = (struct pair *)p;
	int64_t t0;
	steps_set(pr->st, 1);
	t0 = now_ns();
	pr->result = thread_lock_acquire_timed(&pr->lk, pr->timeout_ns, pr->flags);
	pr->waited_ns = now_ns() - t0;
	steps_set(pr->st, 2);
}

/* Another thread waits (timed, with `flags`) for the lock we hold and gets
 * it when we release it; it then holds the lock. */
static void check_released_in_time(struct pair *pr, unsigned flags)
{
	pr->flags = flags;
	ASSERT_EQ(thread_lock_acquire(&pr->lk, 1), 1);
	start_or_fail(acquire_timed, pr);
	steps_wait(pr->st, 1);
	pause_ms(20);
	ASSERT_EQ(thread_lock_release(&pr->lk), 0);
	steps_wait(pr->st, 2);
	ASSERT_EQ(pr->result, 1);
	ASSERT_LT(pr->waited_ns, pr->timeout_ns);
}

TEST(timed_acquire_returns_1_when_released_in_time)
{
	struct pair pr = {THREAD_LOCK_INIT, steps_new(), -99, 10000 * MS, 0, 0};
	check_released_in_time(&pr, 0);
	steps_free(pr.st);
}

TEST(a_waiter_that_does_not_spin_is_woken_by_release_and_times_out_on_time)
{
	struct pair pr = {THREAD_LOCK_INIT, steps_new(), -99, 10000 * MS, 0, 0};
	int64_t t0;
	check_released_in_time(&pr, THREAD_NO_SPIN);
	/* Held by the other thread now: we time out, no earlier than asked. */
	t0 = now_ns();
	ASSERT_EQ(thread_lock_acquire_timed(&pr.lk, 20 * MS, THREAD_NO_SPIN), 0);
	ASSERT_GE(now_ns() - t0, 20 * MS);
	ASSERT_EQ(thread_lock_release(&pr.lk), 0);
	ASSERT_EQ(thread_lock_acquire_timed(&pr.lk, 20 * MS, THREAD_NO_SPIN | THREAD_INTERRUPTIBLE),
	          1);
	steps_free(pr.st);
}

TEST(timed_acquire_in_another_thread_returns_0_no_earlier_than_the_timeout)
{
	struct pair pr = {THREAD_LOCK_INIT, steps_new(), -99, 100 * MS, 0, 0};
	ASSERT_EQ(thread_lock_acquire(&pr.lk, 1), 1);
	start_or_fail(acquire_timed, &pr);
	steps_wait(pr.st, 2);
	ASSERT_EQ(pr.result, 0);
	ASSERT_GE(pr.waited_ns, pr.timeout_ns);
	ASSERT_LT(pr.waited_ns, 20 * pr.timeout_ns);
	ASSERT_EQ(thread_lock_locked(&pr.lk), 1);
	steps_free(pr.st);
}

/* Producer/consumer over two locks used as binary semaphores: `empty` is
 * released by the consumer and acquired by the producer, `full` the other
 * way round, so every release is by the thread that did not acquire. */
struct mailbox {
	thread_lock empty, full;
	long item, items;
	long sum, count, out_of_order;
	steps *st;
};

static void consume(void *p)
{
	struct mailbox *m = (struct mailbox *)p;
	for (long i = 0; i < m->items; i++) {
		thread_lock_acquire(&m->full, 1);
		if (m->item != i)
			m->out_of_order++;
		m->sum += m->item;
		m->count++;
		thread_lock_release(&m->empty);
	}
	steps_set(m->st, 1);
}

TEST(lock_as_binary_semaphore_delivers_every_item_exactly_once)
{
	struct mailbox m;
	memset(&m, 0, sizeof m);
	m.items = scaled(100000);
	m.st = steps_new();
	ASSERT_EQ(thread_lock_acquire(&m.full, 1), 1); /* nothing to take yet */
	start_or_fail(consume, &m);
	for (long i = 0; i < m.items; i++) {
		thread_lock_acquire(&m.empty, 1);
		m.item = i;
		thread_lock_release(&m.full);
	}
	steps_wait(m.st, 1);
	ASSERT_EQ(m.count, m.items);
	ASSERT_EQ(m.out_of_order, 0);
	ASSERT_EQ(m.sum, m.items * (m.items - 1) / 2);
	steps_free(m.st);
}

struct crowd {
	thread_lock lk, mu;
	int done; /* mu */
	int n;
	steps *st;
};

static void take_and_pass_on(void *p)
{
	struct crowd *c = (struct crowd *)p;
	int n;
	thread_lock_acquire(&c->lk, 1);
	thread_lock_release(&c->lk);
	thread_lock_acquire(&c->mu, 1);
	n = ++c->done;
	thread_lock_release(&c->mu);
	if (n == c->n)
		steps_set(c->st, 1);
}

TEST(every_blocked_waiter_gets_the_lock_after_one_release)
{
	struct crowd c = {THREAD_LOCK_INIT, THREAD_LOCK_INIT, 0, 8, steps_new()};
	ASSERT_EQ(thread_lock_acquire(&c.lk, 1), 1);
	for (int i = 0; i < c.n; i++)
		start_or_fail(take_and_pass_on, &c);
	pause_ms(20);
	ASSERT_EQ(thread_lock_release(&c.lk), 0);
	ASSERT_EQ(steps_wait_for(c.st, 1, 10000 * MS), 1);
	ASSERT_EQ(thread_lock_locked(&c.lk), 0);
	steps_free(c.st);
}
