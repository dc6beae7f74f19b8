/* Threads on Win32: _beginthreadex through one trampoline, so the C runtime
 * sets up and tears down its per-thread data; the identifier is the thread
 * id (GetCurrentThreadId), the number every other API and debugger in the
 * process reports for the same thread.  MSVC-compatible C: no GNU
 * extensions, so MSVC and clang-cl build it as well as mingw-w64. */
#include "thread_impl.h"

#include <windows.h>
#include <errno.h>
#include <limits.h>
#include <process.h>
#include <stdlib.h>

/* The smallest stack we accept: one allocation granule.  Windows reserves
 * stacks in 64 KiB granules, so anything smaller could not be honoured as
 * asked.  There is no upper bound to reject, as with pthreads: a size too
 * large to reserve makes the start fail.  _beginthreadex takes the size as
 * an unsigned int, so a size above STACK_MAX is one it cannot provide. */
#define STACK_MIN ((size_t)64 * 1024)
#define STACK_MAX ((size_t)UINT_MAX)

/* What the new thread needs; malloc'ed by the starter, freed by the new
 * thread before it calls func, so nothing is left when func ends in any way
 * (return or thread_exit). */
struct boot {
	thread_func func;
	void *arg;
};

/* Stack reservation for new threads, 0 for the default.  Written by
 * thread_stack_size with an interlocked exchange, read by
 * thread_start_new_thread with an aligned pointer-sized volatile load
 * (atomic on every Windows CPU); a new value only needs to be seen by
 * threads started after the setter returns, in the same thread or after
 * other synchronisation. */
static void *volatile stack_size;

static unsigned __stdcall trampoline(void *p)
{
	struct boot b = *(struct boot *)p;
	free(p);
	b.func(b.arg);
	return 0;
}

/* _beginthreadex reports failure in errno (and the Win32 error in
 * _doserrno).  A size the platform accepted but cannot provide is a
 * resource shortage, as on POSIX. */
static int from_errno(int e, unsigned long doserr)
{
	if (e == ENOMEM || doserr == ERROR_NOT_ENOUGH_MEMORY ||
	    doserr == ERROR_OUTOFMEMORY || doserr == ERROR_COMMITMENT_LIMIT)
		return THREAD_ENOMEM;
	return THREAD_EAGAIN;
}

int thread_start_new_thread(thread_func func, void *arg, thread_ident *ident)
{
	size_t size = (size_t)stack_size;
	struct boot *b;
	unsigned tid = 0;
	uintptr_t h;

	if (!func)
		return THREAD_EINVAL;
	if (size > STACK_MAX)
		return THREAD_EAGAIN;
	b = (struct boot *)malloc(sizeof *b);
	if (!b)
		return THREAD_ENOMEM;
	b->func = func;
	b->arg = arg;
	errno = 0;
	_doserrno = 0;
	/* A reservation, not a commit: the size bounds the stack as
	 * pthread_attr_setstacksize does, and only touched pages cost memory. */
	h = _beginthreadex(NULL, (unsigned)size, trampoline, b,
	                   size ? STACK_SIZE_PARAM_IS_A_RESERVATION : 0, &tid);
	if (h == 0) {
		int rc = from_errno(errno, _doserrno);
		free(b);
		return rc;
	}
	/* The thread runs on without its handle; closing it now is what keeps
	 * a finished thread from leaking a kernel object (threads are never
	 * joined). */
	CloseHandle((HANDLE)h);
	if (ident)
		*ident = (thread_ident)tid;
	return 0;
}

void thread_exit(void)
{
	/* Frees the C runtime's per-thread data of a _beginthreadex thread,
	 * then ExitThread; in any other thread it is ExitThread. */
	_endthreadex(0);
}

thread_ident thread_get_ident(void)
{
	return (thread_ident)GetCurrentThreadId();
}

int thread_stack_size(size_t size, size_t *previous)
{
	size_t old;
	if (size != 0 && size < STACK_MIN)
		return THREAD_EINVAL;
	old = (size_t)InterlockedExchangePointer((void *volatile *)&stack_size,
	                                         (void *)size);
	if (previous)
		*previous = old;
	return 0;
}

int thread__online_cpus(void)
{
	SYSTEM_INFO si;
	GetSystemInfo(&si);
	return (int)si.dwNumberOfProcessors;
}

int64_t thread__monotonic_ns(void)
{
	/* The performance counter is monotonic and its frequency is fixed at
	 * boot.  Split the conversion so count * 1e9 cannot overflow. */
	LARGE_INTEGER count, freq;
	int64_t c, f;
	if (!QueryPerformanceCounter(&count) || !QueryPerformanceFrequency(&freq))
		thread__fatal("libthread: QueryPerformanceCounter failed");
	c = count.QuadPart;
	f = freq.QuadPart;
	return (c / f) * 1000000000 + (c % f) * 1000000000 / f;
}
