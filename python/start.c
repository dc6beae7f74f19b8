/* Starting threads: start_new_thread for both faces, and the boot of the
 * new thread: its thread state, the call, the report of what it raised. */
#include "compat.h"

/* ---- start_new_thread ------------------------------------------------------ */

/* What the new thread runs.  Heap-allocated by the parent and owned (and
 * freed) by the child once it starts, else by the parent. */
struct boot {
	PyInterpreterState *interp; /* the interpreter that called us */
	thread_lock ready;          /* held by the parent until `first` is set */
	PyThreadState *first;       /* made by the parent, see thread_run; NULL
	                             * if that failed (the parent then owns and
	                             * has dropped func, args and kwargs) */
	PyObject *func, *args, *kwargs; /* strong references; kwargs may be NULL */
};

static void boot_free(struct boot *boot)
{
	Py_DECREF(boot->func);
	Py_DECREF(boot->args);
	Py_XDECREF(boot->kwargs);
	PyMem_RawFree(boot);
}

/* The new thread.
 *
 * The parent makes `first`, a thread state of the interpreter, while it
 * holds the interpreter lock, just after starting us (so that work overlaps
 * our start-up), hands it over through `ready`, and returns at once.  We
 * are rarely there before it, so `ready` is normally free when we look.  Our first act is to attach
 * it with PyEval_RestoreThread, which is the one call CPython makes safe
 * for a thread whose interpreter may be finalised meanwhile: it is what
 * every daemon thread does after a blocking call.  If the main thread has
 * begun finalising, it never returns (the interpreter ends the thread), so
 * a thread starting up while the main thread exits touches nothing of ours
 * that was freed, and the parent need not wait.  (CPython 3.9-3.12's own
 * check races with the end of finalisation, as for every daemon thread:
 * tests/python/test_shutdown.py.)
 *
 * Once attached, the interpreter is alive until we release its lock, and
 * we trade `first` for a thread state made here: PyThreadState_New binds
 * the state it makes to the calling thread (its thread id, used by
 * sys._current_frames and PyThreadState_SetAsyncExc, and before 3.12 the
 * PyGILState binding that C callbacks such as ctypes' rely on), and the
 * parent's `first` carries the parent's. */
static void thread_run(void *arg)
{
	struct boot *boot = (struct boot *)arg;
	PyThreadState *first, *tstate;
	PyObject *res;

	thread_lock_acquire(&boot->ready, 1);
	first = boot->first;
	if (!first) {
		/* The parent raised MemoryError and dropped the references. */
		PyMem_RawFree(boot);
		return;
	}
	/* From here on the parent no longer touches `boot`: it released
	 * `ready` while holding the interpreter lock, which we take next, so
	 * that release has returned before we can free `boot`. */
	PyEval_RestoreThread(first);
	tstate = PyThreadState_New(boot->interp);
	if (!tstate) {
		PyErr_NoMemory();
		compat_report_thread_exception(boot->func);
		boot_free(boot);
		PyThreadState_Clear(first);
		PyThreadState_DeleteCurrent();
		return;
	}
	PyThreadState_Swap(tstate);
	PyThreadState_Clear(first);
	PyThreadState_Delete(first);

	res = PyObject_Call(boot->func, boot->args, boot->kwargs);
	if (res) {
		Py_DECREF(res);
	} else if (PyErr_ExceptionMatches(PyExc_SystemExit)) {
		PyErr_Clear(); /* exit(), sys.exit(): the thread ends silently */
	} else {
		compat_report_thread_exception(boot->func);
	}
	boot_free(boot);
	PyThreadState_Clear(tstate);
	PyThreadState_DeleteCurrent(); /* also releases the interpreter lock */
}

PyDoc_STRVAR(start_new_thread_doc,
"start_new_thread($module, function, args, kwargs=None, /)\n--\n\n"
"Start a new thread running function(*args, **kwargs) and return its\n"
"identifier (what get_ident() returns in it).  `args` must be a tuple and\n"
"`kwargs` a dict or None.  When the function returns, or raises SystemExit,\n"
"the thread ends silently; any other exception is reported through\n"
"sys.unraisablehook (by default a traceback on stderr) and the thread\n"
"ends while other threads go on.  Raises thread.error if the system cannot\n"
"start a thread.");

static PyObject *start_new_thread(PyObject *module, PyObject *const *args,
                                  Py_ssize_t nargs)
{
	module_state *st = thread_state(module);
	PyObject *func, *fargs, *kwargs = NULL;
	struct boot *boot;
	thread_ident ident = 0;
	int rc;

	if (nargs < 2 || nargs > 3) {
		PyErr_Format(PyExc_TypeError,
		             "start_new_thread() takes 2 or 3 arguments (%zd given)", nargs);
		return NULL;
	}
	func = args[0];
	fargs = args[1];
	if (nargs == 3 && args[2] != Py_None)
		kwargs = args[2];
	if (!PyCallable_Check(func)) {
		PyErr_Format(PyExc_TypeError,
		             "start_new_thread(): function must be callable, not %.100s",
		             Py_TYPE(func)->tp_name);
		return NULL;
	}
	if (!PyTuple_Check(fargs)) {
		PyErr_Format(PyExc_TypeError,
		             "start_new_thread(): args must be a tuple, not %.100s",
		             Py_TYPE(fargs)->tp_name);
		return NULL;
	}
	if (kwargs && !PyDict_Check(kwargs)) {
		PyErr_Format(PyExc_TypeError,
		             "start_new_thread(): kwargs must be a dict or None, not %.100s",
		             Py_TYPE(kwargs)->tp_name);
		return NULL;
	}

	boot = (struct boot *)PyMem_RawMalloc(sizeof *boot);
	if (!boot)
		return PyErr_NoMemory();
	boot->interp = PyThreadState_Get()->interp;
	boot->ready = (thread_lock)THREAD_LOCK_INIT;
	thread_lock_acquire(&boot->ready, 0); /* free: cannot fail */
	boot->first = NULL;
	Py_INCREF(func);
	Py_INCREF(fargs);
	Py_XINCREF(kwargs);
	boot->func = func;
	boot->args = fargs;
	boot->kwargs = kwargs;

	rc = thread_start_new_thread(thread_run, boot, &ident);
	if (rc < 0) {
		boot_free(boot);
		PyErr_Format(st->error, "can't start new thread: %s", thread_strerror(rc));
		return NULL;
	}
	/* The child is starting up meanwhile; it waits for `ready`. */
	boot->first = PyThreadState_New(boot->interp);
	if (!boot->first) {
		Py_DECREF(func);
		Py_DECREF(fargs);
		Py_XDECREF(kwargs);
		thread_lock_release(&boot->ready); /* the child frees boot and ends */
		return PyErr_NoMemory();
	}
	thread_lock_release(&boot->ready);
	return PyLong_FromUnsignedLongLong(ident);
}

PyMethodDef thread_start_functions[] = {
	{"start_new_thread", (PyCFunction)(void (*)(void))start_new_thread,
	 METH_FASTCALL, start_new_thread_doc},
	{NULL, NULL, 0, NULL},
};

PyMethodDef thread_dropin_start_functions[] = {
	{NULL, NULL, 0, NULL},
};

int thread_handle_add(PyObject *module)
{
	(void)module;
	return 0;
}
