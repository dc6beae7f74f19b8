/* A joinable thread, waited for with a timeout: the main thread reports
 * progress while it waits, then joins (which frees the handle).
 * In a terminal the progress is one line that redraws; in a log or a pipe
 * it is one line per step, with no carriage returns. */
#define _POSIX_C_SOURCE 200809L /* fileno, isatty */
#include <stdio.h>
#include <unistd.h>
#include <thread.h>

static void slow_sum(void *arg)
{
	volatile unsigned long long *sum = (unsigned long long *)arg;
	for (unsigned long long i = 0; i < 1500000000ULL; i++) /* about a second here */
		*sum += i & 7;
}

int main(void)
{
	unsigned long long sum = 0;
	thread_handle *worker;
	int polls = 0, rc;
	int live = isatty(fileno(stdout)); /* a person is watching */

	rc = thread_start_joinable(&worker, slow_sum, &sum, NULL);
	if (rc != 0) {
		fprintf(stderr, "start: %s\n", thread_strerror(rc));
		return 1;
	}
	/* 0: not done within 100 ms, the handle is still ours; 1: joined. */
	while ((rc = thread_join(worker, 100 * 1000000LL, 0)) == 0) {
		polls++;
		if (live) {
			/* The text only grows, so each frame covers the last. */
			printf("\rstill working after %d00 ms", polls);
			fflush(stdout);
		} else {
			printf("still working after %d00 ms\n", polls);
		}
	}
	if (live && polls > 0)
		printf("\n"); /* end the redrawn line */
	if (rc != 1) {
		fprintf(stderr, "join: %s\n", thread_strerror(rc));
		return 1;
	}
	printf("joined: sum = %llu\n", sum);
	return 0;
}
