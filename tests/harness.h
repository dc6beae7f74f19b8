/* Test harness: TEST(name) defines a test; CMake finds every TEST( line in
 * tests/test_*.c, lists it in tests.inc for main.c and registers it with
 * CTest, which runs each test in its own process under a timeout.
 * ASSERT_* print both operands and file:line, then abort the test. */
#ifndef HARNESS_H
#define HARNESS_H

#include "thread.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TEST(name) void test_##name(void)

#define FAIL_(...)                                                       \
	do {                                                             \
		fprintf(stderr, "%s:%d: ", __FILE__, __LINE__);          \
		fprintf(stderr, __VA_ARGS__);                            \
		fputc('\n', stderr);                                     \
		exit(1);                                                 \
	} while (0)

#define ASSERT_CMP_(a, op, b)                                                  \
	do {                                                                   \
		long long a_ = (long long)(a), b_ = (long long)(b);            \
		if (!(a_ op b_))                                               \
			FAIL_("ASSERT(%s %s %s): %lld vs %lld", #a, #op, #b,   \
			      a_, b_);                                         \
	} while (0)

#define ASSERT_EQ(a, b) ASSERT_CMP_(a, ==, b)
#define ASSERT_NE(a, b) ASSERT_CMP_(a, !=, b)
#define ASSERT_LT(a, b) ASSERT_CMP_(a, <, b)
#define ASSERT_LE(a, b) ASSERT_CMP_(a, <=, b)
#define ASSERT_GT(a, b) ASSERT_CMP_(a, >, b)
#define ASSERT_GE(a, b) ASSERT_CMP_(a, >=, b)
#define ASSERT_TRUE(a) ASSERT_CMP_(!!(a), ==, 1)
#define ASSERT_STR_EQ(a, b)                                                \
	do {                                                               \
		const char *a_ = (a), *b_ = (b);                           \
		if (strcmp(a_, b_) != 0)                                   \
			FAIL_("ASSERT(%s == %s): \"%s\" vs \"%s\"", #a, #b, \
			      a_, b_);                                     \
	} while (0)

/* Skip: print why and exit with the code CTest treats as skipped. */
#define SKIP_EXIT_CODE 77
#define SKIP(...)                                                        \
	do {                                                             \
		printf("SKIPPED: ");                                     \
		printf(__VA_ARGS__);                                     \
		putchar('\n');                                           \
		exit(SKIP_EXIT_CODE);                                    \
	} while (0)

/* ---- helpers (tests/helpers.c) --------------------------------------------- */

/* Monotonic nanoseconds, independent of the library's own clock. */
int64_t now_ns(void);

/* A step counter for ordering threads without sleeping: step_wait blocks
 * until the counter reaches n; step_set raises it.  Built on the platform's
 * own mutex and condition variable, not on the library under test. */
typedef struct steps steps;
steps *steps_new(void);
void steps_free(steps *s);
void steps_set(steps *s, int n);
void steps_wait(steps *s, int n);
/* Like steps_wait with a limit; returns 1 if reached, 0 on timeout. */
int steps_wait_for(steps *s, int n, int64_t timeout_ns);

/* Scale an iteration count by THREAD_TEST_SCALE (a float, default 1), for
 * slow runs: emulators, valgrind. Never below 1. */
long scaled(long n);

/* 1 when the tests run under a tool that serialises threads (valgrind sets
 * THREAD_TEST_SERIALISED=1 in `make valgrind`): real-time bounds on
 * scheduling then measure the tool, not the library. */
int threads_serialised(void);

/* Start a thread (or a joinable one) or fail the test. */
thread_ident start_or_fail(thread_func f, void *arg);
thread_handle *start_joinable_or_fail(thread_func f, void *arg,
                                      thread_ident *ident);

/* ---- platform helpers (tests/helpers_posix.c, tests/helpers_win.c) ---------
 * Test cases hold no platform #if; what differs lives behind these. */

/* Sleep the calling thread for about `ms` milliseconds.  Never used to
 * order threads, only to make an interesting interleaving likely. */
void pause_ms(int ms);

/* Offer the CPU to another runnable thread (sched_yield, SwitchToThread). */
void yield_cpu(void);

/* Nanoseconds the calling thread has spent runnable but not running
 * (waiting in the scheduler's run queue) since it started, or -1 where the
 * platform does not say.  Lets a timing test tell the library's delays
 * from a busy machine's. */
int64_t run_queue_wait_ns(void);

/* Start a thread with the platform's own call (pthread_create,
 * CreateThread), not the library's, detached.  Returns the identifier the
 * platform reports for it (pthread_t, thread id), or fails the test. */
thread_ident start_foreign_thread(thread_func f, void *arg);

/* POSIX signals: 0 where the platform has none (the test then skips). */
int signals_supported(void);
/* Install a handler for the test signal that counts its runs: with
 * SA_RESTART if `restart` is nonzero, else without. */
void install_counting_handler(int restart);
/* `handler` for `sig`, with SA_RESTART when `restart`: POSIX only,
 * defined in helpers_posix.c and not on Windows. */
void install_handler(int sig, void (*handler)(int), int restart);
/* How many times the handler ran, in any thread. */
int handler_runs(void);
/* Send the test signal to thread `id` (a thread_get_ident value). */
void signal_thread(thread_ident id);

/* Run body(arg) with cleanup(arg) pushed as a POSIX cleanup handler.
 * Returns 0 where the platform has no cleanup handlers (the test skips). */
int call_with_cleanup(void (*body)(void *), void (*cleanup)(void *), void *arg);

/* The calling thread's id as the system reports it without the library
 * (Linux: /proc/thread-self; Windows: GetCurrentThreadId), 0 where there is
 * no such independent way. */
uint64_t platform_native_id(void);

/* The calling thread's name as the system shows it to other tools (Linux:
 * /proc/thread-self/comm); 1 if read into buf, 0 where it cannot say. */
int platform_thread_name(char *buf, size_t size);

/* Fork; in the child run child(arg) and exit with its result (0..255).
 * Returns the child's exit status; FORK_HUNG when it did not end within
 * timeout_ns (it is then killed); FORK_SIGNALLED when it died of a signal;
 * FORK_UNSUPPORTED where the platform has no fork. */
/* 0 where fork is absent (Windows) or the tests run under a tool that
 * cannot follow a forked child's threads (ThreadSanitizer). */
int fork_supported(void);
/* 1 if a forked child of a process with threads can start threads of its
 * own, as a probe on the platform's threads alone (not the library's) finds;
 * otherwise 0, with the probe's finding written to why. */
int fork_child_can_start_threads(char *why, size_t size);
#define FORK_HUNG (-1)
#define FORK_SIGNALLED (-2)
#define FORK_UNSUPPORTED (-3)
int run_in_fork(int (*child)(void *), void *arg, int64_t timeout_ns);

#endif
