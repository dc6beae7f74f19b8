/* Wait backend: WaitOnAddress / WakeByAddressSingle / WakeByAddressAll
 * (Windows 8 and later; link synchronization).  MSVC-compatible C.
 *
 * WaitOnAddress takes a relative timeout in milliseconds, so each call
 * converts the absolute monotonic deadline into the time left, rounded up
 * so that a wait never ends before the deadline merely for lack of
 * resolution.  It may still return early (timer ticks, spurious wake-ups);
 * the contract allows that and lock.c reads the clock again and waits for
 * what is left.
 *
 * THREAD_INTERRUPTIBLE: Windows has no POSIX signals.  A console Ctrl+C
 * handler runs on a thread of its own, and WaitOnAddress is not an
 * alertable wait, so queued APCs do not end it either.  Nothing can
 * interrupt this wait, so it never returns THREAD_EINTR and the flag has no
 * effect: an interruptible acquire behaves exactly like a plain timed one. */
#if !defined(_WIN32_WINNT) || _WIN32_WINNT < 0x0602
#undef _WIN32_WINNT
#define _WIN32_WINNT 0x0602 /* Windows 8: WaitOnAddress */
#endif

#include "thread_impl.h"

#include <windows.h>

#define NS_PER_MS 1000000

int thread__wait(const uint32_t *addr, uint32_t expected, int64_t deadline_ns)
{
	DWORD ms = INFINITE;
	if (deadline_ns >= 0) {
		int64_t left = thread__time_left(deadline_ns), rounded;
		if (left == 0)
			return 0;
		rounded = left / NS_PER_MS + (left % NS_PER_MS != 0);
		/* INFINITE is a sentinel; a longer wait returns early, which the
		 * contract allows. */
		ms = rounded >= (int64_t)INFINITE ? INFINITE - 1 : (DWORD)rounded;
	}
	/* Returns at once if *addr != expected, compared atomically with going
	 * to sleep, so a wake between the caller's check and here is not lost. */
	if (WaitOnAddress((volatile VOID *)addr, &expected, sizeof expected, ms))
		return 0;
	if (GetLastError() == ERROR_TIMEOUT)
		return 0; /* the caller reads the clock */
	thread__fatal("libthread: WaitOnAddress failed");
}

void thread__wake_one(const uint32_t *addr)
{
	WakeByAddressSingle((PVOID)addr);
}

void thread__wake_all(const uint32_t *addr)
{
	WakeByAddressAll((PVOID)addr);
}

void thread__wait_after_fork(void)
{
	/* No fork on Windows; the system keeps the wait queues anyway. */
}
