/* Test helpers on Windows: clock and step counter on Win32 directly (an
 * SRW lock and a condition variable), foreign threads from CreateThread. */
#include "harness.h"

#include <windows.h>

int64_t now_ns(void)
{
	LARGE_INTEGER c, f;
	QueryPerformanceCounter(&c);
	QueryPerformanceFrequency(&f);
	return (c.QuadPart / f.QuadPart) * 1000000000 +
	       (c.QuadPart % f.QuadPart) * 1000000000 / f.QuadPart;
}

struct steps {
	SRWLOCK mu;
	CONDITION_VARIABLE cv;
	int n; /* mu */
};

steps *steps_new(void)
{
	steps *s = (steps *)calloc(1, sizeof *s);
	if (!s)
		FAIL_("out of memory");
	InitializeSRWLock(&s->mu);
	InitializeConditionVariable(&s->cv);
	return s;
}

void steps_free(steps *s)
{
	free(s);
}

void steps_set(steps *s, int n)
{
	AcquireSRWLockExclusive(&s->mu);
	if (n > s->n)
		s->n = n;
	/* Wake while holding the lock: a waiter that sees n may free `s` as
	 * soon as it gets the lock, so the setter must be done with the
	 * condition variable before releasing. */
	WakeAllConditionVariable(&s->cv);
	ReleaseSRWLockExclusive(&s->mu);
}

int steps_wait_for(steps *s, int n, int64_t timeout_ns)
{
	int64_t deadline = now_ns() + timeout_ns, left;
	int reached;
	AcquireSRWLockExclusive(&s->mu);
	while (s->n < n && (left = deadline - now_ns()) > 0) {
		/* Rounded up; an early return just goes round the loop again. */
		DWORD ms = (DWORD)((left + 999999) / 1000000);
		SleepConditionVariableSRW(&s->cv, &s->mu, ms, 0);
	}
	reached = s->n >= n;
	ReleaseSRWLockExclusive(&s->mu);
	return reached;
}

void steps_wait(steps *s, int n)
{
	AcquireSRWLockExclusive(&s->mu);
	while (s->n < n)
		SleepConditionVariableSRW(&s->cv, &s->mu, INFINITE, 0);
	ReleaseSRWLockExclusive(&s->mu);
}

void pause_ms(int ms)
{
	Sleep((DWORD)ms);
}

void yield_cpu(void)
{
	SwitchToThread();
}

int64_t run_queue_wait_ns(void)
{
	return -1; /* Windows keeps no per-thread ready-queue time. */
}

struct foreign {
	thread_func f;
	void *arg;
};

static DWORD WINAPI foreign_main(LPVOID p)
{
	struct foreign fr = *(struct foreign *)p;
	free(p);
	fr.f(fr.arg);
	return 0;
}

thread_ident start_foreign_thread(thread_func f, void *arg)
{
	struct foreign *fr = (struct foreign *)malloc(sizeof *fr);
	HANDLE h;
	DWORD id;
	if (!fr)
		FAIL_("out of memory");
	fr->f = f;
	fr->arg = arg;
	h = CreateThread(NULL, 0, foreign_main, fr, 0, NULL);
	if (!h)
		FAIL_("CreateThread failed: error %lu", (unsigned long)GetLastError());
	id = GetThreadId(h);
	CloseHandle(h);
	return (thread_ident)id;
}

/* No POSIX signals: every test that needs one skips itself, with the
 * reason printed, before calling the helpers below. */
int signals_supported(void)
{
	return 0;
}

void install_counting_handler(int restart)
{
	(void)restart;
	FAIL_("no POSIX signals on Windows: the test should have skipped");
}

int handler_runs(void)
{
	return 0;
}

void signal_thread(thread_ident id)
{
	(void)id;
	FAIL_("no POSIX signals on Windows: the test should have skipped");
}

/* No POSIX cleanup handlers either: body does not run and the test skips. */
int call_with_cleanup(void (*body)(void *), void (*cleanup)(void *), void *arg)
{
	(void)body;
	(void)cleanup;
	(void)arg;
	return 0;
}

uint64_t platform_native_id(void)
{
	return (uint64_t)GetCurrentThreadId();
}

int platform_thread_name(char *buf, size_t size)
{
	(void)buf;
	(void)size;
	return 0; /* GetThreadDescription is what the library itself calls */
}

/* No fork on Windows: every fork test skips. */
int run_in_fork(int (*child)(void *), void *arg, int64_t timeout_ns)
{
	(void)child;
	(void)arg;
	(void)timeout_ns;
	return FORK_UNSUPPORTED;
}

int fork_supported(void)
{
	return 0;
}

int fork_child_can_start_threads(char *why, size_t size)
{
	if (why)
		snprintf(why, size, "no fork on Windows");
	return 0;
}
