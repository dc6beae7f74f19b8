/* _thread.RLock: a reentrant lock object over libthread's thread_rlock. */
#include "compat.h"

int thread_rlock_add(PyObject *module)
{
	(void)module;
	return 0;
}
