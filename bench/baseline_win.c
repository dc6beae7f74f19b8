/* Windows baselines: SRW lock (the platform mutex), critical section, Win32
 * semaphore, bare interlocked exchanges, and CreateThread + wait.  There is
 * no C11 <threads.h> in the mingw-w64 runtime, so no mtx_t row. */
#include "bench.h"

#include <windows.h>
#include <stdlib.h>

int64_t bench_now_ns(void)
{
	LARGE_INTEGER c, f;
	QueryPerformanceCounter(&c);
	QueryPerformanceFrequency(&f);
	return (c.QuadPart / f.QuadPart) * 1000000000 +
	       (c.QuadPart % f.QuadPart) * 1000000000 / f.QuadPart;
}

int bench_cores(void)
{
	SYSTEM_INFO si;
	GetSystemInfo(&si);
	return (int)si.dwNumberOfProcessors;
}

struct bench_mutex {
	SRWLOCK m;
};
const char *const bench_mutex_name = "SRWLOCK";
const size_t bench_mutex_size = sizeof(SRWLOCK);

bench_mutex *bench_mutex_new(void)
{
	bench_mutex *m = (bench_mutex *)malloc(sizeof *m);
	if (!m)
		abort();
	InitializeSRWLock(&m->m);
	return m;
}
void bench_mutex_lock(bench_mutex *m) { AcquireSRWLockExclusive(&m->m); }
void bench_mutex_unlock(bench_mutex *m) { ReleaseSRWLockExclusive(&m->m); }
void bench_mutex_free(bench_mutex *m) { free(m); }

/* The semaphore is a kernel object; its size here is only the handle. */
struct bench_sem {
	HANDLE s;
};
const char *const bench_sem_name = "Win32 semaphore";
const size_t bench_sem_size = sizeof(HANDLE);

bench_sem *bench_sem_new(unsigned initial)
{
	bench_sem *s = (bench_sem *)malloc(sizeof *s);
	if (!s)
		abort();
	s->s = CreateSemaphoreW(NULL, (LONG)initial, 0x7fffffff, NULL);
	if (!s->s)
		abort();
	return s;
}
void bench_sem_post(bench_sem *s) { ReleaseSemaphore(s->s, 1, NULL); }
void bench_sem_wait(bench_sem *s) { WaitForSingleObject(s->s, INFINITE); }
void bench_sem_free(bench_sem *s)
{
	CloseHandle(s->s);
	free(s);
}

/* ---- uncontended loops: each inlines its own primitive's calls --------- */

static SRWLOCK srw = SRWLOCK_INIT;
static CRITICAL_SECTION cs;
static HANDLE sem;
static volatile LONG word;

static int64_t loop_srw(void *state, long n)
{
	int64_t t0 = bench_now_ns();
	(void)state;
	for (long i = 0; i < n; i++) {
		AcquireSRWLockExclusive(&srw);
		ReleaseSRWLockExclusive(&srw);
	}
	return bench_now_ns() - t0;
}

static int64_t loop_cs(void *state, long n)
{
	static int ready;
	int64_t t0;
	(void)state;
	if (!ready) {
		InitializeCriticalSection(&cs);
		ready = 1;
	}
	t0 = bench_now_ns();
	for (long i = 0; i < n; i++) {
		EnterCriticalSection(&cs);
		LeaveCriticalSection(&cs);
	}
	return bench_now_ns() - t0;
}

static int64_t loop_sem(void *state, long n)
{
	int64_t t0;
	(void)state;
	if (!sem && !(sem = CreateSemaphoreW(NULL, 1, 1, NULL)))
		abort();
	t0 = bench_now_ns();
	for (long i = 0; i < n; i++) {
		WaitForSingleObject(sem, INFINITE);
		ReleaseSemaphore(sem, 1, NULL);
	}
	return bench_now_ns() - t0;
}

/* The floor: two interlocked exchanges, inline (full barriers on x86, as
 * every locked instruction is). */
static int64_t loop_floor(void *state, long n)
{
	int64_t t0 = bench_now_ns();
	(void)state;
	for (long i = 0; i < n; i++) {
		while (InterlockedExchange(&word, 1) != 0)
			;
		if (InterlockedExchange(&word, 0) != 1)
			abort();
	}
	return bench_now_ns() - t0;
}

const bench_variant bench_platform_uncontended[] = {
	{"SRWLOCK", loop_srw, NULL},
	{"CRITICAL_SECTION", loop_cs, NULL},
	{"Win32 semaphore", loop_sem, NULL},
	{"floor: 2 atomic xchg", loop_floor, NULL},
	{NULL, NULL, NULL},
};

/* ---- thread start ------------------------------------------------------ */

struct call {
	void (*fn)(void *);
	void *arg;
};

static DWORD WINAPI call_main(LPVOID p)
{
	struct call *c = (struct call *)p;
	c->fn(c->arg);
	return 0;
}

const char *const bench_native_start_name = "CreateThread+wait";

void bench_native_start_join(void (*fn)(void *), void *arg)
{
	struct call c = {fn, arg};
	HANDLE h = CreateThread(NULL, 0, call_main, &c, 0, NULL);
	if (!h || WaitForSingleObject(h, INFINITE) != WAIT_OBJECT_0)
		abort();
	CloseHandle(h);
}
