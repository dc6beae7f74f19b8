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
#include <string.h>

/* The smallest stack we accept: one allocation granule.  Windows reserves
 * stacks in 64 KiB granules, so anything smaller could not be honoured as
 * asked.  There is no upper bound to reject, as with pthreads: a size too
 * large to reserve makes the start fail.  _beginthreadex takes the size as
 * an unsigned int, so a size above STACK_MAX is one it cannot provide. */
#define STACK_MIN ((size_t)64 * 1024)
#define STACK_MAX ((size_t)UINT_MAX)

/* What the new thread needs; malloc'ed by the starter, freed by the new
 * thread as its last library act, so nothing is left when func ends in any
 * way (return or thread_exit).  at_exit is NULL for threads nobody joins. */
struct boot {
	thread_func func;
	void (*at_exit)(void *);
	void *arg;
	uint32_t gen; /* thread__count_start's generation */
};

/* Set up once: a fiber-local slot whose callback runs when a thread ends
 * through ExitThread (thread_exit) while the slot holds its boot, and the
 * thread-name calls, which older systems (and some Wine versions) lack. */
typedef HRESULT(WINAPI *set_description_fn)(HANDLE, PCWSTR);
typedef HRESULT(WINAPI *get_description_fn)(HANDLE, PWSTR *);
static INIT_ONCE setup_once = INIT_ONCE_STATIC_INIT;
static DWORD exit_slot = FLS_OUT_OF_INDEXES;
static set_description_fn set_description;
static get_description_fn get_description;

static void finish(struct boot *b)
{
	thread__count_end(b->gen);
	if (b->at_exit)
		b->at_exit(b->arg);
	free(b);
}

/* The thread called thread_exit inside func: finish it on its way out. */
static VOID WINAPI finish_on_exit(PVOID p)
{
	if (p)
		finish((struct boot *)p);
}

static BOOL CALLBACK do_setup(PINIT_ONCE once, PVOID param, PVOID *ctx)
{
	HMODULE k32 = GetModuleHandleW(L"kernel32.dll");
	(void)once;
	(void)param;
	(void)ctx;
	exit_slot = FlsAlloc(finish_on_exit);
	if (exit_slot == FLS_OUT_OF_INDEXES)
		thread__fatal("libthread: FlsAlloc failed");
	if (k32) {
		/* Through void (*)(void): FARPROC to another function type. */
		set_description = (set_description_fn)(void (*)(void))GetProcAddress(
			k32, "SetThreadDescription");
		get_description = (get_description_fn)(void (*)(void))GetProcAddress(
			k32, "GetThreadDescription");
	}
	return TRUE;
}

static void setup(void)
{
	if (!InitOnceExecuteOnce(&setup_once, do_setup, NULL, NULL))
		thread__fatal("libthread: InitOnceExecuteOnce failed");
}

/* Stack reservation for new threads, 0 for the default.  Written by
 * thread_stack_size with an interlocked exchange, read by
 * thread_start_new_thread with an aligned pointer-sized volatile load
 * (atomic on every Windows CPU); a new value only needs to be seen by
 * threads started after the setter returns, in the same thread or after
 * other synchronisation. */
static void *volatile stack_size;

static unsigned __stdcall trampoline(void *p)
{
	struct boot *b = (struct boot *)p;
	/* While func runs, ExitThread finishes the thread through the slot's
	 * callback; after it returns, the slot is emptied first so the
	 * callback cannot finish it a second time. */
	if (!FlsSetValue(exit_slot, b))
		thread__fatal("libthread: FlsSetValue failed");
	b->func(b->arg);
	FlsSetValue(exit_slot, NULL);
	finish(b);
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

int thread__start_os(thread_func func, void (*at_exit)(void *), void *arg,
                     uint64_t *os, thread_ident *ident)
{
	size_t size = (size_t)stack_size;
	struct boot *b;
	unsigned tid = 0;
	uintptr_t h;

	if (size > STACK_MAX)
		return THREAD_EAGAIN;
	setup();
	b = (struct boot *)malloc(sizeof *b);
	if (!b)
		return THREAD_ENOMEM;
	b->func = func;
	b->at_exit = at_exit;
	b->arg = arg;
	/* Counted before it exists, so it cannot be counted off first. */
	b->gen = thread__count_start();
	errno = 0;
	_doserrno = 0;
	/* A reservation, not a commit: the size bounds the stack as
	 * pthread_attr_setstacksize does, and only touched pages cost memory. */
	h = _beginthreadex(NULL, (unsigned)size, trampoline, b,
	                   size ? STACK_SIZE_PARAM_IS_A_RESERVATION : 0, &tid);
	if (h == 0) {
		int rc = from_errno(errno, _doserrno);
		thread__count_end(b->gen);
		free(b);
		return rc;
	}
	if (os)
		*os = (uint64_t)h;
	else
		/* Nobody joins it: closing the handle now is what keeps a
		 * finished thread from leaking a kernel object. */
		CloseHandle((HANDLE)h);
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
	if (WaitForSingleObject((HANDLE)(uintptr_t)os, INFINITE) != WAIT_OBJECT_0)
		thread__fatal("libthread: waiting for a finished thread failed");
	CloseHandle((HANDLE)(uintptr_t)os);
}

void thread__os_detach(uint64_t os)
{
	CloseHandle((HANDLE)(uintptr_t)os);
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

/* ---- fork: Windows has none ------------------------------------------- */

void thread__watch_fork(void)
{
}

/* ---- native identifiers and names ------------------------------------- */

uint64_t thread_get_native_id(void)
{
	return (uint64_t)GetCurrentThreadId();
}

/* Ours: Windows keeps descriptions of any length. */
#define NAME_MAX_BYTES 255

size_t thread__name_max(void)
{
	setup();
	return set_description && get_description ? NAME_MAX_BYTES : 0;
}

int thread__set_name_os(const char *name)
{
	WCHAR wide[NAME_MAX_BYTES + 1];
	if (!MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, name, -1, wide,
	                         NAME_MAX_BYTES + 1))
		return THREAD_EINVAL;
	return SUCCEEDED(set_description(GetCurrentThread(), wide)) ? 0 : THREAD_EINVAL;
}

int thread__get_name_os(char *buf, size_t size)
{
	PWSTR wide = NULL;
	char *utf8;
	int n;
	if (FAILED(get_description(GetCurrentThread(), &wide)))
		return THREAD_EINVAL;
	/* Another part of the process may have set a longer name: convert
	 * all of it, then cut at a whole character. */
	n = WideCharToMultiByte(CP_UTF8, 0, wide, -1, NULL, 0, NULL, NULL);
	utf8 = n > 0 ? (char *)malloc((size_t)n) : NULL;
	if (!utf8 || !WideCharToMultiByte(CP_UTF8, 0, wide, -1, utf8, n, NULL, NULL)) {
		free(utf8);
		LocalFree(wide);
		return n > 0 ? THREAD_ENOMEM : THREAD_EINVAL;
	}
	LocalFree(wide);
	n = (int)thread__utf8_cut(utf8, (size_t)n - 1, size - 1);
	memcpy(buf, utf8, (size_t)n);
	buf[n] = '\0';
	free(utf8);
	return 0;
}
