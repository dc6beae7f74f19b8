/* thread.LockType: a lock object holding one libthread lock word inline.
 *
 * Acquire policy: first a non-blocking try with the thread state attached
 * (no interpreter-lock traffic when the lock is free); only if that fails
 * and the caller will wait do we detach and block in libthread.  Blocking
 * waits in the main thread of the main interpreter are interruptible: on
 * THREAD_EINTR, and every SIGNAL_POLL_NS in any case, we run the Python
 * signal handlers and, unless one raised, wait again for the time left to
 * the deadline taken at entry.  Every other thread (threading.Thread, pool
 * workers, start_new_thread's) cannot run signal handlers, so it waits
 * once, through signals: a thread blocked for good then stays asleep, and
 * does not come back for the interpreter lock 20 times a second, nor while
 * the interpreter is being finalised at exit. */
#include "compat.h"

#include <math.h>
#include <stddef.h>
#include <structmember.h>

#define NS_PER_S 1000000000LL
#define SIGNAL_POLL_NS (50 * 1000000LL) /* longest a missed signal waits */

module_state *thread_state_of_type(PyTypeObject *tp)
{
	PyObject *m = compat_type_module(tp);
	return m ? thread_state(m) : NULL;
}

/* Freed lock objects kept for reuse (freelist.h): enough for a burst of
 * allocate_lock() calls, such as a thread pool's start. */
#define LOCK_KEEP 64

PyObject *thread_lock_new(PyTypeObject *tp)
{
	/* Either way takes the reference to the heap type that dealloc drops. */
	lockobject *self = (lockobject *)freelist_pop(compat_lock_freelist);
	if (self) {
		PyObject_INIT(self, tp);
	} else {
		self = PyObject_New(lockobject, tp);
		if (!self)
			return NULL;
	}
	self->weakrefs = NULL;
	self->lk = (thread_lock)THREAD_LOCK_INIT;
	return (PyObject *)self;
}

static PyObject *lock_tp_new(PyTypeObject *tp, PyObject *args, PyObject *kwds)
{
	if (PyTuple_GET_SIZE(args) != 0 || (kwds && PyDict_GET_SIZE(kwds) != 0)) {
		PyErr_SetString(PyExc_TypeError, "LockType() takes no arguments");
		return NULL;
	}
	return thread_lock_new(tp);
}

static void lock_dealloc(lockobject *self)
{
	PyTypeObject *tp = Py_TYPE(self);
	/* A waiter holds a reference, so nobody can be blocked on self->lk. */
	if (self->weakrefs)
		PyObject_ClearWeakRefs((PyObject *)self);
	if (!freelist_push(compat_lock_freelist, self, LOCK_KEEP))
		tp->tp_free((PyObject *)self);
	Py_DECREF(tp);
}

/* Wait for the lock, detached from the interpreter.  timeout_ns > 0 or -1
 * (forever).  Returns 1 (held), 0 (timed out), -1 with an exception set by
 * a signal handler. */
static int acquire_blocking(lockobject *self, int64_t timeout_ns)
{
	/* Only there do handlers run; elsewhere, wait once, through signals. */
	int polls = compat_runs_signal_handlers();
	int64_t deadline = INT64_MAX, now;
	int r;

	if (polls && timeout_ns > 0) {
		now = thread_monotonic_ns();
		if (timeout_ns < INT64_MAX - now)
			deadline = now + timeout_ns;
	}
	for (;;) {
		/* Wait in slices: a signal that lands after we detach but before
		 * the wait begins is not reported by the wait, and its handler
		 * must not wait for the lock to be released. */
		int64_t slice = polls && (timeout_ns < 0 || timeout_ns > SIGNAL_POLL_NS)
		                        ? SIGNAL_POLL_NS : timeout_ns;
		Py_BEGIN_ALLOW_THREADS
		r = thread_lock_acquire_timed(&self->lk, slice, polls ? THREAD_INTERRUPTIBLE : 0);
		Py_END_ALLOW_THREADS
		if (!polls || (r != THREAD_EINTR && r != 0))
			break;
		if (PyErr_CheckSignals() < 0)
			return -1;
		if (timeout_ns > 0) {
			now = thread_monotonic_ns();
			if (now >= deadline)
				return thread_lock_acquire(&self->lk, 0);
			timeout_ns = deadline - now;
		}
	}
	if (r < 0) {
		PyErr_SetString(PyExc_SystemError, thread_strerror(r));
		return -1;
	}
	return r;
}

/* timeout_ns: 0 try once, -1 forever, else nanoseconds. */
static int acquire_timed(lockobject *self, int64_t timeout_ns)
{
	int r = thread_lock_acquire(&self->lk, 0);
	if (r != 0 || timeout_ns == 0)
		return r;
	return acquire_blocking(self, timeout_ns);
}

/* `waitflag`/`blocking`: an integer (or anything with __index__). */
static int blocking_from_object(PyObject *obj)
{
	PyObject *index;
	int r;
	if (PyLong_Check(obj))
		return PyObject_IsTrue(obj);
	index = PyNumber_Index(obj);
	if (!index)
		return -1;
	r = PyObject_IsTrue(index);
	Py_DECREF(index);
	return r;
}

/* `timeout` in seconds, int or float, into nanoseconds rounded up (a wait
 * never ends early); -1 means none.  Returns 0, or -1 with an exception. */
static int timeout_from_object(PyObject *obj, int64_t *ns)
{
	if (PyFloat_Check(obj)) {
		double s = PyFloat_AS_DOUBLE(obj);
		if (isnan(s)) {
			PyErr_SetString(PyExc_ValueError, "timeout must be a number, not NaN");
			return -1;
		}
		if (s == -1.0) {
			*ns = -1;
			return 0;
		}
		if (s < 0) {
			PyErr_SetString(PyExc_ValueError,
			                "timeout value must be a non-negative number");
			return -1;
		}
		if (s > (double)THREAD_TIMEOUT_MAX_S) {
			PyErr_SetString(PyExc_OverflowError, "timeout value is too large");
			return -1;
		}
		*ns = (int64_t)ceil(s * (double)NS_PER_S);
		return 0;
	}
	{
		int overflow = 0;
		long long s = PyLong_AsLongLongAndOverflow(obj, &overflow);
		if (s == -1 && PyErr_Occurred())
			return -1;
		if (s == -1 && !overflow) {
			*ns = -1;
			return 0;
		}
		if (overflow < 0 || s < 0) {
			PyErr_SetString(PyExc_ValueError,
			                "timeout value must be a non-negative number");
			return -1;
		}
		if (overflow > 0 || s > THREAD_TIMEOUT_MAX_S) {
			PyErr_SetString(PyExc_OverflowError, "timeout value is too large");
			return -1;
		}
		*ns = (int64_t)s * NS_PER_S;
		return 0;
	}
}

/* acquire(blocking=True, timeout=-1), both optional, by position or name. */
static int parse_acquire(PyObject *const *args, Py_ssize_t nargs,
                         PyObject *kwnames, int64_t *timeout_ns)
{
	PyObject *given[2] = {NULL, NULL};
	static const char *const names[2] = {"blocking", "timeout"};
	Py_ssize_t i, nkw = kwnames ? PyTuple_GET_SIZE(kwnames) : 0;
	int blocking = 1;

	if (nargs > 2) {
		PyErr_Format(PyExc_TypeError,
		             "acquire() takes at most 2 arguments (%zd given)", nargs);
		return -1;
	}
	for (i = 0; i < nargs; i++)
		given[i] = args[i];
	for (i = 0; i < nkw; i++) {
		PyObject *key = PyTuple_GET_ITEM(kwnames, i);
		int k;
		for (k = 0; k < 2; k++)
			if (PyUnicode_CompareWithASCIIString(key, names[k]) == 0)
				break;
		if (k == 2) {
			PyErr_Format(PyExc_TypeError,
			             "acquire() got an unexpected keyword argument '%U'", key);
			return -1;
		}
		if (given[k]) {
			PyErr_Format(PyExc_TypeError,
			             "acquire() got multiple values for argument '%s'", names[k]);
			return -1;
		}
		given[k] = args[nargs + i];
	}
	if (given[0] && (blocking = blocking_from_object(given[0])) < 0)
		return -1;
	*timeout_ns = -1;
	if (given[1] && timeout_from_object(given[1], timeout_ns) < 0)
		return -1;
	if (!blocking) {
		if (*timeout_ns != -1) {
			PyErr_SetString(PyExc_ValueError,
			                "can't specify a timeout for a non-blocking call");
			return -1;
		}
		*timeout_ns = 0;
	}
	return 0;
}

PyDoc_STRVAR(acquire_doc,
"acquire($self, /, blocking=True, timeout=-1)\n--\n\n"
"Acquire the lock.\n\n"
"Called with no argument: wait until the lock is free, take it and return\n"
"None.  With `blocking` (the page's waitflag) or `timeout`, return True if\n"
"the lock was acquired and False if not: a false `blocking` only takes a\n"
"free lock, a `timeout` (seconds) bounds the wait, -1 means no bound.\n"
"A wait in the main thread runs signal handlers as signals arrive; an\n"
"exception they raise (KeyboardInterrupt) propagates, otherwise the wait\n"
"goes on for the time left.");

static PyObject *lock_acquire(lockobject *self, PyObject *const *args,
                              Py_ssize_t nargs, PyObject *kwnames)
{
	int64_t timeout_ns;
	int r;
	if (nargs == 0 && kwnames == NULL) {
		if (acquire_timed(self, -1) < 0)
			return NULL;
		Py_RETURN_NONE;
	}
	if (parse_acquire(args, nargs, kwnames, &timeout_ns) < 0)
		return NULL;
	r = acquire_timed(self, timeout_ns);
	if (r < 0)
		return NULL;
	return PyBool_FromLong(r);
}

static PyObject *release_failed(lockobject *self)
{
	module_state *st = thread_state_of_type(Py_TYPE(self));
	PyErr_SetString(st ? st->error : PyExc_RuntimeError,
	                "release of an unlocked lock");
	return NULL;
}

PyDoc_STRVAR(release_doc,
"release($self, /)\n--\n\n"
"Release the lock.  Any thread may release it, not only the one that\n"
"acquired it.  Raises thread.error if the lock is not locked.");

static PyObject *lock_release(lockobject *self, PyObject *unused)
{
	(void)unused;
	if (thread_lock_release(&self->lk) == 0)
		Py_RETURN_NONE;
	return release_failed(self);
}

PyDoc_STRVAR(locked_doc,
"locked($self, /)\n--\n\n"
"Return True if some thread holds the lock, False if not.");

static PyObject *lock_locked(lockobject *self, PyObject *unused)
{
	(void)unused;
	return PyBool_FromLong(thread_lock_locked(&self->lk) == 1);
}

PyDoc_STRVAR(enter_doc,
"__enter__($self, /)\n--\n\n"
"Acquire the lock, waiting as long as it takes; return True.");

static PyObject *lock_enter(PyObject *self, PyObject *const *args, Py_ssize_t nargs,
                            PyObject *kwnames)
{
	(void)args;
	if (nargs != 0 || kwnames) {
		PyErr_Format(PyExc_TypeError, "__enter__() takes no arguments (%zd given)",
		             nargs + (kwnames ? PyTuple_GET_SIZE(kwnames) : 0));
		return NULL;
	}
	if (acquire_timed((lockobject *)self, -1) < 0)
		return NULL;
	Py_RETURN_TRUE;
}

PyDoc_STRVAR(exit_doc,
"__exit__($self, /, *exc_info)\n--\n\n"
"Release the lock.");

static PyObject *lock_exit(PyObject *self, PyObject *const *args, Py_ssize_t nargs,
                           PyObject *kwnames)
{
	(void)args;
	(void)nargs;
	if (kwnames && PyTuple_GET_SIZE(kwnames) != 0) {
		PyErr_SetString(PyExc_TypeError, "__exit__() takes no keyword arguments");
		return NULL;
	}
	if (thread_lock_release(&((lockobject *)self)->lk) == 0)
		Py_RETURN_NONE;
	return release_failed((lockobject *)self);
}

/* `with` binds these on every use: they are fast methods (fastmethod.c). */
FASTMETHOD_BOUND_CALL(lock_enter_bound, lock_enter)
FASTMETHOD_BOUND_CALL(lock_exit_bound, lock_exit)

const fastmethod_def thread_lock_fastmethods[] = {
	{"__enter__", lock_enter, lock_enter_bound, enter_doc},
	{"__exit__", lock_exit, lock_exit_bound, exit_doc},
	{NULL, NULL, NULL, NULL},
};

static PyObject *lock_repr(lockobject *self)
{
	return PyUnicode_FromFormat("<%s %s object at %p>",
	                            thread_lock_locked(&self->lk) == 1 ? "locked" : "unlocked",
	                            Py_TYPE(self)->tp_name, (void *)self);
}

static PyMethodDef lock_methods[] = {
	{"acquire", (PyCFunction)(void (*)(void))lock_acquire,
	 METH_FASTCALL | METH_KEYWORDS, acquire_doc},
	{"release", (PyCFunction)lock_release, METH_NOARGS, release_doc},
	{"locked", (PyCFunction)lock_locked, METH_NOARGS, locked_doc},
	{NULL, NULL, 0, NULL},
};

static PyMemberDef lock_members[] = {
	{"__weaklistoffset__", T_PYSSIZET, offsetof(lockobject, weakrefs), READONLY, NULL},
	{NULL, 0, 0, 0, NULL},
};

PyDoc_STRVAR(lock_doc,
"LockType()\n--\n\n"
"A lock (binary semaphore): initially unlocked; any thread may release\n"
"it.  allocate_lock() is the usual way to get one.  Supports `with`.");

static PyType_Slot lock_slots[] = {
	{Py_tp_doc, (void *)lock_doc},
	{Py_tp_new, (void *)lock_tp_new},
	{Py_tp_dealloc, (void *)lock_dealloc},
	{Py_tp_repr, (void *)lock_repr},
	{Py_tp_methods, lock_methods},
	{Py_tp_members, lock_members},
	{0, NULL},
};

/* Not a base type (like _thread.lock) and not GC-tracked (see module.h);
 * the build's compat file adds the immutable flag where it exists. */
PyType_Spec thread_lock_spec = {
	.name = "thread.LockType",
	.basicsize = sizeof(lockobject),
	.itemsize = 0,
	.flags = Py_TPFLAGS_DEFAULT,
	.slots = lock_slots,
};
