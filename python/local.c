/* _thread._local: thread-local data. */
#include "compat.h"

int thread_local_add(PyObject *module)
{
	(void)module;
	return 0;
}
