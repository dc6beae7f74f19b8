/* make torture item 3, C part: fork() while other threads hold, wait for
 * and release locks.  usage: torture_fork FORKS BUSY CHILD_THREADS TIMEOUT_MS
 * BUSY threads keep a lock, a reentrant lock and a pair of binary
 * semaphores (taken by one thread, released by another) busy while main
 * forks FORKS times.  Each child reinitialises every one of them, takes
 * each, then starts CHILD_THREADS threads that add under both, and exits
 * with a status naming the first step that failed (below).  A child not
 * done within TIMEOUT_MS is killed and counts as hung.  Prints one JSON
 * line; the item judges it. */
#include "torture.h"

#define MS 1000000LL
#define CHILD_ADDS 2000

/* Child exit statuses. */
enum {
	OK = 0,
	COUNTED_THREADS = 10, /* thread_count() not 0 in the child */
	REINIT = 11,          /* a reinit call failed */
	TAKE_LOCK = 12,       /* the reinitialised lock could not be taken */
	TAKE_RLOCK = 13,      /* the reinitialised reentrant lock, twice */
	TAKE_SEM = 14,        /* a reinitialised semaphore */
	START = 15,           /* a thread could not be started */
	JOIN = 16,            /* a child thread did not end within 10 s */
	LOST = 17,            /* the child threads' count is wrong */
	TIMED = 18            /* a timed acquire on a held lock did not time out */
};

struct shared {
	thread_lock lk, ping, pong; /* ping/pong: semaphores passed between threads */
	thread_rlock rl;
	long value;                 /* lk */
	long rvalue;                /* rl */
	int stop;                   /* atomic */
	int child_threads;
};

static void busy(void *p)
{
	struct shared *s = (struct shared *)p;
	for (unsigned i = 0; !__atomic_load_n(&s->stop, __ATOMIC_RELAXED); i++) {
		if (i % 3 == 0) {
			thread_lock_acquire(&s->lk, 1);
		} else if (thread_lock_acquire_timed(&s->lk, 2 * MS, 0) != 1) {
			continue;
		}
		s->value++;
		if (i % 2) { /* hold both for a moment: forks land inside */
			thread_rlock_acquire(&s->rl, 1);
			thread_rlock_acquire(&s->rl, 1);
			for (volatile int k = 0; k < 200; k++)
				;
			thread_rlock_release(&s->rl);
			thread_rlock_release(&s->rl);
		}
		thread_lock_release(&s->lk);
	}
}

/* Two threads pass a token: each takes one semaphore and releases the
 * other, so each semaphore is released by a thread that did not take it. */
static void pass(struct shared *s, thread_lock *mine, thread_lock *theirs)
{
	while (!__atomic_load_n(&s->stop, __ATOMIC_RELAXED))
		if (thread_lock_acquire_timed(mine, 50 * MS, 0) == 1)
			thread_lock_release(theirs);
}

static void ping(void *p)
{
	struct shared *s = (struct shared *)p;
	pass(s, &s->ping, &s->pong);
}

static void pong(void *p)
{
	struct shared *s = (struct shared *)p;
	pass(s, &s->pong, &s->ping);
}

static void child_adder(void *p)
{
	struct shared *s = (struct shared *)p;
	for (int i = 0; i < CHILD_ADDS; i++) {
		thread_lock_acquire(&s->lk, 1);
		s->value++;
		thread_lock_release(&s->lk);
		thread_rlock_acquire(&s->rl, 1);
		s->rvalue++;
		thread_rlock_release(&s->rl);
	}
}

static int child(void *p)
{
	struct shared *s = (struct shared *)p;
	thread_handle *h[16];
	int n = s->child_threads < 16 ? s->child_threads : 16;
	if (thread_count() != 0)
		return COUNTED_THREADS;
	if (thread_lock_reinit(&s->lk) || thread_rlock_reinit(&s->rl) ||
	    thread_lock_reinit(&s->ping) || thread_lock_reinit(&s->pong))
		return REINIT;
	if (thread_lock_acquire(&s->lk, 0) != 1)
		return TAKE_LOCK;
	if (thread_rlock_acquire(&s->rl, 0) != 1 || thread_rlock_acquire(&s->rl, 0) != 1)
		return TAKE_RLOCK;
	if (thread_lock_acquire(&s->ping, 0) != 1 || thread_lock_acquire(&s->pong, 0) != 1 ||
	    thread_lock_release(&s->ping) != 0 || thread_lock_release(&s->pong) != 0)
		return TAKE_SEM;
	if (thread_lock_acquire_timed(&s->ping, 0, 0) != 1 ||
	    thread_lock_acquire_timed(&s->ping, 1 * MS, 0) != 0)
		return TIMED;
	thread_rlock_release(&s->rl);
	thread_rlock_release(&s->rl);
	thread_lock_release(&s->lk);
	s->value = s->rvalue = 0;
	for (int i = 0; i < n; i++)
		if (thread_start_joinable(&h[i], child_adder, s, NULL) != 0)
			return START;
	for (int i = 0; i < n; i++)
		if (thread_join(h[i], 10000 * MS, 0) != 1)
			return JOIN;
	return s->value == (long)CHILD_ADDS * n && s->rvalue == (long)CHILD_ADDS * n ? OK : LOST;
}

int main(int argc, char **argv)
{
	long forks = torture_arg(argc, argv, 1, 200);
	int nbusy = (int)torture_arg(argc, argv, 2, 4);
	struct shared s = {THREAD_LOCK_INIT, THREAD_LOCK_INIT, THREAD_LOCK_INIT,
	                   THREAD_RLOCK_INIT, 0, 0, 0, 0};
	int64_t timeout = torture_arg(argc, argv, 4, 20000) * MS, worst = 0, t0 = now_ns();
	thread_handle *h[18];
	long failed = 0, hung = 0, held = 0, statuses[256] = {0};
	int first = 1;
	s.child_threads = (int)torture_arg(argc, argv, 3, 4);
	if (nbusy > 16)
		nbusy = 16;
	thread_lock_acquire(&s.pong, 1); /* the token starts with ping */
	for (int i = 0; i < nbusy; i++)
		if (thread_start_joinable(&h[i], busy, &s, NULL) != 0)
			FAIL_("could not start a busy thread");
	if (thread_start_joinable(&h[nbusy], ping, &s, NULL) != 0 ||
	    thread_start_joinable(&h[nbusy + 1], pong, &s, NULL) != 0)
		FAIL_("could not start the semaphore pair");
	for (long i = 0; i < forks; i++) {
		int64_t c0 = now_ns();
		thread_ident owner = 0;
		uint32_t levels;
		int rc;
		thread_rlock_peek(&s.rl, &owner, &levels);
		held += thread_lock_locked(&s.lk) == 1 || owner != 0;
		rc = run_in_fork(child, &s, timeout);
		if (now_ns() - c0 > worst)
			worst = now_ns() - c0;
		if (rc == 0)
			continue;
		failed++;
		hung += rc == FORK_HUNG;
		statuses[rc < 0 ? 256 + rc : rc]++;
	}
	__atomic_store_n(&s.stop, 1, __ATOMIC_RELAXED);
	for (int i = 0; i < nbusy + 2; i++)
		thread_join(h[i], -1, 0);
	printf("{\"forks\": %ld, \"busy\": %d, \"child_threads\": %d, \"failed\": %ld, "
	       "\"hung\": %ld, \"held_at_fork\": %ld, \"parent_adds\": %ld, \"worst_child_ns\": %lld, "
	       "\"seconds\": %.3f, \"statuses\": {",
	       forks, nbusy + 2, s.child_threads, failed, hung, held, s.value, (long long)worst,
	       (double)(now_ns() - t0) / 1e9);
	for (int k = 0; k < 256; k++)
		if (statuses[k]) {
			printf("%s\"%d\": %ld", first ? "" : ", ", k >= 254 ? k - 256 : k, statuses[k]);
			first = 0;
		}
	printf("}}\n");
	return 0;
}
