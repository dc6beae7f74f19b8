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
#define THREAD_ENOTOWNER  (-6) /* release of a reentrant lock by a non-owner */
#define THREAD_ENOSYS     (-7) /* the platform lacks the feature (thread names) */
#define THREAD_EOVERFLOW  (-8) /* a reentrant lock's recursion count is at its limit */

/* Flags for thread_lock_acquire_timed() and thread_rlock_acquire_timed(). */
#define THREAD_INTERRUPTIBLE 1u /* a signal handler may end the wait: THREAD_EINTR */
#define THREAD_NO_SPIN       2u /* sleep at once: the holder will not be quick */

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
 * THREAD_EINVAL when `lock` is NULL or `flags` has unknown bits
 * (THREAD_INTERRUPTIBLE and THREAD_NO_SPIN are known).
 * Ordering: as thread_lock_acquire. */
THREAD_API int thread_lock_acquire_timed(thread_lock *lock, int64_t timeout_ns,
                                         unsigned flags);
/* THREAD_NO_SPIN: a held lock is waited for by sleeping at once, without
 * the short spin that otherwise comes first (a holder on another processor
 * usually releases within it).  For a waiter that knows the release is far
 * off and that the thread it just woke may be waiting for this processor:
 * an interpreter thread that gave up its interpreter lock to wait, say,
 * where the release needs another thread to take that lock first. */

/* Spin for at most `spin_ns` nanoseconds (monotonic clock) trying to take
 * `lock`, never sleeping.  Returns 1 once held, 0 when the time ran out
 * (at once when the lock is held and `spin_ns` <= 0), THREAD_EINVAL when
 * `lock` is NULL.  It busies the caller's processor for the whole time: it
 * pays only when the holder runs on another processor and will release
 * within `spin_ns`, so that a sleep and a wake-up (tens of microseconds on
 * a virtual machine) would cost more.  A spinner takes the lock as a
 * zero-wait acquire does: it does not count as a waiter, so a release
 * wakes nobody for it and never grants it the lock.
 * Ordering: as thread_lock_acquire when it returns 1. */
THREAD_API int thread_lock_acquire_spin(thread_lock *lock, int64_t spin_ns);

/* Spin while the 32-bit word at `word` holds `value`, for at most `spin_ns`
 * nanoseconds (monotonic clock), never sleeping: for a flag that another
 * thread, running on another processor, is about to change.  Returns 1
 * once the word holds another value (at once if it already does), 0 when
 * the time ran out, THREAD_EINVAL when `word` is NULL.  The word is read
 * atomically, 4-byte aligned, and never written.
 * Ordering: none; the reads are relaxed, so what the word guards must be
 * reached through its own synchronisation. */
THREAD_API int thread_spin_while(const uint32_t *word, uint32_t value, int64_t spin_ns);

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

/* ---- reentrant locks -------------------------------------------------- */

/* A reentrant lock: the thread that holds it may acquire it again, and must
 * release it as often; only that thread may release it.  Built on a
 * thread_lock (so waiting, timeouts and fairness are the lock's) plus an
 * owner and a recursion count.  Initialise with THREAD_RLOCK_INIT (or zero
 * memory); no destroy.  Treat the fields as opaque.
 * The owner is a thread_ident: a thread that ends while owning the lock
 * leaves it owned, and a later thread that happens to get the same
 * identifier would count as its owner (as with CPython's RLock). */
typedef struct thread_rlock {
	thread_lock lock_;     /* held while owned */
	uint32_t count_;       /* recursion depth; only the owner touches it */
	thread_ident owner_;   /* 0 when unowned; written by the owner */
} thread_rlock;

#define THREAD_RLOCK_INIT {THREAD_LOCK_INIT, 0, 0}

/* What thread_rlock_release_save took off a reentrant lock. */
typedef struct thread_rlock_state {
	thread_ident owner;
	uint32_t count;
} thread_rlock_state;

/* Acquire `rlock`.  If the calling thread owns it already, add one level and
 * return 1 at once.  Otherwise as thread_lock_acquire: with `waitflag`
 * nonzero wait as long as it takes (signals do not interrupt) and return
 * 1; with `waitflag` zero return 1 if it was free, else 0.
 * THREAD_EOVERFLOW when the owner already holds UINT32_MAX levels (nothing
 * changes); THREAD_EINVAL when `rlock` is NULL.
 * Ordering: a first-level acquire happens-after the release that freed it. */
THREAD_API int thread_rlock_acquire(thread_rlock *rlock, int waitflag);

/* As thread_rlock_acquire, but a thread that does not own `rlock` waits at
 * most `timeout_ns` nanoseconds (negative: no limit; 0: only if it is free
 * now) on the monotonic clock.  Returns 1 held (one more level), 0 when the
 * time ran out; THREAD_EINTR only with THREAD_INTERRUPTIBLE in `flags` and a
 * signal handler ran while it slept (see thread_lock_acquire_timed);
 * THREAD_EOVERFLOW as above; THREAD_EINVAL when `rlock` is NULL or `flags`
 * has unknown bits.  The owner never waits. */
THREAD_API int thread_rlock_acquire_timed(thread_rlock *rlock, int64_t timeout_ns,
                                          unsigned flags);

/* Drop one level of `rlock`; the last level frees it, and then one waiter
 * gets it.  Returns 0; THREAD_ENOTOWNER when the calling thread does not
 * own it (free, or owned by another thread: nothing changes);
 * THREAD_EINVAL when `rlock` is NULL.  Never blocks.
 * Ordering: the release of the last level happens-before the acquire that
 * next takes the lock. */
THREAD_API int thread_rlock_release(thread_rlock *rlock);

/* 1 if the calling thread owns `rlock`, 0 if not (free or another thread's);
 * THREAD_EINVAL when NULL.  Exact for the caller: only the caller can make
 * itself owner or not.  Orders no memory. */
THREAD_API int thread_rlock_is_owned(const thread_rlock *rlock);

/* The calling thread's recursion count on `rlock`: the levels it holds, 0
 * when another thread or nobody owns it.  0 when `rlock` is NULL. */
THREAD_API uint32_t thread_rlock_count(const thread_rlock *rlock);

/* For display and diagnostics: the owner of `rlock` (0 when free) and its
 * recursion count (0 when free), as seen from any thread.  The two are
 * read separately and may be stale, or from different moments, by the
 * time they are used; never decide anything on them (thread_rlock_is_owned
 * and thread_rlock_count are exact for the caller).  Returns 0;
 * THREAD_EINVAL when an argument is NULL.  Orders no memory. */
THREAD_API int thread_rlock_peek(const thread_rlock *rlock, thread_ident *owner,
                                 uint32_t *count);

/* Release every level the calling thread holds and store its owner and
 * count in *saved, to be given back by thread_rlock_acquire_restore (what a
 * condition variable does around its wait).  Returns 0; THREAD_ENOTOWNER
 * when the caller does not own it; THREAD_EINVAL when an argument is NULL.
 * Ordering: as the release of the last level. */
THREAD_API int thread_rlock_release_save(thread_rlock *rlock,
                                         thread_rlock_state *saved);

/* Acquire `rlock` (waiting as long as it takes; signals do not interrupt)
 * and make `saved` its owner and count again.  Returns 0; THREAD_EINVAL
 * when an argument is NULL, or `saved` has a zero owner or count.  Calling
 * it while owning `rlock` deadlocks, as a second non-reentrant acquire
 * would (release_save left the caller without a level). */
THREAD_API int thread_rlock_acquire_restore(thread_rlock *rlock,
                                            const thread_rlock_state *saved);

/* As thread_rlock_acquire_restore when `rlock` is free; when it is not,
 * return 0 at once, changing nothing.  Returns 1 if restored; THREAD_EINVAL
 * as above.  For a caller with something to do before it may wait (an
 * interpreter gives up its own lock first). */
THREAD_API int thread_rlock_try_restore(thread_rlock *rlock, const thread_rlock_state *saved);

/* ---- joinable threads ------------------------------------------------- */

/* A running (or finished, not yet joined) thread started by
 * thread_start_joinable.  Opaque; one per thread; freed by a join that
 * returns 1 or by thread_detach, after which it must not be used. */
typedef struct thread_handle thread_handle;

/* Start a thread running func(arg) and store its handle in *out.  As
 * thread_start_new_thread otherwise: `ident` (if not NULL) receives the
 * identifier the thread sees; the same codes on failure (THREAD_EINVAL also
 * when `out` is NULL), and then *out is untouched, no thread runs, nothing
 * leaks.  Exactly one thread_join returning 1 or one thread_detach must
 * follow, or the handle and the thread's system resources leak.
 * Ordering: what the caller did before the call happens-before func starts. */
THREAD_API int thread_start_joinable(thread_handle **out, thread_func func,
                                     void *arg, thread_ident *ident);

/* Wait at most `timeout_ns` nanoseconds (negative: no limit; 0: do not
 * wait) on the monotonic clock for the thread of `handle` to be done, then
 * free the handle and the thread.
 * "Done": func returned or the thread called thread_exit, and everything
 * the library keeps for the thread is finished with.  Once done, a join
 * waits only for the system to finish the thread, which it is already
 * doing; when join returns 1 the thread no longer exists.
 * Returns 1 joined (the handle is freed); 0 when the time ran out (the
 * handle stays valid: join again or detach); THREAD_EINTR only with
 * THREAD_INTERRUPTIBLE in `flags` and a signal handler ran while it slept
 * (the handle stays valid); THREAD_EINVAL when `handle` is NULL, `flags`
 * has bits other than THREAD_INTERRUPTIBLE and THREAD_NO_SPIN (which mean
 * what they mean to thread_lock_acquire_timed), or the caller is the thread
 * itself (that would never end).  One thread at a time may join a handle.
 * Ordering: everything the thread did happens-before a return of 1. */
THREAD_API int thread_join(thread_handle *handle, int64_t timeout_ns,
                           unsigned flags);

/* Give up the handle: the thread runs on, and whatever the library and the
 * system keep for it is freed when it is done (at once, if it is done
 * already).  Returns 0; THREAD_EINVAL when `handle` is NULL.  Never blocks.
 * The thread itself may detach its own handle. */
THREAD_API int thread_detach(thread_handle *handle);

/* 1 when the thread of `handle` is done (see thread_join), 0 while it runs;
 * THREAD_EINVAL when NULL.  A snapshot that orders no memory: a join with
 * timeout 0 after a 1 returns 1 and gives the ordering. */
THREAD_API int thread_handle_is_done(const thread_handle *handle);

/* The identifier of the thread of `handle` (what thread_get_ident returns
 * in it); 0 when `handle` is NULL. */
THREAD_API thread_ident thread_handle_ident(const thread_handle *handle);

/* ---- native identifiers and names ------------------------------------- */

/* The calling thread's identifier as the operating system reports it to
 * other processes and tools: the kernel task id (gettid) on Linux, the
 * thread id (GetCurrentThreadId, also what thread_get_ident returns) on
 * Windows, pthread_threadid_np on macOS, pthread_getthreadid_np on FreeBSD.
 * Elsewhere, where POSIX offers none, it is thread_get_ident().  Nonzero,
 * distinct among live threads of the system (Linux, Windows, macOS,
 * FreeBSD) or of the process (fallback).  Never fails or blocks. */
THREAD_API uint64_t thread_get_native_id(void);

/* Set the calling thread's name, as debuggers, `ps`/`top` and crash reports
 * show it.  `name` is UTF-8; a name longer than the platform keeps is cut
 * at the last whole UTF-8 character that fits: 15 bytes on Linux (the
 * kernel's limit), 63 on macOS, 19 on FreeBSD, 255 on Windows (ours: the
 * system has no small limit).  Returns 0; THREAD_ENOSYS where the platform
 * has no thread names (other POSIX systems; Windows before 10 1607, and
 * Wine versions without SetThreadDescription); THREAD_EINVAL when `name` is
 * NULL or (Windows) not valid UTF-8. */
THREAD_API int thread_set_name(const char *name);

/* Store the calling thread's name in `buf` (`size` bytes, NUL included),
 * cut at a whole UTF-8 character when it does not fit.  A thread nobody
 * named has the platform's default (Linux: the program's name; Windows:
 * ""). Returns 0; THREAD_ENOSYS as thread_set_name; THREAD_EINVAL when
 * `buf` is NULL or `size` is 0. */
THREAD_API int thread_get_name(char *buf, size_t size);

/* ---- fork -------------------------------------------------------------- */

/* After fork() in a process with threads, the child has one thread: the one
 * that forked.  Locks held by threads that no longer exist stay held, and a
 * lock's word may say that sleepers wait on it.  The child reinitialises
 * the locks it will use with the calls below.  Only safe while nothing else
 * can touch the lock: in the child before it starts threads, or wherever
 * the lock is not in use. */

/* Make `lock` unlocked, with no sleepers.  Returns 0; THREAD_EINVAL when NULL. */
THREAD_API int thread_lock_reinit(thread_lock *lock);

/* Make `rlock` free, no owner, count 0.  Returns 0; THREAD_EINVAL when NULL. */
THREAD_API int thread_rlock_reinit(thread_rlock *rlock);

/* Reset the library's own state in a forked child: the wait layer's (the
 * parking table of the portable backend, whose internal mutexes a vanished
 * thread may have held) and the count of running threads, which becomes 0.
 * On POSIX the library registers this with pthread_atfork the first time it
 * starts a thread or sleeps in a wait, so a child usually needs not call it;
 * calling it again is harmless.  Call it yourself in a child forked with a
 * call that runs no atfork handlers (the raw system call).  Windows has no
 * fork: it only resets the count.  Never fails. */
THREAD_API void thread_after_fork_child(void);

/* Threads started by thread_start_new_thread or thread_start_joinable that
 * have not yet finished (a thread counts until its function returned or it
 * called thread_exit).  Threads the library did not start, and the main
 * thread, are not counted.  In a forked child, after
 * thread_after_fork_child, it is 0: the forking thread is the only one, and
 * it is not counted even if the library started it.  Orders no memory. */
THREAD_API uint32_t thread_count(void);

/* ---- errors ----------------------------------------------------------- */

/* A short English message for `err` (any THREAD_E* code, 0, or anything
 * else, for which it says the code is unknown).  The string is static. */
THREAD_API const char *thread_strerror(int err);

#ifdef __cplusplus
}
#endif

#endif /* THREAD_H */
