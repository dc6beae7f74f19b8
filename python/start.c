/* Starting threads: start_new_thread for both faces, the boot of the new
 * thread (its thread state, the call, the report of what it raised), and
 * the drop-in's view of a thread's life: start_new, _count, _set_sentinel.
 * Thread handles (3.13) are handle.c's; their threads start here. */
#include "compat.h"

/* ---- the new thread ---------------------------------------------------- */

/* What the new thread runs.  Heap-allocated by the parent and owned (and
 * freed) by the child once it starts, else by the parent. */
struct boot {
	PyThreadState *first;       /* made by the parent, see thread_run */
	PyObject *module;           /* strong: its state counts the thread */
	PyObject *handle;           /* strong, or NULL: marked done at the end */
	PyObject *func, *args, *kwargs; /* strong references; kwargs may be NULL */
};

static void boot_free(struct boot *boot)
{
	Py_DECREF(boot->func);
	Py_DECREF(boot->args);
	Py_XDECREF(boot->kwargs);
	Py_DECREF(boot->module);
	Py_XDECREF(boot->handle);
	PyMem_RawFree(boot);
}

/* Thread state dict key of the capsule that _set_sentinel leaves behind.
 * The capsule owns a weak reference to the sentinel lock; its destructor
 * releases the lock unless the capsule was disarmed (context non-NULL). */
#define SENTINEL_KEY "thread.sentinel"
#define SENTINEL_DISARMED ((void *)1)

static void sentinel_destroy(PyObject *capsule)
{
	PyObject *ref = (PyObject *)PyCapsule_GetPointer(capsule, SENTINEL_KEY);
	if (!ref) {
		PyErr_Clear();
		return;
	}
	if (PyCapsule_GetContext(capsule) != SENTINEL_DISARMED) {
		PyObject *lock = compat_weakref_get(ref);
		if (lock) {
			/* A free lock stays free (THREAD_ENOTLOCKED is ignored). */
			thread_lock_release(&((lockobject *)lock)->lk);
			Py_DECREF(lock);
		}
	}
	Py_DECREF(ref);
}

/* The calling thread's sentinel capsule, taken out of its thread state
 * dict (a new reference), or NULL. */
static PyObject *sentinel_take(void)
{
	PyObject *dict = PyThreadState_GetDict(), *capsule;
	if (!dict)
		return NULL;
	capsule = PyDict_GetItemString(dict, SENTINEL_KEY);
	if (!capsule)
		return NULL;
	Py_INCREF(capsule);
	if (PyDict_DelItemString(dict, SENTINEL_KEY) < 0)
		PyErr_Clear();
	return capsule;
}

/* The end of a thread whose Python work is over, attached with `tstate`.
 * The sentinel lock and the handle are released after the thread state is
 * cleared, while we still hold the interpreter lock, which only
 * PyThreadState_DeleteCurrent gives up: a joiner woken by either must take
 * that lock back before it runs Python code, so it runs once our thread
 * state is deleted.  Releasing in the middle of PyThreadState_Clear (as the
 * dict's own clearing would) could let a joiner run while a finaliser of
 * this thread's context still runs Python code and switches threads. */
static void thread_end(struct boot *boot, PyThreadState *tstate)
{
	PyObject *handle = boot->handle, *sentinel;
	boot->handle = NULL;
	boot_free(boot);
	sentinel = sentinel_take();
	PyThreadState_Clear(tstate);
	Py_XDECREF(sentinel); /* releases the sentinel lock */
	if (handle) {
		thread_handle_done(handle);
		Py_DECREF(handle);
	}
	PyThreadState_DeleteCurrent(); /* also releases the interpreter lock */
}

/* The new thread.
 *
 * The parent makes `first`, a thread state of the interpreter, before it
 * starts us, as _thread does, and returns at once.  (Made after the start,
 * to overlap our start-up, it cost a sleep and a wake-up whenever we got
 * there first and had to wait for it: Thread start+join 1.14x of stock on
 * 3.8.)  Our first act is to attach
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
 * `first` becomes ours: compat_bind_thread_state gives it this thread's
 * ids (PyThreadState_New gave it the parent's; sys._current_frames and
 * PyThreadState_SetAsyncExc go by them) and, before 3.12, the PyGILState
 * binding that C callbacks such as ctypes' rely on.  One thread state per
 * thread, as _thread makes. */
static void thread_run(void *arg)
{
	struct boot *boot = (struct boot *)arg;
	PyThreadState *first = boot->first; /* the start made it visible */
	module_state *st;
	PyObject *res;

	/* The parent holds the interpreter lock until thread_start returns,
	 * and no longer touches `boot` once the start succeeded. */
	PyEval_RestoreThread(first);
	/* Bound to this thread before anything allocates: with tracemalloc
	 * on, every raw allocation asks PyGILState who we are (compat.h). */
	compat_bind_thread_state(first);
	st = thread_state(boot->module);

	/* Counted while its Python work runs, as _thread counts: from here
	 * to the end of the call, all under the interpreter lock. */
	st->threads++;
	res = PyObject_Call(boot->func, boot->args, boot->kwargs);
	if (res) {
		Py_DECREF(res);
	} else if (PyErr_ExceptionMatches(PyExc_SystemExit)) {
		PyErr_Clear(); /* exit(), sys.exit(): the thread ends silently */
	} else {
		compat_report_thread_exception(boot->func, st->is_dropin);
	}
	st->threads--;
	thread_end(boot, first);
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

thread_ident thread_start(PyObject *module, PyObject *func, PyObject *args, PyObject *kwargs,
                          PyObject *handle)
{
	module_state *st = thread_state(module);
	struct boot *boot;
	thread_ident ident = 0;
	thread_handle *os = NULL;
	int rc;

	boot = (struct boot *)PyMem_RawMalloc(sizeof *boot);
	if (!boot) {
		PyErr_NoMemory();
		goto failed;
	}
	boot->first = PyThreadState_New(PyThreadState_Get()->interp);
	if (!boot->first) {
		PyMem_RawFree(boot);
		PyErr_NoMemory();
		goto failed;
	}
	Py_INCREF(module);
	Py_XINCREF(handle);
	Py_INCREF(func);
	Py_INCREF(args);
	Py_XINCREF(kwargs);
	boot->module = module;
	boot->handle = handle;
	boot->func = func;
	boot->args = args;
	boot->kwargs = kwargs;

	/* A handle's thread is joinable: its join waits, as _thread's does,
	 * until the OS thread is gone, not only its Python work. */
	rc = handle ? thread_start_joinable(&os, thread_run, boot, &ident)
	            : thread_start_new_thread(thread_run, boot, &ident);
	if (rc < 0) {
		/* Never attached: cleared and deleted from here, as _thread does. */
		PyThreadState_Clear(boot->first);
		PyThreadState_Delete(boot->first);
		boot_free(boot);
		if (st->is_dropin)
			PyErr_SetString(st->error, "can't start new thread");
		else
			PyErr_Format(st->error, "can't start new thread: %s", thread_strerror(rc));
		goto failed;
	}
	/* The thread runs no Python code before we give up the interpreter
	 * lock, so it finds its handle running. */
	if (handle)
		thread_handle_running(handle, ident, os);
	return ident;
failed:
	if (handle)
		thread_handle_done(handle);
	return 0;
}

/* ---- start_new_thread ---------------------------------------------------- */

/* The page's argument errors are its own words; the drop-in's are those of
 * _thread, whose tests and users may match them. */
static int check_start_args(int dropin, Py_ssize_t nargs, PyObject *func, PyObject *fargs,
                            PyObject *kwargs)
{
	if (nargs < 2 || nargs > 3) {
		if (dropin)
			PyErr_Format(PyExc_TypeError, "start_new_thread expected at %s, got %zd",
			             nargs < 2 ? "least 2 arguments" : "most 3 arguments", nargs);
		else
			PyErr_Format(PyExc_TypeError,
			             "start_new_thread() takes 2 or 3 arguments (%zd given)", nargs);
		return -1;
	}
	if (!PyCallable_Check(func)) {
		if (dropin)
			PyErr_SetString(PyExc_TypeError, "first arg must be callable");
		else
			PyErr_Format(PyExc_TypeError,
			             "start_new_thread(): function must be callable, not %.100s",
			             Py_TYPE(func)->tp_name);
		return -1;
	}
	if (!PyTuple_Check(fargs)) {
		if (dropin)
			PyErr_SetString(PyExc_TypeError, "2nd arg must be a tuple");
		else
			PyErr_Format(PyExc_TypeError,
			             "start_new_thread(): args must be a tuple, not %.100s",
			             Py_TYPE(fargs)->tp_name);
		return -1;
	}
	if (kwargs && !PyDict_Check(kwargs)) {
		if (dropin)
			PyErr_SetString(PyExc_TypeError, "optional 3rd arg must be a dictionary");
		else
			PyErr_Format(PyExc_TypeError,
			             "start_new_thread(): kwargs must be a dict or None, not %.100s",
			             Py_TYPE(kwargs)->tp_name);
		return -1;
	}
	/* Both faces refuse where the interpreter forbids threads; 3.12+
	 * _thread also refuses once the interpreter is being finalised. */
	if (compat_check_threads_allowed() < 0 || (dropin && compat_check_thread_start() < 0))
		return -1;
	return 0;
}

static PyObject *start_new_thread(PyObject *module, PyObject *const *args,
                                  Py_ssize_t nargs)
{
	module_state *st = thread_state(module);
	PyObject *kwargs = NULL;
	thread_ident ident;

	/* The page takes None for no kwargs; _thread does not. */
	if (nargs == 3 && (st->is_dropin || args[2] != Py_None))
		kwargs = args[2];
	if (check_start_args(st->is_dropin, nargs, nargs > 0 ? args[0] : NULL,
	                     nargs > 1 ? args[1] : NULL, kwargs) < 0)
		return NULL;
	ident = thread_start(module, args[0], args[1], kwargs, NULL);
	return ident ? PyLong_FromUnsignedLongLong(ident) : NULL;
}

PyMethodDef thread_start_functions[] = {
	{"start_new_thread", (PyCFunction)(void (*)(void))start_new_thread,
	 METH_FASTCALL, start_new_thread_doc},
	{NULL, NULL, 0, NULL},
};

/* ---- the drop-in's view of thread life ---------------------------------- */

/* The drop-in's two names: _thread's own argument parsing names the one
 * called when it refuses keywords (the interpreter's would add "_thread."
 * on 3.12+). */
static PyObject *no_keywords(const char *name, PyObject *kwnames)
{
	PyErr_Format(PyExc_TypeError, "%s() takes no keyword arguments", name);
	(void)kwnames;
	return NULL;
}

static PyObject *dropin_start_new_thread(PyObject *module, PyObject *const *args,
                                         size_t nargsf, PyObject *kwnames)
{
	if (kwnames && PyTuple_GET_SIZE(kwnames))
		return no_keywords("start_new_thread", kwnames);
	return start_new_thread(module, args, PyVectorcall_NARGS(nargsf));
}

static PyObject *dropin_start_new(PyObject *module, PyObject *const *args, size_t nargsf,
                                  PyObject *kwnames)
{
	if (kwnames && PyTuple_GET_SIZE(kwnames))
		return no_keywords("start_new", kwnames);
	return start_new_thread(module, args, PyVectorcall_NARGS(nargsf));
}

PyDoc_STRVAR(start_new_doc,
"start_new($module, function, args, kwargs=None, /)\n--\n\n"
"The old name of start_new_thread().");

PyDoc_STRVAR(count_doc,
"_count($module, /)\n--\n\n"
"How many threads this module started are still running Python code (the\n"
"main thread and threads started elsewhere are not counted).  For\n"
"threading's and tests' bookkeeping; threading.enumerate() is the API.");

static PyObject *count(PyObject *module, PyObject *unused)
{
	(void)unused;
	return PyLong_FromSsize_t(thread_state(module)->threads);
}

PyDoc_STRVAR(set_sentinel_doc,
"_set_sentinel($module, /)\n--\n\n"
"Return a new lock that is released, if held, once the calling thread's\n"
"thread state is gone.  For threading.Thread.join(); not for other code.");

/* Stock _thread ties the lock to the deletion of the thread state.  With
 * public API we tie it to the thread state dict, which is cleared with the
 * state: threads we start release it at their very end (thread_end);
 * others when whoever owns their state clears it (PyGILState_Release for
 * a C thread, finalisation for the main thread).  A second call replaces
 * the first lock, which is then left as it is, as _thread does (threading
 * calls it again in a fork child). */
static PyObject *set_sentinel(PyObject *module, PyObject *unused)
{
	PyObject *dict = PyThreadState_GetDict(), *lock, *ref, *capsule, *old;
	(void)unused;
	if (!dict) {
		PyErr_SetString(PyExc_RuntimeError, "no thread state dictionary");
		return NULL;
	}
	lock = thread_lock_new(thread_state(module)->lock_type);
	if (!lock)
		return NULL;
	ref = PyWeakref_NewRef(lock, NULL);
	capsule = ref ? PyCapsule_New(ref, SENTINEL_KEY, sentinel_destroy) : NULL;
	if (!capsule) {
		Py_XDECREF(ref);
		Py_DECREF(lock);
		return NULL;
	}
	old = PyDict_GetItemString(dict, SENTINEL_KEY);
	if (old && PyCapsule_SetContext(old, SENTINEL_DISARMED) < 0)
		PyErr_Clear();
	if (PyDict_SetItemString(dict, SENTINEL_KEY, capsule) < 0) {
		Py_DECREF(capsule);
		Py_DECREF(lock);
		return NULL;
	}
	Py_DECREF(capsule);
	return lock;
}

/* Added after thread_start_functions: its start_new_thread is replaced. */
PyMethodDef thread_dropin_start_functions[] = {
	{"start_new_thread", (PyCFunction)(void (*)(void))dropin_start_new_thread,
	 METH_FASTCALL | METH_KEYWORDS, start_new_thread_doc},
	{"start_new", (PyCFunction)(void (*)(void))dropin_start_new, METH_FASTCALL | METH_KEYWORDS,
	 start_new_doc},
	{"_count", count, METH_NOARGS, count_doc},
	{"_set_sentinel", set_sentinel, METH_NOARGS, set_sentinel_doc},
	{NULL, NULL, 0, NULL},
};
