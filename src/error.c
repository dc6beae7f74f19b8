/* thread_strerror: one static message per code. */
#include "thread_impl.h"

#include <stdio.h>
#include <stdlib.h>

const char *thread_strerror(int err)
{
	switch (err) {
	case 0:
		return "success";
	case THREAD_EINVAL:
		return "invalid argument";
	case THREAD_ENOMEM:
		return "out of memory";
	case THREAD_EAGAIN:
		return "insufficient resources to start a thread";
	case THREAD_EINTR:
		return "interrupted by a signal";
	case THREAD_ENOTLOCKED:
		return "release of an unlocked lock";
	case THREAD_ENOTOWNER:
		return "release of a reentrant lock the calling thread does not own";
	case THREAD_ENOSYS:
		return "not supported on this platform";
	case THREAD_EOVERFLOW:
		return "reentrant lock recursion count overflow";
	default:
		return "unknown error";
	}
}

void thread__fatal(const char *msg)
{
	fputs(msg, stderr);
	fputc('\n', stderr);
	abort();
}
