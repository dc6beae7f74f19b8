/* make torture item 1, C part: lost updates and lost or doubled semaphore
 * signals.  usage: torture_locks OPS_PER_WORKER WORKERS LIVE RING_ITEMS
 * Counters: WORKERS short-lived threads, LIVE at a time (replaced as they
 * end), each adding OPS_PER_WORKER under the lock (or under 1-3 nested
 * levels of the reentrant lock); every fourth acquire is a timed one.
 * Ring: producers and consumers pass RING_ITEMS through slots guarded by
 * binary semaphores that one thread acquires and another releases.
 * A variant whose threads are not all done after WATCHDOG_S seconds reports
 * them as hung, and the program stops there.
 * Prints one JSON line; the item judges it. */
#include "torture.h"

#include <unistd.h>

#define TIMED_NS 10000000000LL /* a timed acquire that must not time out */

struct counter {
	thread_lock lk;
	thread_rlock rl;
	long value;     /* lk (or rl) */
	long ops;       /* per worker */
	long bad;       /* lk (or rl): an acquire that did not return 1, a wrong level */
};

struct worker {
	struct counter *c;
	unsigned seed;
	int64_t worst; /* the longest acquire wait this worker saw, ns */
};

static void note(struct worker *w, int64_t t0)
{
	int64_t d = now_ns() - t0;
	if (d > w->worst)
		w->worst = d;
}

static unsigned next(unsigned *seed)
{
	*seed = *seed * 1103515245u + 12345u;
	return *seed >> 16;
}

static void lock_worker(void *p)
{
	struct worker *w = (struct worker *)p;
	struct counter *c = w->c;
	for (long i = 0; i < c->ops; i++) {
		int64_t t0 = now_ns();
		int got = i % 4 == 3 ? thread_lock_acquire_timed(&c->lk, TIMED_NS, 0)
		                     : thread_lock_acquire(&c->lk, 1);
		note(w, t0);
		if (got != 1) {
			c->bad++; /* unprotected, but any nonzero value fails */
			continue;
		}
		c->value++;
		if (thread_lock_release(&c->lk) != 0)
			c->bad++;
	}
}

static void rlock_worker(void *p)
{
	struct worker *w = (struct worker *)p;
	struct counter *c = w->c;
	for (long i = 0; i < c->ops; i++) {
		unsigned levels = 1 + next(&w->seed) % 3;
		int64_t t0 = now_ns();
		int got = i % 4 == 3 ? thread_rlock_acquire_timed(&c->rl, TIMED_NS, 0)
		                     : thread_rlock_acquire(&c->rl, 1);
		note(w, t0);
		if (got != 1) {
			c->bad++;
			continue;
		}
		for (unsigned l = 1; l < levels; l++)
			if (thread_rlock_acquire(&c->rl, 0) != 1)
				c->bad++;
		if (thread_rlock_count(&c->rl) != levels)
			c->bad++;
		c->value++;
		for (unsigned l = 0; l < levels; l++)
			if (thread_rlock_release(&c->rl) != 0)
				c->bad++;
	}
}

static int64_t watchdog_ns;

/* Print the end of the JSON line for a variant that hung, and leave: its
 * threads cannot be joined. */
static void hung(const char *name, long n)
{
	printf("\"%s\": {\"hung\": %ld}}\n", name, n);
	fflush(stdout);
	_exit(0);
}

/* Counters: prints the JSON object for one variant. */
static void run_counter(const char *name, thread_func fn, long ops, long workers, int live)
{
	struct counter c = {THREAD_LOCK_INIT, THREAD_RLOCK_INIT, 0, ops, 0};
	struct worker *w = (struct worker *)calloc((size_t)workers, sizeof *w);
	int64_t worst = 0, t0 = now_ns();
	long started, stuck = 0;
	for (long i = 0; i < workers; i++) {
		w[i].c = &c;
		w[i].seed = (unsigned)i * 2654435761u + 1;
	}
	started = torture_run_workers(fn, w, sizeof *w, workers, live, t0 + watchdog_ns, &stuck);
	if (stuck)
		hung(name, stuck);
	for (long i = 0; i < workers; i++)
		if (w[i].worst > worst)
			worst = w[i].worst;
	printf("\"%s\": {\"expected\": %ld, \"got\": %ld, \"bad\": %ld, \"started\": %ld, "
	       "\"live\": %d, \"worst_wait_ns\": %lld, \"seconds\": %.3f}, ",
	       name, workers * ops, c.value, c.bad, started, live, (long long)worst,
	       (double)(now_ns() - t0) / 1e9);
	free(w);
}

/* ---- the ring ------------------------------------------------------------ */

#define SLOTS 4
#define PRODUCERS 4
#define CONSUMERS 4

struct ring {
	thread_lock empty[SLOTS]; /* free: the slot may be written */
	thread_lock full[SLOTS];  /* free: the slot holds an item to read */
	long item[SLOTS];         /* written under empty, read under full */
	thread_lock tickets;      /* guards the two counters below */
	long put, took;           /* tickets: items claimed by producers, consumers */
	long items;
	unsigned char *seen;      /* seen[i]: times item i was delivered; consumers, own items */
	long bad;                 /* tickets */
	int64_t worst[PRODUCERS + CONSUMERS];
};

struct ring_arg {
	struct ring *r;
	int who;
};

static long ticket(struct ring *r, long *counter)
{
	long t;
	thread_lock_acquire(&r->tickets, 1);
	t = (*counter)++;
	thread_lock_release(&r->tickets);
	return t;
}

/* Take semaphore `lk` (half the time with a timed acquire), noting the wait. */
static void down(struct ring *r, int who, thread_lock *lk)
{
	int64_t t0 = now_ns(), d;
	int got = (t0 & 1) ? thread_lock_acquire_timed(lk, TIMED_NS, 0) : thread_lock_acquire(lk, 1);
	d = now_ns() - t0;
	if (d > r->worst[who])
		r->worst[who] = d;
	if (got != 1) {
		thread_lock_acquire(&r->tickets, 1);
		r->bad++;
		thread_lock_release(&r->tickets);
	}
}

/* Release a semaphore that another thread took: it must have been taken. */
static void up(struct ring *r, thread_lock *lk)
{
	if (thread_lock_release(lk) != 0) {
		thread_lock_acquire(&r->tickets, 1);
		r->bad++;
		thread_lock_release(&r->tickets);
	}
}

static void producer(void *p)
{
	struct ring_arg *a = (struct ring_arg *)p;
	struct ring *r = a->r;
	for (;;) {
		long t = ticket(r, &r->put);
		if (t >= r->items)
			return;
		down(r, a->who, &r->empty[t % SLOTS]);
		r->item[t % SLOTS] = t;
		up(r, &r->full[t % SLOTS]);
	}
}

static void consumer(void *p)
{
	struct ring_arg *a = (struct ring_arg *)p;
	struct ring *r = a->r;
	for (;;) {
		long t = ticket(r, &r->took), v;
		if (t >= r->items)
			return;
		down(r, a->who, &r->full[t % SLOTS]);
		v = r->item[t % SLOTS];
		up(r, &r->empty[t % SLOTS]);
		if (v >= 0 && v < r->items && r->seen[v] < 255)
			r->seen[v]++;
		else if (v < 0 || v >= r->items) {
			thread_lock_acquire(&r->tickets, 1);
			r->bad++;
			thread_lock_release(&r->tickets);
		}
	}
}

static void run_ring(long items)
{
	struct ring r;
	struct ring_arg a[PRODUCERS + CONSUMERS];
	thread_handle *h[PRODUCERS + CONSUMERS];
	long once = 0, lost = 0, twice = 0;
	int64_t worst = 0, t0 = now_ns();
	memset(&r, 0, sizeof r);
	r.items = items;
	r.seen = (unsigned char *)calloc((size_t)items, 1);
	for (int s = 0; s < SLOTS; s++)
		thread_lock_acquire(&r.full[s], 0); /* nothing to read yet */
	for (int i = 0; i < PRODUCERS + CONSUMERS; i++) {
		a[i].r = &r;
		a[i].who = i;
		if (thread_start_joinable(&h[i], i < PRODUCERS ? producer : consumer, &a[i], NULL))
			FAIL_("could not start a ring thread");
	}
	for (int i = 0; i < PRODUCERS + CONSUMERS; i++) {
		int64_t left = t0 + watchdog_ns - now_ns();
		if (thread_join(h[i], left > 0 ? left : 0, 0) != 1)
			hung("ring", PRODUCERS + CONSUMERS - i);
	}
	for (long i = 0; i < items; i++) {
		once += r.seen[i] == 1;
		lost += r.seen[i] == 0;
		twice += r.seen[i] > 1;
	}
	for (int i = 0; i < PRODUCERS + CONSUMERS; i++)
		if (r.worst[i] > worst)
			worst = r.worst[i];
	printf("\"ring\": {\"items\": %ld, \"once\": %ld, \"lost\": %ld, \"twice\": %ld, "
	       "\"bad\": %ld, \"threads\": %d, \"worst_wait_ns\": %lld, \"seconds\": %.3f}",
	       items, once, lost, twice, r.bad, PRODUCERS + CONSUMERS, (long long)worst,
	       (double)(now_ns() - t0) / 1e9);
	free(r.seen);
}

int main(int argc, char **argv)
{
	long ops = torture_arg(argc, argv, 1, 20000);
	long workers = torture_arg(argc, argv, 2, 64);
	int live = (int)torture_arg(argc, argv, 3, 8);
	long items = torture_arg(argc, argv, 4, 200000);
	watchdog_ns = torture_arg(argc, argv, 5, 60) * 1000000000LL;
	printf("{");
	run_counter("lock", lock_worker, ops, workers, live);
	run_counter("rlock", rlock_worker, ops, workers, live);
	run_ring(items);
	printf("}\n");
	return 0;
}
