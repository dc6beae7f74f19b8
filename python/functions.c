/* The small module-level functions: exit, allocate_lock, get_ident for
 * both faces, and the drop-in's others. */
#include "compat.h"

PyDoc_STRVAR(exit_doc,
"exit($module, /)\n--\n\n"
"Raise SystemExit.  Uncaught, it ends the calling thread silently.");

static PyObject *thread_exit_(PyObject *module, PyObject *unused)
{
	(void)module;
	(void)unused;
	PyErr_SetNone(PyExc_SystemExit);
	return NULL;
}

PyDoc_STRVAR(exit_thread_doc,
"exit_thread($module, /)\n--\n\n"
"Deprecated synonym of exit(); warns with DeprecationWarning.");

static PyObject *thread_exit_thread(PyObject *module, PyObject *unused)
{
	if (PyErr_WarnEx(PyExc_DeprecationWarning,
	                 "thread.exit_thread() is deprecated; use thread.exit()", 1) < 0)
		return NULL;
	return thread_exit_(module, unused);
}

PyDoc_STRVAR(allocate_lock_doc,
"allocate_lock($module, /)\n--\n\n"
"Return a new lock object, initially unlocked.");

static PyObject *allocate_lock(PyObject *module, PyObject *unused)
{
	(void)unused;
	return thread_lock_new(thread_state(module)->lock_type);
}

PyDoc_STRVAR(get_ident_doc,
"get_ident($module, /)\n--\n\n"
"Return the calling thread's identifier: a nonzero int, the same value\n"
"threading.get_ident() gives.  It means nothing by itself (use it as a key\n"
"for per-thread data) and may be reused once the thread has ended.");

static PyObject *get_ident(PyObject *module, PyObject *unused)
{
	(void)module;
	(void)unused;
	return PyLong_FromUnsignedLongLong(thread_get_ident());
}

PyMethodDef thread_functions[] = {
	{"exit", thread_exit_, METH_NOARGS, exit_doc},
	{"allocate_lock", allocate_lock, METH_NOARGS, allocate_lock_doc},
	{"get_ident", get_ident, METH_NOARGS, get_ident_doc},
	{NULL, NULL, 0, NULL},
};

PyMethodDef thread_page_functions[] = {
	{"exit_thread", thread_exit_thread, METH_NOARGS, exit_thread_doc},
	{NULL, NULL, 0, NULL},
};

PyMethodDef thread_dropin_functions[] = {
	{NULL, NULL, 0, NULL},
};
