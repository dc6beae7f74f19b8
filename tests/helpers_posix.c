/* Test helpers on POSIX: clock and step counter on pthreads directly. */
#include "harness.h"

#include <pthread.h>
#include <sched.h>
#include <time.h>

int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

struct steps {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int n; /* mu */
};

steps *steps_new(void)
{
	steps *s = (steps *)calloc(1, sizeof *s);
	pthread_condattr_t ca;
	if (!s)
		FAIL_("out of memory");
	pthread_mutex_init(&s->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&s->cv, &ca);
	pthread_condattr_destroy(&ca);
	return s;
}

void steps_free(steps *s)
{
	pthread_mutex_destroy(&s->mu);
	pthread_cond_destroy(&s->cv);
	free(s);
}

void steps_set(steps *s, int n)
{
	pthread_mutex_lock(&s->mu);
	if (n > s->n)
		s->n = n;
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mu);
}

int steps_wait_for(steps *s, int n, int64_t timeout_ns)
{
	int64_t deadline = now_ns() + timeout_ns;
	struct timespec ts;
	int reached;
	ts.tv_sec = (time_t)(deadline / 1000000000);
	ts.tv_nsec = (long)(deadline % 1000000000);
	pthread_mutex_lock(&s->mu);
	while (s->n < n && pthread_cond_timedwait(&s->cv, &s->mu, &ts) == 0)
		;
	reached = s->n >= n;
	pthread_mutex_unlock(&s->mu);
	return reached;
}

void steps_wait(steps *s, int n)
{
	pthread_mutex_lock(&s->mu);
	while (s->n < n)
		pthread_cond_wait(&s->cv, &s->mu);
	pthread_mutex_unlock(&s->mu);
}

void pause_ms(int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000};
	while (nanosleep(&ts, &ts) != 0)
		;
}

void yield_cpu(void)
{
	sched_yield();
}

int64_t run_queue_wait_ns(void)
{
	/* Linux: the second field of the thread's schedstat.  Other systems
	 * have no such file and get -1. */
	long long run, queued;
	int got;
	FILE *f = fopen("/proc/thread-self/schedstat", "r");
	if (!f)
		return -1;
	got = fscanf(f, "%lld %lld", &run, &queued);
	fclose(f);
	return got == 2 ? (int64_t)queued : -1;
}

struct foreign {
	thread_func f;
	void *arg;
};

static void *foreign_main(void *p)
{
	struct foreign fr = *(struct foreign *)p;
	free(p);
	fr.f(fr.arg);
	return NULL;
}

thread_ident start_foreign_thread(thread_func f, void *arg)
{
	pthread_t t;
	struct foreign *fr = (struct foreign *)malloc(sizeof *fr);
	if (!fr)
		FAIL_("out of memory");
	fr->f = f;
	fr->arg = arg;
	if (pthread_create(&t, NULL, foreign_main, fr) != 0)
		FAIL_("pthread_create failed");
	pthread_detach(t);
	return (thread_ident)t;
}

#include <signal.h>

static int runs; /* atomic: written in handlers, read by tests */

static void counting_handler(int sig)
{
	(void)sig;
	__atomic_fetch_add(&runs, 1, __ATOMIC_RELAXED);
}

int signals_supported(void)
{
	return 1;
}

void install_handler(int sig, void (*handler)(int), int restart)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = handler;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = restart ? SA_RESTART : 0;
	if (sigaction(sig, &sa, NULL) != 0)
		FAIL_("sigaction failed");
}

void install_counting_handler(int restart)
{
	install_handler(SIGUSR1, counting_handler, restart);
}

int handler_runs(void)
{
	return __atomic_load_n(&runs, __ATOMIC_RELAXED);
}

void signal_thread(thread_ident id)
{
	if (pthread_kill((pthread_t)id, SIGUSR1) != 0)
		FAIL_("pthread_kill failed");
}

int call_with_cleanup(void (*body)(void *), void (*cleanup)(void *), void *arg)
{
	pthread_cleanup_push(cleanup, arg);
	body(arg);
	pthread_cleanup_pop(0);
	return 1;
}

#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

uint64_t platform_native_id(void)
{
	/* Linux: the link reads "PID/task/TID".  Elsewhere there is no such
	 * file, and no portable call to compare with. */
	char path[64];
	unsigned long long pid, tid;
	ssize_t n = readlink("/proc/thread-self", path, sizeof path - 1);
	if (n <= 0)
		return 0;
	path[n] = '\0';
	if (sscanf(path, "%llu/task/%llu", &pid, &tid) != 2)
		return 0;
	return (uint64_t)tid;
}

int platform_thread_name(char *buf, size_t size)
{
	FILE *f = fopen("/proc/thread-self/comm", "r");
	size_t n;
	if (!f)
		return 0;
	n = fread(buf, 1, size - 1, f);
	fclose(f);
	while (n > 0 && buf[n - 1] == '\n')
		n--;
	buf[n] = '\0';
	return 1;
}

int run_in_fork(int (*child)(void *), void *arg, int64_t timeout_ns)
{
	int64_t deadline;
	int status;
	pid_t pid;
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0)
		FAIL_("fork failed");
	if (pid == 0)
		_exit(child(arg) & 0xff);
	deadline = now_ns() + timeout_ns;
	for (;;) {
		pid_t got = waitpid(pid, &status, WNOHANG);
		if (got == pid)
			break;
		if (got < 0)
			FAIL_("waitpid failed");
		if (now_ns() > deadline) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			return FORK_HUNG;
		}
		pause_ms(1);
	}
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return FORK_SIGNALLED;
}

/* ThreadSanitizer cannot follow a child of a multi-threaded process that
 * starts threads ("dup thread with used id"): the fork tests skip there. */
#if defined(__SANITIZE_THREAD__)
#define UNDER_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define UNDER_TSAN 1
#endif
#endif

int fork_supported(void)
{
#ifdef UNDER_TSAN
	return 0;
#else
	return 1;
#endif
}

static void *probe_idle(void *p)
{
	steps_set((steps *)p, 1);
	steps_wait((steps *)p, 2);
	return NULL;
}

static void *probe_nothing(void *p)
{
	return p;
}

static int probe_child(void *p)
{
	pthread_t t;
	(void)p;
	if (pthread_create(&t, NULL, probe_nothing, NULL) != 0)
		return 1;
	return pthread_join(t, NULL) != 0 ? 2 : 0;
}

/* The probe uses pthreads alone, none of the library, so a failure here is
 * the platform's: qemu-user 7.2, for one, aborts in a child of a threaded
 * process at its first new thread ("qemu_plugin_vcpu_init_hook: assertion
 * failed").  The result is worked out once per process. */
int fork_child_can_start_threads(char *why, size_t size)
{
	static int known, verdict;
	static char reason[160];
	if (!known) {
		steps *st = steps_new();
		pthread_t t;
		int rc;
		if (pthread_create(&t, NULL, probe_idle, st) != 0)
			FAIL_("pthread_create failed");
		/* Running, not merely created, when the fork comes: a tool's
		 * own bookkeeping of a thread starting up (ASan's) is not
		 * fork-safe, and neither is the real tests' fork. */
		steps_wait(st, 1);
		rc = run_in_fork(probe_child, NULL, 30000 * 1000000LL);
		steps_set(st, 2);
		pthread_join(t, NULL);
		steps_free(st);
		verdict = rc == 0;
		snprintf(reason, sizeof reason,
			 "a child of a threaded process cannot start a thread on this "
			 "platform even with pthreads alone (probe child: %s %d)",
			 rc == FORK_SIGNALLED ? "signal" : rc == FORK_HUNG ? "hung" : "exit",
			 rc);
		known = 1;
	}
	if (!verdict && why)
		snprintf(why, size, "%s", reason);
	return verdict;
}
