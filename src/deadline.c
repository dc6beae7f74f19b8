/* Timeouts become absolute monotonic deadlines once, here; backends convert
 * them to whatever their sleep call takes. */
#include "thread_impl.h"

int64_t thread_monotonic_ns(void)
{
	return thread__monotonic_ns();
}

int64_t thread__deadline_after(int64_t timeout_ns)
{
	int64_t now = thread__monotonic_ns();
	/* Saturate: a timeout of centuries is a deadline at the end of time. */
	if (timeout_ns > INT64_MAX - now)
		return INT64_MAX;
	return now + timeout_ns;
}

int64_t thread__time_left(int64_t deadline_ns)
{
	int64_t left = deadline_ns - thread__monotonic_ns();
	return left > 0 ? left : 0;
}
