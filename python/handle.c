/* Thread handles, as the 3.13 `_thread` gives them to threading: the
 * _ThreadHandle type, start_joinable_thread, _make_thread_handle,
 * _get_main_thread_ident and _shutdown, and what a fork child does to the
 * handles of threads it no longer has.  Other versions' drop-in has none
 * of these names (compat_dropin_absent); the code is the same everywhere.
 *
 * A handle's life:
 *   NOT_STARTED  made by _ThreadHandle(); join and _set_done raise
 *   RUNNING      its thread started (start_joinable_thread), or it stands
 *                for a thread started elsewhere (_make_thread_handle)
 *   done         RUNNING with `done` set: by the thread's end (thread_end in
 *                start.c, after its thread state is cleared), by _set_done,
 *                by a failed start, or in a fork child for every handle
 *                but the forking thread's
 *   over         done, and its OS thread joined (or it has none to join):
 *                a join returns at once
 * Joiners sleep on `exited`, held from creation until `done` is set.  A
 * handle whose thread start_joinable_thread started also owns that OS
 * thread (`os`).  Whichever joiner gets `exited` first joins the OS thread,
 * still holding `exited`, then marks the handle over and releases `exited`
 * for the next joiner: every join returns once the thread is gone, as
 * _thread's joins do, whoever of several joiners wakes first.  A joiner
 * whose time runs out holds nothing.  A handle that dies unjoined detaches
 * its thread, as does one that its own thread marks done (_set_done); a
 * fork child drops the `os` of threads it does not have (joining or
 * detaching them would touch threads that do not exist there).
 *
 * Every field but `os` is written with the interpreter lock held.  `os` is
 * touched before `done` by the start and by _set_done in the thread
 * itself; after it, only by whoever holds `exited`, attached or not; and
 * by dealloc and a fork child, which no joiner can overlap (a joiner holds
 * a reference; a child has no other thread). */
#include "compat.h"

#include <math.h>
#include <string.h>

#define NS_PER_S 1000000000LL

typedef struct handleobject {
	PyObject_HEAD
	thread_ident ident;    /* 0 until started */
	int started, done;     /* see the life above */
	int over;              /* done and its OS thread joined, or none to join */
	int nondaemon;         /* started with daemon=False: _shutdown joins it */
	thread_lock exited;    /* held until done, and while a joiner joins `os` */
	thread_handle *os;     /* its joinable OS thread, until joined; or NULL */
	module_state *st;      /* its module's (the type keeps the module alive) */
	struct handleobject *prev, *next; /* st->handles, all live handles */
} handleobject;

static handleobject *handle_of(PyObject *obj)
{
	return (handleobject *)obj;
}

void thread_handle_running(PyObject *obj, thread_ident ident, thread_handle *os)
{
	handleobject *h = handle_of(obj);
	h->ident = ident;
	h->started = 1;
	h->os = os;
}

void thread_handle_done(PyObject *obj)
{
	handleobject *h = handle_of(obj);
	h->started = 1;
	if (h->done)
		return;
	h->done = 1;
	/* Not done till now, so no joiner holds `exited`: `os` is still ours. */
	h->over = h->os == NULL;
	thread_lock_release(&h->exited);
}

/* A new handle, NOT_STARTED, of the module with state `st`. */
static PyObject *handle_make(module_state *st)
{
	handleobject *h = PyObject_GC_New(handleobject, st->handle_type);
	if (!h)
		return NULL;
	h->ident = 0;
	h->started = h->done = h->over = h->nondaemon = 0;
	h->os = NULL;
	h->exited = (thread_lock)THREAD_LOCK_INIT;
	thread_lock_acquire(&h->exited, 0); /* free: cannot fail */
	h->st = st;
	h->prev = NULL;
	h->next = st->handles;
	if (st->handles)
		st->handles->prev = h;
	st->handles = h;
	PyObject_GC_Track(h);
	return (PyObject *)h;
}

static PyObject *handle_new(PyTypeObject *tp, PyObject *args, PyObject *kwargs)
{
	module_state *st = thread_state_of_type(tp);
	(void)args; /* _ThreadHandle() takes and ignores any arguments */
	(void)kwargs;
	if (!st) {
		PyErr_SetString(PyExc_TypeError, "no module for _ThreadHandle");
		return NULL;
	}
	return handle_make(st);
}

static int handle_traverse(PyObject *self, visitproc visit, void *arg)
{
	Py_VISIT(Py_TYPE(self));
	return 0;
}

static void handle_dealloc(PyObject *self)
{
	handleobject *h = handle_of(self);
	PyTypeObject *tp = Py_TYPE(self);
	PyObject_GC_UnTrack(self);
	if (h->os)
		thread_detach(h->os); /* nobody joined: it is freed when it ends */
	if (h->prev)
		h->prev->next = h->next;
	else
		h->st->handles = h->next;
	if (h->next)
		h->next->prev = h->prev;
	PyObject_GC_Del(self);
	Py_DECREF(tp);
}

static PyObject *handle_repr(PyObject *self)
{
	return PyUnicode_FromFormat("<%s object: ident=%llu>", Py_TYPE(self)->tp_name,
	                            (unsigned long long)handle_of(self)->ident);
}

static PyObject *handle_get_ident(PyObject *self, void *closure)
{
	(void)closure;
	return PyLong_FromUnsignedLongLong(handle_of(self)->ident);
}

static int check_started(handleobject *h)
{
	if (h->started)
		return 0;
	PyErr_SetString(h->st->error, "thread not started");
	return -1;
}

/* The OS thread of `h`, if it is still to be joined, joined; the caller
 * holds `exited`, so it is the only one to touch `os`.  The thread's Python
 * work is over and its thread state deleted: what is left is libthread's
 * start routine and the system's end of the thread, so no limit. */
static void join_os(handleobject *h)
{
	thread_handle *os = h->os;
	if (os) {
		h->os = NULL;
		thread_join(os, -1, 0);
	}
}

/* A join's wait, detached (thread_wait): for the thread to be done
 * (`exited`), then for its OS thread to end, without attaching in between
 * (a round trip of the interpreter lock for the OS join cost Thread
 * start+join 4% on 3.13). */
static int exit_timed(void *p, int64_t timeout_ns, unsigned flags)
{
	handleobject *h = (handleobject *)p;
	int r = thread_lock_acquire_timed(&h->exited, timeout_ns, flags);
	if (r == 1)
		join_os(h);
	return r;
}

/* Wait until `h` is done and its OS thread joined, at most timeout_ns
 * (negative: no limit, as a negative timeout is in _thread).  0, or -1
 * with an exception. */
static int handle_join(handleobject *h, int64_t timeout_ns)
{
	int r;
	if (check_started(h) < 0)
		return -1;
	/* `done` is set before the thread's identifier can be reused, so a
	 * handle that is not done and has our identifier is ours. */
	if (!h->done && h->ident == thread_get_ident()) {
		PyErr_SetString(h->st->error, "Cannot join current thread");
		return -1;
	}
	if (h->over)
		return 0;
	Py_INCREF(h); /* `exited` must outlive the wait */
	r = thread_lock_acquire(&h->exited, 0);
	if (r == 1 && h->os) {
		/* Done already, its OS thread not yet joined: one detach for it. */
		Py_BEGIN_ALLOW_THREADS
		join_os(h);
		Py_END_ALLOW_THREADS
	} else if (r != 1 && timeout_ns != 0) {
		r = thread_wait(exit_timed, h, timeout_ns < 0 ? -1 : timeout_ns);
	}
	if (r == 1) {
		h->over = 1;
		thread_lock_release(&h->exited); /* for the next joiner */
	}
	Py_DECREF(h);
	return r < 0 ? -1 : 0;
}

/* join's timeout: None, or seconds as int or float, rounded up. */
static int join_timeout(PyObject *obj, int64_t *ns)
{
	double s;
	*ns = -1;
	if (!obj || obj == Py_None)
		return 0;
	if (PyFloat_Check(obj)) {
		s = PyFloat_AS_DOUBLE(obj);
	} else {
		long long i = PyLong_AsLongLong(obj);
		if (i == -1 && PyErr_Occurred())
			return -1;
		s = (double)i;
	}
	if (isnan(s)) {
		PyErr_SetString(PyExc_ValueError, "Invalid value NaN (not a number)");
		return -1;
	}
	if (s < 0)
		return 0; /* no limit, as in _thread */
	if (s > (double)THREAD_TIMEOUT_MAX_S) {
		PyErr_SetString(PyExc_OverflowError, "timeout value is too large");
		return -1;
	}
	*ns = (int64_t)ceil(s * (double)NS_PER_S);
	return 0;
}

static PyObject *handle_join_method(PyObject *self, PyObject *args)
{
	PyObject *timeout = NULL;
	int64_t ns;
	if (!PyArg_ParseTuple(args, "|O:join", &timeout) || join_timeout(timeout, &ns) < 0 ||
	    handle_join(handle_of(self), ns) < 0)
		return NULL;
	Py_RETURN_NONE;
}

static PyObject *handle_is_done(PyObject *self, PyObject *unused)
{
	(void)unused;
	return PyBool_FromLong(handle_of(self)->done);
}

static PyObject *handle_set_done(PyObject *self, PyObject *unused)
{
	handleobject *h = handle_of(self);
	(void)unused;
	if (check_started(h) < 0)
		return NULL;
	/* Done by its own thread's word (a fork child's threading says so of
	 * the forking thread at exit): nobody can join that OS thread now,
	 * least of all itself, so let it go. */
	if (!h->done && h->os && h->ident == thread_get_ident()) {
		thread_detach(h->os);
		h->os = NULL;
	}
	thread_handle_done(self);
	Py_RETURN_NONE;
}

static PyGetSetDef handle_getset[] = {
	{"ident", handle_get_ident, NULL, "The identifier of the thread, 0 before it starts.", NULL},
	{NULL, NULL, NULL, NULL, NULL},
};

static PyMethodDef handle_methods[] = {
	{"join", handle_join_method, METH_VARARGS,
	 "join($self, timeout=None, /)\n--\n\nWait until the thread is done, at most `timeout` seconds."},
	{"is_done", handle_is_done, METH_NOARGS,
	 "is_done($self, /)\n--\n\nTrue once the thread's Python work is over."},
	{"_set_done", handle_set_done, METH_NOARGS,
	 "_set_done($self, /)\n--\n\nMark the thread done without waiting (threading's own use)."},
	{NULL, NULL, 0, NULL},
};

static PyType_Slot handle_slots[] = {
	{Py_tp_new, handle_new},
	{Py_tp_dealloc, handle_dealloc},
	{Py_tp_traverse, handle_traverse},
	{Py_tp_repr, handle_repr},
	{Py_tp_getset, handle_getset},
	{Py_tp_methods, handle_methods},
	{0, NULL},
};

static PyType_Spec handle_spec = {
	.name = "_thread._ThreadHandle",
	.basicsize = sizeof(handleobject),
	.flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
	.slots = handle_slots,
};

/* ---- module functions ------------------------------------------------------ */

PyDoc_STRVAR(start_joinable_doc,
"start_joinable_thread($module, /, function, handle=None, daemon=True)\n--\n\n"
"Start a thread calling function() and return its _ThreadHandle (`handle`,\n"
"a new one, if given).  _shutdown() waits for it unless `daemon`.  For\n"
"threading; other code should use threading.Thread.");

static PyObject *start_joinable(PyObject *module, PyObject *args, PyObject *kwargs)
{
	static char *names[] = {"function", "handle", "daemon", NULL};
	module_state *st = thread_state(module);
	PyObject *func, *handle = Py_None, *empty;
	int daemon = 1;
	thread_ident ident;

	if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O|Op:start_joinable_thread", names,
	                                 &func, &handle, &daemon))
		return NULL;
	if (!PyCallable_Check(func)) {
		PyErr_SetString(PyExc_TypeError, "thread function must be callable");
		return NULL;
	}
	if (handle == Py_None) {
		handle = handle_make(st);
		if (!handle)
			return NULL;
	} else if (Py_TYPE(handle) != st->handle_type) {
		PyErr_SetString(PyExc_TypeError, "'handle' must be a _ThreadHandle");
		return NULL;
	} else {
		Py_INCREF(handle);
	}
	if (handle_of(handle)->started) {
		PyErr_SetString(st->error, "thread already started");
		goto failed;
	}
	if (compat_check_threads_allowed() < 0 || compat_check_thread_start() < 0 ||
	    !(empty = PyTuple_New(0)))
		goto failed;
	handle_of(handle)->nondaemon = !daemon;
	ident = thread_start(module, func, empty, NULL, handle);
	Py_DECREF(empty);
	if (ident)
		return handle;
failed:
	Py_DECREF(handle);
	return NULL;
}

PyDoc_STRVAR(make_handle_doc,
"_make_thread_handle($module, ident, /)\n--\n\n"
"A running _ThreadHandle for thread `ident`, started elsewhere (the main\n"
"thread, a thread of C code).  Only _set_done() marks it done.");

static PyObject *make_handle(PyObject *module, PyObject *ident)
{
	PyObject *h;
	unsigned long long id;
	if (!PyLong_Check(ident)) {
		PyErr_SetString(PyExc_TypeError, "ident must be an integer");
		return NULL;
	}
	id = PyLong_AsUnsignedLongLong(ident);
	if (id == (unsigned long long)-1 && PyErr_Occurred())
		return NULL;
	h = handle_make(thread_state(module));
	if (h)
		thread_handle_running(h, (thread_ident)id, NULL);
	return h;
}

PyDoc_STRVAR(main_ident_doc,
"_get_main_thread_ident($module, /)\n--\n\n"
"The identifier of the main thread of the main interpreter.");

static PyObject *main_ident(PyObject *module, PyObject *unused)
{
	(void)unused;
	return PyLong_FromUnsignedLongLong(thread_state(module)->main_ident);
}

PyDoc_STRVAR(shutdown_doc,
"_shutdown($module, /)\n--\n\n"
"Wait for every thread started with daemon=False, but the caller, to end.\n"
"The interpreter calls it at exit, through threading._shutdown().");

static PyObject *shutdown(PyObject *module, PyObject *unused)
{
	module_state *st = thread_state(module);
	thread_ident self = thread_get_ident();
	(void)unused;
	for (;;) {
		/* The list changes while we wait: look again from its head. */
		handleobject *h;
		for (h = st->handles; h; h = h->next)
			if (h->nondaemon && h->started && !h->over && h->ident != self)
				break;
		if (!h)
			break;
		if (handle_join(h, -1) < 0) {
			/* Ctrl-C: reported, and the exit goes on (as in _thread). */
			PyErr_WriteUnraisable(NULL);
			break;
		}
	}
	Py_RETURN_NONE;
}

/* os.register_at_fork(after_in_child=...): the threads of the handles are
 * gone but for the forking one, so their handles are done, before any
 * Python code of the child (threading's own hook comes after ours, as
 * threading imports us first) can join them. */
static PyObject *after_fork_child(PyObject *module, PyObject *unused)
{
	handleobject *h;
	thread_ident self = thread_get_ident();
	(void)unused;
	for (h = thread_state(module)->handles; h; h = h->next) {
		if (h->started && h->ident == self)
			continue;
		h->started = 1; /* as in 3.13.0: never-started handles too */
		h->done = h->over = 1;
		h->os = NULL; /* its thread is not in this process: leave it be */
		/* No other thread exists to hold or wait on it (a joiner may have
		 * held it in the parent): free, with no sleepers. */
		thread_lock_reinit(&h->exited);
	}
	Py_RETURN_NONE;
}

static PyMethodDef after_fork_def = {"_after_fork_child", after_fork_child, METH_NOARGS, NULL};

static PyMethodDef handle_functions[] = {
	{"start_joinable_thread", (PyCFunction)(void (*)(void))start_joinable,
	 METH_VARARGS | METH_KEYWORDS, start_joinable_doc},
	{"_make_thread_handle", make_handle, METH_O, make_handle_doc},
	{"_get_main_thread_ident", main_ident, METH_NOARGS, main_ident_doc},
	{"_shutdown", shutdown, METH_NOARGS, shutdown_doc},
	{NULL, NULL, 0, NULL},
};

/* The main thread's identifier as this interpreter's own _thread gives it
 * (where it has _get_main_thread_ident), asked while that module is still
 * the one `import _thread` finds; 0 elsewhere. */
static unsigned long long stock_main_ident(void)
{
	unsigned long long id = 0;
	PyObject *stock = PyImport_ImportModule("_thread"), *r = NULL;
	if (stock && PyObject_HasAttrString(stock, "_get_main_thread_ident"))
		r = PyObject_CallMethod(stock, "_get_main_thread_ident", NULL);
	if (r)
		id = PyLong_AsUnsignedLongLong(r);
	Py_XDECREF(r);
	Py_XDECREF(stock);
	PyErr_Clear();
	return id;
}

int thread_handle_add(PyObject *module)
{
	module_state *st = thread_state(module);
	const char *const *absent;
	for (absent = compat_dropin_absent; *absent; absent++)
		if (strcmp(*absent, "_ThreadHandle") == 0)
			return 0; /* before 3.13: no handles, nothing to set up */
	st->main_ident = stock_main_ident();
	if (thread_add_type(module, &st->handle_type, &handle_spec) < 0 ||
	    thread_add_ref(module, "_ThreadHandle", (PyObject *)st->handle_type) < 0 ||
	    PyModule_AddFunctions(module, handle_functions) < 0)
		return -1;
	return thread_at_fork_child(module, &after_fork_def);
}
