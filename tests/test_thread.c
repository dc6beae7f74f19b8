/* Threads: start, identifiers, exit, stack size, limits. */
#include "harness.h"

#define MS 1000000LL

struct probe {
	steps *st;
	void *seen_arg;
	thread_ident ident_inside, ident_later;
};

static void record_ident(void *p)
{
	struct probe *pr = (struct probe *)p;
	pr->seen_arg = p;
	pr->ident_inside = thread_get_ident();
	steps_set(pr->st, 1);
	steps_wait(pr->st, 2);
	pr->ident_later = thread_get_ident();
	steps_set(pr->st, 3);
}

TEST(started_thread_runs_its_function_with_its_argument)
{
	struct probe pr = {steps_new(), NULL, 0, 0};
	start_or_fail(record_ident, &pr);
	steps_wait(pr.st, 1);
	ASSERT_TRUE(pr.seen_arg == &pr);
	steps_set(pr.st, 2);
	steps_wait(pr.st, 3);
	steps_free(pr.st);
}

TEST(start_reports_the_identifier_the_thread_sees_and_it_is_stable)
{
	struct probe pr = {steps_new(), NULL, 0, 0};
	thread_ident id = start_or_fail(record_ident, &pr);
	steps_wait(pr.st, 1);
	ASSERT_NE(id, 0);
	ASSERT_EQ(pr.ident_inside, id);
	ASSERT_NE(id, thread_get_ident());
	steps_set(pr.st, 2);
	steps_wait(pr.st, 3);
	ASSERT_EQ(pr.ident_later, id);
	steps_free(pr.st);
}

TEST(main_thread_identifier_is_nonzero_and_stable)
{
	thread_ident a = thread_get_ident();
	ASSERT_NE(a, 0);
	ASSERT_EQ(thread_get_ident(), a);
}

TEST(start_with_null_ident_pointer_still_starts_the_thread)
{
	struct probe pr = {steps_new(), NULL, 0, 0};
	ASSERT_EQ(thread_start_new_thread(record_ident, &pr, NULL), 0);
	steps_wait(pr.st, 1);
	ASSERT_NE(pr.ident_inside, 0);
	steps_set(pr.st, 2);
	steps_wait(pr.st, 3);
	steps_free(pr.st);
}

TEST(start_with_null_function_returns_einval)
{
	thread_ident id = 42;
	ASSERT_EQ(thread_start_new_thread(NULL, NULL, &id), THREAD_EINVAL);
	ASSERT_EQ(id, 42);
}

#define LIVE 16

struct gathering {
	steps *st;
	thread_lock mu;
	int arrived, left;        /* mu */
	thread_ident ids[LIVE];   /* mu */
};

static void gather(void *p)
{
	struct gathering *g = (struct gathering *)p;
	int n;
	thread_lock_acquire(&g->mu, 1);
	g->ids[g->arrived] = thread_get_ident();
	n = ++g->arrived;
	thread_lock_release(&g->mu);
	if (n == LIVE)
		steps_set(g->st, 1);
	steps_wait(g->st, 2); /* stay alive until every identifier is read */
	thread_lock_acquire(&g->mu, 1);
	n = ++g->left;
	thread_lock_release(&g->mu);
	if (n == LIVE)
		steps_set(g->st, 3); /* the last touch of g by any thread */
}

TEST(identifiers_of_live_threads_are_nonzero_and_distinct)
{
	struct gathering g;
	memset(&g, 0, sizeof g);
	g.st = steps_new();
	for (int i = 0; i < LIVE; i++)
		start_or_fail(gather, &g);
	steps_wait(g.st, 1);
	for (int i = 0; i < LIVE; i++) {
		ASSERT_NE(g.ids[i], 0);
		ASSERT_NE(g.ids[i], thread_get_ident());
		for (int j = 0; j < i; j++)
			ASSERT_NE(g.ids[i], g.ids[j]);
	}
	steps_set(g.st, 2);
	steps_wait(g.st, 3);
	steps_free(g.st);
}

struct foreign_probe {
	steps *st;
	thread_ident seen;
};

static void note_ident(void *p)
{
	struct foreign_probe *fp = (struct foreign_probe *)p;
	fp->seen = thread_get_ident();
	steps_set(fp->st, 1);
}

TEST(get_ident_works_in_a_thread_the_library_did_not_start)
{
	struct foreign_probe fp = {steps_new(), 0};
	thread_ident platform_id = start_foreign_thread(note_ident, &fp);
	steps_wait(fp.st, 1);
	ASSERT_NE(fp.seen, 0);
	ASSERT_EQ(fp.seen, platform_id);
	ASSERT_NE(fp.seen, thread_get_ident());
	steps_free(fp.st);
}

struct exit_probe {
	steps *st;
	int after_exit, cleaned;
};

static void exit_now(void *p)
{
	(void)p;
	thread_exit();
}

static void note_cleanup(void *p)
{
	struct exit_probe *ep = (struct exit_probe *)p;
	ep->cleaned = 1;
	steps_set(ep->st, 1);
}

static void exit_inside_cleanup_scope(void *p)
{
	struct exit_probe *ep = (struct exit_probe *)p;
	if (!call_with_cleanup(exit_now, note_cleanup, ep)) {
		ep->cleaned = -1; /* no cleanup handlers on this platform */
		steps_set(ep->st, 1);
		return;
	}
	ep->after_exit = 1;
	steps_set(ep->st, 1);
}

TEST(thread_exit_ends_the_thread_and_runs_cleanup_handlers)
{
	struct exit_probe ep = {steps_new(), 0, 0};
	start_or_fail(exit_inside_cleanup_scope, &ep);
	steps_wait(ep.st, 1);
	if (ep.cleaned == -1)
		SKIP("the platform has no POSIX cleanup handlers");
	ASSERT_EQ(ep.cleaned, 1);
	ASSERT_EQ(ep.after_exit, 0);
	steps_free(ep.st);
}

static void exit_before_signalling(void *p)
{
	struct exit_probe *ep = (struct exit_probe *)p;
	steps_set(ep->st, 1);
	thread_exit();
	ep->after_exit = 1; /* never reached */
}

TEST(thread_exit_never_returns)
{
	struct exit_probe ep = {NULL, 0, 0};
	/* Run several so a return would be seen by at least one.  A step
	 * counter each: with one shared counter, already at 1, a late thread
	 * could still be in steps_set when it is freed. */
	for (int i = 0; i < 4; i++) {
		ep.st = steps_new();
		start_or_fail(exit_before_signalling, &ep);
		steps_wait(ep.st, 1);
		steps_free(ep.st);
	}
	/* Let the threads reach the line after thread_exit, if they could. */
	pause_ms(50);
	ASSERT_EQ(ep.after_exit, 0);
}

struct wave {
	thread_lock mu;
	long done, target; /* mu */
	steps *st;         /* mu */
};

static void count_and_finish(void *p)
{
	struct wave *w = (struct wave *)p;
	steps *last = NULL;
	thread_lock_acquire(&w->mu, 1);
	if (++w->done == w->target)
		last = w->st;
	thread_lock_release(&w->mu);
	if (last)
		steps_set(last, 1); /* this wave's last touch of its steps */
}

TEST(ten_thousand_threads_started_in_waves_all_run)
{
	long total = scaled(10000), per_wave = 100, started = 0;
	struct wave w = {THREAD_LOCK_INIT, 0, 0, NULL};
	while (started < total) {
		long n = total - started < per_wave ? total - started : per_wave;
		steps *st = steps_new();
		thread_lock_acquire(&w.mu, 1);
		w.st = st;
		w.target = started + n;
		thread_lock_release(&w.mu);
		for (long i = 0; i < n; i++)
			start_or_fail(count_and_finish, &w);
		steps_wait(st, 1);
		steps_free(st);
		started += n;
	}
	ASSERT_EQ(w.done, total);
}
