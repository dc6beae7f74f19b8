/* The lock: a binary semaphore in one 32-bit word, over the wait layer.
 *
 * No owner is stored: any thread may release a held lock.
 *
 * Bits of the word:
 *   LOCKED   1   held.  Clear means free, whatever the other bits say: any
 *                thread may take it, so thread_lock_locked() and a zero-wait
 *                acquire always agree.
 *   SLEEPERS 2   threads may be asleep in thread__wait: release must wake one
 *   HANDOFF  4   a release granted the lock to a thread that has slept; the
 *                first such thread to see this bit collects the grant (its
 *                acquire returns 1).  The granting release leaves LOCKED set,
 *                held on the collector's behalf, so no newcomer barges in.  A
 *                second release before the collection (legal: the lock is
 *                held) clears LOCKED and keeps HANDOFF: free for anyone, and
 *                the grant still owed.
 *   HUNGRY   8.. a count (bits 3-31) of waiters that have waited longer than
 *                FAIR_NS and lost the race after a wake-up.  While it is
 *                nonzero, release hands off instead of freeing.
 *
 * Transitions (actor: operation, order, pairs with):
 *   0 -> LOCKED            acquire fast path: CAS, acquire; pairs with the
 *                          release CAS that freed the word.
 *   w -> w|LOCKED          acquire slow path or zero-wait acquire, word not
 *                          LOCKED: CAS, acquire; same pairing.  HANDOFF, if
 *                          set, stays for its collector.  A thread that has
 *                          slept collects a HANDOFF instead (below), and
 *                          otherwise also sets SLEEPERS: other sleepers may
 *                          exist, and the release that woke us cleared it.
 *   w -> w|SLEEPERS(+HUNGRY) waiter about to sleep: CAS, relaxed; the wait
 *                          rechecks the word, and release reads it with its
 *                          own CAS, so no ordering is needed.
 *   LOCKED|.. -> ..        release, no HUNGRY, no HANDOFF: CAS, release
 *                          (clears LOCKED and SLEEPERS); pairs with the
 *                          acquiring CASes.  Wakes one if SLEEPERS was set.
 *   LOCKED|.. -> +HANDOFF  release, HUNGRY nonzero, no HANDOFF: CAS, release;
 *                          pairs with the collection.  Always wakes one.
 *   LOCKED|HANDOFF|.. -> HANDOFF|..  release while a grant is owed: CAS,
 *                          release; pairs with the collection and with the
 *                          acquire of whoever takes the free word.  Wakes
 *                          nobody: the grant woke a thread that will look,
 *                          and the collector wakes one if it finds it free.
 *   w -> w-HANDOFF         collection by a thread that has slept: CAS,
 *                          acquire; pairs with the granting release (and any
 *                          release since).  A hungry collector also drops its
 *                          count.  LOCKED is left as it is: set, the lock is
 *                          held, by the collector or by a thread that took it
 *                          after a second release; clear, it was released
 *                          after the grant, and that release woke nobody, so
 *                          the collector wakes one sleeper if SLEEPERS is set.
 *   w -> (w|SLEEPERS)-HUNGRY  a waiter that has slept gives up (timeout,
 *                          signal): CAS, relaxed; never while HANDOFF is set
 *                          (it collects instead).  SLEEPERS again because the
 *                          wake-up it consumed may have been the only one
 *                          for the sleepers that remain.
 *   Releasing a word without LOCKED returns THREAD_ENOTLOCKED, untouched.
 * Invariants:
 *   - HUNGRY nonzero implies SLEEPERS: a waiter turns hungry in the CAS that
 *     marks it asleep, and only a release with HUNGRY zero clears SLEEPERS.
 *   - HANDOFF is only ever set on a LOCKED word with HUNGRY nonzero, and only
 *     a thread that has slept clears it.  Taking a free word and releasing a
 *     held one leave it alone, so at most one grant is owed at a time.
 *   - HANDOFF implies some thread that will look at the word again: the
 *     granting release woke one sleeper, a woken thread re-reads the word
 *     before sleeping or giving up, and a hungry waiter never leaves while
 *     HANDOFF is set.  So a grant is always collected.
 *   - Books: successful acquires - successful releases + (HANDOFF set) =
 *     (LOCKED set); tests/model checks this at every step.
 *
 * Why HANDOFF only goes to sleepers, and only while someone is hungry: a
 * plain release lets a running thread barge in ahead of woken sleepers, which
 * is what makes a contended lock fast (no convoy through the scheduler), but
 * a sleeper could lose every race forever.  A waiter that waited FAIR_NS and
 * still lost counts itself hungry; releases then go to sleepers in the wait
 * layer's queue order until the hungry waiters are served, and then barging
 * resumes.  A second release during a hand-off does not cancel the grant
 * (that would swallow a release, and a semaphore's signal with it); it frees
 * the lock as any release does, and the grant is collected afterwards. */
#include "thread_impl.h"

#include <stdlib.h>

#define LK_LOCKED 1u
#define LK_SLEEPERS 2u
#define LK_HANDOFF 4u
#define LK_HUNGRY 8u

/* Spin budget, in cpu_relax() calls: 256 pauses are about 6 us on the
 * AMD EPYC the benchmarks ran on (23 ns each), less than one futex sleep
 * and wake-up there (about 20 us on that VM).  Polls are spaced 1, 2, 4, ...
 * SPIN_GAP_MAX pauses apart. */
#ifndef SPIN_LIMIT
#define SPIN_LIMIT 256
#endif
#ifndef SPIN_GAP_MAX
#define SPIN_GAP_MAX 32
#endif
#ifndef FAIR_NS
#define FAIR_NS 1000000 /* 1 ms */
#endif

/* Free: not held.  A pending HANDOFF does not count (see the table). */
static int is_free(uint32_t w)
{
	return (w & LK_LOCKED) == 0;
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

/* 1 when another processor can run the holder while we spin; 0 on a
 * uniprocessor, where spinning only burns the time slice the holder needs.
 * A system that cannot say counts as a multiprocessor: a wasted spin is
 * bounded, a missing one costs a sleep.  The answer is cached in a word
 * (0: not asked yet, 1: one processor, 2: several); threads that race
 * here store the same answer, so relaxed order is enough. */
static int multiprocessor(void)
{
	static uint32_t answer;
	uint32_t seen = atomic_load_relaxed(&answer);
	if (seen == 0) {
		uint32_t mine = thread__online_cpus() == 1 ? 1 : 2;
		atomic_cas_relaxed(&answer, &seen, mine);
		seen = mine;
	}
	return seen == 2;
}

static THREAD_NOINLINE int acquire_slow(thread_lock *lk, int64_t deadline,
                                        unsigned flags)
{
	uint32_t w;
	uint32_t hungry = 0; /* LK_HUNGRY once we count ourselves in the word */
	int slept = 0, stop = 0;
	int64_t since = 0, now;

	/* A bounded spin: a holder on another core usually releases within
	 * it, and a thread used as the other end of a semaphore hand-off
	 * answers within it, so neither side pays a sleep and a wake-up.
	 * It goes on while the word is LOCKED, with or without SLEEPERS (that
	 * bit is conservative: a woken thread sets it on taking the lock even
	 * when nobody else sleeps, so stopping at it would end every spin
	 * once anyone had slept).  It stops at HANDOFF or HUNGRY: the lock is
	 * then owed or promised to a sleeper.
	 * Polls back off exponentially: a spinner that polls the word every
	 * pause pulls its cache line away from the holder on each poll, so
	 * two threads trading a busy lock spend their time moving the line;
	 * spaced polls let the holder run several critical sections from its
	 * own cache (measured against pthread_mutex at 2-16 threads, bench/
	 * section 2: 0.6-1.6x with a poll every pause, 1.1-1.6x spaced).  No
	 * spin on a uniprocessor (the holder cannot run until the spinner
	 * stops) nor with THREAD_NO_SPIN. */
	int budget = multiprocessor() && !(flags & THREAD_NO_SPIN) ? SPIN_LIMIT : 0;
	for (int spent = 0, gap = 1; spent < budget; spent += gap) {
		if (try_acquire(lk))
			return 1;
		if ((atomic_load_relaxed(&lk->word_) & ~LK_SLEEPERS) != LK_LOCKED)
			break;
		for (int k = 0; k < gap; k++)
			cpu_relax();
		if (gap < SPIN_GAP_MAX)
			gap += gap;
	}
	for (;;) {
		w = atomic_load_relaxed(&lk->word_);
		if ((w & LK_HANDOFF) && slept) {
			/* w -> w-HANDOFF: collect the grant; acquire pairs with the
			 * granting release.  SLEEPERS stays set: it is set whenever
			 * HUNGRY is.  LOCKED stays as it is (see the table). */
			uint32_t next = (w & ~LK_HANDOFF) - hungry;
			if (!atomic_cas_acquire(&lk->word_, &w, next))
				continue;
			/* Released since the grant, by a release that woke nobody. */
			if (!(w & LK_LOCKED) && (w & LK_SLEEPERS))
				thread__wake_one(&lk->word_);
			return 1;
		}
		if (is_free(w)) { /* w -> w|LOCKED; acquire, as in try_acquire */
			uint32_t next = (w | LK_LOCKED | (slept ? LK_SLEEPERS : 0)) - hungry;
			if (atomic_cas_acquire(&lk->word_, &w, next))
				return 1;
			continue;
		}
		now = (deadline >= 0 || slept) ? thread__monotonic_ns() : 0;
		if (stop || (deadline >= 0 && now >= deadline)) {
			/* Give up.  If we slept, we may have taken the wake-up that
			 * the last release meant for a sleeper that is still
			 * asleep, and that release cleared SLEEPERS: set it again
			 * so the next release wakes one.  Also leave the hungry
			 * count.  The CAS fails if a hand-off arrived meanwhile;
			 * the loop then collects it. */
			uint32_t next = slept ? (w | LK_SLEEPERS) - hungry : w;
			if (next != w && !atomic_cas_relaxed(&lk->word_, &w, next))
				continue;
			return stop ? stop : 0;
		}
		uint32_t next = w | LK_SLEEPERS;
		if (!slept)
			since = thread__monotonic_ns();
		else if (!hungry && now - since >= FAIR_NS)
			next += LK_HUNGRY; /* woken, lost the race, waited too long */
		if (next != w) {
			if (!atomic_cas_relaxed(&lk->word_, &w, next))
				continue;
			hungry |= (next - w) & LK_HUNGRY;
		}
		int rc = thread__wait(&lk->word_, next, deadline);
		slept = 1;
		if (rc == THREAD_EINTR && (flags & THREAD_INTERRUPTIBLE))
			stop = THREAD_EINTR;
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
	if (!lk || (flags & ~(THREAD_INTERRUPTIBLE | THREAD_NO_SPIN)))
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
			next = w & ~LK_LOCKED; /* free; the grant is still owed */
		else if (w >= LK_HUNGRY)
			next = w | LK_HANDOFF; /* stays LOCKED: straight to a sleeper */
		else
			next = w & ~(LK_LOCKED | LK_SLEEPERS);
		/* Release order: the next holder sees all writes made under us. */
		if (atomic_cas_release(&lk->word_, &w, next))
			break;
	}
	/* A new grant wakes its collector; freeing while a grant is owed wakes
	 * nobody (its collector will); a plain release wakes if SLEEPERS. */
	if ((next & LK_HANDOFF) ? !(w & LK_HANDOFF) : (w & LK_SLEEPERS) != 0)
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
