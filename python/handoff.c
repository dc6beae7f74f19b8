/* The hand-off between Python threads that wait for each other (wait.c):
 * spin instead of sleeping, for the lock and then for the interpreter
 * lock, each only while spinning has been paying off.
 *
 * Why.  Two Python threads that take turns (Condition, Event, queue.Queue)
 * wake each other once a turn.  Woken from sleep on an idle processor of
 * this machine's kind (a virtual machine), a thread runs some 25 us later,
 * and then it still needs the interpreter lock, which the thread that woke
 * it holds until it too waits: stock _thread sleeps once more for that.
 * The turn itself is 3 us of Python.  A waiter that spins instead sees the
 * release within a fraction of a microsecond, then sees the interpreter
 * lock go free the moment its partner detaches, and takes it without
 * sleeping: Condition and Event ping-pong went from 0.9-1.0x of stock to
 * 0.10-0.13x (bench/bench_dropin.py, 3 rounds, idle machine).
 *
 * Why not always.  A spin busies a processor.  When it runs out of time
 * (the partner keeps the interpreter lock, as a producer that never waits
 * does, or waits for a processor itself on a loaded machine), it was pure
 * cost, and it takes a processor from whoever needed it: on a loaded
 * machine, unconditional spinning made ping-pong 5x slower than stock.  So:
 *  - a score per kind of spin (lock, interpreter lock): a spin that ended
 *    in time raises it by WIN, one that ran out lowers it by LOSS; a spin
 *    is made only while its score is above 0, so it must win more than
 *    LOSS/(WIN+LOSS) of the time to go on; at 0 it is still tried on every
 *    PROBE_EVERY-th wait, so a workload that changes is noticed;
 *  - at most one thread of the process spins for a lock, and one for the
 *    interpreter lock, at a time: spinning never takes more than two
 *    processors, and mostly one (a ping-pong's two threads overlap only
 *    for the moment the detaching one starts to spin);
 *  - a lock that another thread waits for, or has just won and holds
 *    while it waits for the interpreter lock, is a mutex two threads
 *    share, not a turn being handed over: a wait for it never spins, and
 *    it costs the lock score a loss.  Spinning there turns barging into a
 *    hand-off on every turn: a thread that spins for a mutex its partner
 *    releases gets it before the partner, still running, takes it back,
 *    so the partner blocks on it and must give up the interpreter lock,
 *    and the two run in lockstep.  Both spins "win", yet the pair runs
 *    slower than it does asleep, when the partner runs on and builds a
 *    batch (queue.Queue's mutex between a producer and a consumer: 1.41x
 *    of stock on 3.8).  Each wait for a plain lock is in `waited` from
 *    plan to learn.
 *
 * The scores and the table are read and written only with the
 * interpreter lock held (plan before the wait detaches, learn after it
 * attaches again), and only in interpreters that share the main
 * interpreter's lock: compat_gil_word is NULL in the others, which then
 * never spin.  That one lock orders every access, so they need no atomics.  The spinners' tokens are
 * libthread locks because they are taken and given back detached. */
#include "compat.h"

#include <string.h>

#define LOCK_SPIN_NS 20000 /* longer than a turn of Python, shorter than a sleep */
#define GIL_SPIN_NS 20000
#define SCORE_START 4
#define SCORE_MAX 16
#define WIN 1
#define LOSS 2
#define PROBE_EVERY 64

struct score {
	int value;
	unsigned skipped; /* waits that did not spin since the last probe */
};

static struct score lock_score = {SCORE_START, 0}, gil_score = {SCORE_START, 0};
/* Held by the thread spinning for a lock, and by the one spinning for the
 * interpreter lock.  Two, not one: in a ping-pong the thread that has just
 * won its lock spins for the interpreter lock while its partner, having
 * just detached, starts spinning for the next lock; with one token the
 * partner would find it taken (its holder not yet having seen the
 * interpreter lock go free) and sleep, every other turn. */
static thread_lock lock_spinner = THREAD_LOCK_INIT, gil_spinner = THREAD_LOCK_INIT;

/* The locks Python threads wait for now (from plan to learn: while they
 * spin or sleep for the lock, and then for the interpreter lock), with the
 * number of waiters of each.  Small: a wait that finds it full is not
 * entered and is never seen as contended. */
#define WAITED_MAX 8
static struct {
	thread_lock *lk; /* NULL: a free slot */
	int waiters;
} waited[WAITED_MAX];

/* Enter `lk`; 1 if another Python thread was already in for it. */
static int waited_enter(handoff *h, thread_lock *lk)
{
	int i, free_slot = -1;
	for (i = 0; i < WAITED_MAX; i++) {
		if (waited[i].lk == lk) {
			waited[i].waiters++;
			h->lk = lk;
			return 1;
		}
		if (!waited[i].lk && free_slot < 0)
			free_slot = i;
	}
	if (free_slot >= 0) {
		waited[free_slot].lk = lk;
		waited[free_slot].waiters = 1;
		h->lk = lk;
	}
	return 0;
}

static void waited_leave(handoff *h)
{
	int i;
	if (!h->lk)
		return;
	for (i = 0; i < WAITED_MAX && waited[i].lk != h->lk; i++)
		;
	/* Not there only if a fork (from a signal handler this wait ran)
	 * emptied the table meanwhile. */
	if (i < WAITED_MAX && --waited[i].waiters == 0)
		waited[i].lk = NULL;
	h->lk = NULL;
}

static int worth_trying(struct score *s)
{
	if (s->value > 0)
		return 1;
	if (++s->skipped < PROBE_EVERY)
		return 0;
	s->skipped = 0;
	return 1;
}

static void learn(struct score *s, int outcome)
{
	if (outcome > 0)
		s->value = s->value + WIN > SCORE_MAX ? SCORE_MAX : s->value + WIN;
	else if (outcome < 0)
		s->value = s->value > LOSS ? s->value - LOSS : 0;
}

void handoff_plan(handoff *h, thread_lock *lk)
{
	int shared;
	h->gil = compat_gil_word();
	h->lk = NULL;
	h->lock_outcome = h->gil_outcome = 0;
	h->spins_for_lock = h->spins_for_gil = 0;
	if (!h->gil)
		return;
	shared = waited_enter(h, lk);
	if (shared)
		h->lock_outcome = -1; /* a mutex shared: learnt as a lost spin */
	h->spins_for_lock = !shared && worth_trying(&lock_score);
	h->spins_for_gil = worth_trying(&gil_score);
}

int handoff_spin_for_lock(handoff *h, thread_lock *lk, int64_t *timeout_ns)
{
	int64_t spin = LOCK_SPIN_NS, t0;
	int r, planned = h->spins_for_lock;
	h->spins_for_lock = 0; /* once per wait */
	if (!planned || !thread_lock_acquire(&lock_spinner, 0))
		return 0;
	if (*timeout_ns >= 0 && *timeout_ns < spin)
		spin = *timeout_ns;
	t0 = thread_monotonic_ns();
	r = thread_lock_acquire_spin(lk, spin);
	thread_lock_release(&lock_spinner);
	h->lock_outcome = r == 1 ? 1 : -1;
	if (r == 1)
		return 1;
	if (*timeout_ns > 0) {
		/* The sleep that follows gets only the time left: a timed
		 * acquire never ends later for having spun first. */
		int64_t spent = thread_monotonic_ns() - t0;
		*timeout_ns = spent < *timeout_ns ? *timeout_ns - spent : 0;
	}
	return 0;
}

void handoff_spin_for_gil(handoff *h)
{
	int64_t spin = 0; /* not ours to spin: one look, for the lock's score */
	int free_now;
	if (!h->gil)
		return;
	if (h->spins_for_gil && thread_lock_acquire(&gil_spinner, 0))
		spin = GIL_SPIN_NS;
	else if (h->lock_outcome != 1)
		return;
	/* The word is nonzero while the lock is held (-1 before it was ever
	 * made, which cannot be the case while we wait for it). */
	free_now = thread_spin_while(h->gil, 1, spin) == 1;
	if (spin) {
		thread_lock_release(&gil_spinner);
		h->gil_outcome = free_now ? 1 : -1;
	}
	/* A lock won by spinning paid only if no sleep for the interpreter
	 * lock follows.  A consumer whose producer never waits wins every
	 * lock spin and then sleeps for the interpreter lock anyway; its
	 * spins only wake it for each item instead of for a batch (queue
	 * put/get: 1.47x of stock on 3.8 when such wins counted). */
	if (h->lock_outcome == 1 && !free_now)
		h->lock_outcome = -1;
}

void handoff_after_fork_child(void)
{
	/* A thread that spun at the fork holds its token for ever, and the
	 * waits in `waited` are of threads that are gone. */
	thread_lock_reinit(&lock_spinner);
	thread_lock_reinit(&gil_spinner);
	memset(waited, 0, sizeof waited);
}

void handoff_learn(handoff *h)
{
	waited_leave(h);
	learn(&lock_score, h->lock_outcome);
	learn(&gil_score, h->gil_outcome);
}
