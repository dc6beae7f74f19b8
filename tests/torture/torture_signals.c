/* make torture item 2, C part: locks under a storm of signals.
 * usage: torture_signals MILLISECONDS WORKERS INTERVAL_US MARGIN_MS
 * WORKERS threads hammer a lock and a reentrant lock (blocking and timed
 * acquires that must succeed) and make timed acquires, plain and
 * THREAD_INTERRUPTIBLE, on a lock and a reentrant lock that main holds all
 * along, so they must time out.  Meanwhile a sender sends SIGINT, SIGUSR1
 * (SA_RESTART) and SIGALRM (no SA_RESTART) every INTERVAL_US, to the process
 * and to single workers.  Checked: no lost update, no hang (a worker not
 * joined 30 s after the end is reported, then the program exits), no timed
 * acquire returning before its timeout, none more than MARGIN_MS after it.
 * Prints one JSON line; the item judges it. */
#include "torture.h"

#include <pthread.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#define MAX_WORKERS 64
#define LONG_NS 10000000000LL /* a timed acquire of the shared lock: must succeed */

static int handled[3]; /* atomic: handler runs per signal */
static const int sigs[3] = {SIGINT, SIGUSR1, SIGALRM};
static int stop;       /* atomic: set by main at the end */

static void count(int sig)
{
	for (int i = 0; i < 3; i++)
		if (sigs[i] == sig)
			__atomic_fetch_add(&handled[i], 1, __ATOMIC_RELAXED);
}


struct shared {
	thread_lock lk, held;      /* held: main holds it all along */
	thread_rlock rl, held_rl;  /* held_rl: likewise */
	long value;                /* lk */
	long rvalue;               /* rl */
	int64_t margin_ns;
};

struct worker {
	struct shared *s;
	thread_ident id;
	unsigned seed;
	long adds, bad, timed, early, late, eintr;
	int64_t worst_over, worst_wait;
};

/* A timed acquire of a lock held elsewhere: it must return 0 no earlier
 * than the timeout and at most the margin after it.  With
 * THREAD_INTERRUPTIBLE a signal may end it early with THREAD_EINTR; it is
 * then retried with the time left, and the whole is judged. */
static void timed_out(struct worker *w, int rlock, int64_t timeout, unsigned flags)
{
	int64_t t0 = now_ns(), over;
	int got;
	for (;;) {
		int64_t left = timeout - (now_ns() - t0);
		if (left < 0)
			left = 0;
		got = rlock ? thread_rlock_acquire_timed(&w->s->held_rl, left, flags)
		            : thread_lock_acquire_timed(&w->s->held, left, flags);
		if (got != THREAD_EINTR)
			break;
		w->eintr++;
	}
	over = now_ns() - t0 - timeout;
	w->timed++;
	if (got != 0)
		w->bad++;
	if (over < 0)
		w->early++;
	if (over > w->s->margin_ns)
		w->late++;
	if (over > w->worst_over)
		w->worst_over = over;
}

static void worker(void *p)
{
	struct worker *w = (struct worker *)p;
	struct shared *s = w->s;
	for (long i = 0; !__atomic_load_n(&stop, __ATOMIC_RELAXED); i++) {
		int64_t t0 = now_ns(), d;
		int got;
		w->seed = w->seed * 1103515245u + 12345u;
		switch (i % 6) {
		case 0:
		case 1:
			got = i % 6 ? thread_lock_acquire_timed(&s->lk, LONG_NS, THREAD_INTERRUPTIBLE & i)
			            : thread_lock_acquire(&s->lk, 1);
			/* An interruptible timed acquire may end early: retry. */
			while (got == THREAD_EINTR)
				got = thread_lock_acquire_timed(&s->lk, LONG_NS, 0);
			if (got == 1) {
				s->value++;
				w->adds++;
				thread_lock_release(&s->lk);
			} else {
				w->bad++;
			}
			break;
		case 2:
		case 3:
			got = i % 6 == 3 ? thread_rlock_acquire_timed(&s->rl, LONG_NS, 0)
			                 : thread_rlock_acquire(&s->rl, 1);
			if (got == 1 && thread_rlock_acquire(&s->rl, 1) == 1) {
				s->rvalue++;
				w->adds++;
				thread_rlock_release(&s->rl);
				thread_rlock_release(&s->rl);
			} else {
				w->bad++;
			}
			break;
		default:
			/* 0.2 to 3 ms: short enough that many signals land inside. */
			timed_out(w, i % 6 == 5, 200000 + (int64_t)(w->seed >> 8) % 2800000,
			          (w->seed & 1) ? THREAD_INTERRUPTIBLE : 0);
			break;
		}
		d = now_ns() - t0;
		if (i % 6 < 4 && d > w->worst_wait)
			w->worst_wait = d;
	}
}

struct sender {
	struct worker *w;
	int n;
	long interval_us;
	long sent[3];
};

static void send_signals(void *p)
{
	struct sender *sd = (struct sender *)p;
	struct timespec ts = {0, sd->interval_us * 1000};
	for (unsigned i = 0; !__atomic_load_n(&stop, __ATOMIC_RELAXED); i++) {
		int k = (int)(i % 3);
		/* Every other one to a single worker, which is then sure to be
		 * the thread interrupted (the process-wide ones may land on
		 * main or on the sender). */
		if (i % 2)
			pthread_kill((pthread_t)sd->w[(i / 2) % (unsigned)sd->n].id, sigs[k]);
		else
			kill(getpid(), sigs[k]);
		sd->sent[k]++;
		nanosleep(&ts, NULL);
	}
}

int main(int argc, char **argv)
{
	long ms = torture_arg(argc, argv, 1, 4000);
	int n = (int)torture_arg(argc, argv, 2, 8);
	long interval = torture_arg(argc, argv, 3, 50);
	struct shared s = {THREAD_LOCK_INIT, THREAD_LOCK_INIT, THREAD_RLOCK_INIT,
	                   THREAD_RLOCK_INIT, 0, 0, 0};
	struct worker w[MAX_WORKERS];
	struct sender sd;
	thread_handle *h[MAX_WORKERS], *sh;
	long adds = 0, bad = 0, timed = 0, early = 0, late = 0, eintr = 0, hung = 0;
	int64_t worst_over = 0, worst_wait = 0, end;
	s.margin_ns = torture_arg(argc, argv, 4, 250) * 1000000LL;
	if (n > MAX_WORKERS)
		n = MAX_WORKERS;
	install_handler(SIGINT, count, 0);
	install_handler(SIGUSR1, count, 1);
	install_handler(SIGALRM, count, 0);
	thread_lock_acquire(&s.held, 1);
	thread_rlock_acquire(&s.held_rl, 1);
	memset(w, 0, sizeof w);
	for (int i = 0; i < n; i++) {
		w[i].s = &s;
		w[i].seed = 7u * (unsigned)i + 1u;
		if (thread_start_joinable(&h[i], worker, &w[i], &w[i].id) != 0)
			FAIL_("could not start a worker");
	}
	memset(&sd, 0, sizeof sd);
	sd.w = w;
	sd.n = n;
	sd.interval_us = interval;
	if (thread_start_joinable(&sh, send_signals, &sd, NULL) != 0)
		FAIL_("could not start the sender");
	end = now_ns() + ms * 1000000LL;
	while (now_ns() < end)
		pause_ms(10);
	__atomic_store_n(&stop, 1, __ATOMIC_RELAXED);
	/* The watchdog: a worker stuck in an acquire is a failure, reported. */
	end = now_ns() + 30000 * 1000000LL;
	thread_join(sh, -1, 0);
	for (int i = 0; i < n; i++) {
		int64_t left = end - now_ns();
		if (thread_join(h[i], left > 0 ? left : 0, 0) != 1) {
			hung++;
			continue;
		}
		adds += w[i].adds;
		bad += w[i].bad;
		timed += w[i].timed;
		early += w[i].early;
		late += w[i].late;
		eintr += w[i].eintr;
		if (w[i].worst_over > worst_over)
			worst_over = w[i].worst_over;
		if (w[i].worst_wait > worst_wait)
			worst_wait = w[i].worst_wait;
	}
	printf("{\"threads\": %d, \"hung\": %ld, \"expected\": %ld, \"got\": %ld, \"bad\": %ld, "
	       "\"timed\": %ld, \"early\": %ld, \"late\": %ld, \"eintr\": %ld, "
	       "\"worst_overshoot_ns\": %lld, \"margin_ns\": %lld, \"worst_wait_ns\": %lld, "
	       "\"sent\": [%ld, %ld, %ld], \"handled\": [%d, %d, %d], \"seconds\": %.3f}\n",
	       n, hung, adds, hung ? -1 : s.value + s.rvalue, bad, timed, early, late, eintr,
	       (long long)worst_over, (long long)s.margin_ns, (long long)worst_wait,
	       sd.sent[0], sd.sent[1], sd.sent[2], handled[0], handled[1], handled[2],
	       ms / 1000.0);
	fflush(stdout);
	/* Hung workers cannot be joined: leave without running exit handlers. */
	_exit(0);
}
