/* Stack size and start failure. */
#include "harness.h"

#define KiB ((size_t)1024)
#define MiB (1024 * KiB)

TEST(stack_size_is_set_and_the_previous_setting_reported)
{
	size_t prev = 12345;
	ASSERT_EQ(thread_stack_size(0, &prev), 0);
	ASSERT_EQ(prev, 0);
	ASSERT_EQ(thread_stack_size(256 * KiB, &prev), 0);
	ASSERT_EQ(prev, 0);
	ASSERT_EQ(thread_stack_size(512 * KiB, NULL), 0);
	ASSERT_EQ(thread_stack_size(0, &prev), 0);
	ASSERT_EQ(prev, 512 * KiB);
}

TEST(stack_size_below_the_platform_minimum_is_rejected_and_unchanged)
{
	size_t prev = 1;
	ASSERT_EQ(thread_stack_size(1 * MiB, NULL), 0);
	ASSERT_EQ(thread_stack_size(1, &prev), THREAD_EINVAL);
	ASSERT_EQ(prev, 1); /* untouched on failure */
	ASSERT_EQ(thread_stack_size(0, &prev), 0);
	ASSERT_EQ(prev, 1 * MiB);
}

/* Touch `depth` frames of 64 KiB each; returns how many depths were odd. */
static int deep(int depth)
{
	volatile char frame[64 * 1024];
	frame[0] = (char)(depth & 1);
	frame[sizeof frame - 1] = (char)(depth & 1);
	return depth == 0 ? frame[0] : deep(depth - 1) + frame[sizeof frame - 1];
}

struct deep_probe {
	steps *st;
	int depth, result;
};

static void run_deep(void *p)
{
	struct deep_probe *dp = (struct deep_probe *)p;
	dp->result = deep(dp->depth);
	steps_set(dp->st, 1);
}

TEST(threads_get_the_stack_size_that_was_set)
{
	/* 24 MiB of frames: more than any platform's default thread stack
	 * (8 MiB on Linux, 1 MiB on Windows), so this only passes if the
	 * requested 64 MiB is honoured. */
	struct deep_probe dp = {steps_new(), 24 * 16, -1};
	ASSERT_EQ(thread_stack_size(64 * MiB, NULL), 0);
	start_or_fail(run_deep, &dp);
	steps_wait(dp.st, 1);
	ASSERT_EQ(dp.result, (24 * 16 + 1) / 2);
	steps_free(dp.st);
}

static void never_runs(void *p)
{
	*(int *)p = 1;
}

static void note_ran(void *p)
{
	steps_set((steps *)p, 1);
}

TEST(start_failure_returns_an_error_leaks_nothing_and_later_starts_work)
{
	int ran = 0;
	thread_ident id = 7;
	steps *st = steps_new();
	/* A stack larger than any address space: the platform accepts the
	 * number but cannot map it, so thread creation fails. */
	ASSERT_EQ(thread_stack_size((size_t)1 << 50, NULL), 0);
	for (int i = 0; i < 100; i++) {
		int rc = thread_start_new_thread(never_runs, &ran, &id);
		ASSERT_TRUE(rc == THREAD_EAGAIN || rc == THREAD_ENOMEM);
	}
	ASSERT_EQ(id, 7);
	ASSERT_EQ(thread_stack_size(0, NULL), 0);
	start_or_fail(note_ran, st);
	steps_wait(st, 1);
	ASSERT_EQ(ran, 0);
	steps_free(st);
}
