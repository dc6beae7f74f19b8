/* A model checker for src/lock.c: the real lock code, compiled with
 * THREAD_MODEL_CHECK so that every atomic operation is a scheduling point,
 * runs on cooperative threads (ucontext) over a simulated wait layer and a
 * simulated clock.  Each schedule is drawn from a seeded random number
 * generator, so a failure prints the seed that reproduces it.
 *
 * The simulated wait layer is as weak as the contract in thread_impl.h
 * allows: waits may return spuriously, time out whenever their deadline
 * could have passed, and report THREAD_EINTR for interruptible scenarios.
 *
 * Checked at every scheduling point:
 *   - at most one thread is inside a critical section (mutex scenarios);
 *   - the books balance: successful acquires - successful releases
 *     + (hand-off pending) == (word held), see lock.c's table;
 *   - a zero-wait acquire (either call) would take the lock exactly when
 *     thread_lock_locked() says it is not locked;
 * and at the end of every schedule:
 *   - no thread sleeps forever (a lost wake-up), no schedule runs forever;
 *   - no hand-off or hungry count is left in the word;
 * and at the end of a scenario that asks for it (double_release): some
 * schedule released the lock while a hand-off was owed and let another
 * thread take it before the collection, so that case is really explored.
 * The scenarios (what the threads do) are in scenarios.c.
 * Built twice: with the real constants, and with FAIR_NS=1 so that every
 * waiter that loses after a wake-up turns hungry and hand-offs are frequent. */
#define _GNU_SOURCE
#include "model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ucontext.h>

#define STACK_SIZE (256 * 1024)
#define MAX_STEPS 200000

enum state { RUNNABLE, BLOCKED, DONE };

struct vthread {
	ucontext_t ctx;
	enum state state;
	const uint32_t *wait_addr;
	int64_t deadline;
	uint64_t wait_seq;
	int resume_code;
	char *stack;
};

static struct vthread th[MAX_THREADS];
static int nthreads, current = -1;
static ucontext_t scheduler;
static uint64_t rng, wait_seq;
static int64_t vclock;
static long steps;
static unsigned long long seed_now;

/* Shared with the scenarios (model.h). */
thread_lock lk;
long acquired, released;
int holders, interruptible, rounds;

static int blocked_at_end;

static uint64_t next_random(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

unsigned pick(unsigned n)
{
	return (unsigned)(next_random() % n);
}

void failure(const char *what)
{
	fprintf(stderr, "model: %s (seed %llu, step %ld, word 0x%x)\n", what,
	        seed_now, steps, lk.word_);
	exit(1);
}

static int probing; /* 1 while check_zero_wait runs lock code */
static long freed_owed, taken_owed; /* schedules that reached each state */
static int saw_freed_owed, saw_taken_owed, owed_and_freed;

/* The lock's public face agrees with itself: a zero-wait acquire, of
 * either kind, takes the lock exactly when thread_lock_locked() says it
 * is not locked.  Run on the word as it is at this scheduling point, with
 * no thread switch inside (model points return at once while probing),
 * and the word put back after each attempt. */
static void check_zero_wait(void)
{
	uint32_t saved = lk.word_;
	int locked, took, took_timed;
	probing = 1;
	locked = thread_lock_locked(&lk);
	took = thread_lock_acquire(&lk, 0);
	lk.word_ = saved;
	took_timed = thread_lock_acquire_timed(&lk, 0, 0);
	lk.word_ = saved;
	probing = 0;
	if (locked != 0 && locked != 1)
		failure("thread_lock_locked returned neither 0 nor 1");
	if (took != !locked || took_timed != !locked)
		failure("a zero-wait acquire disagrees with thread_lock_locked");
}

/* Coverage of a second release during a hand-off: the word free with a
 * grant owed, and then taken by another thread before the collection. */
static void note_states(void)
{
	uint32_t w = lk.word_;
	if (!(w & LK_HANDOFF))
		owed_and_freed = 0;
	else if (!(w & LK_LOCKED))
		owed_and_freed = saw_freed_owed = 1;
	else if (owed_and_freed)
		saw_taken_owed = 1; /* LOCKED again, the same grant still owed */
}

static void check_books(void)
{
	uint32_t w = lk.word_;
	long balance = acquired - released + ((w & LK_HANDOFF) ? 1 : 0);
	if (balance != (long)((w & LK_LOCKED) ? 1 : 0))
		failure("the books do not balance");
	if (holders > 1)
		failure("two threads in the critical section");
}

static void yield_to_scheduler(void)
{
	swapcontext(&th[current].ctx, &scheduler);
}

static int tracing;

void thread__model_point(void)
{
	if (probing)
		return;
	check_books();
	check_zero_wait();
	note_states();
	if (tracing)
		fprintf(stderr, "  t%d point word 0x%x\n", current, lk.word_);
	if (++steps > MAX_STEPS)
		failure("schedule never ends (livelock)");
	yield_to_scheduler();
}

/* ---- the simulated platform -------------------------------------------- */

int thread__online_cpus(void)
{
	return 2; /* explore the spin too */
}

int64_t thread__monotonic_ns(void)
{
	vclock += (int64_t)pick(700000); /* up to 0.7 ms per reading */
	return vclock;
}

int thread__wait(const uint32_t *addr, uint32_t expected, int64_t deadline_ns)
{
	struct vthread *t = &th[current];
	if (tracing)
		fprintf(stderr, "  t%d wait word 0x%x expected 0x%x deadline %lld\n", current,
		        *addr, expected, (long long)deadline_ns);
	if (*addr != expected)
		return 0;
	t->state = BLOCKED;
	t->wait_addr = addr;
	t->deadline = deadline_ns;
	t->wait_seq = wait_seq++;
	t->resume_code = 0;
	yield_to_scheduler();
	return t->resume_code;
}

static void wake(const uint32_t *addr, int all)
{
	for (;;) {
		int best = -1;
		for (int i = 0; i < nthreads; i++)
			if (th[i].state == BLOCKED && th[i].wait_addr == addr &&
			    (best < 0 || th[i].wait_seq < th[best].wait_seq))
				best = i;
		if (tracing)
			fprintf(stderr, "  t%d wakes t%d (word 0x%x)\n", current, best, lk.word_);
		if (best < 0)
			return;
		th[best].state = RUNNABLE;
		if (!all)
			return;
	}
}

void thread__wake_one(const uint32_t *addr)
{
	wake(addr, 0);
}

void thread__wake_all(const uint32_t *addr)
{
	wake(addr, 1);
}

static const struct scenario *running;

static void trampoline(void)
{
	running->bodies[current]();
	th[current].state = DONE;
	/* uc_link returns to the scheduler. */
}

/* Choose what happens next: run a runnable thread, or end a blocked
 * thread's wait by timeout, spuriously or (if allowed) by a signal. */
static int schedule_one(void)
{
	int cand[MAX_THREADS * 2], n = 0, awake = 0;
	for (int i = 0; i < nthreads; i++)
		awake += th[i].state == RUNNABLE;
	/* Everyone asleep or polling a held lock, with no hand-off pending:
	 * nobody can release it, so this is the scenario's end. */
	if (running->may_end_blocked && awake == 0 && (lk.word_ & LK_LOCKED) &&
	    !(lk.word_ & LK_HANDOFF)) {
		blocked_at_end = 1;
		return 0;
	}
	for (int i = 0; i < nthreads; i++) {
		if (th[i].state == RUNNABLE)
			cand[n++] = i;
		else if (th[i].state == BLOCKED && th[i].deadline >= 0)
			cand[n++] = i; /* its deadline may pass */
	}
	for (int i = 0; i < nthreads; i++)
		if (th[i].state == BLOCKED && pick(40) == 0)
			cand[n++] = MAX_THREADS + i; /* spurious or signal */
	if (n == 0) {
		for (int i = 0; i < nthreads; i++) {
			if (th[i].state == DONE)
				continue;
			/* Sleeping on a held lock that nobody will release is the
			 * scenario's end, not a bug; on a free lock or a pending
			 * hand-off it is a lost wake-up. */
			if (!running->may_end_blocked || !(lk.word_ & LK_LOCKED) ||
			    (lk.word_ & LK_HANDOFF))
				failure("every live thread sleeps: a lost wake-up");
			blocked_at_end = 1;
		}
		return 0;
	}
	int c = cand[pick((unsigned)n)];
	if (c >= MAX_THREADS) {
		c -= MAX_THREADS;
		if (tracing)
			fprintf(stderr, "  t%d ends its wait early\n", c);
		th[c].resume_code = running->interruptible && pick(2) ? THREAD_EINTR : 0;
		th[c].state = RUNNABLE;
	} else if (th[c].state == BLOCKED) {
		if (vclock < th[c].deadline)
			vclock = th[c].deadline;
		if (tracing)
			fprintf(stderr, "  t%d times out\n", c);
		th[c].state = RUNNABLE;
	}
	current = c;
	swapcontext(&scheduler, &th[c].ctx);
	current = -1;
	return 1;
}

static void run_schedule(const struct scenario *sc, unsigned long long seed)
{
	seed_now = seed;
	rng = seed * 2654435761ull + 1;
	running = sc;
	nthreads = sc->threads;
	rounds = sc->rounds;
	interruptible = sc->interruptible;
	memset(&lk, 0, sizeof lk);
	acquired = released = 0;
	holders = 0;
	blocked_at_end = 0;
	saw_freed_owed = saw_taken_owed = owed_and_freed = 0;
	steps = 0;
	vclock = 1000000000;
	for (int i = 0; i < nthreads; i++) {
		struct vthread *t = &th[i];
		t->state = RUNNABLE;
		getcontext(&t->ctx);
		t->ctx.uc_stack.ss_sp = t->stack;
		t->ctx.uc_stack.ss_size = STACK_SIZE;
		t->ctx.uc_link = &scheduler;
		makecontext(&t->ctx, trampoline, 0);
	}
	while (schedule_one())
		;
	check_books();
	freed_owed += saw_freed_owed;
	taken_owed += saw_taken_owed;
	if (blocked_at_end)
		return; /* consumers wait for releases that will not come */
	/* SLEEPERS may stay behind: it is conservative by design. */
	if (lk.word_ & ~(LK_LOCKED | LK_SLEEPERS))
		failure("a hand-off or hungry count was left behind");
	if (sc->ends_free && (lk.word_ & LK_LOCKED))
		failure("the lock is still held after every thread released it");
}

int main(int argc, char **argv)
{
	const char *name = argc > 1 ? argv[1] : "";
	long schedules = argc > 2 ? atol(argv[2]) : 20000;
	const char *scale = getenv("THREAD_TEST_SCALE");
	const char *one = getenv("MODEL_SEED"); /* replay one schedule, traced */
	int found = 0;
	if (scale)
		schedules = (long)(schedules * atof(scale)) + 1;
	for (int i = 0; i < MAX_THREADS; i++)
		if (!(th[i].stack = (char *)malloc(STACK_SIZE)))
			return 2;
	for (size_t s = 0; scenarios[s].name; s++) {
		if (*name && strcmp(name, scenarios[s].name) != 0)
			continue;
		found = 1;
		if (one) {
			tracing = 1;
			run_schedule(&scenarios[s], strtoull(one, NULL, 10));
			continue;
		}
		freed_owed = taken_owed = 0;
		for (long k = 0; k < schedules; k++)
			run_schedule(&scenarios[s], (unsigned long long)k + 1);
		printf("model %s: %ld schedules, all checks held; released during a "
		       "hand-off in %ld, then taken by another in %ld\n",
		       scenarios[s].name, schedules, freed_owed, taken_owed);
		if (scenarios[s].must_double_release && (!freed_owed || !taken_owed)) {
			fprintf(stderr, "model %s: no schedule released a lock during a "
			        "hand-off and let another thread take it\n", scenarios[s].name);
			return 1;
		}
	}
	for (int i = 0; i < MAX_THREADS; i++)
		free(th[i].stack);
	if (!found) {
		fprintf(stderr, "no scenario named %s\n", name);
		return 2;
	}
	return 0;
}
