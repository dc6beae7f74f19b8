/* The `thread` module: module state and the module-level functions of the
 * reference page (start_new_thread, exit, exit_thread, allocate_lock,
 * get_ident), over libthread.  The lock type is in lockobject.c; what
 * differs between CPython versions is in compat_py*.c. */
#include "compat.h"

module_state *thread_state(PyObject *module)
{
	return (module_state *)PyModule_GetState(module);
}

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

/* ---- the other functions --------------------------------------------------- */

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

static PyMethodDef module_methods[] = {
	{"start_new_thread", (PyCFunction)(void (*)(void))start_new_thread,
	 METH_FASTCALL, start_new_thread_doc},
	{"exit", thread_exit_, METH_NOARGS, exit_doc},
	{"exit_thread", thread_exit_thread, METH_NOARGS, exit_thread_doc},
	{"allocate_lock", allocate_lock, METH_NOARGS, allocate_lock_doc},
	{"get_ident", get_ident, METH_NOARGS, get_ident_doc},
	{NULL, NULL, 0, NULL},
};

/* ---- module state and initialisation -------------------------------------- */

static int add_ref(PyObject *module, const char *name, PyObject *value)
{
	Py_INCREF(value);
	if (PyModule_AddObject(module, name, value) < 0) {
		Py_DECREF(value);
		return -1;
	}
	return 0;
}

int thread_module_exec(PyObject *module)
{
	module_state *st = thread_state(module);
	PyObject *timeout_max;

	/* Each step only once the one before has worked: no call with an
	 * exception already set.  What was made is freed by module_clear. */
	st->lock_type = (PyTypeObject *)compat_new_type(module, &thread_lock_spec);
	if (!st->lock_type)
		return -1;
	st->fastmethod_type = (PyTypeObject *)compat_new_type(module, &thread_fastmethod_spec);
	if (!st->fastmethod_type)
		return -1;
	st->fastmethod_bound_type =
	        (PyTypeObject *)compat_new_type(module, &thread_fastmethod_bound_spec);
	if (!st->fastmethod_bound_type ||
	    thread_fastmethods_add(st->lock_type, thread_lock_fastmethods,
	                           st->fastmethod_type, st->fastmethod_bound_type) < 0)
		return -1;
	Py_INCREF(PyExc_RuntimeError);
	st->error = PyExc_RuntimeError;
	if (add_ref(module, "LockType", (PyObject *)st->lock_type) < 0 ||
	    add_ref(module, "error", st->error) < 0)
		return -1;
	timeout_max = PyFloat_FromDouble((double)THREAD_TIMEOUT_MAX_S);
	if (!timeout_max || PyModule_AddObject(module, "TIMEOUT_MAX", timeout_max) < 0) {
		Py_XDECREF(timeout_max);
		return -1;
	}
	return 0;
}

static int module_traverse(PyObject *module, visitproc visit, void *arg)
{
	module_state *st = thread_state(module);
	Py_VISIT(st->lock_type);
	Py_VISIT(st->error);
	Py_VISIT(st->fastmethod_type);
	Py_VISIT(st->fastmethod_bound_type);
	return 0;
}

static int module_clear(PyObject *module)
{
	module_state *st = thread_state(module);
	Py_CLEAR(st->lock_type);
	Py_CLEAR(st->error);
	Py_CLEAR(st->fastmethod_type);
	Py_CLEAR(st->fastmethod_bound_type);
	return 0;
}

static void module_free(void *module)
{
	module_clear((PyObject *)module);
}

PyDoc_STRVAR(module_doc,
"Multiple threads of control sharing their global data space, and simple\n"
"locks (binary semaphores) to synchronise them, over libthread.\n\n"
"error is RuntimeError (as in _thread); LockType is the type of locks.");

PyModuleDef thread_moduledef = {
	PyModuleDef_HEAD_INIT,
	.m_name = "thread",
	.m_doc = module_doc,
	.m_size = sizeof(module_state),
	.m_methods = module_methods,
	.m_slots = compat_module_slots,
	.m_traverse = module_traverse,
	.m_clear = module_clear,
	.m_free = module_free,
};

PyMODINIT_FUNC PyInit_thread(void)
{
	return PyModuleDef_Init(&thread_moduledef);
}
