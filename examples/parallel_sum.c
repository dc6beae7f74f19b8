/* Sum 1..N in four threads.  A lock guards the total; a second lock, used
 * as a binary semaphore, lets the last worker tell main that all are done. */
#include <stdio.h>
#include <thread.h>

#define WORKERS 4
#define N 10000000L

static thread_lock total_lock = THREAD_LOCK_INIT;
static long long total;
static int finished;                      /* total_lock */
static thread_lock all_done = THREAD_LOCK_INIT;

static void worker(void *arg)
{
	long part = (long)(size_t)arg, chunk = N / WORKERS;
	long long sum = 0;
	for (long i = part * chunk + 1; i <= (part + 1) * chunk; i++)
		sum += i;
	thread_lock_acquire(&total_lock, 1);
	total += sum;
	printf("worker %ld (thread %llx) added %lld\n", part,
	       (unsigned long long)thread_get_ident(), sum);
	if (++finished == WORKERS)
		thread_lock_release(&all_done); /* released by a thread that
		                                   never acquired it */
	thread_lock_release(&total_lock);
}

int main(void)
{
	thread_lock_acquire(&all_done, 1); /* taken now; released by a worker */
	for (long i = 0; i < WORKERS; i++) {
		int rc = thread_start_new_thread(worker, (void *)(size_t)i, NULL);
		if (rc != 0) {
			fprintf(stderr, "cannot start a thread: %s\n", thread_strerror(rc));
			return 1;
		}
	}
	thread_lock_acquire(&all_done, 1); /* waits for the last worker */
	printf("sum of 1..%ld = %lld (expected %lld)\n", N, total,
	       (long long)N * (N + 1) / 2);
	return total == (long long)N * (N + 1) / 2 ? 0 : 1;
}
