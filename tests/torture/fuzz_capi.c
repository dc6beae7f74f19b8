/* make torture, item 7: a libFuzzer target over libthread's argument space.
 * The input is a program: each step is an opcode byte and operands read
 * from the following bytes (flags, timeouts, sizes, bytes of a name).  The
 * driver keeps a model of what it holds (locks, the reentrant lock, its
 * level count) and checks every return value against the set the header
 * documents for that state; anything else aborts, which libFuzzer reports
 * as a crash.  Calls that would wait forever in this single thread (a
 * blocking acquire of a lock it holds) are turned into zero or tiny
 * timeouts instead, so an input never hangs; free locks get the raw
 * timeout, INT64_MIN and INT64_MAX included, which is where deadline
 * arithmetic overflows if it can.  Built by item_07_fuzz.py with clang
 * -fsanitize=fuzzer,address,undefined straight against src/. */
#include "thread.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define NLOCKS 3

struct input {
	const uint8_t *p;
	size_t left;
};

static uint64_t take(struct input *in, size_t bytes)
{
	uint64_t v = 0;
	while (bytes-- && in->left) {
		v = v << 8 | *in->p++;
		in->left--;
	}
	return v;
}

/* A timeout: mostly one of the edge values, sometimes raw bits. */
static int64_t take_timeout(struct input *in)
{
	static const int64_t edges[] = {INT64_MIN, INT64_MIN + 1, -2, -1, 0, 1, 999,
	                                1000000, INT64_MAX - 1, INT64_MAX};
	uint64_t pick = take(in, 1);
	if (pick < 2 * (sizeof edges / sizeof edges[0]))
		return edges[pick % (sizeof edges / sizeof edges[0])];
	return (int64_t)take(in, 8);
}

/* What a call returned when the model says it must be one of a few codes. */
static void expect(int got, int a, int b, const char *what, int line)
{
	if (got == a || got == b)
		return;
	fprintf(stderr, "fuzz_capi: %s returned %d (%s), expected %d or %d (line %d)\n",
	        what, got, thread_strerror(got), a, b, line);
	abort();
}
#define EXPECT(got, a, b) expect((got), (a), (b), #got, __LINE__)

struct model {
	thread_lock locks[NLOCKS];
	int held[NLOCKS];
	thread_rlock rlock;
	uint32_t levels;      /* our levels on rlock */
	int foreign;          /* rlock owned by an identifier that is not ours */
};

/* A helper thread's work: release the lock the driver holds (any thread may
 * release a thread_lock), then report what it got. */
struct foreign_release {
	thread_lock *lock;
	int result;
};

static void release_elsewhere(void *arg)
{
	struct foreign_release *fr = arg;
	struct timespec nap = {0, 200000}; /* let the driver go to sleep first */
	nanosleep(&nap, NULL);
	fr->result = thread_lock_release(fr->lock);
}

static void nothing(void *arg)
{
	(void)arg;
}

static int known_flags(unsigned flags)
{
	return (flags & ~(THREAD_INTERRUPTIBLE | THREAD_NO_SPIN)) == 0;
}

/* A timeout that cannot wait long in this thread: raw when the lock is
 * free (it is taken at once, whatever the value), at most 1 us when held. */
static int64_t bounded(int64_t t, int held)
{
	if (!held)
		return t;
	return t < 0 ? 0 : t % 1001;
}

static void step_lock(struct model *m, struct input *in, unsigned op)
{
	unsigned i = (unsigned)take(in, 1) % NLOCKS;
	thread_lock *lk = &m->locks[i];
	int r;
	switch (op) {
	case 0: {
		int wait = (int)take(in, 4);
		r = thread_lock_acquire(lk, m->held[i] ? 0 : wait);
		EXPECT(r, m->held[i] ? 0 : 1, m->held[i] ? 0 : 1);
		m->held[i] = 1;
		break;
	}
	case 1: {
		int64_t t = bounded(take_timeout(in), m->held[i]);
		unsigned flags = (unsigned)take(in, 4);
		r = thread_lock_acquire_timed(lk, t, flags);
		if (!known_flags(flags))
			EXPECT(r, THREAD_EINVAL, THREAD_EINVAL);
		else
			EXPECT(r, m->held[i] ? 0 : 1, m->held[i] ? 0 : 1);
		if (r == 1)
			m->held[i] = 1;
		break;
	}
	case 2:
		r = thread_lock_release(lk);
		EXPECT(r, m->held[i] ? 0 : THREAD_ENOTLOCKED, m->held[i] ? 0 : THREAD_ENOTLOCKED);
		m->held[i] = 0;
		break;
	case 3:
		EXPECT(thread_lock_locked(lk), m->held[i], m->held[i]);
		break;
	case 4: {
		/* Released by another thread a little later, while this one
		 * waits with the raw timeout (INT64_MAX included): the slow path
		 * and its deadline arithmetic.  The model frees it, or holds it
		 * again when our acquire got it after that release. */
		struct foreign_release fr = {lk, 99};
		thread_handle *h = NULL;
		int64_t t = take_timeout(in);
		unsigned flags = (unsigned)take(in, 4);
		int ours = m->held[i];
		r = thread_start_joinable(&h, release_elsewhere, &fr, NULL);
		EXPECT(r, 0, THREAD_EAGAIN);
		if (r != 0)
			break;
		r = ours ? thread_lock_acquire_timed(lk, t, flags) : 0;
		if (!known_flags(flags))
			EXPECT(r, ours ? THREAD_EINVAL : 0, ours ? THREAD_EINVAL : 0);
		else if (t == 0)
			EXPECT(r, 0, 0);
		else
			EXPECT(r, 0, 1);
		EXPECT(thread_join(h, -1, 0), 1, 1);
		EXPECT(fr.result, ours ? 0 : THREAD_ENOTLOCKED, ours ? 0 : THREAD_ENOTLOCKED);
		m->held[i] = r == 1;
		break;
	}
	default:
		EXPECT(thread_lock_reinit(lk), 0, 0);
		m->held[i] = 0;
		break;
	}
}

static void step_rlock(struct model *m, struct input *in, unsigned op)
{
	thread_rlock *rl = &m->rlock;
	int mine = m->levels > 0, busy = m->foreign;
	int r;
	switch (op) {
	case 0:
		r = thread_rlock_acquire(rl, busy ? 0 : (int)take(in, 4));
		EXPECT(r, busy ? 0 : 1, busy ? 0 : 1);
		m->levels += r == 1;
		break;
	case 1: {
		int64_t t = bounded(take_timeout(in), busy);
		unsigned flags = (unsigned)take(in, 4);
		r = thread_rlock_acquire_timed(rl, t, flags);
		if (!known_flags(flags))
			EXPECT(r, THREAD_EINVAL, THREAD_EINVAL);
		else
			EXPECT(r, busy ? 0 : 1, busy ? 0 : 1);
		m->levels += r == 1;
		break;
	}
	case 2:
		r = thread_rlock_release(rl);
		EXPECT(r, mine ? 0 : THREAD_ENOTOWNER, mine ? 0 : THREAD_ENOTOWNER);
		m->levels -= mine;
		break;
	case 3: {
		thread_rlock_state saved = {0, 0};
		r = thread_rlock_release_save(rl, take(in, 1) & 1 ? &saved : NULL);
		if (r == THREAD_EINVAL)
			break;
		EXPECT(r, mine ? 0 : THREAD_ENOTOWNER, mine ? 0 : THREAD_ENOTOWNER);
		if (!mine)
			break;
		EXPECT(saved.count == m->levels && saved.owner == thread_get_ident(), 1, 1);
		m->levels = 0;
		/* Give it back, or to a made-up owner with a made-up count. */
		if (take(in, 1) & 1) {
			saved.owner = (thread_ident)take(in, 8);
			saved.count = (uint32_t)take(in, 4);
		}
		r = take(in, 1) & 1 ? thread_rlock_try_restore(rl, &saved)
		                    : thread_rlock_acquire_restore(rl, &saved);
		if (saved.owner == 0 || saved.count == 0) {
			EXPECT(r, THREAD_EINVAL, THREAD_EINVAL);
		} else {
			EXPECT(r, 0, 1);
			if (saved.owner == thread_get_ident())
				m->levels = saved.count;
			else
				m->foreign = 1;
		}
		break;
	}
	case 4: {
		thread_ident owner = 1;
		uint32_t count = 1;
		EXPECT(thread_rlock_is_owned(rl), mine, mine);
		EXPECT(thread_rlock_count(rl) == m->levels, 1, 1);
		EXPECT(thread_rlock_peek(rl, &owner, &count), 0, 0);
		EXPECT((owner != 0) == (mine || busy), 1, 1);
		EXPECT(thread_rlock_peek(rl, NULL, &count), THREAD_EINVAL, THREAD_EINVAL);
		EXPECT(thread_rlock_peek(rl, &owner, NULL), THREAD_EINVAL, THREAD_EINVAL);
		break;
	}
	default:
		EXPECT(thread_rlock_reinit(rl), 0, 0);
		m->levels = 0;
		m->foreign = 0;
		break;
	}
}

/* NULL everywhere the header says THREAD_EINVAL (or 0, or ignored). */
static void step_null(struct input *in)
{
	unsigned flags = (unsigned)take(in, 4);
	int64_t t = take_timeout(in);
	EXPECT(thread_lock_acquire(NULL, (int)flags), THREAD_EINVAL, THREAD_EINVAL);
	EXPECT(thread_lock_acquire_timed(NULL, t, flags), THREAD_EINVAL, THREAD_EINVAL);
	EXPECT(thread_lock_release(NULL), THREAD_EINVAL, THREAD_EINVAL);
	EXPECT(thread_lock_locked(NULL), THREAD_EINVAL, THREAD_EINVAL);
	EXPECT(thread_lock_reinit(NULL), THREAD_EINVAL, THREAD_EINVAL);
	EXPECT(thread_rlock_acquire(NULL, (int)flags), THREAD_EINVAL, THREAD_EINVAL);
	EXPECT(thread_rlock_acquire_timed(NULL, t, flags), THREAD_EINVAL, THREAD_EINVAL);
	EXPECT(thread_rlock_release(NULL), THREAD_EINVAL, THREAD_EINVAL);
	EXPECT(thread_rlock_is_owned(NULL), THREAD_EINVAL, THREAD_EINVAL);
	EXPECT((int)thread_rlock_count(NULL), 0, 0);
	EXPECT(thread_rlock_reinit(NULL), THREAD_EINVAL, THREAD_EINVAL);
	EXPECT(thread_rlock_release_save(NULL, NULL), THREAD_EINVAL, THREAD_EINVAL);
	EXPECT(thread_rlock_acquire_restore(NULL, NULL), THREAD_EINVAL, THREAD_EINVAL);
	EXPECT(thread_rlock_try_restore(NULL, NULL), THREAD_EINVAL, THREAD_EINVAL);
	EXPECT(thread_start_new_thread(NULL, NULL, NULL), THREAD_EINVAL, THREAD_EINVAL);
	EXPECT(thread_start_joinable(NULL, nothing, NULL, NULL), THREAD_EINVAL, THREAD_EINVAL);
	EXPECT(thread_join(NULL, t, flags), THREAD_EINVAL, THREAD_EINVAL);
	EXPECT(thread_detach(NULL), THREAD_EINVAL, THREAD_EINVAL);
	EXPECT(thread_handle_is_done(NULL), THREAD_EINVAL, THREAD_EINVAL);
	EXPECT(thread_handle_ident(NULL) == 0, 1, 1);
	EXPECT(thread_set_name(NULL), THREAD_EINVAL, THREAD_EINVAL);
	EXPECT(thread_get_name(NULL, flags), THREAD_EINVAL, THREAD_EINVAL);
	thread_free_lock(NULL);
	EXPECT(thread_strerror((int)flags) != NULL, 1, 1);
}

/* Threads: a fuzzed stack size, a start, a join with fuzzed timeout and
 * flags (a zero or short wait may end before the thread is done; then a
 * join without limit, or a detach). */
static void step_thread(struct input *in)
{
	size_t size = (size_t)take(in, 8), before = 1;
	unsigned flags = (unsigned)take(in, 4);
	int64_t t = take_timeout(in);
	thread_handle *h = NULL;
	int r;
	/* Stacks up to 64 MiB only: a larger accepted size is a real mmap per
	 * start and tells nothing new. */
	r = thread_stack_size(take(in, 1) & 1 ? size : size % (64u << 20), &before);
	EXPECT(r, 0, THREAD_EINVAL);
	r = thread_start_joinable(&h, nothing, NULL, NULL);
	if (r != THREAD_ENOMEM)
		EXPECT(r, 0, THREAD_EAGAIN);
	if (r == 0) {
		/* join knows THREAD_INTERRUPTIBLE only (src/join.c; the header
		 * says "unknown bits" without naming them). */
		r = thread_join(h, t > 1000000 ? 1000000 : t, flags);
		if (flags & ~THREAD_INTERRUPTIBLE)
			EXPECT(r, THREAD_EINVAL, THREAD_EINVAL);
		else
			EXPECT(r, 0, 1);
		if (r != 1)
			EXPECT(take(in, 1) & 1 ? thread_join(h, -1, 0) : thread_detach(h) + 1, 1, 1);
	}
	EXPECT(thread_stack_size(0, NULL), 0, 0);
}

static void step_name(struct input *in)
{
	char name[40], buf[40];
	size_t n = (size_t)take(in, 1) % sizeof name, size = (size_t)take(in, 1) % sizeof buf;
	size_t i;
	for (i = 0; i < n; i++)
		name[i] = (char)take(in, 1);
	name[n] = '\0';
	EXPECT(thread_set_name(name), 0, THREAD_ENOSYS);
	EXPECT(thread_get_name(buf, size), size ? 0 : THREAD_EINVAL, THREAD_ENOSYS);
	if (size)
		EXPECT(memchr(buf, '\0', size) != NULL, 1, 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct model m;
	struct input in = {data, size};
	thread_lock *heap = thread_allocate_lock();
	int i;
	memset(&m, 0, sizeof m);
	if (heap == NULL)
		abort();
	while (in.left) {
		unsigned op = (unsigned)take(&in, 1);
		switch (op % 5) {
		case 0: step_lock(&m, &in, op / 5 % 6); break;
		case 1: step_rlock(&m, &in, op / 5 % 6); break;
		case 2: step_null(&in); break;
		case 3: step_thread(&in); break;
		default: step_name(&in); break;
		}
	}
	/* The heap lock gets the same treatment as the first static one. */
	EXPECT(thread_lock_acquire(heap, 0), 1, 1);
	EXPECT(thread_lock_release(heap), 0, 0);
	thread_free_lock(heap);
	for (i = 0; i < NLOCKS; i++)
		if (m.held[i])
			EXPECT(thread_lock_release(&m.locks[i]), 0, 0);
	return 0;
}
