/* Helpers shared by the torture programs (torture.h). */
#include "torture.h"

long torture_arg(int argc, char **argv, int i, long fallback)
{
	long v;
	if (i >= argc)
		return fallback;
	v = strtol(argv[i], NULL, 10);
	return v > 0 ? v : fallback;
}

long torture_run_workers(thread_func fn, void *args, size_t size, long total, int live,
                         int64_t deadline, long *hung)
{
	thread_handle *slot[64];
	long started = 0;
	int rc = 0, n = live < 64 ? live : 64;
	for (int i = 0; i < n; i++)
		slot[i] = NULL;
	/* Poll the slots with zero-wait joins: whichever worker ends first is
	 * replaced first, as a server replaces its request threads. */
	for (;;) {
		int busy = 0;
		for (int i = 0; i < n; i++) {
			if (slot[i] && thread_join(slot[i], 0, 0) == 1)
				slot[i] = NULL;
			if (!slot[i] && started < total && rc == 0) {
				rc = thread_start_joinable(&slot[i], fn,
				                           (char *)args + (size_t)started * size, NULL);
				if (rc == 0)
					started++;
				else
					slot[i] = NULL;
			}
			busy += slot[i] != NULL;
		}
		if (!busy)
			break;
		if (thread_monotonic_ns() > deadline) {
			*hung = busy;
			break;
		}
		pause_ms(1);
	}
	return rc ? rc : started;
}
