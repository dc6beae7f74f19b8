/* fork() in a process with threads: the child reinitialises locks that
 * vanished threads held, counts no threads, and can wait, wake and start
 * threads.  POSIX only; the tests skip where there is no fork. */
#include "harness.h"

#define MS 1000000LL

static void skip_without_fork(void)
{
	if (!fork_supported())
		SKIP("no fork here, or a tool (TSan) that cannot follow its child");
}

/* For the tests whose child starts threads. */
static void skip_unless_child_can_start_threads(void)
{
	char why[200];
	skip_without_fork();
	if (!fork_child_can_start_threads(why, sizeof why))
		SKIP("%s", why);
}

struct holder {
	thread_lock lk;
	thread_rlock rl;
	steps *st;
};

static void hold_both(void *p)
{
	struct holder *h = (struct holder *)p;
	thread_lock_acquire(&h->lk, 1);
	thread_rlock_acquire(&h->rl, 1);
	steps_set(h->st, 1);
	steps_wait(h->st, 2); /* holds them across the fork */
	thread_rlock_release(&h->rl);
	thread_lock_release(&h->lk);
}

static void take_lock_and_leave(void *p)
{
	struct holder *h = (struct holder *)p;
	thread_lock_acquire(&h->lk, 1); /* sleeps until the child releases */
	thread_lock_release(&h->lk);
}

/* Exit codes name the step that failed. */
static int child_reinit_and_use(void *p)
{
	struct holder *h = (struct holder *)p;
	thread_handle *t;
	if (thread_lock_locked(&h->lk) != 1 || thread_rlock_is_owned(&h->rl) != 0)
		return 10; /* the locks should look held by the vanished thread */
	if (thread_lock_reinit(&h->lk) != 0 || thread_rlock_reinit(&h->rl) != 0)
		return 11;
	if (thread_rlock_acquire(&h->rl, 0) != 1 || thread_rlock_acquire(&h->rl, 0) != 1 ||
	    thread_rlock_count(&h->rl) != 2)
		return 12;
	if (thread_lock_acquire(&h->lk, 0) != 1)
		return 13;
	if (thread_start_joinable(&t, take_lock_and_leave, h, NULL) != 0)
		return 14;
	if (thread_join(t, 50 * MS, 0) != 0)
		return 15; /* it must be blocked on the lock we hold */
	if (thread_lock_release(&h->lk) != 0)
		return 16;
	if (thread_join(t, 10000 * MS, 0) != 1)
		return 17;
	return 0;
}

TEST(child_reinitialises_locks_a_vanished_thread_held_and_uses_them)
{
	struct holder h = {THREAD_LOCK_INIT, THREAD_RLOCK_INIT, steps_new()};
	skip_unless_child_can_start_threads();
	start_or_fail(hold_both, &h);
	steps_wait(h.st, 1);
	ASSERT_EQ(run_in_fork(child_reinit_and_use, &h, 30000 * MS), 0);
	steps_set(h.st, 2);
	/* The parent's locks are untouched by the child. */
	ASSERT_EQ(thread_lock_acquire_timed(&h.lk, 10000 * MS, 0), 1);
	steps_free(h.st);
}

static void wait_step_1(void *p)
{
	steps_wait((steps *)p, 1);
}

static int child_counts(void *p)
{
	thread_handle *t;
	steps *st = steps_new();
	int rc = 0;
	(void)p;
	if (thread_count() != 0)
		return 20;
	if (thread_start_joinable(&t, wait_step_1, st, NULL) != 0)
		return 21;
	if (thread_count() != 1)
		rc = 22;
	steps_set(st, 1);
	if (thread_join(t, 10000 * MS, 0) != 1)
		return 23;
	steps_free(st);
	return rc ? rc : thread_count() == 0 ? 0 : 24;
}

/* Threads that are running (not merely created) when the fork comes: a
 * thread created but not yet started leaves its start record behind in
 * the child, which valgrind rightly calls lost there. */
struct crowd {
	steps *st;
	thread_lock mu;
	int started; /* mu */
};

static void arrive_then_wait(void *p)
{
	struct crowd *c = (struct crowd *)p;
	int n;
	thread_lock_acquire(&c->mu, 1);
	n = ++c->started;
	thread_lock_release(&c->mu);
	if (n == 3)
		steps_set(c->st, 1);
	steps_wait(c->st, 2);
}

TEST(child_counts_no_threads_then_counts_the_ones_it_starts)
{
	struct crowd c = {steps_new(), THREAD_LOCK_INIT, 0};
	thread_handle *h[3];
	skip_unless_child_can_start_threads();
	for (int i = 0; i < 3; i++)
		ASSERT_EQ(thread_start_joinable(&h[i], arrive_then_wait, &c, NULL), 0);
	steps_wait(c.st, 1);
	ASSERT_EQ(thread_count(), 3);
	ASSERT_EQ(run_in_fork(child_counts, NULL, 30000 * MS), 0);
	ASSERT_EQ(thread_count(), 3);
	steps_set(c.st, 2);
	for (int i = 0; i < 3; i++)
		ASSERT_EQ(thread_join(h[i], -1, 0), 1);
	steps_free(c.st);
}

struct forker {
	steps *st;
	int rc;
};

/* A library thread forks: in the child it is the only thread, not counted,
 * and its own end must not take the count below zero. */
static int child_of_library_thread(void *p)
{
	(void)p;
	return thread_count() == 0 ? 0 : 30;
}

static void fork_from_here(void *p)
{
	struct forker *f = (struct forker *)p;
	f->rc = run_in_fork(child_of_library_thread, NULL, 30000 * MS);
	steps_set(f->st, 1);
}

TEST(a_library_thread_that_forks_is_not_counted_in_the_child)
{
	struct forker f = {steps_new(), -99};
	skip_without_fork();
	start_or_fail(fork_from_here, &f);
	steps_wait(f.st, 1);
	ASSERT_EQ(f.rc, 0);
	steps_free(f.st);
}

/* Two semaphores traded by two threads: each round is a wake of a sleeper
 * (or nearly), so the wait layer is busy all the time, and a fork lands,
 * often, while some thread is inside it. */
struct pingpong {
	thread_lock ping, pong;
	long rounds;
	thread_lock mu;
	int started; /* mu */
};

static void note_start(struct pingpong *pp)
{
	thread_lock_acquire(&pp->mu, 1);
	pp->started++;
	thread_lock_release(&pp->mu);
}

static int players_started(struct pingpong *pp)
{
	int n;
	thread_lock_acquire(&pp->mu, 1);
	n = pp->started;
	thread_lock_release(&pp->mu);
	return n;
}

static void ponger(void *p)
{
	struct pingpong *pp = (struct pingpong *)p;
	note_start(pp);
	for (long i = 0; i < pp->rounds; i++) {
		thread_lock_acquire(&pp->ping, 1);
		thread_lock_release(&pp->pong);
	}
}

static void pinger(void *p)
{
	struct pingpong *pp = (struct pingpong *)p;
	note_start(pp);
	for (long i = 0; i < pp->rounds; i++) {
		thread_lock_release(&pp->ping);
		thread_lock_acquire(&pp->pong, 1);
	}
}

static int child_plays_pingpong(void *p)
{
	struct pingpong *pp = (struct pingpong *)p;
	thread_handle *t;
	thread_lock_reinit(&pp->ping);
	thread_lock_reinit(&pp->pong);
	thread_lock_reinit(&pp->mu);
	thread_lock_acquire(&pp->ping, 1);
	thread_lock_acquire(&pp->pong, 1);
	pp->rounds = 200;
	if (thread_start_joinable(&t, ponger, pp, NULL) != 0)
		return 40;
	pinger(pp);
	return thread_join(t, 10000 * MS, 0) == 1 ? 0 : 41;
}

TEST(children_forked_while_threads_wait_and_wake_can_wait_and_wake)
{
	/* Static: the players outlive this function (they run until exit). */
	static struct pingpong pp = {THREAD_LOCK_INIT, THREAD_LOCK_INIT, 2000000000L,
	                               THREAD_LOCK_INIT, 0};
	long forks = scaled(40);
	skip_unless_child_can_start_threads();
	thread_lock_acquire(&pp.ping, 1);
	thread_lock_acquire(&pp.pong, 1);
	start_or_fail(ponger, &pp);
	start_or_fail(pinger, &pp);
	for (int64_t t0 = now_ns(); players_started(&pp) < 2; yield_cpu())
		ASSERT_LT(now_ns() - t0, 10000 * MS);
	for (long i = 0; i < forks; i++) {
		int rc = run_in_fork(child_plays_pingpong, &pp, 20000 * MS);
		if (rc != 0)
			FAIL_("fork %ld: the child ended with %d (%s)", i, rc,
			      rc == FORK_HUNG ? "hung" : "failed");
	}
	/* The players run until the process exits. */
}
