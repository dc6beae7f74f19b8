/* Native thread identifiers and thread names. */
#include "harness.h"

struct probe {
	steps *st;
	uint64_t native, system;
	int name_rc;
	char name[64];
};

static void note_native_id(void *p)
{
	struct probe *pr = (struct probe *)p;
	pr->native = thread_get_native_id();
	pr->system = platform_native_id();
	/* A new thread may start with its creator's name (Linux): set ours. */
	if (pr->name_rc == 0)
		pr->name_rc = thread_set_name("other-named");
	if (pr->name_rc == 0)
		pr->name_rc = thread_get_name(pr->name, sizeof pr->name);
	steps_set(pr->st, 1);
	steps_wait(pr->st, 2); /* alive while the main thread compares */
	steps_set(pr->st, 3);  /* the last touch of pr */
}

TEST(native_id_is_nonzero_stable_and_distinct_between_live_threads)
{
	struct probe pr;
	memset(&pr, 0, sizeof pr);
	pr.st = steps_new();
	uint64_t mine = thread_get_native_id();
	ASSERT_NE(mine, 0);
	ASSERT_EQ(thread_get_native_id(), mine);
	start_or_fail(note_native_id, &pr);
	steps_wait(pr.st, 1);
	ASSERT_NE(pr.native, 0);
	ASSERT_NE(pr.native, mine);
	steps_set(pr.st, 2);
	steps_wait(pr.st, 3);
	steps_free(pr.st);
}

TEST(native_id_is_what_the_system_reports_for_the_thread)
{
	struct probe pr;
	memset(&pr, 0, sizeof pr);
	pr.st = steps_new();
	if (platform_native_id() == 0)
		SKIP("no independent way to read the native id here");
	ASSERT_EQ(thread_get_native_id(), platform_native_id());
	start_or_fail(note_native_id, &pr);
	steps_wait(pr.st, 1);
	ASSERT_EQ(pr.native, pr.system);
	steps_set(pr.st, 2);
	steps_wait(pr.st, 3);
	steps_free(pr.st);
}

static void skip_without_names(void)
{
	if (thread_set_name("probe") == THREAD_ENOSYS)
		SKIP("the platform has no thread names");
}

TEST(name_set_by_a_thread_reads_back_and_is_what_the_system_shows)
{
	char buf[64], sys[64];
	skip_without_names();
	ASSERT_EQ(thread_set_name("worker-1"), 0);
	ASSERT_EQ(thread_get_name(buf, sizeof buf), 0);
	ASSERT_STR_EQ(buf, "worker-1");
	if (platform_thread_name(sys, sizeof sys))
		ASSERT_STR_EQ(sys, "worker-1");
	ASSERT_EQ(thread_set_name(""), 0);
	ASSERT_EQ(thread_get_name(buf, sizeof buf), 0);
	ASSERT_STR_EQ(buf, "");
}

TEST(names_belong_to_the_thread_that_set_them)
{
	struct probe pr;
	memset(&pr, 0, sizeof pr);
	pr.st = steps_new();
	char buf[64];
	skip_without_names();
	ASSERT_EQ(thread_set_name("main-named"), 0);
	start_or_fail(note_native_id, &pr);
	steps_wait(pr.st, 1);
	ASSERT_EQ(pr.name_rc, 0);
	ASSERT_STR_EQ(pr.name, "other-named");
	ASSERT_EQ(thread_get_name(buf, sizeof buf), 0);
	ASSERT_STR_EQ(buf, "main-named");
	steps_set(pr.st, 2);
	steps_wait(pr.st, 3);
	steps_free(pr.st);
}

/* 300 bytes of ASCII: longer than any platform keeps. */
static void long_ascii(char *s)
{
	for (int i = 0; i < 300; i++)
		s[i] = (char)('a' + i % 26);
	s[300] = '\0';
}

TEST(a_long_name_is_kept_as_a_nonempty_prefix)
{
	char name[301], buf[512];
	skip_without_names();
	long_ascii(name);
	ASSERT_EQ(thread_set_name(name), 0);
	ASSERT_EQ(thread_get_name(buf, sizeof buf), 0);
	ASSERT_GE(strlen(buf), 15);
	ASSERT_LT(strlen(buf), 300);
	ASSERT_EQ(strncmp(buf, name, strlen(buf)), 0);
}

/* Two-byte characters: a cut at an odd byte count would split one. */
TEST(a_long_utf8_name_is_cut_at_a_character_boundary)
{
	char name[301], buf[512];
	size_t n;
	skip_without_names();
	for (int i = 0; i < 150; i++) {
		name[2 * i] = (char)0xC3;
		name[2 * i + 1] = (char)0xA9; /* U+00E9 */
	}
	name[300] = '\0';
	ASSERT_EQ(thread_set_name(name), 0);
	ASSERT_EQ(thread_get_name(buf, sizeof buf), 0);
	n = strlen(buf);
	ASSERT_GT(n, 0);
	ASSERT_EQ(n % 2, 0);
	ASSERT_EQ(strncmp(buf, name, n), 0);
}

TEST(get_name_into_a_small_buffer_cuts_at_a_character_boundary)
{
	char buf[4];
	skip_without_names();
	/* "a" then two 2-byte characters: 5 bytes; 3 fit, the third would
	 * split the second character. */
	ASSERT_EQ(thread_set_name("a\xC3\xA9\xC3\xA9"), 0);
	ASSERT_EQ(thread_get_name(buf, sizeof buf), 0);
	ASSERT_STR_EQ(buf, "a\xC3\xA9");
	ASSERT_EQ(thread_get_name(buf, 1), 0);
	ASSERT_STR_EQ(buf, "");
}

TEST(name_calls_with_bad_arguments_return_einval)
{
	char buf[8];
	ASSERT_EQ(thread_set_name(NULL), THREAD_EINVAL);
	ASSERT_EQ(thread_get_name(NULL, 8), THREAD_EINVAL);
	ASSERT_EQ(thread_get_name(buf, 0), THREAD_EINVAL);
	ASSERT_STR_EQ(thread_strerror(THREAD_ENOSYS), "not supported on this platform");
}
