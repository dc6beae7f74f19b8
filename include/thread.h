/* libthread: multiple threads of control and simple locks.
 *
 * The model is the one of the classic `thread` module: start a thread on
 * func(arg) and get a nonzero identifier, end the calling thread, ask who you
 * are, and use small locks that are binary semaphores (initially unlocked,
 * released by any thread, blocking, non-blocking and timed acquire).
 *
 * Errors: every fallible function returns 0 (or, for acquire, 1/0) on
 * success and a negative THREAD_E* code on failure.  The codes have fixed
 * values on every platform; thread_strerror() names them.
 *
 * This header is C99 and C++ clean and uses no atomics: a thread_lock holds a
 * plain 32-bit word that only the library touches, atomically. */
#ifndef THREAD_H
#define THREAD_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_WIN32) && defined(THREAD_SHARED_BUILD)
#define THREAD_API __declspec(dllexport)
#elif defined(_WIN32) && defined(THREAD_SHARED)
#define THREAD_API __declspec(dllimport)
#elif defined(__GNUC__)
#define THREAD_API __attribute__((visibility("default")))
#else
#define THREAD_API
#endif

#define THREAD_VERSION_MAJOR 1
#define THREAD_VERSION_MINOR 0
#define THREAD_VERSION_PATCH 0

/* Error codes (always negative, never errno values). */
#define THREAD_EINVAL     (-1) /* a bad argument: NULL pointer, bad flags or size */
#define THREAD_ENOMEM     (-2) /* out of memory */
#define THREAD_EAGAIN     (-3) /* the system lacks resources to start a thread */
#define THREAD_EINTR      (-4) /* a signal interrupted an interruptible wait */
#define THREAD_ENOTLOCKED (-5) /* release of a lock that is not locked */

/* Flags for thread_lock_acquire_timed(). */
#define THREAD_INTERRUPTIBLE 1u /* a signal handler may end the wait: THREAD_EINTR */

/* Identifier of a thread: nonzero while the thread lives; may be reused by
 * another thread after this one ends.  On POSIX it is the thread's
 * pthread_t (the value CPython's threading.get_ident() reports); on Windows
 * it is the thread id (GetCurrentThreadId). */
typedef uint64_t thread_ident;

/* The function a new thread runs. */
typedef void (*thread_func)(void *arg);

/* A lock: one 32-bit word.  Initialise with THREAD_LOCK_INIT (or zero
 * memory); it needs no destroy and may be embedded in any struct or placed
 * in static storage.  Locks are private to one process.  Treat the field as
 * opaque: only the library reads or writes it. */
typedef struct thread_lock {
	uint32_t word_;
} thread_lock;

#define THREAD_LOCK_INIT {0}

/* ---- threads ---------------------------------------------------------- */

/* Start a new thread running func(arg).  When func returns the thread ends
 * silently and everything the library allocated for it is freed; threads
 * are never joined.  If `ident` is not NULL, the new thread's identifier is
 * stored there before this returns (equal to what thread_get_ident()
 * returns inside that thread).
 * Returns 0; THREAD_EINVAL when `func` is NULL; THREAD_EAGAIN when the
 * system cannot start another thread (thread or address-space limits, or a
 * stack size it cannot provide); THREAD_ENOMEM when memory ran out.  On
 * failure no thread runs and nothing leaks.
 * Ordering: everything the caller did before the call happens-before func
 * starts. */
THREAD_API int thread_start_new_thread(thread_func func, void *arg,
                                       thread_ident *ident);

/* End the calling thread now.  On POSIX, cleanup handlers pushed with
 * pthread_cleanup_push run and thread-specific data destructors run, as for
 * pthread_exit.  Never returns.  Calling it in the main thread ends the main
 * thread only, as the platform defines. */
THREAD_API void thread_exit(void);

/* The calling thread's identifier: nonzero, stable for the life of the
 * thread, and distinct among live threads.  Works in any thread, including
 * the main thread and threads the library did not start.  Never fails and
 * never blocks. */
THREAD_API thread_ident thread_get_ident(void);

/* Set the stack size, in bytes, of threads started afterwards; 0 means the
 * platform default.  If `previous` is not NULL the setting in force before
 * the call is stored there (0 for the default).
 * Returns 0; THREAD_EINVAL when the platform rejects the size (below its
 * minimum, for example); the setting is then unchanged.  A size the
 * platform accepts but cannot provide makes thread_start_new_thread fail
 * with THREAD_EAGAIN or THREAD_ENOMEM. */
THREAD_API int thread_stack_size(size_t size, size_t *previous);

/* ---- locks ------------------------------------------------------------ */

/* A new unlocked lock on the heap, or NULL when memory ran out.  Free it
 * with thread_free_lock().  A lock in your own storage, initialised with
 * THREAD_LOCK_INIT, works the same and needs neither call. */
THREAD_API thread_lock *thread_allocate_lock(void);

/* Free a lock from thread_allocate_lock().  NULL is ignored.  No thread may
 * be using the lock. */
THREAD_API void thread_free_lock(thread_lock *lock);

/* Acquire `lock`.  With `waitflag` nonzero, wait as long as it takes and
 * return 1; signals do not interrupt the wait.  With `waitflag` zero, take
 * the lock only if that needs no waiting, that is if it is not locked:
 * return 1 if it was taken, else 0.  A lock that is not locked is free for
 * anyone; no waiting thread has a claim on it.
 * Returns THREAD_EINVAL when `lock` is NULL.
 * Ordering: a return of 1 happens-after the thread_lock_release that made
 * the lock free. */
THREAD_API int thread_lock_acquire(thread_lock *lock, int waitflag);

/* Wait at most `timeout_ns` nanoseconds for `lock` (negative: no limit; 0:
 * only if it is free now, exactly as thread_lock_acquire(lock, 0)),
 * measured on the monotonic clock, so changes to the wall clock do not
 * matter.  The wait never ends before the timeout has passed unless the
 * lock was acquired or a signal interrupted it.
 * Returns 1 once held, 0 when the time ran out.  THREAD_EINTR only when
 * `flags` has THREAD_INTERRUPTIBLE and a signal handler ran in this thread
 * while it slept: always for a handler installed without SA_RESTART; for
 * one installed with SA_RESTART it depends on the system (on Linux a wait
 * with a timeout ends, as the kernel never restarts those, and one without
 * resumes; with musl and the park wait backend both resume unless some
 * handler was ever installed without SA_RESTART).  So handle THREAD_EINTR
 * whatever the handlers' flags, and do not count on it from SA_RESTART
 * ones.  The caller may then retry with the time left.
 * Without the flag, waits resume after signals and the deadline does not
 * move.  On Windows there are no POSIX signals and THREAD_INTERRUPTIBLE has
 * no effect.
 * THREAD_EINVAL when `lock` is NULL or `flags` has unknown bits.
 * Ordering: as thread_lock_acquire. */
THREAD_API int thread_lock_acquire_timed(thread_lock *lock, int64_t timeout_ns,
                                         unsigned flags);

/* Release `lock`.  Any thread may release it, not only the one that
 * acquired it.  If threads wait for it, one of them gets it: either the
 * lock becomes free and they compete for it with any other thread, or it
 * passes straight to one of them (as it does for a waiter that has lost
 * too often), which holds it from then on even before its acquire
 * returns: it stays locked, and a further release frees it as usual.
 * Returns 0; THREAD_ENOTLOCKED when the lock is not locked (the lock is
 * unchanged); THREAD_EINVAL when `lock` is NULL.  Never blocks.
 * Ordering: everything done before a release happens-before the acquire
 * that next takes the lock. */
THREAD_API int thread_lock_release(thread_lock *lock);

/* 1 if `lock` is currently held by some thread, 0 if not (a zero-wait
 * acquire would then take it); THREAD_EINVAL when `lock` is NULL.  The
 * answer may be stale as soon as it is returned; it orders no memory. */
THREAD_API int thread_lock_locked(const thread_lock *lock);

/* Nanoseconds on the monotonic clock that timed acquires measure against:
 * it never goes back and ignores changes to the wall clock; its zero is
 * arbitrary.  Use it to compute the time left before retrying a timed
 * acquire that returned THREAD_EINTR.  Never fails. */
THREAD_API int64_t thread_monotonic_ns(void);

/* ---- errors ----------------------------------------------------------- */

/* A short English message for `err` (any THREAD_E* code, 0, or anything
 * else, for which it says the code is unknown).  The string is static. */
THREAD_API const char *thread_strerror(int err);

#ifdef __cplusplus
}
#endif

#endif /* THREAD_H */
