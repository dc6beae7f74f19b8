/* _thread._excepthook and _thread._ExceptHookArgs. */
#include "compat.h"

int thread_excepthook_add(PyObject *module)
{
	(void)module;
	return 0;
}

PyMethodDef thread_excepthook_functions[] = {
	{NULL, NULL, 0, NULL},
};
