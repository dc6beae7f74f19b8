/* make torture, item 5 (item_05_exhaustion.py runs it): thread creation
 * refused by the system, and locks that cannot be allocated.
 *
 *   exhaustion nproc   as user nobody (root drops to it), RLIMIT_NPROC 1
 *   exhaustion as      RLIMIT_AS just above what the process maps now
 * In each: REFUSALS thread_start_new_thread calls must all fail with
 * THREAD_EAGAIN or THREAD_ENOMEM; once the soft limit is back at the hard
 * one, threads start again; file descriptors, threads and the heap in use
 * are what they were before the refusals.  A thread that starts anyway
 * (on a stack the C library cached) lives until the round ends, so only
 * the first few starts can.  Two rounds: the first is a
 * warm-up whose one-time allocations (the C library's arena, caches) are
 * not leaks; the figures compare the end of the second with its start.  `as` then allocates locks under
 * the limit until thread_allocate_lock returns NULL, frees them, and
 * allocates again.  Prints one "FIGURES {json}" line; exits 0 when all held. */
#define _GNU_SOURCE
#include "thread.h"

#include <dirent.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#define NOBODY 65534
#define MAX_LOCKS (1L << 26)

static thread_lock *ran;
/* Held by main while a limit is in force: a thread that starts anyway
 * waits on it, so the stack it got from the C library's cache stays its
 * own until the round ends, and the cache empties after a few starts.  A
 * thread that ended at once would put its stack back for the next start,
 * and on a machine fast enough every start would then succeed. */
static thread_lock *hold;

static void note_run(void *arg)
{
	(void)arg;
	thread_lock_release(ran);
}

static void note_run_and_hold(void *arg)
{
	(void)arg;
	thread_lock_release(ran);
	thread_lock_acquire(hold, 1);
	thread_lock_release(hold); /* for the next held thread */
}

static long entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	long n = 0;
	if (!d)
		return -1;
	while ((e = readdir(d)) != NULL)
		n += e->d_name[0] != '.';
	closedir(d);
	return n - (strcmp(dir, "/proc/self/fd") == 0); /* opendir's own */
}

static long vm_kb(const char *field)
{
	char line[256];
	long kb = -1;
	FILE *f = fopen("/proc/self/status", "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof line, f))
		if (strncmp(line, field, strlen(field)) == 0)
			kb = atol(line + strlen(field) + 1);
	fclose(f);
	return kb;
}

/* Start n threads, each releasing `ran`, and wait for each: 1 if all ran. */
static int start_some(int n)
{
	for (int i = 0; i < n; i++) {
		if (thread_start_new_thread(note_run, NULL, NULL) != 0)
			return 0;
		if (thread_lock_acquire_timed(ran, 10000000000LL, 0) != 1)
			return 0;
	}
	return 1;
}

/* The threads started by start_some may still be ending; wait until the
 * library counts none, so /proc/self/task is back to the main thread. */
static void settle(void)
{
	for (int i = 0; i < 10000 && thread_count() != 0; i++)
		usleep(1000);
	usleep(20000);
}

static thread_lock **mmap_locks(void)
{
	void *p = mmap(NULL, MAX_LOCKS * sizeof(thread_lock *), PROT_READ | PROT_WRITE,
	               MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	return p == MAP_FAILED ? NULL : p;
}

static int set_soft(int resource, rlim_t soft)
{
	struct rlimit r;
	getrlimit(resource, &r);
	r.rlim_cur = soft;
	return setrlimit(resource, &r);
}

struct figures {
	long fds, tasks, rss_kb;
	size_t heap;
};

static struct figures measure(void)
{
	struct figures f;
	settle();
	malloc_trim(0);
	f.fds = entries("/proc/self/fd");
	f.tasks = entries("/proc/self/task");
	f.rss_kb = vm_kb("VmRSS");
	f.heap = mallinfo2().uordblks;
	return f;
}

struct round {
	long refusals, eagain, enomem, started, other, locks, lock_null;
	int started_after;
};

/* Limit, try `refusals` starts (and, under RLIMIT_AS, locks until NULL),
 * lift the limit, start threads again. */
static int limited_round(int as, long refusals, thread_lock **all, struct round *r)
{
	int resource = as ? RLIMIT_AS : RLIMIT_NPROC;
	struct rlimit hard;
	getrlimit(resource, &hard);
	memset(r, 0, sizeof *r);
	r->refusals = refusals;
	/* nobody may own other processes: 1 is below any count it can have. */
	if (set_soft(resource, as ? (rlim_t)(vm_kb("VmSize") + 2048) * 1024 : 1) != 0) {
		perror("setrlimit");
		return 0;
	}
	thread_lock_acquire(hold, 1);
	for (long i = 0; i < refusals; i++) {
		int rc = thread_start_new_thread(note_run_and_hold, NULL, NULL);
		r->eagain += rc == THREAD_EAGAIN;
		r->enomem += rc == THREAD_ENOMEM;
		if (rc == 0) { /* the C library reused a stack it had cached */
			r->started++;
			thread_lock_acquire(ran, 1);
		} else if (rc != THREAD_EAGAIN && rc != THREAD_ENOMEM && r->other++ == 0) {
			fprintf(stderr, "thread_start_new_thread returned %d (%s)\n", rc,
			        thread_strerror(rc));
		}
	}
	if (all) {
		while (r->locks < MAX_LOCKS && (all[r->locks] = thread_allocate_lock()) != NULL)
			r->locks++;
		r->lock_null = r->locks < MAX_LOCKS;
		for (long i = 0; i < r->locks; i++)
			thread_free_lock(all[i]);
		/* The array's pages are the test's, not a leak: out of RSS. */
		madvise(all, MAX_LOCKS * sizeof *all, MADV_DONTNEED);
	}
	set_soft(resource, hard.rlim_cur);
	thread_lock_release(hold);
	thread_lock *again = thread_allocate_lock();
	r->started_after = start_some(4) && again != NULL;
	thread_free_lock(again);
	return 1;
}

int main(int argc, char **argv)
{
	int as = argc > 1 && strcmp(argv[1], "as") == 0;
	long refusals = argc > 2 ? atol(argv[2]) : 1000;
	struct round r;

	if (!as && geteuid() == 0 && (setgid(NOBODY) != 0 || setuid(NOBODY) != 0)) {
		perror("setuid nobody");
		return 2;
	}
	ran = thread_allocate_lock();
	hold = thread_allocate_lock();
	thread_lock_acquire(ran, 1);
	int before_ok = start_some(4);
	/* Made before the limit: only the locks are to meet it. */
	thread_lock **all = as ? mmap_locks() : NULL;
	if (!limited_round(as, 10, all, &r))
		return 2;
	struct figures f0 = measure();
	if (!limited_round(as, 1, all, &r))
		return 2;
	struct figures f1 = measure();
	if (!limited_round(as, refusals, all, &r))
		return 2;
	struct figures f2 = measure();
	/* What a round with one refusal added to the heap, a round with
	 * `refusals` may add, give or take what the C library keeps from round
	 * to round (0-320 bytes seen here), but not 8 bytes per refusal: the
	 * smallest leak per start, the boot record, is larger. */
	long heap_one = (long)f1.heap - (long)f0.heap, heap_many = (long)f2.heap - (long)f1.heap;
	printf("FIGURES {\"refusals\": %ld, \"eagain\": %ld, \"enomem\": %ld, "
	       "\"started_anyway\": %ld, \"other\": %ld, \"started_before\": %d, "
	       "\"started_after\": %d, \"fds\": [%ld, %ld], \"tasks\": [%ld, %ld], "
	       "\"rss_kb\": [%ld, %ld], \"heap_round_of_1\": %ld, \"heap_round_of_all\": %ld, "
	       "\"locks_until_null\": %ld, "
	       "\"lock_null_seen\": %ld}\n",
	       r.refusals, r.eagain, r.enomem, r.started, r.other, before_ok, r.started_after,
	       f0.fds, f2.fds, f0.tasks, f2.tasks, f0.rss_kb, f2.rss_kb, heap_one, heap_many,
	       r.locks, r.lock_null);
	return !(before_ok && r.started_after && r.other == 0 && r.eagain + r.enomem > 0
	         && f0.fds == f2.fds && f0.tasks == f2.tasks && heap_many - heap_one < 8 * refusals
	         && (!as || r.lock_null));
}
