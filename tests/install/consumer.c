/* A client of the installed library: one lock, one thread. */
#include <stdio.h>
#include <thread.h>

static thread_lock done = THREAD_LOCK_INIT;

static void child(void *arg)
{
	(void)arg;
	thread_lock_release(&done); /* released by a thread that did not take it */
}

int main(void)
{
	thread_ident id = 0;
	thread_lock_acquire(&done, 1);
	if (thread_start_new_thread(child, NULL, &id) != 0 || id == 0)
		return 1;
	if (thread_lock_acquire_timed(&done, 10000000000LL, 0) != 1)
		return 1;
	puts("installed libthread works");
	return 0;
}
