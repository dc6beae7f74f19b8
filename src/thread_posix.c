/* Threads on POSIX: pthreads started through one trampoline; the
 * identifier is pthread_self(), so it matches what other code in the
 * process (CPython included) reports for the same thread.  Also the
 * platform parts of joinable threads, native ids, names and fork. */
#include "thread_impl.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

/* What the new thread needs; malloc'ed by the starter, copied and freed by
 * the new thread before it calls func, so nothing is left when func ends in
 * any way (return, thread_exit, cancellation).  at_exit is NULL for threads
 * nobody joins. */
struct boot {
	thread_func func;
	void (*at_exit)(void *);
	void *arg;
	uint32_t gen; /* thread__count_start's generation */
};

/* Stack size for new threads, 0 for the default.  Written by
 * thread_stack_size, read by thread_start_new_thread; relaxed, as a new
 * value only needs to be seen by threads started after the setter returns
 * in the same thread or after other synchronisation. */
static size_t stack_size;

/* The thread's last library act, however it ends: a cleanup handler, so
 * thread_exit (pthread_exit) and cancellation run it too. */
static void finish(void *p)
{
	struct boot *b = (struct boot *)p;
	thread__count_end(b->gen);
	if (b->at_exit)
		b->at_exit(b->arg);
}

static void *trampoline(void *p)
{
	struct boot b = *(struct boot *)p;
	free(p);
	pthread_cleanup_push(finish, &b);
	b.func(b.arg);
	pthread_cleanup_pop(1);
	return NULL;
}

static int from_errno(int e)
{
	switch (e) {
	case ENOMEM:
		return THREAD_ENOMEM;
	case EINVAL:
		return THREAD_EINVAL;
	default:
		return THREAD_EAGAIN;
	}
}

int thread__start_os(thread_func func, void (*at_exit)(void *), void *arg,
                     uint64_t *os, thread_ident *ident)
{
	pthread_attr_t attr;
	pthread_t tid;
	struct boot *b;
	size_t size = __atomic_load_n(&stack_size, __ATOMIC_RELAXED);
	int rc;

	thread__watch_fork();
	b = (struct boot *)malloc(sizeof *b);
	if (!b)
		return THREAD_ENOMEM;
	b->func = func;
	b->at_exit = at_exit;
	b->arg = arg;
	if (pthread_attr_init(&attr) != 0) {
		free(b);
		return THREAD_ENOMEM;
	}
	rc = pthread_attr_setdetachstate(&attr, at_exit ? PTHREAD_CREATE_JOINABLE
	                                                : PTHREAD_CREATE_DETACHED);
	if (rc == 0 && size != 0)
		rc = pthread_attr_setstacksize(&attr, size);
	/* Counted before it exists, so it cannot be counted off first. */
	b->gen = thread__count_start();
	if (rc == 0)
		rc = pthread_create(&tid, &attr, trampoline, b);
	pthread_attr_destroy(&attr);
	if (rc != 0) {
		thread__count_end(b->gen);
		free(b);
		/* A size the platform accepted but cannot map is a resource
		 * shortage, not a bad argument. */
		return rc == EINVAL ? THREAD_EAGAIN : from_errno(rc);
	}
	if (os)
		*os = (uint64_t)tid;
	if (ident)
		*ident = (thread_ident)tid;
	return 0;
}

int thread_start_new_thread(thread_func func, void *arg, thread_ident *ident)
{
	if (!func)
		return THREAD_EINVAL;
	return thread__start_os(func, NULL, arg, NULL, ident);
}

void thread__os_reap(uint64_t os)
{
	if (pthread_join((pthread_t)os, NULL) != 0)
		thread__fatal("libthread: pthread_join of a finished thread failed");
}

void thread__os_detach(uint64_t os)
{
	if (pthread_detach((pthread_t)os) != 0)
		thread__fatal("libthread: pthread_detach failed");
}

void thread_exit(void)
{
	pthread_exit(NULL);
}

thread_ident thread_get_ident(void)
{
	return (thread_ident)pthread_self();
}

int thread_stack_size(size_t size, size_t *previous)
{
	size_t old;
	if (size != 0) {
		/* Ask the platform whether it would take this size. */
		pthread_attr_t attr;
		int rc;
		if (pthread_attr_init(&attr) != 0)
			return THREAD_ENOMEM;
		rc = pthread_attr_setstacksize(&attr, size);
		pthread_attr_destroy(&attr);
		if (rc != 0)
			return THREAD_EINVAL;
	}
	old = __atomic_exchange_n(&stack_size, size, __ATOMIC_RELAXED);
	if (previous)
		*previous = old;
	return 0;
}

int thread__online_cpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 && n < 65536 ? (int)n : 0;
}

int64_t thread__monotonic_ns(void)
{
	struct timespec ts;
	if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
		thread__fatal("libthread: CLOCK_MONOTONIC is unavailable");
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* ---- fork ------------------------------------------------------------- */

static pthread_once_t fork_watch = PTHREAD_ONCE_INIT;

static void register_fork_handler(void)
{
	if (pthread_atfork(NULL, NULL, thread_after_fork_child) != 0)
		thread__fatal("libthread: pthread_atfork failed");
}

void thread__watch_fork(void)
{
	pthread_once(&fork_watch, register_fork_handler);
}

/* ---- native identifiers ----------------------------------------------------
 * One definition per system; the last is the POSIX fallback. */
#if defined(__linux__)
#include <sys/syscall.h>

uint64_t thread_get_native_id(void)
{
	/* The syscall, not gettid(): glibc before 2.30 has no wrapper. */
	return (uint64_t)syscall(SYS_gettid);
}
#elif defined(__APPLE__)
uint64_t thread_get_native_id(void)
{
	uint64_t id = 0;
	pthread_threadid_np(NULL, &id);
	return id;
}
#elif defined(__FreeBSD__)
#include <pthread_np.h>

uint64_t thread_get_native_id(void)
{
	return (uint64_t)pthread_getthreadid_np();
}
#else
uint64_t thread_get_native_id(void)
{
	return thread_get_ident();
}
#endif

/* ---- names -------------------------------------------------------------------
 * The kernel's limits: Linux TASK_COMM_LEN 16, FreeBSD MAXCOMLEN 19,
 * macOS MAXTHREADNAMESIZE 64 (NUL included where it says so). */
#if defined(__APPLE__)
size_t thread__name_max(void)
{
	return 63;
}

int thread__set_name_os(const char *name)
{
	return pthread_setname_np(name) == 0 ? 0 : THREAD_EINVAL;
}

int thread__get_name_os(char *buf, size_t size)
{
	return pthread_getname_np(pthread_self(), buf, size) == 0 ? 0 : THREAD_EINVAL;
}
#elif defined(THREAD_HAVE_PTHREAD_SETNAME_NP) && defined(THREAD_HAVE_PTHREAD_GETNAME_NP) && !defined(__NetBSD__)
/* glibc, musl 1.2.3+, FreeBSD 12.2+: (thread, name).  NetBSD's takes a
 * format and is left to the fallback. */
#if defined(__FreeBSD__)
#define NAME_MAX_BYTES 19
#else
#define NAME_MAX_BYTES 15
#endif

size_t thread__name_max(void)
{
	return NAME_MAX_BYTES;
}

int thread__set_name_os(const char *name)
{
	return pthread_setname_np(pthread_self(), name) == 0 ? 0 : THREAD_EINVAL;
}

int thread__get_name_os(char *buf, size_t size)
{
	return pthread_getname_np(pthread_self(), buf, size) == 0 ? 0 : THREAD_EINVAL;
}
#else
size_t thread__name_max(void)
{
	return 0; /* no thread names: thread_set_name says THREAD_ENOSYS */
}

int thread__set_name_os(const char *name)
{
	(void)name;
	return THREAD_ENOSYS;
}

int thread__get_name_os(char *buf, size_t size)
{
	(void)buf;
	(void)size;
	return THREAD_ENOSYS;
}
#endif
