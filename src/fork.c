/* What a forked child needs: locks back to their initial state, the wait
 * layer's state reset, and the count of running library threads.
 *
 * The count is of threads the library started and that have not finished.
 * A forked child keeps only the thread that forked, so the child's count is
 * 0 after thread_after_fork_child.  If that thread was itself started by the
 * library, it will still "finish" in the child; the generation keeps it from
 * taking the count below zero: each thread carries the generation it was
 * started in, each reset starts a new one, and only threads of the current
 * generation are counted off.
 *
 * Both words are written by thread_after_fork_child only in a child, which
 * then has one thread; everywhere else `live` changes atomically and
 * `generation` is only read.  No load or store needs an order: the count
 * orders no memory (it is a statistic, documented so; the decrement's
 * acq_rel is just the wrapper there is), and the generation changes only while the
 * process has a single thread. */
#include "thread_impl.h"

static uint32_t live;
static uint32_t generation;

uint32_t thread__count_start(void)
{
	atomic_fetch_add_relaxed(&live, 1);
	return atomic_load_relaxed(&generation);
}

void thread__count_end(uint32_t gen)
{
	if (gen == atomic_load_relaxed(&generation))
		atomic_fetch_sub_acq_rel(&live, 1);
}

uint32_t thread_count(void)
{
	return atomic_load_relaxed(&live);
}

void thread_after_fork_child(void)
{
	thread__wait_after_fork();
	atomic_fetch_add_relaxed(&generation, 1);
	atomic_store_relaxed(&live, 0);
}

int thread_lock_reinit(thread_lock *lk)
{
	if (!lk)
		return THREAD_EINVAL;
	/* Relaxed: only one thread uses the lock now (the contract). */
	atomic_store_relaxed(&lk->word_, 0);
	return 0;
}
