/* Reentrant locks: levels, owner-only release, timed and cross-thread
 * acquire, release_save / acquire_restore, overflow, reinit. */
#include "harness.h"

#define MS 1000000LL

TEST(owner_acquires_again_and_the_count_follows_its_levels)
{
	thread_rlock rl = THREAD_RLOCK_INIT;
	ASSERT_EQ(thread_rlock_count(&rl), 0);
	ASSERT_EQ(thread_rlock_is_owned(&rl), 0);
	ASSERT_EQ(thread_rlock_acquire(&rl, 1), 1);
	ASSERT_EQ(thread_rlock_acquire(&rl, 0), 1);
	ASSERT_EQ(thread_rlock_acquire_timed(&rl, 0, 0), 1);
	ASSERT_EQ(thread_rlock_count(&rl), 3);
	ASSERT_EQ(thread_rlock_is_owned(&rl), 1);
	ASSERT_EQ(thread_rlock_release(&rl), 0);
	ASSERT_EQ(thread_rlock_release(&rl), 0);
	ASSERT_EQ(thread_rlock_count(&rl), 1);
	ASSERT_EQ(thread_rlock_release(&rl), 0);
	ASSERT_EQ(thread_rlock_count(&rl), 0);
	ASSERT_EQ(thread_rlock_is_owned(&rl), 0);
}

TEST(release_of_a_free_rlock_returns_enotowner)
{
	thread_rlock rl = THREAD_RLOCK_INIT;
	ASSERT_EQ(thread_rlock_release(&rl), THREAD_ENOTOWNER);
	ASSERT_EQ(thread_rlock_acquire(&rl, 1), 1);
	ASSERT_EQ(thread_rlock_release(&rl), 0);
	ASSERT_EQ(thread_rlock_release(&rl), THREAD_ENOTOWNER);
	ASSERT_STR_EQ(thread_strerror(THREAD_ENOTOWNER),
	              "release of a reentrant lock the calling thread does not own");
}

TEST(rlock_calls_with_null_return_einval)
{
	thread_rlock rl = THREAD_RLOCK_INIT;
	thread_rlock_state st;
	ASSERT_EQ(thread_rlock_acquire(NULL, 1), THREAD_EINVAL);
	ASSERT_EQ(thread_rlock_acquire_timed(NULL, 0, 0), THREAD_EINVAL);
	ASSERT_EQ(thread_rlock_acquire_timed(&rl, 0, 0x80u), THREAD_EINVAL);
	ASSERT_EQ(thread_rlock_count(&rl), 0);
	/* The known flags are taken. */
	ASSERT_EQ(thread_rlock_acquire_timed(&rl, 0, THREAD_NO_SPIN | THREAD_INTERRUPTIBLE), 1);
	ASSERT_EQ(thread_rlock_release(&rl), 0);
	ASSERT_EQ(thread_rlock_release(NULL), THREAD_EINVAL);
	ASSERT_EQ(thread_rlock_is_owned(NULL), THREAD_EINVAL);
	ASSERT_EQ(thread_rlock_count(NULL), 0);
	ASSERT_EQ(thread_rlock_release_save(&rl, NULL), THREAD_EINVAL);
	ASSERT_EQ(thread_rlock_release_save(NULL, &st), THREAD_EINVAL);
	ASSERT_EQ(thread_rlock_acquire_restore(&rl, NULL), THREAD_EINVAL);
	ASSERT_EQ(thread_rlock_reinit(NULL), THREAD_EINVAL);
}

struct other {
	thread_rlock rl;
	steps *st;
	int rc, count, owned;
	int64_t timeout_ns, waited_ns;
};

static void act_as_non_owner(void *p)
{
	struct other *o = (struct other *)p;
	o->count = (int)thread_rlock_count(&o->rl);
	o->owned = thread_rlock_is_owned(&o->rl);
	o->rc = thread_rlock_release(&o->rl);
	steps_set(o->st, 1);
}

TEST(release_by_a_thread_that_does_not_own_it_returns_enotowner_and_changes_nothing)
{
	struct other o = {THREAD_RLOCK_INIT, steps_new(), -99, -99, -99, 0, 0};
	ASSERT_EQ(thread_rlock_acquire(&o.rl, 1), 1);
	ASSERT_EQ(thread_rlock_acquire(&o.rl, 1), 1);
	start_or_fail(act_as_non_owner, &o);
	steps_wait(o.st, 1);
	ASSERT_EQ(o.rc, THREAD_ENOTOWNER);
	ASSERT_EQ(o.count, 0);
	ASSERT_EQ(o.owned, 0);
	ASSERT_EQ(thread_rlock_count(&o.rl), 2);
	ASSERT_EQ(thread_lock_locked(&o.rl.lock_), 1);
	steps_free(o.st);
}

static void try_then_timed(void *p)
{
	struct other *o = (struct other *)p;
	int64_t t0;
	o->owned = thread_rlock_acquire(&o->rl, 0); /* held elsewhere: 0 */
	t0 = now_ns();
	o->rc = thread_rlock_acquire_timed(&o->rl, o->timeout_ns, 0);
	o->waited_ns = now_ns() - t0;
	if (o->rc == 1)
		thread_rlock_release(&o->rl);
	steps_set(o->st, 1);
}

TEST(timed_acquire_by_another_thread_times_out_no_earlier_than_asked)
{
	struct other o = {THREAD_RLOCK_INIT, steps_new(), -99, 0, -99, 50 * MS, 0};
	ASSERT_EQ(thread_rlock_acquire(&o.rl, 1), 1);
	start_or_fail(try_then_timed, &o);
	steps_wait(o.st, 1);
	ASSERT_EQ(o.owned, 0);
	ASSERT_EQ(o.rc, 0);
	ASSERT_GE(o.waited_ns, o.timeout_ns);
	ASSERT_LT(o.waited_ns, 10000 * MS); /* generous: a busy machine */
	ASSERT_EQ(thread_rlock_count(&o.rl), 1);
	steps_free(o.st);
}

static void timed_acquire_and_report(void *p)
{
	struct other *o = (struct other *)p;
	steps_set(o->st, 1);
	o->rc = thread_rlock_acquire_timed(&o->rl, o->timeout_ns, 0);
	o->count = (int)thread_rlock_count(&o->rl);
	if (o->rc == 1)
		thread_rlock_release(&o->rl);
	steps_set(o->st, 2);
}

TEST(another_thread_gets_the_rlock_only_after_the_last_level_is_released)
{
	struct other o = {THREAD_RLOCK_INIT, steps_new(), -99, 0, -99, 10000 * MS, 0};
	ASSERT_EQ(thread_rlock_acquire(&o.rl, 1), 1);
	ASSERT_EQ(thread_rlock_acquire(&o.rl, 1), 1);
	start_or_fail(timed_acquire_and_report, &o);
	steps_wait(o.st, 1);
	ASSERT_EQ(thread_rlock_release(&o.rl), 0);
	pause_ms(20); /* one level still held: it must still be waiting */
	ASSERT_EQ(steps_wait_for(o.st, 2, 0), 0);
	ASSERT_EQ(thread_rlock_release(&o.rl), 0);
	ASSERT_EQ(steps_wait_for(o.st, 2, 10000 * MS), 1);
	ASSERT_EQ(o.rc, 1);
	ASSERT_EQ(o.count, 1);
	ASSERT_EQ(thread_rlock_acquire(&o.rl, 0), 1);
	steps_free(o.st);
}

TEST(release_save_frees_every_level_and_acquire_restore_gives_them_back)
{
	struct other o = {THREAD_RLOCK_INIT, steps_new(), -99, 0, -99, 10000 * MS, 0};
	thread_rlock_state saved = {0, 0};
	for (int i = 0; i < 3; i++)
		ASSERT_EQ(thread_rlock_acquire(&o.rl, 1), 1);
	ASSERT_EQ(thread_rlock_release_save(&o.rl, &saved), 0);
	ASSERT_EQ(saved.count, 3);
	ASSERT_EQ(saved.owner, thread_get_ident());
	ASSERT_EQ(thread_rlock_count(&o.rl), 0);
	/* Free now: another thread takes and drops it. */
	start_or_fail(timed_acquire_and_report, &o);
	steps_wait(o.st, 2);
	ASSERT_EQ(o.rc, 1);
	ASSERT_EQ(thread_rlock_acquire_restore(&o.rl, &saved), 0);
	ASSERT_EQ(thread_rlock_count(&o.rl), 3);
	ASSERT_EQ(thread_rlock_is_owned(&o.rl), 1);
	steps_free(o.st);
}

/* Another thread holds it while we try to restore. */
static void hold_until_step_2(void *p)
{
	struct other *o = (struct other *)p;
	o->rc = thread_rlock_acquire(&o->rl, 1);
	steps_set(o->st, 1);
	steps_wait(o->st, 2);
	thread_rlock_release(&o->rl);
	steps_set(o->st, 3);
}

TEST(try_restore_restores_a_free_rlock_and_leaves_a_held_one_alone)
{
	struct other o = {THREAD_RLOCK_INIT, steps_new(), -99, 0, -99, 0, 0};
	thread_rlock_state saved = {0, 0};
	thread_rlock_state bad = {0, 1};
	ASSERT_EQ(thread_rlock_try_restore(&o.rl, NULL), THREAD_EINVAL);
	ASSERT_EQ(thread_rlock_try_restore(&o.rl, &bad), THREAD_EINVAL);
	ASSERT_EQ(thread_rlock_acquire(&o.rl, 1), 1);
	ASSERT_EQ(thread_rlock_acquire(&o.rl, 1), 1);
	ASSERT_EQ(thread_rlock_release_save(&o.rl, &saved), 0);
	start_or_fail(hold_until_step_2, &o);
	steps_wait(o.st, 1);
	ASSERT_EQ(o.rc, 1);
	/* Held by the other thread: nothing changes, nothing waits. */
	ASSERT_EQ(thread_rlock_try_restore(&o.rl, &saved), 0);
	ASSERT_EQ(thread_rlock_is_owned(&o.rl), 0);
	ASSERT_EQ(thread_rlock_count(&o.rl), 0);
	steps_set(o.st, 2);
	steps_wait(o.st, 3);
	ASSERT_EQ(thread_rlock_try_restore(&o.rl, &saved), 1);
	ASSERT_EQ(thread_rlock_is_owned(&o.rl), 1);
	ASSERT_EQ(thread_rlock_count(&o.rl), 2);
	ASSERT_EQ(thread_rlock_release(&o.rl), 0);
	ASSERT_EQ(thread_rlock_release(&o.rl), 0);
	ASSERT_EQ(thread_lock_locked(&o.rl.lock_), 0);
	steps_free(o.st);
}

TEST(release_save_by_a_non_owner_returns_enotowner)
{
	thread_rlock rl = THREAD_RLOCK_INIT;
	thread_rlock_state saved = {0, 0};
	thread_rlock_state bad = {0, 1};
	ASSERT_EQ(thread_rlock_release_save(&rl, &saved), THREAD_ENOTOWNER);
	ASSERT_EQ(thread_rlock_acquire_restore(&rl, &bad), THREAD_EINVAL);
	ASSERT_EQ(thread_lock_locked(&rl.lock_), 0);
}

TEST(acquire_at_the_recursion_limit_returns_eoverflow_and_keeps_the_count)
{
	thread_rlock rl = THREAD_RLOCK_INIT;
	ASSERT_EQ(thread_rlock_acquire(&rl, 1), 1);
	rl.count_ = UINT32_MAX - 1; /* rather than four billion acquires */
	ASSERT_EQ(thread_rlock_acquire(&rl, 1), 1);
	ASSERT_EQ(thread_rlock_count(&rl), UINT32_MAX);
	ASSERT_EQ(thread_rlock_acquire(&rl, 1), THREAD_EOVERFLOW);
	ASSERT_EQ(thread_rlock_acquire_timed(&rl, -1, 0), THREAD_EOVERFLOW);
	ASSERT_EQ(thread_rlock_count(&rl), UINT32_MAX);
	ASSERT_EQ(thread_rlock_release(&rl), 0);
	ASSERT_EQ(thread_rlock_count(&rl), UINT32_MAX - 1);
}

static void own_and_vanish(void *p)
{
	struct other *o = (struct other *)p;
	o->rc = thread_rlock_acquire(&o->rl, 1);
	steps_set(o->st, 1);
}

TEST(reinit_frees_an_rlock_whose_owner_is_gone)
{
	struct other o = {THREAD_RLOCK_INIT, steps_new(), -99, 0, -99, 0, 0};
	start_or_fail(own_and_vanish, &o);
	steps_wait(o.st, 1);
	ASSERT_EQ(o.rc, 1);
	ASSERT_EQ(thread_rlock_acquire(&o.rl, 0), 0);
	ASSERT_EQ(thread_rlock_reinit(&o.rl), 0);
	ASSERT_EQ(thread_rlock_acquire(&o.rl, 0), 1);
	ASSERT_EQ(thread_rlock_count(&o.rl), 1);
	steps_free(o.st);
}

#define WORKERS 4

struct shared {
	thread_rlock rl;
	long counter; /* rl */
	long rounds;
	steps *st;
	thread_lock mu;
	int finished; /* mu */
};

static void nest_and_count(void *p)
{
	struct shared *s = (struct shared *)p;
	int n;
	for (long i = 0; i < s->rounds; i++) {
		thread_rlock_acquire(&s->rl, 1);
		thread_rlock_acquire(&s->rl, 1);
		long v = s->counter;
		thread_rlock_release(&s->rl);
		s->counter = v + 1;
		thread_rlock_release(&s->rl);
	}
	thread_lock_acquire(&s->mu, 1);
	n = ++s->finished;
	thread_lock_release(&s->mu);
	if (n == WORKERS)
		steps_set(s->st, 1);
}

TEST(nested_rlock_sections_in_several_threads_exclude_each_other)
{
	struct shared s = {THREAD_RLOCK_INIT, 0, scaled(20000), steps_new(),
	                   THREAD_LOCK_INIT, 0};
	for (int i = 0; i < WORKERS; i++)
		start_or_fail(nest_and_count, &s);
	steps_wait(s.st, 1);
	ASSERT_EQ(s.counter, WORKERS * s.rounds);
	ASSERT_EQ(thread_rlock_count(&s.rl), 0);
	ASSERT_EQ(thread_lock_locked(&s.rl.lock_), 0);
	steps_free(s.st);
}
