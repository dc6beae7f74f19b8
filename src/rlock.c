/* The reentrant lock: a thread_lock plus an owner and a recursion count.
 *
 * Fields (see include/thread.h):
 *   lock_   held from the owner's first level to its last release; all
 *           waiting, timeouts and fairness are thread_lock's.
 *   owner_  the owning thread's identifier, 0 when none.  Written only by
 *           the thread that holds lock_ (itself after acquiring, 0 before
 *           releasing); read by any thread, relaxed.  Relaxed suffices
 *           because a thread only compares it with its own identifier: the
 *           value equals the reader's identifier only if the reader itself
 *           stored it, and a thread sees its own latest store.  Any other
 *           value, however stale, means "not mine".
 *   count_  levels held; written only by the owner, relaxed (so that
 *           thread_rlock_peek may read it from any thread without a data
 *           race; it costs nothing over a plain store).  The next owner's
 *           accesses happen-after ours through lock_.
 *
 * Recursion is the fast path: one relaxed load, a compare, count_ + 1.  The
 * first level is thread_lock_acquire's own fast path plus two stores. */
#include "thread_impl.h"

static int held_by_me(const thread_rlock *rl, thread_ident me)
{
	return atomic_load64_relaxed(&rl->owner_) == me;
}

/* The lock is ours now: become its owner at level 1. */
static void take(thread_rlock *rl, thread_ident me)
{
	atomic_store_relaxed(&rl->count_, 1);
	atomic_store64_relaxed(&rl->owner_, me);
}

/* Give up ownership, then the lock.  owner_ is cleared while we still hold
 * lock_: cleared after, a new owner's store could be overwritten by our 0. */
static int give_up(thread_rlock *rl)
{
	atomic_store_relaxed(&rl->count_, 0);
	atomic_store64_relaxed(&rl->owner_, 0);
	return thread_lock_release(&rl->lock_);
}

static int recurse(thread_rlock *rl)
{
	uint32_t n = atomic_load_relaxed(&rl->count_);
	if (n == UINT32_MAX)
		return THREAD_EOVERFLOW;
	atomic_store_relaxed(&rl->count_, n + 1);
	return 1;
}

int thread_rlock_acquire(thread_rlock *rl, int waitflag)
{
	thread_ident me = thread_get_ident();
	int rc;
	if (!rl)
		return THREAD_EINVAL;
	if (held_by_me(rl, me))
		return recurse(rl);
	rc = thread_lock_acquire(&rl->lock_, waitflag);
	if (rc == 1)
		take(rl, me);
	return rc;
}

int thread_rlock_acquire_timed(thread_rlock *rl, int64_t timeout_ns,
                               unsigned flags)
{
	thread_ident me = thread_get_ident();
	int rc;
	if (!rl || (flags & ~(THREAD_INTERRUPTIBLE | THREAD_NO_SPIN)))
		return THREAD_EINVAL;
	if (held_by_me(rl, me))
		return recurse(rl);
	rc = thread_lock_acquire_timed(&rl->lock_, timeout_ns, flags);
	if (rc == 1)
		take(rl, me);
	return rc;
}

int thread_rlock_release(thread_rlock *rl)
{
	if (!rl)
		return THREAD_EINVAL;
	if (!held_by_me(rl, thread_get_ident()))
		return THREAD_ENOTOWNER;
	uint32_t n = atomic_load_relaxed(&rl->count_) - 1;
	if (n > 0) {
		atomic_store_relaxed(&rl->count_, n);
		return 0;
	}
	return give_up(rl);
}

int thread_rlock_is_owned(const thread_rlock *rl)
{
	if (!rl)
		return THREAD_EINVAL;
	return held_by_me(rl, thread_get_ident());
}

uint32_t thread_rlock_count(const thread_rlock *rl)
{
	/* count_ is read only after owner_ said it is ours: another thread's
	 * count_ is none of our business and not ours to read. */
	if (!rl || !held_by_me(rl, thread_get_ident()))
		return 0;
	return atomic_load_relaxed(&rl->count_);
}

int thread_rlock_peek(const thread_rlock *rl, thread_ident *owner, uint32_t *count)
{
	if (!rl || !owner || !count)
		return THREAD_EINVAL;
	/* Two relaxed loads: each value was true once, not necessarily at
	 * the same moment, which is all a report for display needs. */
	*owner = atomic_load64_relaxed(&rl->owner_);
	*count = *owner ? atomic_load_relaxed(&rl->count_) : 0;
	return 0;
}

int thread_rlock_release_save(thread_rlock *rl, thread_rlock_state *saved)
{
	thread_ident me = thread_get_ident();
	if (!rl || !saved)
		return THREAD_EINVAL;
	if (!held_by_me(rl, me))
		return THREAD_ENOTOWNER;
	saved->owner = me;
	saved->count = atomic_load_relaxed(&rl->count_);
	return give_up(rl);
}

/* Take the word (waiting or not) and put `saved` back: 1, 0 (not taken),
 * or an error. */
static int restore(thread_rlock *rl, const thread_rlock_state *saved, int waitflag)
{
	int rc;
	if (!rl || !saved || saved->owner == 0 || saved->count == 0)
		return THREAD_EINVAL;
	rc = thread_lock_acquire(&rl->lock_, waitflag);
	if (rc != 1)
		return rc;
	atomic_store_relaxed(&rl->count_, saved->count);
	atomic_store64_relaxed(&rl->owner_, saved->owner);
	return 1;
}

int thread_rlock_acquire_restore(thread_rlock *rl, const thread_rlock_state *saved)
{
	int rc = restore(rl, saved, 1);
	return rc == 1 ? 0 : rc;
}

int thread_rlock_try_restore(thread_rlock *rl, const thread_rlock_state *saved)
{
	return restore(rl, saved, 0);
}

int thread_rlock_reinit(thread_rlock *rl)
{
	if (!rl)
		return THREAD_EINVAL;
	atomic_store_relaxed(&rl->count_, 0);
	atomic_store64_relaxed(&rl->owner_, 0);
	return thread_lock_reinit(&rl->lock_);
}
