/* What CPython 3.8 to 3.12 share and 3.13 changed, compiled beside the
 * version's own compat file for those versions (compat.cmake, setup.py):
 * the interpreter's display of an uncaught exception, and the unraisable
 * report in _thread's words.  3.13's are in compat_py313.c. */
#include "compat.h"

/* The interpreter's own display of an uncaught exception, to any file:
 * exported though not declared in the public headers (3.8-3.12). */
PyAPI_FUNC(void) _PyErr_Display(PyObject *file, PyObject *exception, PyObject *value,
                                PyObject *tb);

int compat_display_exception(PyObject *file, PyObject *exc_type, PyObject *exc_value,
                             PyObject *exc_tb)
{
	_PyErr_Display(file, exc_type, exc_value, exc_tb);
	return PyErr_Occurred() ? -1 : 0;
}

void compat_report_thread_exception(PyObject *func, int dropin)
{
	if (dropin)
		_PyErr_WriteUnraisableMsg("in thread started by", func);
	else
		PyErr_WriteUnraisable(func);
}
