/* Timed and non-blocking acquire, and what release of a free lock says. */
#include <stdio.h>
#include <thread.h>

int main(void)
{
	thread_lock *lock = thread_allocate_lock();
	int rc;
	if (!lock)
		return 1;
	printf("acquire(1)            -> %d\n", thread_lock_acquire(lock, 1));
	printf("acquire(0) while held -> %d\n", thread_lock_acquire(lock, 0));
	printf("timed 50 ms           -> %d (timed out)\n",
	       thread_lock_acquire_timed(lock, 50 * 1000000LL, 0));
	printf("release               -> %d\n", thread_lock_release(lock));
	rc = thread_lock_release(lock);
	printf("release again         -> %d (%s)\n", rc, thread_strerror(rc));
	printf("locked                -> %d\n", thread_lock_locked(lock));
	thread_free_lock(lock);
	return 0;
}
