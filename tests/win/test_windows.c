/* Windows-only behaviour: identifiers are Win32 thread ids, started threads
 * leave no handles behind, the stack size is the stack reservation, and
 * THREAD_INTERRUPTIBLE has nothing to react to. */
#include "harness.h"

#include <windows.h>

#define MS 1000000LL
#define MiB ((size_t)1024 * 1024)

struct probe {
	steps *st;
	thread_ident seen;
	DWORD win_id;
	ULONG_PTR low, high;
};

static void note_ids(void *p)
{
	struct probe *pr = (struct probe *)p;
	pr->seen = thread_get_ident();
	pr->win_id = GetCurrentThreadId();
	GetCurrentThreadStackLimits(&pr->low, &pr->high);
	steps_set(pr->st, 1);
}

TEST(identifier_is_the_win32_thread_id)
{
	struct probe pr = {steps_new(), 0, 0, 0, 0};
	thread_ident id = start_or_fail(note_ids, &pr);
	steps_wait(pr.st, 1);
	ASSERT_EQ(pr.seen, pr.win_id);
	ASSERT_EQ(id, pr.win_id);
	ASSERT_EQ(thread_get_ident(), GetCurrentThreadId());
	steps_free(pr.st);
}

static DWORD WINAPI note_ids_win32(LPVOID p)
{
	note_ids(p);
	return 0;
}

TEST(thread_from_createthread_gets_its_win32_thread_id)
{
	struct probe pr = {steps_new(), 0, 0, 0, 0};
	DWORD id = 0;
	HANDLE h = CreateThread(NULL, 0, note_ids_win32, &pr, 0, &id);
	ASSERT_TRUE(h != NULL);
	ASSERT_EQ(WaitForSingleObject(h, INFINITE), WAIT_OBJECT_0);
	CloseHandle(h);
	ASSERT_NE(pr.seen, 0);
	ASSERT_EQ(pr.seen, id);
	steps_free(pr.st);
}

TEST(stack_size_is_the_reservation_of_the_new_thread)
{
	/* Not a multiple of 1 MiB, only of the 64 KiB granule, so a rounded
	 * default could not pass by chance. */
	size_t want = 3 * MiB + 64 * 1024;
	struct probe pr = {steps_new(), 0, 0, 0, 0};
	ASSERT_EQ(thread_stack_size(want, NULL), 0);
	start_or_fail(note_ids, &pr);
	steps_wait(pr.st, 1);
	ASSERT_EQ(pr.high - pr.low, want);
	steps_free(pr.st);
}

static void never_runs(void *p)
{
	*(int *)p = 1;
}

TEST(stack_size_above_what_beginthreadex_takes_fails_the_start)
{
	int ran = 0;
	thread_ident id = 7;
	ASSERT_EQ(thread_stack_size((size_t)UINT_MAX + 1, NULL), 0);
	ASSERT_EQ(thread_start_new_thread(never_runs, &ran, &id), THREAD_EAGAIN);
	ASSERT_EQ(id, 7);
	ASSERT_EQ(ran, 0);
}

struct countdown {
	thread_lock lk;
	int left; /* lk */
	steps *st;
};

static void count_down(void *p)
{
	struct countdown *c = (struct countdown *)p;
	thread_lock_acquire(&c->lk, 1);
	if (--c->left == 0)
		steps_set(c->st, 1);
	thread_lock_release(&c->lk);
}

TEST(finished_threads_leave_no_handles_behind)
{
	struct countdown c = {THREAD_LOCK_INIT, 200, steps_new()};
	DWORD before = 0, after = 0;
	ASSERT_TRUE(GetProcessHandleCount(GetCurrentProcess(), &before));
	for (int i = 0; i < 200; i++)
		start_or_fail(count_down, &c);
	steps_wait(c.st, 1);
	/* Each thread may still be between its last step and its exit; the
	 * starter closed every handle already, so the count cannot grow by
	 * 200 even then.  Allow the few the runtime may open lazily. */
	ASSERT_TRUE(GetProcessHandleCount(GetCurrentProcess(), &after));
	ASSERT_LT(after, before + 8);
	steps_free(c.st);
}

struct apc_probe {
	thread_lock lk;
	steps *st;
	DWORD win_id;
	int result, apc_ran_during, apc_ran_after;
	int64_t waited_ns;
};

static volatile LONG apc_runs;

static void CALLBACK count_apc(ULONG_PTR arg)
{
	(void)arg;
	InterlockedIncrement(&apc_runs);
}

static void wait_interruptibly(void *p)
{
	struct apc_probe *ap = (struct apc_probe *)p;
	int64_t t0;
	ap->win_id = GetCurrentThreadId();
	steps_set(ap->st, 1);
	t0 = now_ns();
	ap->result = thread_lock_acquire_timed(&ap->lk, 300 * MS, THREAD_INTERRUPTIBLE);
	ap->waited_ns = now_ns() - t0;
	ap->apc_ran_during = (int)apc_runs;
	SleepEx(0, TRUE); /* alertable: the queued APC runs now */
	ap->apc_ran_after = (int)apc_runs;
	steps_set(ap->st, 2);
}

TEST(interruptible_acquire_is_not_ended_by_an_apc)
{
	struct apc_probe ap = {THREAD_LOCK_INIT, steps_new(), 0, -99, 0, 0, 0};
	HANDLE h;
	ASSERT_EQ(thread_lock_acquire(&ap.lk, 1), 1);
	start_or_fail(wait_interruptibly, &ap);
	steps_wait(ap.st, 1);
	pause_ms(50); /* likely asleep in the acquire by now */
	h = OpenThread(THREAD_SET_CONTEXT, FALSE, ap.win_id);
	ASSERT_TRUE(h != NULL);
	ASSERT_TRUE(QueueUserAPC(count_apc, h, 0));
	CloseHandle(h);
	steps_wait(ap.st, 2);
	/* No THREAD_EINTR, no early return: the wait ran to its deadline. */
	ASSERT_EQ(ap.result, 0);
	ASSERT_GE(ap.waited_ns, 300 * MS);
	ASSERT_EQ(ap.apc_ran_during, 0);
	ASSERT_EQ(ap.apc_ran_after, 1);
	steps_free(ap.st);
}
