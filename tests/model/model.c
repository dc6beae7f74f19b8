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
 * and at the end of every schedule:
 *   - no thread sleeps forever (a lost wake-up), no schedule runs forever;
 *   - no hand-off or hungry count is left in the word.
 * Built twice: with the real constants, and with FAIR_NS=1 so that every
 * waiter that loses after a wake-up turns hungry and hand-offs are frequent. */
#define _GNU_SOURCE
#include "thread_impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ucontext.h>

/* Mirrors the bit table at the top of src/lock.c. */
#define LK_LOCKED 1u
#define LK_SLEEPERS 2u
#define LK_HANDOFF 4u

#define MAX_THREADS 4
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

/* Shared state of the scenario under test. */
static thread_lock lk;
static long acquired, released;
static int holders, interruptible, blocked_at_end;
static int rounds;

static uint64_t next_random(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static unsigned pick(unsigned n)
{
	return (unsigned)(next_random() % n);
}

static void failure(const char *what)
{
	fprintf(stderr, "model: %s (seed %llu, step %ld, word 0x%x)\n", what,
	        seed_now, steps, lk.word_);
	exit(1);
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
	check_books();
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

/* ---- scenarios ---------------------------------------------------------- */

static void critical_section(void)
{
	holders++;
	thread__model_point();
	holders--;
}

static void release_held(void)
{
	int rc = thread_lock_release(&lk);
	if (rc != 0)
		failure("release of a held lock failed");
	released++;
}

/* Mutex use: blocking acquire, critical section, release. */
static void mutex_body(void)
{
	for (int i = 0; i < rounds; i++) {
		if (thread_lock_acquire(&lk, 1) != 1)
			failure("blocking acquire did not return 1");
		acquired++;
		critical_section();
		release_held();
	}
}

/* Timed use: every kind of timeout, release only what was acquired. */
static void timed_body(void)
{
	static const int64_t timeouts[] = {0, 300000, 1500000, 5000000, -1};
	for (int i = 0; i < rounds; i++) {
		int64_t t = timeouts[pick(5)];
		int rc = thread_lock_acquire_timed(&lk, t, interruptible ? THREAD_INTERRUPTIBLE : 0);
		if (rc == 1) {
			acquired++;
			critical_section();
			release_held();
		} else if (rc == THREAD_EINTR) {
			if (!interruptible)
				failure("EINTR without THREAD_INTERRUPTIBLE");
		} else if (rc != 0 || t < 0) {
			failure("timed acquire returned a wrong value");
		}
	}
}

/* Semaphore use: acquire here, release anywhere, whenever. */
static void consumer_body(void)
{
	for (int i = 0; i < rounds; i++) {
		int rc = thread_lock_acquire_timed(&lk, pick(2) ? 2000000 : 0, 0);
		if (rc == 1)
			acquired++;
	}
}

static void blocking_consumer_body(void)
{
	for (int i = 0; i < rounds; i++) {
		if (thread_lock_acquire(&lk, 1) != 1)
			failure("blocking acquire did not return 1");
		acquired++;
	}
}

static void producer_body(void)
{
	for (int i = 0; i < rounds * 2; i++) {
		int rc = thread_lock_release(&lk);
		if (rc == 0)
			released++;
		else if (rc != THREAD_ENOTLOCKED)
			failure("release returned neither 0 nor THREAD_ENOTLOCKED");
	}
}

struct scenario {
	const char *name;
	void (*bodies[MAX_THREADS])(void);
	int threads, rounds, interruptible;
	int may_end_blocked; /* consumers may outlast the producer's releases */
};

static const struct scenario scenarios[] = {
	{"mutex", {mutex_body, mutex_body, mutex_body}, 3, 3, 0, 0},
	{"timed", {timed_body, timed_body, timed_body}, 3, 3, 0, 0},
	{"mixed", {mutex_body, timed_body, timed_body, mutex_body}, 4, 2, 0, 0},
	{"interruptible", {timed_body, timed_body, mutex_body}, 3, 3, 1, 0},
	{"semaphore", {consumer_body, consumer_body, producer_body}, 3, 3, 0, 0},
	{"signalling", {blocking_consumer_body, blocking_consumer_body, producer_body,
	                producer_body}, 4, 3, 0, 1},
};

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
	if (blocked_at_end)
		return; /* consumers wait for releases that will not come */
	/* SLEEPERS may stay behind: it is conservative by design. */
	if (lk.word_ & ~(LK_LOCKED | LK_SLEEPERS))
		failure("a hand-off or hungry count was left behind");
	if (sc->bodies[0] == mutex_body || sc->bodies[0] == timed_body)
		if (lk.word_ & LK_LOCKED)
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
	for (size_t s = 0; s < sizeof scenarios / sizeof scenarios[0]; s++) {
		if (*name && strcmp(name, scenarios[s].name) != 0)
			continue;
		found = 1;
		if (one) {
			tracing = 1;
			run_schedule(&scenarios[s], strtoull(one, NULL, 10));
			continue;
		}
		for (long k = 0; k < schedules; k++)
			run_schedule(&scenarios[s], (unsigned long long)k + 1);
		printf("model %s: %ld schedules, all checks held\n", scenarios[s].name, schedules);
	}
	for (int i = 0; i < MAX_THREADS; i++)
		free(th[i].stack);
	if (!found) {
		fprintf(stderr, "no scenario named %s\n", name);
		return 2;
	}
	return 0;
}
