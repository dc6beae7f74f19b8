/* Wait backend for any POSIX system: a parking table.
 *
 * Addresses hash to one of BUCKETS buckets; each bucket is a mutex and a
 * FIFO list of sleepers.  A sleeper's node lives on its own stack and holds
 * a POSIX semaphore it sleeps on.  A semaphore rather than a condition
 * variable because sem_*wait returns EINTR when a signal handler runs
 * (pthread_cond_wait may not), which THREAD_INTERRUPTIBLE needs, and because
 * it needs no run-time initialisation: the table is static and zeroed
 * apart from its mutex initialisers.
 *
 * The race this closes: a waker changes *addr and then wakes.  The sleeper
 * compares *addr with `expected` while holding the bucket mutex, and wakers
 * dequeue under the same mutex, so a wake either finds the node queued or
 * happens before the comparison, which then sees the new value. */
#include "thread_impl.h"

#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdint.h>
#include <time.h>

#define BUCKETS 257

struct node {
	const uint32_t *addr; /* written by the sleeper before it is queued */
	struct node *next;    /* bucket mutex */
	int queued;           /* bucket mutex: 1 while in the list */
	sem_t sem;            /* posted by the waker, under the bucket mutex */
};

struct bucket {
	pthread_mutex_t mu;
	struct node *head, *tail; /* mu */
};

#define B PTHREAD_MUTEX_INITIALIZER, NULL, NULL
#define B8 {B}, {B}, {B}, {B}, {B}, {B}, {B}, {B}
#define B64 B8, B8, B8, B8, B8, B8, B8, B8
static struct bucket table[BUCKETS] = {B64, B64, B64, B64, {B}};

static struct bucket *bucket_of(const uint32_t *addr)
{
	uintptr_t h = (uintptr_t)addr;
	h ^= h >> 17;
	return &table[(h >> 2) % BUCKETS];
}

static void lock_bucket(struct bucket *b)
{
	if (pthread_mutex_lock(&b->mu) != 0)
		thread__fatal("libthread: parking table mutex failed");
}

static void unlock_bucket(struct bucket *b)
{
	pthread_mutex_unlock(&b->mu);
}

/* Remove n, whose predecessor is prev (NULL for the head). */
static void unlink_after(struct bucket *b, struct node *prev, struct node *n)
{
	*(prev ? &prev->next : &b->head) = n->next;
	if (b->tail == n)
		b->tail = prev;
	n->queued = 0;
}

static void unlink_node(struct bucket *b, struct node *n)
{
	struct node *prev = NULL;
	for (struct node *p = b->head; p != n; p = p->next)
		prev = p;
	unlink_after(b, prev, n);
}

#define NS 1000000000

/* Wait on `sem` until the absolute monotonic deadline. */
static int timed_wait(sem_t *sem, int64_t deadline_ns)
{
	struct timespec ts;
#ifdef THREAD_HAVE_SEM_CLOCKWAIT
	ts.tv_sec = (time_t)(deadline_ns / NS);
	ts.tv_nsec = (long)(deadline_ns % NS);
	return sem_clockwait(sem, CLOCK_MONOTONIC, &ts);
#else
	/* Only a wall-clock deadline is available.  Sleep for the time left,
	 * at most SLICE at a time, so a wall clock set back cannot stretch the
	 * wait by more than that; lock.c re-reads the monotonic clock after
	 * every return. */
	enum { SLICE = 50000000 };
	int64_t left = thread__time_left(deadline_ns), abs_ns;
	clock_gettime(CLOCK_REALTIME, &ts);
	abs_ns = (int64_t)ts.tv_sec * NS + ts.tv_nsec + (left < SLICE ? left : SLICE);
	ts.tv_sec = (time_t)(abs_ns / NS);
	ts.tv_nsec = (long)(abs_ns % NS);
	return sem_timedwait(sem, &ts);
#endif
}

/* Sleep on the semaphore until posted, the deadline, or a signal. */
static int sleep_on(sem_t *sem, int64_t deadline_ns)
{
	int rc = deadline_ns < 0 ? sem_wait(sem) : timed_wait(sem, deadline_ns);
	if (rc == 0)
		return 0;
	if (errno == EINTR)
		return THREAD_EINTR;
	if (errno == ETIMEDOUT)
		return 0;
	thread__fatal("libthread: semaphore wait failed");
}

int thread__wait(const uint32_t *addr, uint32_t expected, int64_t deadline_ns)
{
	struct bucket *b = bucket_of(addr);
	struct node n;
	int rc;

	/* A child forked while some thread held a bucket mutex must not
	 * inherit it held: from the first sleep on, forks reset the table. */
	thread__watch_fork();
	n.addr = addr;
	n.next = NULL;
	n.queued = 1;
	if (sem_init(&n.sem, 0, 0) != 0)
		thread__fatal("libthread: sem_init failed");
	lock_bucket(b);
	/* Relaxed: the bucket mutex orders this against the waker's dequeue. */
	if (atomic_load_relaxed(addr) != expected) {
		unlock_bucket(b);
		sem_destroy(&n.sem);
		return 0;
	}
	if (b->tail)
		b->tail->next = &n;
	else
		b->head = &n;
	b->tail = &n;
	unlock_bucket(b);

	rc = sleep_on(&n.sem, deadline_ns);

	lock_bucket(b);
	if (n.queued)
		unlink_node(b, &n); /* timed out or interrupted, not woken */
	else
		rc = 0; /* woken: the post was made under the mutex, before now */
	unlock_bucket(b);
	sem_destroy(&n.sem);
	return rc;
}

static void wake(const uint32_t *addr, int all)
{
	struct bucket *b = bucket_of(addr);
	struct node *n, *next, *prev = NULL;
	lock_bucket(b);
	for (n = b->head; n; n = next) {
		next = n->next;
		if (n->addr != addr) {
			prev = n;
			continue;
		}
		unlink_after(b, prev, n);
		/* Post while holding the mutex: once the sleeper sees queued == 0
		 * under the mutex, the post is done and it may destroy the sem. */
		sem_post(&n->sem);
		if (!all)
			break;
	}
	unlock_bucket(b);
}

void thread__wake_one(const uint32_t *addr)
{
	wake(addr, 0);
}

void thread__wake_all(const uint32_t *addr)
{
	wake(addr, 1);
}

/* In a forked child only the forking thread exists.  A bucket mutex held at
 * the fork by another thread (a sleeper queueing itself, a waker dequeuing)
 * would stay held for ever, and the child's first wait or wake hashing to
 * that bucket would deadlock; the queued nodes belong to threads that are
 * gone.  The forking thread itself was not inside the table (it was in
 * fork), so every bucket goes back to its initial state. */
void thread__wait_after_fork(void)
{
	for (int i = 0; i < BUCKETS; i++) {
		/* Initialised over a mutex that may be locked: what every
		 * atfork child handler of this kind does, and what glibc, musl
		 * and the sanitizers take as a fresh mutex. */
		if (pthread_mutex_init(&table[i].mu, NULL) != 0)
			thread__fatal("libthread: parking table mutex init failed");
		table[i].head = NULL;
		table[i].tail = NULL;
	}
}
