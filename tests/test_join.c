/* Joinable threads: join, timed join, done, detach, identifiers, count. */
#include "harness.h"

#define MS 1000000LL

struct job {
	steps *st;
	int wrote;
	thread_ident ident_inside;
	thread_handle *self;
};

static void write_and_return(void *p)
{
	struct job *j = (struct job *)p;
	j->ident_inside = thread_get_ident();
	j->wrote = 42;
}

/* For a test that polls thread_handle_is_done, which orders no memory, and
 * cannot join after it: the write is published with release and read with
 * acquire, so the read does not depend on what the library orders. */
static void publish_and_return(void *p)
{
	struct job *j = (struct job *)p;
	__atomic_store_n(&j->wrote, 42, __ATOMIC_RELEASE);
}

TEST(join_returns_1_once_the_thread_returned_and_sees_its_writes)
{
	struct job j = {NULL, 0, 0, NULL};
	thread_handle *h = start_joinable_or_fail(write_and_return, &j, NULL);
	ASSERT_EQ(thread_join(h, -1, 0), 1);
	ASSERT_EQ(j.wrote, 42);
}

TEST(start_reports_the_identifier_the_thread_sees_and_the_handle_keeps_it)
{
	struct job j = {NULL, 0, 0, NULL};
	thread_ident id = 0;
	thread_handle *h = start_joinable_or_fail(write_and_return, &j, &id);
	ASSERT_NE(id, 0);
	ASSERT_EQ(thread_handle_ident(h), id);
	ASSERT_EQ(thread_join(h, -1, 0), 1);
	ASSERT_EQ(j.ident_inside, id);
	ASSERT_EQ(thread_handle_ident(NULL), 0);
}

static void wait_for_step_1(void *p)
{
	struct job *j = (struct job *)p;
	steps_wait(j->st, 1);
	j->wrote = 1;
}

TEST(timed_join_of_a_running_thread_returns_0_no_earlier_than_the_timeout)
{
	struct job j = {steps_new(), 0, 0, NULL};
	thread_handle *h = start_joinable_or_fail(wait_for_step_1, &j, NULL);
	int64_t t0 = now_ns(), waited;
	ASSERT_EQ(thread_join(h, 50 * MS, 0), 0);
	waited = now_ns() - t0;
	ASSERT_GE(waited, 50 * MS);
	ASSERT_LT(waited, 5000 * MS); /* 100x: tolerant of a busy machine */
	ASSERT_EQ(thread_handle_is_done(h), 0);
	ASSERT_EQ(thread_join(h, 0, 0), 0); /* still valid, still running */
	steps_set(j.st, 1);
	ASSERT_EQ(thread_join(h, -1, 0), 1);
	ASSERT_EQ(j.wrote, 1);
	steps_free(j.st);
}

TEST(handle_says_done_once_func_returned_and_join_then_does_not_wait)
{
	struct job j = {NULL, 0, 0, NULL};
	thread_handle *h = start_joinable_or_fail(write_and_return, &j, NULL);
	int64_t t0 = now_ns();
	while (!thread_handle_is_done(h)) {
		ASSERT_LT(now_ns() - t0, 10000 * MS);
		yield_cpu();
	}
	ASSERT_EQ(thread_join(h, 0, 0), 1);
	ASSERT_EQ(j.wrote, 42);
}

static void exit_early(void *p)
{
	struct job *j = (struct job *)p;
	j->wrote = 7;
	thread_exit();
	j->wrote = 8; /* never reached */
}

TEST(thread_exit_in_a_joinable_thread_marks_it_done)
{
	struct job j = {NULL, 0, 0, NULL};
	thread_handle *h = start_joinable_or_fail(exit_early, &j, NULL);
	ASSERT_EQ(thread_join(h, 10000 * MS, 0), 1);
	ASSERT_EQ(j.wrote, 7);
}

static void signal_then_wait(void *p)
{
	struct job *j = (struct job *)p;
	steps_set(j->st, 1);
	steps_wait(j->st, 2);
	steps_set(j->st, 3); /* last touch of j */
}

TEST(detach_of_a_running_thread_lets_it_finish_and_frees_everything)
{
	struct job j = {steps_new(), 0, 0, NULL};
	thread_handle *h = start_joinable_or_fail(signal_then_wait, &j, NULL);
	uint32_t before;
	steps_wait(j.st, 1);
	before = thread_count();
	ASSERT_GE(before, 1);
	ASSERT_EQ(thread_detach(h), 0);
	steps_set(j.st, 2);
	steps_wait(j.st, 3);
	/* Leaks, if any, are valgrind's and ASan's to find at exit; the count
	 * shows the thread finished its library part. */
	int64_t t0 = now_ns();
	while (thread_count() != before - 1) {
		ASSERT_LT(now_ns() - t0, 10000 * MS);
		yield_cpu();
	}
	steps_free(j.st);
}

TEST(detach_of_a_done_thread_frees_it_at_once)
{
	struct job j = {NULL, 0, 0, NULL};
	thread_handle *h = start_joinable_or_fail(publish_and_return, &j, NULL);
	int64_t t0 = now_ns();
	while (!thread_handle_is_done(h)) {
		ASSERT_LT(now_ns() - t0, 10000 * MS);
		yield_cpu();
	}
	ASSERT_EQ(thread_detach(h), 0);
	/* The detach's reference drop orders memory only when the thread's
	 * own drop came first: a window TSan finds on a loaded machine. */
	ASSERT_EQ(__atomic_load_n(&j.wrote, __ATOMIC_ACQUIRE), 42);
}

static void detach_self(void *p)
{
	struct job *j = (struct job *)p;
	steps_wait(j->st, 1);
	j->wrote = thread_join(j->self, 0, 0); /* own handle: EINVAL */
	thread_detach(j->self);
	steps_set(j->st, 2);
}

TEST(a_thread_may_detach_its_own_handle_but_not_join_it)
{
	struct job j = {steps_new(), 0, 0, NULL};
	j.self = start_joinable_or_fail(detach_self, &j, NULL);
	steps_set(j.st, 1);
	steps_wait(j.st, 2);
	ASSERT_EQ(j.wrote, THREAD_EINVAL);
	steps_free(j.st);
}

TEST(joinable_start_and_join_with_bad_arguments_return_einval)
{
	thread_handle *h = NULL;
	ASSERT_EQ(thread_start_joinable(&h, NULL, NULL, NULL), THREAD_EINVAL);
	ASSERT_TRUE(h == NULL);
	ASSERT_EQ(thread_start_joinable(NULL, write_and_return, NULL, NULL),
	          THREAD_EINVAL);
	ASSERT_EQ(thread_join(NULL, 0, 0), THREAD_EINVAL);
	ASSERT_EQ(thread_detach(NULL), THREAD_EINVAL);
	ASSERT_EQ(thread_handle_is_done(NULL), THREAD_EINVAL);
	struct job j = {NULL, 0, 0, NULL};
	h = start_joinable_or_fail(write_and_return, &j, NULL);
	ASSERT_EQ(thread_join(h, 0, 0x80u), THREAD_EINVAL);
	/* The lock's flags are join's. */
	ASSERT_EQ(thread_join(h, -1, THREAD_NO_SPIN | THREAD_INTERRUPTIBLE), 1);
}

static void only_wait_for_step_1(void *p)
{
	steps_wait((steps *)p, 1);
}

TEST(thread_count_counts_started_threads_until_they_end)
{
	struct job j = {steps_new(), 0, 0, NULL};
	uint32_t base = thread_count();
	thread_handle *a = start_joinable_or_fail(only_wait_for_step_1, j.st, NULL);
	thread_handle *b = start_joinable_or_fail(only_wait_for_step_1, j.st, NULL);
	ASSERT_EQ(thread_count(), base + 2);
	steps_set(j.st, 1);
	ASSERT_EQ(thread_join(a, -1, 0), 1);
	ASSERT_EQ(thread_join(b, -1, 0), 1);
	ASSERT_EQ(thread_count(), base); /* done includes being counted off */
	steps_free(j.st);
}

TEST(a_thousand_joinable_threads_start_and_join)
{
	long n = scaled(1000);
	for (long i = 0; i < n; i++) {
		struct job j = {NULL, 0, 0, NULL};
		thread_handle *h = start_joinable_or_fail(write_and_return, &j, NULL);
		ASSERT_EQ(thread_join(h, -1, 0), 1);
		ASSERT_EQ(j.wrote, 42);
	}
}

static void sleep_until_signalled(void *p)
{
	struct job *j = (struct job *)p;
	steps_set(j->st, 1);
	steps_wait(j->st, 2);
}

struct joiner {
	thread_handle *h;
	steps *st;
	int rc;
};

static void join_interruptibly(void *p)
{
	struct joiner *jr = (struct joiner *)p;
	steps_set(jr->st, 1);
	jr->rc = thread_join(jr->h, 60000 * MS, THREAD_INTERRUPTIBLE);
	steps_set(jr->st, 2);
}

TEST(interruptible_join_returns_eintr_on_a_signal_and_the_handle_stays_valid)
{
	struct job j = {steps_new(), 0, 0, NULL};
	struct joiner jr = {NULL, steps_new(), -99};
	thread_ident joiner;
	if (!signals_supported())
		SKIP("the platform has no POSIX signals");
	install_counting_handler(0); /* no SA_RESTART: the join must notice */
	jr.h = start_joinable_or_fail(sleep_until_signalled, &j, NULL);
	steps_wait(j.st, 1);
	joiner = start_or_fail(join_interruptibly, &jr);
	steps_wait(jr.st, 1);
	/* Signal until the join reports it (the first may land before it
	 * sleeps, and then only shortens nothing). */
	for (int i = 0; !steps_wait_for(jr.st, 2, 20 * MS); i++) {
		ASSERT_LT(i, 500);
		signal_thread(joiner);
	}
	ASSERT_EQ(jr.rc, THREAD_EINTR);
	ASSERT_EQ(thread_handle_is_done(jr.h), 0);
	steps_set(j.st, 2);
	ASSERT_EQ(thread_join(jr.h, -1, 0), 1);
	steps_free(j.st);
	steps_free(jr.st);
}
