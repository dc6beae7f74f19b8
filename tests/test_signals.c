/* Signals and waits: THREAD_INTERRUPTIBLE reports them (always for a handler
 * installed without SA_RESTART; for one with SA_RESTART as the system
 * decides); otherwise they neither end a wait nor move its deadline.  Each
 * case runs with both kinds of handler. */
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

/* A thread that waits for a held lock, with the test signal's handler
 * installed with SA_RESTART if `restart`. */
static struct sleeper *sleeper_new(unsigned flags, int64_t timeout_ns, int restart)
{
	struct sleeper *s = (struct sleeper *)calloc(1, sizeof *s);
	if (!s)
		FAIL_("out of memory");
	if (!signals_supported())
		SKIP("no POSIX signals on this platform; THREAD_INTERRUPTIBLE has no effect");
	install_counting_handler(restart);
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
	struct sleeper *s = sleeper_new(THREAD_INTERRUPTIBLE, -1, 0);
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
	struct sleeper *s = sleeper_new(THREAD_INTERRUPTIBLE, 60000 * MS, 0);
	while (!steps_wait_for(s->st, 2, 20 * MS))
		signal_thread(s->id);
	ASSERT_EQ(s->result, THREAD_EINTR);
	ASSERT_LT(s->waited_ns, s->timeout_ns);
	sleeper_free(s);
}

/* With SA_RESTART the system decides whether a signal ends the wait, so
 * either outcome is right: THREAD_EINTR while the lock is still held, or
 * the lock once it is released.  Never 0, nor the lock before the release. */
TEST(interruptible_acquire_with_a_restarting_handler_returns_eintr_or_waits_for_the_lock)
{
	struct sleeper *s = sleeper_new(THREAD_INTERRUPTIBLE, -1, 1);
	int ended = 0;
	for (int i = 0; i < 10 && !ended; i++) {
		signal_thread(s->id);
		ended = steps_wait_for(s->st, 2, 20 * MS);
	}
	if (ended) {
		ASSERT_EQ(s->result, THREAD_EINTR);
		ASSERT_EQ(thread_lock_locked(&s->lk), 1);
		printf("a restarting handler ended the wait with THREAD_EINTR\n");
	} else {
		ASSERT_EQ(thread_lock_release(&s->lk), 0);
		steps_wait(s->st, 2);
		/* A signal sent last may still have ended it just before. */
		if (s->result != THREAD_EINTR)
			ASSERT_EQ(s->result, 1);
		printf("the wait went on through %d restarting handler runs\n", handler_runs());
	}
	/* Checked once the wait is over: see blocking_acquire_ignores_signals. */
	ASSERT_GE(handler_runs(), 1);
	sleeper_free(s);
}

TEST(interruptible_timed_acquire_with_a_restarting_handler_returns_eintr_or_times_out)
{
	struct sleeper *s = sleeper_new(THREAD_INTERRUPTIBLE, 500 * MS, 1);
	while (!steps_wait_for(s->st, 2, 10 * MS))
		signal_thread(s->id);
	ASSERT_GE(handler_runs(), 1);
	if (s->result == THREAD_EINTR) {
		ASSERT_LT(s->waited_ns, s->timeout_ns);
		printf("a restarting handler ended the wait with THREAD_EINTR\n");
	} else {
		/* Not ended by the signals: a plain timeout, on time. */
		ASSERT_EQ(s->result, 0);
		ASSERT_GE(s->waited_ns, s->timeout_ns);
		ASSERT_LT(s->waited_ns, 2 * s->timeout_ns + 1800 * MS);
		printf("the wait went on through %d restarting handler runs\n", handler_runs());
	}
	ASSERT_EQ(thread_lock_locked(&s->lk), 1);
	sleeper_free(s);
}

static void blocking_acquire_ignores_signals(int restart)
{
	struct sleeper *s = sleeper_new(0, -1, restart);
	for (int i = 0; i < 10; i++) {
		signal_thread(s->id);
		ASSERT_EQ(steps_wait_for(s->st, 2, 10 * MS), 0);
	}
	ASSERT_EQ(thread_lock_release(&s->lk), 0);
	steps_wait(s->st, 2);
	ASSERT_EQ(s->result, 1);
	/* The signals did reach the waiter.  Checked only now: ThreadSanitizer
	 * runs a handler late, at the thread's next call it intercepts, and a
	 * futex wait that the kernel restarts for SA_RESTART is not one. */
	ASSERT_GE(handler_runs(), 1);
	sleeper_free(s);
}

TEST(blocking_acquire_is_not_interrupted_by_signals)
{
	blocking_acquire_ignores_signals(0);
}

TEST(blocking_acquire_is_not_interrupted_by_restarting_handlers)
{
	blocking_acquire_ignores_signals(1);
}

/* Linux never restarts a timed wait, even for SA_RESTART handlers: lock.c
 * must retry it itself, to the same deadline. */
static void timed_acquire_ignores_signals(int restart)
{
	/* The test means something only if several signals land during the
	 * wait; on a machine (or under a tool) that runs this thread rarely,
	 * a longer timeout gives it the time to send them. */
	static const int64_t timeouts[] = {200 * MS, 1000 * MS, 5000 * MS};
	int sent = 0;
	for (int i = 0; i < 3 && sent < 5; i++) {
		struct sleeper *s = sleeper_new(0, timeouts[i], restart);
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

TEST(signals_neither_end_a_timed_acquire_early_nor_move_its_deadline)
{
	timed_acquire_ignores_signals(0);
}

TEST(restarting_handlers_neither_end_a_timed_acquire_early_nor_move_its_deadline)
{
	timed_acquire_ignores_signals(1);
}
