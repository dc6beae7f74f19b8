/* Test helpers shared by every platform. */
#include "harness.h"

long scaled(long n)
{
	const char *s = getenv("THREAD_TEST_SCALE");
	double f = s ? atof(s) : 1.0;
	long r = (long)((double)n * (f > 0 ? f : 1.0));
	return r < 1 ? 1 : r;
}

int threads_serialised(void)
{
	const char *s = getenv("THREAD_TEST_SERIALISED");
	return s && *s == '1';
}

thread_ident start_or_fail(thread_func f, void *arg)
{
	thread_ident id = 0;
	int rc = thread_start_new_thread(f, arg, &id);
	if (rc != 0)
		FAIL_("thread_start_new_thread: %s", thread_strerror(rc));
	return id;
}

thread_handle *start_joinable_or_fail(thread_func f, void *arg,
                                      thread_ident *ident)
{
	thread_handle *h = NULL;
	int rc = thread_start_joinable(&h, f, arg, ident);
	if (rc != 0)
		FAIL_("thread_start_joinable: %s", thread_strerror(rc));
	return h;
}
