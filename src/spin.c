/* Spinning without sleeping: for callers that know the wait will be short
 * and that a sleep and a wake-up would cost them more than the spin (the
 * Python faces, waiting for a thread that holds the interpreter lock and
 * runs on another processor: python/handoff.c).  Built over the lock's
 * public zero-wait acquire and its relaxed snapshot, so lock.c's state
 * machine is untouched: a spinner takes the lock exactly as a zero-wait
 * acquire would, and never counts as a sleeper or collects a grant. */
#include "thread_impl.h"

/* Polls come every 1, 2, 4 pauses, then every GAP_MAX: the caller wants to
 * notice the change within about a tenth of a microsecond, and the word's
 * cache line is not fought over (one spinner, one writer). */
#define GAP_MAX 4

static int64_t spin_end(int64_t spin_ns)
{
	return thread__deadline_after(spin_ns);
}

static void pause_for(int *gap)
{
	for (int k = 0; k < *gap; k++)
		cpu_relax();
	if (*gap < GAP_MAX)
		*gap += *gap;
}

int thread_lock_acquire_spin(thread_lock *lk, int64_t spin_ns)
{
	int64_t end;
	int gap = 1;
	int r = thread_lock_acquire(lk, 0);
	if (r != 0 || spin_ns <= 0)
		return r; /* held at once, or THREAD_EINVAL, or no time to spin */
	end = spin_end(spin_ns);
	for (;;) {
		pause_for(&gap);
		/* Read before the CAS: a held word costs the holder nothing. */
		if (!thread_lock_locked(lk) && thread_lock_acquire(lk, 0))
			return 1;
		if (thread__monotonic_ns() >= end)
			return 0;
	}
}

int thread_spin_while(const uint32_t *word, uint32_t value, int64_t spin_ns)
{
	int64_t end;
	int gap = 1;
	if (!word)
		return THREAD_EINVAL;
	/* Relaxed: the caller learns only that the word changed; whatever it
	 * then does with what the word guards has its own synchronisation. */
	if (atomic_load_relaxed(word) != value)
		return 1;
	if (spin_ns <= 0)
		return 0;
	end = spin_end(spin_ns);
	for (;;) {
		pause_for(&gap);
		if (atomic_load_relaxed(word) != value)
			return 1;
		if (thread__monotonic_ns() >= end)
			return 0;
	}
}
