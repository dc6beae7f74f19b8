/* Joinable threads: a handle whose "done" signal is a libthread lock.
 *
 * A handle lives on the heap and is shared by two parties, the starter's
 * side (whoever holds the thread_handle pointer: it joins or detaches) and
 * the thread itself.  `refs` counts them; the one that drops it to 0 frees
 * the handle.  That is what lets detach and the thread's end race: either
 * order frees exactly once, and neither touches the handle after its drop.
 *
 * Fields:
 *   done   held from before the start until the thread's last library act,
 *          which releases it (any thread may release a thread_lock).  A
 *          join is a timed acquire of it, so a timed join, an interruptible
 *          join and join-after-done are the lock's behaviours.
 *   refs   2 at start; each party drops one (acq_rel: the dropping party's
 *          writes are visible to whoever frees).
 *   os     the platform's handle (pthread_t, HANDLE); written by the starter
 *          before thread_start_joinable returns, read only by the starter's
 *          side afterwards (join, detach).
 *   ident  written by the starter before returning; read by its side.
 *
 * The window this closes: a detached thread that has released `done` but
 * still runs (in its cleanup, in the system's thread exit).  The thread
 * still holds its reference through the release, so a join that gets
 * `done` and frees its side at once leaves the handle to the thread, which
 * frees it when it drops its own reference. */
#include "thread_impl.h"

#include <stdlib.h>

struct thread_handle {
	thread_lock done;
	uint32_t refs;
	uint64_t os;
	thread_ident ident;
	thread_func func;
	void *arg;
};

static void drop(thread_handle *h)
{
	/* 2 -> 1: the other party still uses it.  1 -> 0: we are last. */
	if (atomic_fetch_sub_acq_rel(&h->refs, 1) == 1)
		free(h);
}

static void run(void *p)
{
	thread_handle *h = (thread_handle *)p;
	h->func(h->arg);
}

/* The thread's last act, after func returned or in thread_exit's unwinding
 * (thread_posix.c / thread_win.c call it). */
static void finish(void *p)
{
	thread_handle *h = (thread_handle *)p;
	if (thread_lock_release(&h->done) != 0)
		thread__fatal("libthread: a thread handle's done lock was not held");
	drop(h);
}

int thread_start_joinable(thread_handle **out, thread_func func, void *arg,
                          thread_ident *ident)
{
	thread_handle *h;
	thread_ident id = 0;
	int rc;
	if (!out || !func)
		return THREAD_EINVAL;
	h = (thread_handle *)calloc(1, sizeof *h);
	if (!h)
		return THREAD_ENOMEM;
	h->refs = 2;
	h->func = func;
	h->arg = arg;
	thread_lock_acquire(&h->done, 0); /* fresh: always taken */
	/* h is published to the thread by the platform's thread creation,
	 * which orders everything above before the thread runs. */
	rc = thread__start_os(run, finish, h, &h->os, &id);
	if (rc != 0) {
		free(h);
		return rc;
	}
	h->ident = id;
	if (ident)
		*ident = id;
	*out = h;
	return 0;
}

int thread_join(thread_handle *h, int64_t timeout_ns, unsigned flags)
{
	int rc;
	if (!h || (flags & ~(THREAD_INTERRUPTIBLE | THREAD_NO_SPIN)) || h->ident == thread_get_ident())
		return THREAD_EINVAL;
	/* Acquire pairs with the release in finish(): all the thread did
	 * happens-before our return of 1. */
	rc = thread_lock_acquire_timed(&h->done, timeout_ns, flags);
	if (rc != 1)
		return rc;
	thread__os_reap(h->os);
	drop(h);
	return 1;
}

int thread_detach(thread_handle *h)
{
	if (!h)
		return THREAD_EINVAL;
	thread__os_detach(h->os);
	drop(h);
	return 0;
}

int thread_handle_is_done(const thread_handle *h)
{
	if (!h)
		return THREAD_EINVAL;
	return thread_lock_locked(&h->done) == 0;
}

thread_ident thread_handle_ident(const thread_handle *h)
{
	return h ? h->ident : 0;
}
