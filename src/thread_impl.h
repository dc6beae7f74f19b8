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
