/* A joinable thread, waited for with a timeout: the main thread reports
 * progress while it waits, then joins (which frees the handle). */
#include <stdio.h>
#include <thread.h>

static void slow_sum(void *arg)
{
	volatile unsigned long long *sum = (unsigned long long *)arg;
	for (unsigned long long i = 0; i < 300000000ULL; i++)
		*sum += i & 7;
}

int main(void)
{
	unsigned long long sum = 0;
	thread_handle *worker;
	int polls = 0, rc;

	rc = thread_start_joinable(&worker, slow_sum, &sum, NULL);
	if (rc != 0) {
		fprintf(stderr, "start: %s\n", thread_strerror(rc));
		return 1;
	}
	/* 0: not done within 100 ms, the handle is still ours; 1: joined. */
	while ((rc = thread_join(worker, 100 * 1000000LL, 0)) == 0)
		printf("still working after %d00 ms\n", ++polls);
	if (rc != 1) {
		fprintf(stderr, "join: %s\n", thread_strerror(rc));
		return 1;
	}
	printf("joined: sum = %llu\n", sum);
	return 0;
}
