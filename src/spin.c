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

/* Spin until ready(arg) or for spin_ns: 1 or 0.  The one loop of both
 * functions below; ready() is checked first, so spin_ns <= 0 is one look. */
static int spin(int (*ready)(void *), void *arg, int64_t spin_ns)
{
	int64_t end;
	int gap = 1;
	if (ready(arg))
		return 1;
	if (spin_ns <= 0)
		return 0;
	end = thread__deadline_after(spin_ns);
	for (;;) {
		for (int k = 0; k < gap; k++)
			cpu_relax();
		if (gap < GAP_MAX)
			gap += gap;
		if (ready(arg))
			return 1;
		if (thread__monotonic_ns() >= end)
			return 0;
	}
}

static int lock_taken(void *lk)
{
	/* Read before the CAS: a held word costs the holder nothing. */
	return !thread_lock_locked((thread_lock *)lk) && thread_lock_acquire((thread_lock *)lk, 0) == 1;
}

int thread_lock_acquire_spin(thread_lock *lk, int64_t spin_ns)
{
	if (!lk)
		return THREAD_EINVAL;
	return spin(lock_taken, lk, spin_ns);
}

struct watch {
	const uint32_t *word;
	uint32_t value;
};

static int word_changed(void *w)
{
	const struct watch *wt = (const struct watch *)w;
	/* Relaxed: the caller learns only that the word changed; whatever it
	 * then does with what the word guards has its own synchronisation. */
	return atomic_load_relaxed(wt->word) != wt->value;
}

int thread_spin_while(const uint32_t *word, uint32_t value, int64_t spin_ns)
{
	struct watch w = {word, value};
	if (!word)
		return THREAD_EINVAL;
	return spin(word_changed, &w, spin_ns);
}
