/* Signals and waits: THREAD_INTERRUPTIBLE reports them; otherwise they
 * neither end a wait nor move its deadline. */
#include "harness.h"

#define MS 1000000LL

struct sleeper {
	thread_lock lk;
	steps *st;
	thread_ident id;
	unsigned flags;
	int64_t timeout_ns, waited_ns;
	int result;
};

static void wait_for_lock(void *p)
{
	struct sleeper *s = (struct sleeper *)p;
	int64_t t0;
	s->id = thread_get_ident();
	steps_set(s->st, 1);
	t0 = now_ns();
	s->result = thread_lock_acquire_timed(&s->lk, s->timeout_ns, s->flags);
	s->waited_ns = now_ns() - t0;
	steps_set(s->st, 2);
}

static struct sleeper *sleeper_new(unsigned flags, int64_t timeout_ns)
{
	struct sleeper *s = (struct sleeper *)calloc(1, sizeof *s);
	if (!s)
		FAIL_("out of memory");
	if (!signals_supported())
		SKIP("no POSIX signals on this platform; THREAD_INTERRUPTIBLE has no effect");
	install_counting_handler();
	s->st = steps_new();
	s->flags = flags;
	s->timeout_ns = timeout_ns;
	s->result = -99;
	ASSERT_EQ(thread_lock_acquire(&s->lk, 1), 1);
	start_or_fail(wait_for_lock, s);
	steps_wait(s->st, 1);
	return s;
}

static void sleeper_free(struct sleeper *s)
{
	steps_free(s->st);
	free(s);
}

TEST(interruptible_acquire_returns_eintr_when_a_signal_arrives)
{
	struct sleeper *s = sleeper_new(THREAD_INTERRUPTIBLE, -1);
	/* Signal until the waiter reports back: a signal that lands before it
	 * sleeps is absorbed by the spin and the next one interrupts. */
	while (!steps_wait_for(s->st, 2, 20 * MS))
		signal_thread(s->id);
	ASSERT_EQ(s->result, THREAD_EINTR);
	ASSERT_GE(handler_runs(), 1);
	ASSERT_EQ(thread_lock_locked(&s->lk), 1);
	sleeper_free(s);
}

TEST(interruptible_timed_acquire_returns_eintr_before_its_deadline)
{
	struct sleeper *s = sleeper_new(THREAD_INTERRUPTIBLE, 60000 * MS);
	while (!steps_wait_for(s->st, 2, 20 * MS))
		signal_thread(s->id);
	ASSERT_EQ(s->result, THREAD_EINTR);
	ASSERT_LT(s->waited_ns, s->timeout_ns);
	sleeper_free(s);
}

TEST(blocking_acquire_is_not_interrupted_by_signals)
{
	struct sleeper *s = sleeper_new(0, -1);
	for (int i = 0; i < 10; i++) {
		signal_thread(s->id);
		ASSERT_EQ(steps_wait_for(s->st, 2, 10 * MS), 0);
	}
	ASSERT_GE(handler_runs(), 1);
	ASSERT_EQ(thread_lock_release(&s->lk), 0);
	steps_wait(s->st, 2);
	ASSERT_EQ(s->result, 1);
	sleeper_free(s);
}

TEST(signals_neither_end_a_timed_acquire_early_nor_move_its_deadline)
{
	/* The test means something only if several signals land during the
	 * wait; on a machine (or under a tool) that runs this thread rarely,
	 * a longer timeout gives it the time to send them. */
	static const int64_t timeouts[] = {200 * MS, 1000 * MS, 5000 * MS};
	int sent = 0;
	for (int i = 0; i < 3 && sent < 5; i++) {
		struct sleeper *s = sleeper_new(0, timeouts[i]);
		sent = 0;
		while (!steps_wait_for(s->st, 2, 10 * MS)) {
			signal_thread(s->id);
			sent++;
		}
		ASSERT_EQ(s->result, 0);
		ASSERT_GE(s->waited_ns, s->timeout_ns);
		/* Restarting with the full timeout after each of the signals
		 * would take several timeouts; the deadline is fixed. */
		ASSERT_LT(s->waited_ns, 2 * s->timeout_ns + 1800 * MS);
		sleeper_free(s);
	}
	if (sent < 5)
		SKIP("this thread could send only %d signals during a 5 s wait", sent);
}
