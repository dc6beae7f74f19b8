/* The lock: a binary semaphore in one 32-bit word, over the wait layer.
 *
 * No owner is stored: any thread may release a held lock.
 *
 * Fields of the word:
 *   LOCKED    bit 0      held
 *   HANDOFF   bit 1      the last release gave the lock straight to a thread
 *                        that has slept; the first such thread to see the
 *                        bit owns the lock.  LOCKED stays set meanwhile, so
 *                        no newcomer can barge in.
 *   SLEEPERS  bits 2-16  how many threads are registered to sleep on the
 *                        word: counted before thread__wait, uncounted in the
 *                        CAS with which they next take the lock or give up.
 *                        Release wakes one thread when it is nonzero.
 *   HUNGRY    bits 17-31 how many waiters were woken, found the lock taken,
 *                        and have waited longer than FAIR_NS.  While it is
 *                        nonzero, release hands off instead of freeing.
 *
 * Transitions (actor: operation, memory order, pairs with):
 *   0 -> LOCKED              acquire fast path: CAS, acquire; pairs with the
 *                            release CAS that freed the word.
 *   w -> w|LOCKED (-mine)    slow path, word neither LOCKED nor HANDOFF: CAS,
 *                            acquire, same pairing; drops what this thread
 *                            added (its SLEEPER and HUNGRY units).
 *   w -> w+SLEEPER(+HUNGRY)  a waiter registers before it sleeps: CAS,
 *                            relaxed; the wait re-checks the word and the
 *                            release reads it in its own CAS, so no order
 *                            is needed.
 *   LOCKED -> 0              release fast path: CAS, release; pairs with the
 *                            acquiring CASes.
 *   w -> w-LOCKED            release, HUNGRY zero: CAS, release; wakes one
 *                            thread if SLEEPERS is nonzero.
 *   w -> w|HANDOFF           release, HUNGRY nonzero: CAS, release; pairs
 *                            with the claim.  Wakes one if SLEEPERS nonzero.
 *   w -> w-HANDOFF(-mine)    claim by a thread that has slept: CAS, acquire.
 *   w -> w-LOCKED, HANDOFF   release before the claim (legal: the lock is
 *                            held on the claimant's behalf): CAS, release; no
 *                            wake.  The claimant then finds LOCKED clear: it
 *                            acquired the lock and it was already released,
 *                            so it returns 1, leaves the word free and wakes
 *                            one sleeper for the release that could not.
 *   w -> w-mine              a waiter gives up (timeout, signal): CAS,
 *                            relaxed; fails if a hand-off arrived, which the
 *                            waiter then claims.
 *   Releasing a word without LOCKED returns THREAD_ENOTLOCKED, untouched.
 *
 * Why no wake-up is lost: a registered thread is counted until its own CAS
 * uncounts it, and it always reads the word after each wait; a release that
 * frees the word while anyone is counted wakes one, and the woken thread
 * either takes the free lock (so its release wakes the next) or finds it
 * taken (so that holder's release will).  The count is exact, so spinning
 * and waking are decided on facts: release makes no wake call when nobody is
 * registered, and a newcomer spins only when nobody is.
 *
 * Why hand-off, and only while someone is hungry: a plain release lets a
 * running thread barge in ahead of the woken one, which keeps a contended
 * lock fast (no convoy through the scheduler), but a sleeper could lose every
 * race.  A waiter that was woken and still lost after FAIR_NS counts itself
 * hungry; releases then go to sleepers in the wait layer's queue order until
 * the hungry are served, and barging resumes.  A thread that receives a
 * hand-off never loses a race, so a hand-off convoy cannot sustain itself.
 * HANDOFF is only set while HUNGRY is nonzero, and a hungry waiter never
 * leaves while HANDOFF is set, so every hand-off is claimed.
 *
 * Counts cannot overflow: a waiter that finds SLEEPERS full does not
 * register and polls instead (waits of at most POLL_NS), and one that finds
 * HUNGRY full stays patient. */
#include "thread_impl.h"

#include <stdlib.h>

#ifndef LK_COUNT_BITS
#define LK_COUNT_BITS 15 /* the model checker builds with fewer */
#endif
#define LK_LOCKED 1u
#define LK_HANDOFF 2u
#define LK_SLEEPER (1u << 2)
#define LK_SLEEPERS (((1u << LK_COUNT_BITS) - 1) << 2)
#define LK_HUNGRY (1u << (2 + LK_COUNT_BITS))
#define LK_HUNGRIES (((1u << LK_COUNT_BITS) - 1) << (2 + LK_COUNT_BITS))

#ifndef SPIN_LIMIT
#define SPIN_LIMIT 40 /* about 1 us of pause on current x86 */
#endif
#ifndef FAIR_NS
#define FAIR_NS 1000000 /* 1 ms */
#endif
#define POLL_NS 1000000 /* 1 ms */

/* Free for a thread that has not slept: neither held nor being handed off. */
static int is_free(uint32_t w)
{
	return (w & (LK_LOCKED | LK_HANDOFF)) == 0;
}

static int try_acquire(thread_lock *lk)
{
	uint32_t w = atomic_load_relaxed(&lk->word_);
	while (is_free(w)) {
		/* w -> w|LOCKED; acquire pairs with the release that freed it. */
		if (atomic_cas_acquire(&lk->word_, &w, w | LK_LOCKED))
			return 1;
	}
	return 0;
}

static THREAD_NOINLINE int acquire_slow(thread_lock *lk, int64_t deadline,
                                        unsigned flags)
{
	uint32_t w, next, mine = 0; /* our SLEEPER and HUNGRY units in the word */
	int slept = 0, stop = 0;
	int64_t since = 0, now = 0, until;

	/* A short spin: a holder on another core usually releases within it.
	 * Only while nobody sleeps or waits for a hand-off: otherwise the
	 * lock is held long or handed around, and a spinner only keeps the CPU
	 * from the thread that its release would wake. */
	for (int i = 0; i < SPIN_LIMIT; i++) {
		if (try_acquire(lk))
			return 1;
		if (atomic_load_relaxed(&lk->word_) != LK_LOCKED)
			break;
		cpu_relax();
	}
	for (;;) {
		w = atomic_load_relaxed(&lk->word_);
		if ((w & LK_HANDOFF) && slept) {
			/* Claim; acquire pairs with the handing release. */
			next = (w & ~LK_HANDOFF) - mine;
			if (!atomic_cas_acquire(&lk->word_, &w, next))
				continue;
			/* Released before the claim: wake one in its stead. */
			if (!(w & LK_LOCKED) && (next & LK_SLEEPERS))
				thread__wake_one(&lk->word_);
			return 1;
		}
		if (is_free(w)) {
			if (atomic_cas_acquire(&lk->word_, &w, (w | LK_LOCKED) - mine))
				return 1;
			continue;
		}
		if (slept || deadline >= 0)
			now = thread__monotonic_ns();
		if (stop || (deadline >= 0 && now >= deadline)) {
			/* Give up; the CAS fails if a hand-off arrived meanwhile. */
			if (mine && !atomic_cas_relaxed(&lk->word_, &w, w - mine))
				continue;
			return stop ? stop : 0;
		}
		next = w;
		if (!(mine & LK_SLEEPER) && (w & LK_SLEEPERS) != LK_SLEEPERS)
			next += LK_SLEEPER;
		if (!slept)
			since = thread__monotonic_ns();
		else if (!(mine & LK_HUNGRY) && now - since >= FAIR_NS &&
		         (w & LK_HUNGRIES) != LK_HUNGRIES)
			next += LK_HUNGRY; /* woken, lost the race, waited too long */
		if (next != w) {
			if (!atomic_cas_relaxed(&lk->word_, &w, next))
				continue;
			mine += next - w;
		}
		until = deadline;
		if (!(mine & LK_SLEEPER)) { /* not counted: nobody will wake us */
			int64_t poll = thread__monotonic_ns() + POLL_NS;
			until = deadline >= 0 && deadline < poll ? deadline : poll;
		}
		if (thread__wait(&lk->word_, next, until) == THREAD_EINTR &&
		    (flags & THREAD_INTERRUPTIBLE))
			stop = THREAD_EINTR;
		slept = 1;
	}
}

int thread_lock_acquire(thread_lock *lk, int waitflag)
{
	uint32_t w = 0;
	if (!lk)
		return THREAD_EINVAL;
	if (!waitflag)
		return try_acquire(lk);
	/* 0 -> LOCKED; acquire pairs with the release that freed the word. */
	if (atomic_cas_acquire(&lk->word_, &w, LK_LOCKED))
		return 1;
	return acquire_slow(lk, -1, 0);
}

int thread_lock_acquire_timed(thread_lock *lk, int64_t timeout_ns,
                              unsigned flags)
{
	uint32_t w = 0;
	if (!lk || (flags & ~THREAD_INTERRUPTIBLE))
		return THREAD_EINVAL;
	if (timeout_ns == 0)
		return try_acquire(lk);
	if (atomic_cas_acquire(&lk->word_, &w, LK_LOCKED))
		return 1;
	return acquire_slow(lk, timeout_ns < 0 ? -1 : thread__deadline_after(timeout_ns),
	                    flags);
}

static THREAD_NOINLINE int release_slow(thread_lock *lk, uint32_t w)
{
	uint32_t next;
	for (;;) {
		if (!(w & LK_LOCKED))
			return THREAD_ENOTLOCKED;
		if (w & LK_HANDOFF)
			next = w & ~LK_LOCKED; /* the claimant will find it released */
		else if (w & LK_HUNGRIES)
			next = w | LK_HANDOFF; /* stays LOCKED: straight to a sleeper */
		else
			next = w & ~LK_LOCKED;
		/* Release order: the next holder sees all writes made under us. */
		if (atomic_cas_release(&lk->word_, &w, next))
			break;
	}
	if (!(w & LK_HANDOFF) && (w & LK_SLEEPERS))
		thread__wake_one(&lk->word_);
	return 0;
}

int thread_lock_release(thread_lock *lk)
{
	uint32_t w = LK_LOCKED;
	if (!lk)
		return THREAD_EINVAL;
	/* LOCKED -> 0: nobody sleeps and nobody is hungry.  Release pairs with
	 * the acquiring CAS of the next holder. */
	if (atomic_cas_release(&lk->word_, &w, 0))
		return 0;
	return release_slow(lk, w);
}

int thread_lock_locked(const thread_lock *lk)
{
	if (!lk)
		return THREAD_EINVAL;
	/* Relaxed: a snapshot, documented to order nothing. */
	return (atomic_load_relaxed(&lk->word_) & LK_LOCKED) != 0;
}

thread_lock *thread_allocate_lock(void)
{
	return (thread_lock *)calloc(1, sizeof(thread_lock));
}

void thread_free_lock(thread_lock *lk)
{
	free(lk);
}
