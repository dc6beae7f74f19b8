/* Private to libthread: atomics, the wait-on-address contract, the clock.
 * Names with two underscores are extern but hidden from the shared library. */
#ifndef THREAD_IMPL_H
#define THREAD_IMPL_H

#include "thread.h"

#include <stdint.h>

#if defined(__GNUC__)
/* PE/COFF has no symbol visibility (a DLL exports only what is marked
 * dllexport, so these names stay inside it anyway) and GCC warns there. */
#if defined(_WIN32)
#define THREAD_HIDDEN
#else
#define THREAD_HIDDEN __attribute__((visibility("hidden")))
#endif
#define THREAD_NOINLINE __attribute__((noinline, cold))
#define THREAD_NORETURN __attribute__((noreturn))
#else
#define THREAD_HIDDEN
#define THREAD_NOINLINE __declspec(noinline)
#define THREAD_NORETURN __declspec(noreturn)
#endif

/* ---- atomics ------------------------------------------------------------
 * Every wrapper names its memory order; there is no default seq_cst.  The
 * CAS wrappers store the value they found into *expected on failure. */
#if defined(THREAD_MODEL_CHECK)
/* tests/model: every atomic operation is a point where the model checker's
 * scheduler may switch threads (cooperative threads on one OS thread, so
 * the operations themselves are plain). */
void thread__model_point(void);

static inline uint32_t atomic_load_relaxed(const uint32_t *p)
{
	thread__model_point();
	return *p;
}
#define atomic_load_acquire atomic_load_relaxed
static inline int atomic_cas_model(uint32_t *p, uint32_t *expected,
                                   uint32_t desired)
{
	thread__model_point();
	if (*p == *expected) {
		*p = desired;
		return 1;
	}
	*expected = *p;
	return 0;
}
#define atomic_cas_acquire atomic_cas_model
#define atomic_cas_release atomic_cas_model
#define atomic_cas_relaxed atomic_cas_model
static inline void cpu_relax(void) { thread__model_point(); }
#elif defined(_MSC_VER) && !defined(__clang__)
#include <intrin.h>
#include <windows.h>

static inline uint32_t atomic_load_relaxed(const uint32_t *p)
{
	return *(const volatile uint32_t *)p;
}
static inline uint32_t atomic_load_acquire(const uint32_t *p)
{
	/* A full barrier is stronger than needed and correct on every CPU. */
	return (uint32_t)_InterlockedOr((volatile long *)p, 0);
}
static inline int atomic_cas(uint32_t *p, uint32_t *expected, uint32_t desired)
{
	long seen = _InterlockedCompareExchange((volatile long *)p, (long)desired,
	                                        (long)*expected);
	if ((uint32_t)seen == *expected)
		return 1;
	*expected = (uint32_t)seen;
	return 0;
}
#define atomic_cas_acquire atomic_cas
#define atomic_cas_release atomic_cas
#define atomic_cas_relaxed atomic_cas
static inline void cpu_relax(void) { YieldProcessor(); }
#else
static inline uint32_t atomic_load_relaxed(const uint32_t *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}
static inline uint32_t atomic_load_acquire(const uint32_t *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}
static inline int atomic_cas_acquire(uint32_t *p, uint32_t *expected,
                                     uint32_t desired)
{
	return __atomic_compare_exchange_n(p, expected, desired, 0,
	                                   __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);
}
static inline int atomic_cas_release(uint32_t *p, uint32_t *expected,
                                     uint32_t desired)
{
	return __atomic_compare_exchange_n(p, expected, desired, 0,
	                                   __ATOMIC_RELEASE, __ATOMIC_RELAXED);
}
static inline int atomic_cas_relaxed(uint32_t *p, uint32_t *expected,
                                     uint32_t desired)
{
	return __atomic_compare_exchange_n(p, expected, desired, 0,
	                                   __ATOMIC_RELAXED, __ATOMIC_RELAXED);
}
static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ __volatile__("yield");
#else
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
#endif
}
#endif

/* ---- 64-bit words, plain stores, counters -------------------------------
 * For the reentrant lock's owner (a thread_ident other threads read), the
 * reinitialisation of words after fork, and the reference count of a thread
 * handle.  A block of its own so the wrappers above stay as they are. */
#if defined(THREAD_MODEL_CHECK)
static inline uint64_t atomic_load64_relaxed(const uint64_t *p)
{
	thread__model_point();
	return *p;
}
static inline void atomic_store64_relaxed(uint64_t *p, uint64_t v)
{
	thread__model_point();
	*p = v;
}
static inline void atomic_store_relaxed(uint32_t *p, uint32_t v)
{
	thread__model_point();
	*p = v;
}
static inline uint32_t atomic_fetch_sub_acq_rel(uint32_t *p, uint32_t v)
{
	uint32_t old;
	thread__model_point();
	old = *p;
	*p = old - v;
	return old;
}
static inline uint32_t atomic_fetch_add_relaxed(uint32_t *p, uint32_t v)
{
	uint32_t old;
	thread__model_point();
	old = *p;
	*p = old + v;
	return old;
}
#elif defined(_MSC_VER) && !defined(__clang__)
static inline uint64_t atomic_load64_relaxed(const uint64_t *p)
{
#if defined(_WIN64)
	return *(const volatile uint64_t *)p; /* aligned: one access on x64/ARM64 */
#else
	/* 32-bit x86 reads 64 bits in two halves: read through a CAS. */
	return (uint64_t)_InterlockedCompareExchange64((volatile __int64 *)p, 0, 0);
#endif
}
static inline void atomic_store64_relaxed(uint64_t *p, uint64_t v)
{
#if defined(_WIN64)
	*(volatile uint64_t *)p = v;
#else
	_InterlockedExchange64((volatile __int64 *)p, (__int64)v);
#endif
}
static inline void atomic_store_relaxed(uint32_t *p, uint32_t v)
{
	*(volatile uint32_t *)p = v;
}
static inline uint32_t atomic_fetch_sub_acq_rel(uint32_t *p, uint32_t v)
{
	return (uint32_t)_InterlockedExchangeAdd((volatile long *)p, -(long)v);
}
static inline uint32_t atomic_fetch_add_relaxed(uint32_t *p, uint32_t v)
{
	return (uint32_t)_InterlockedExchangeAdd((volatile long *)p, (long)v);
}
#else
static inline uint64_t atomic_load64_relaxed(const uint64_t *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}
static inline void atomic_store64_relaxed(uint64_t *p, uint64_t v)
{
	__atomic_store_n(p, v, __ATOMIC_RELAXED);
}
static inline void atomic_store_relaxed(uint32_t *p, uint32_t v)
{
	__atomic_store_n(p, v, __ATOMIC_RELAXED);
}
static inline uint32_t atomic_fetch_sub_acq_rel(uint32_t *p, uint32_t v)
{
	return __atomic_fetch_sub(p, v, __ATOMIC_ACQ_REL);
}
static inline uint32_t atomic_fetch_add_relaxed(uint32_t *p, uint32_t v)
{
	return __atomic_fetch_add(p, v, __ATOMIC_RELAXED);
}
#endif

/* ---- wait on address ----------------------------------------------------
 * The whole platform layer under the lock.  One backend file implements it
 * (wait_futex.c, wait_park.c or wait_win.c).
 *
 * thread__wait: if *addr != expected, return 0 at once.  Otherwise sleep
 * until woken by thread__wake_* on the same address, until the absolute
 * monotonic `deadline_ns` has passed (deadline_ns < 0: no deadline), or
 * until a signal handler runs in this thread.  Returns 0 (woken, or any
 * other reason, including none: spurious returns are allowed) or
 * THREAD_EINTR (a signal handler ran; only where the platform can tell,
 * and not always for a handler installed with SA_RESTART: the kernel or
 * the C library may resume the sleep instead, see thread.h).
 * It never reports a timeout: the caller reads the clock.  It orders no
 * memory; the caller's atomics on *addr do.
 *
 * thread__wake_one / thread__wake_all: wake one / every thread sleeping in
 * thread__wait on `addr`.  They report nothing: not every platform can tell
 * whether anybody was woken. */
THREAD_HIDDEN int thread__wait(const uint32_t *addr, uint32_t expected,
                               int64_t deadline_ns);
THREAD_HIDDEN void thread__wake_one(const uint32_t *addr);
THREAD_HIDDEN void thread__wake_all(const uint32_t *addr);

/* ---- threads with an end (join.c, fork.c over thread_posix.c/_win.c) ------
 *
 * thread__start_os: start an OS thread running body(arg); however it ends
 * (body returns, or thread_exit), at_exit(arg) runs in it as the last thing
 * the library does there.  With at_exit NULL the thread is started detached
 * (thread_start_new_thread); otherwise *os receives the platform's handle
 * (pthread_t, HANDLE) and exactly one of thread__os_reap or
 * thread__os_detach must be called on it later.  *ident receives the
 * thread's identifier before this returns.  Returns 0 or THREAD_EAGAIN /
 * THREAD_ENOMEM / THREAD_EINVAL; on failure nothing runs. */
THREAD_HIDDEN int thread__start_os(thread_func body, void (*at_exit)(void *),
                                   void *arg, uint64_t *os, thread_ident *ident);
/* Wait for the OS thread to be gone and free what the platform kept for it.
 * Called only after its at_exit has run, so the wait is short. */
THREAD_HIDDEN void thread__os_reap(uint64_t os);
/* Let the platform free the thread by itself when it ends. */
THREAD_HIDDEN void thread__os_detach(uint64_t os);

/* The count of running library threads (fork.c).  thread__count_start is
 * called by the starter before the thread exists and returns the fork
 * generation to hand the thread; thread__count_end(gen) is the thread's
 * last act (and the starter's, when the start failed).  A thread of an
 * older generation (the one that forked, in the child) is not counted. */
THREAD_HIDDEN uint32_t thread__count_start(void);
THREAD_HIDDEN void thread__count_end(uint32_t gen);

/* Reset the wait backend's own state in a forked child, whose other
 * threads are gone (wait_*.c).  Nothing to do where the kernel keeps it. */
THREAD_HIDDEN void thread__wait_after_fork(void);

/* Make thread_after_fork_child run in every child forked from now on
 * (thread_posix.c: pthread_atfork, once; thread_win.c: nothing).  Cheap
 * after the first call. */
THREAD_HIDDEN void thread__watch_fork(void);

/* ---- names (name.c over thread_posix.c/_win.c) -------------------------- */

/* The longest name, in bytes without the NUL, the platform keeps; 0 when
 * it has no thread names. */
THREAD_HIDDEN size_t thread__name_max(void);
/* Set / read the calling thread's name.  `name` is at most
 * thread__name_max() bytes; `buf` has room for thread__name_max() + 1.
 * Return 0 or a THREAD_E* code. */
THREAD_HIDDEN int thread__set_name_os(const char *name);
THREAD_HIDDEN int thread__get_name_os(char *buf, size_t size);
/* The length of the longest prefix of the n bytes at s that has at most
 * max bytes and does not end inside a UTF-8 character (name.c). */
THREAD_HIDDEN size_t thread__utf8_cut(const char *s, size_t n, size_t max);

/* ---- processors --------------------------------------------------------- */

/* Processors online, or 0 when the system cannot say (thread_posix.c /
 * thread_win.c).  A system call: lock.c asks once and keeps the answer. */
THREAD_HIDDEN int thread__online_cpus(void);

/* ---- clock and deadlines ---------------------------------------------- */

/* Nanoseconds on the monotonic clock (thread_posix.c / thread_win.c). */
THREAD_HIDDEN int64_t thread__monotonic_ns(void);

/* The absolute monotonic deadline `timeout_ns` from now; saturates instead
 * of overflowing (deadline.c).  timeout_ns must be >= 0. */
THREAD_HIDDEN int64_t thread__deadline_after(int64_t timeout_ns);

/* Nanoseconds left until `deadline_ns` (0 when it has passed). */
THREAD_HIDDEN int64_t thread__time_left(int64_t deadline_ns);

/* Print `msg` and abort: for states the platform promised cannot happen. */
THREAD_HIDDEN THREAD_NORETURN void thread__fatal(const char *msg);

#endif /* THREAD_IMPL_H */
