/* The small module-level functions: exit, allocate_lock, get_ident for
 * both faces, and the drop-in's others. */
#include "compat.h"

#include <limits.h>

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

/* ---- the drop-in's ---------------------------------------------------------- */

PyDoc_STRVAR(dropin_exit_thread_doc,
"exit_thread($module, /)\n--\n\n"
"An obsolete synonym of exit().");

PyDoc_STRVAR(allocate_doc,
"allocate($module, /)\n--\n\n"
"An obsolete synonym of allocate_lock().");

#define STACK_MIN 0x8000 /* the smallest size _thread accepts: 32 KiB */

PyDoc_STRVAR(stack_size_doc,
"stack_size($module, size=0, /)\n--\n\n"
"Return the thread stack size used when creating new threads.  The\n"
"optional size argument specifies the stack size (in bytes) to be used\n"
"for subsequently created threads, and must be 0 (use platform or\n"
"configured default) or a positive integer value of at least 32,768 (32k).\n"
"Without it, the default is restored.  Return the size that was in force\n"
"before.");

static PyObject *stack_size(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
	Py_ssize_t size = 0;
	size_t previous;
	int rc;
	(void)module;
	if (nargs > 1) {
		PyErr_Format(PyExc_TypeError,
		             "stack_size expected at most 1 argument, got %zd", nargs);
		return NULL;
	}
	if (nargs == 1) {
		size = PyLong_AsSsize_t(args[0]);
		if (size == -1 && PyErr_Occurred())
			return NULL;
		if (size < 0) {
			PyErr_SetString(PyExc_ValueError, "size must be 0 or a positive value");
			return NULL;
		}
	}
	rc = size != 0 && size < STACK_MIN ? THREAD_EINVAL
	                                   : thread_stack_size((size_t)size, &previous);
	if (rc < 0) {
		PyErr_Format(PyExc_ValueError, "size not valid: %zd bytes", size);
		return NULL;
	}
	return PyLong_FromSize_t(previous);
}

PyDoc_STRVAR(interrupt_main_doc,
"interrupt_main($module, signum=signal.SIGINT, /)\n--\n\n"
"Simulate the arrival of the given signal in the main thread,\n"
"where the corresponding signal handler will be executed.\n"
"If *signum* is omitted, SIGINT is assumed.\n"
"A subthread can use this function to interrupt the main thread.\n\n"
"Note: the default signal handler for SIGINT raises ``KeyboardInterrupt``.");

static PyObject *interrupt_main(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
	int signum = 2; /* SIGINT, whose number is 2 on every platform */
	(void)module;
	if (nargs > (compat_interrupt_main_takes_signum ? 1 : 0)) {
		if (compat_interrupt_main_takes_signum)
			PyErr_Format(PyExc_TypeError,
			             "interrupt_main expected at most 1 argument, got %zd", nargs);
		else
			PyErr_Format(PyExc_TypeError,
			             "interrupt_main() takes no arguments (%zd given)", nargs);
		return NULL;
	}
	if (nargs == 1) {
		long n = PyLong_AsLong(args[0]);
		if (n == -1 && PyErr_Occurred())
			return NULL;
		if (n < INT_MIN || n > INT_MAX) {
			PyErr_SetString(PyExc_OverflowError, "Python int too large to convert to C int");
			return NULL;
		}
		signum = (int)n;
	}
	if (compat_interrupt_main(signum) < 0)
		return NULL;
	Py_RETURN_NONE;
}

int compat_is_main_interpreter(void)
{
	return PyThreadState_Get()->interp == PyInterpreterState_Main();
}

PyDoc_STRVAR(get_native_id_doc,
"get_native_id($module, /)\n--\n\n"
"Return a non-negative integer identifying the thread as reported\n"
"by the OS (kernel). This may be used to uniquely identify a\n"
"particular thread within a system.");

static PyObject *get_native_id(PyObject *module, PyObject *unused)
{
	(void)module;
	(void)unused;
	return PyLong_FromUnsignedLongLong(thread_get_native_id());
}

PyDoc_STRVAR(is_main_interpreter_doc,
"_is_main_interpreter($module, /)\n--\n\n"
"Return True if the current interpreter is the main Python interpreter.");

static PyObject *is_main_interpreter(PyObject *module, PyObject *unused)
{
	(void)module;
	(void)unused;
	return PyBool_FromLong(compat_is_main_interpreter());
}

PyDoc_STRVAR(daemon_threads_allowed_doc,
"daemon_threads_allowed($module, /)\n--\n\n"
"Return True if daemon threads are allowed in the current interpreter,\n"
"and False otherwise.");

static PyObject *daemon_threads_allowed(PyObject *module, PyObject *unused)
{
	int allowed = compat_daemon_threads_allowed();
	(void)module;
	(void)unused;
	if (allowed < 0)
		return NULL;
	return PyBool_FromLong(allowed);
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
	{"exit_thread", thread_exit_, METH_NOARGS, dropin_exit_thread_doc},
	{"allocate", allocate_lock, METH_NOARGS, allocate_doc},
	{"stack_size", (PyCFunction)(void (*)(void))stack_size, METH_FASTCALL, stack_size_doc},
	{"interrupt_main", (PyCFunction)(void (*)(void))interrupt_main, METH_FASTCALL,
	 interrupt_main_doc},
	{"get_native_id", get_native_id, METH_NOARGS, get_native_id_doc},
	{"_is_main_interpreter", is_main_interpreter, METH_NOARGS, is_main_interpreter_doc},
	{"daemon_threads_allowed", daemon_threads_allowed, METH_NOARGS,
	 daemon_threads_allowed_doc},
	{NULL, NULL, 0, NULL},
};
