/* The lock types: thread.LockType (the page's) and _thread.lock (the
 * drop-in's), one libthread lock word inline.  They share every function
 * but acquire(), whose call with no argument returns None on the page and
 * True in _thread, and _thread's extra names.  How they wait: wait.c. */
#include "compat.h"

#include <stddef.h>
#include <structmember.h>

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

/* timeout_ns: 0 try once, -1 forever, else nanoseconds. */
static int acquire_timed(lockobject *self, int64_t timeout_ns)
{
	int r = thread_lock_acquire(&self->lk, 0);
	if (r != 0 || timeout_ns == 0)
		return r;
	return thread_lock_wait(&self->lk, timeout_ns);
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

/* acquire() of both faces; `bare` is what a call with no argument
 * returns once the lock is held (None on the page, True in _thread). */
static PyObject *acquire(lockobject *self, PyObject *const *args, Py_ssize_t nargs,
                         PyObject *kwnames, PyObject *bare)
{
	int64_t timeout_ns;
	int r;
	if (nargs == 0 && kwnames == NULL) {
		if (acquire_timed(self, -1) < 0)
			return NULL;
		Py_INCREF(bare);
		return bare;
	}
	if (thread_parse_acquire("acquire", args, nargs, kwnames, &timeout_ns) < 0)
		return NULL;
	r = acquire_timed(self, timeout_ns);
	if (r < 0)
		return NULL;
	return PyBool_FromLong(r);
}

static PyObject *lock_acquire(lockobject *self, PyObject *const *args,
                              Py_ssize_t nargs, PyObject *kwnames)
{
	return acquire(self, args, nargs, kwnames, Py_None);
}

static PyObject *dropin_acquire(lockobject *self, PyObject *const *args,
                                Py_ssize_t nargs, PyObject *kwnames)
{
	return acquire(self, args, nargs, kwnames, Py_True);
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

static const fastmethod_def lock_fastmethods[] = {
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

PyDoc_STRVAR(dropin_acquire_doc,
"acquire($self, /, blocking=True, timeout=-1)\n--\n\n"
"Lock the lock.  Without argument, this blocks if the lock is already\n"
"locked (even by the same thread), waiting for another thread to release\n"
"the lock, and return True once the lock is acquired.\n"
"With an argument, this will only block if the argument is true,\n"
"and the return value reflects whether the lock is acquired.\n"
"The blocking operation is interruptible.");

PyDoc_STRVAR(at_fork_reinit_doc,
"_at_fork_reinit($self, /)\n--\n\n"
"Make the lock new and unlocked, whatever its state: for the only thread\n"
"of a child process after fork().");

static PyObject *lock_at_fork_reinit(lockobject *self, PyObject *unused)
{
	(void)unused;
	thread_lock_reinit(&self->lk);
	Py_RETURN_NONE;
}

/* _thread.lock's: the page's names, their old aliases, _at_fork_reinit. */
static PyMethodDef dropin_lock_methods[] = {
	{"acquire", (PyCFunction)(void (*)(void))dropin_acquire,
	 METH_FASTCALL | METH_KEYWORDS, dropin_acquire_doc},
	{"acquire_lock", (PyCFunction)(void (*)(void))dropin_acquire,
	 METH_FASTCALL | METH_KEYWORDS, dropin_acquire_doc},
	{"release", (PyCFunction)lock_release, METH_NOARGS, release_doc},
	{"release_lock", (PyCFunction)lock_release, METH_NOARGS, release_doc},
	{"locked", (PyCFunction)lock_locked, METH_NOARGS, locked_doc},
	{"locked_lock", (PyCFunction)lock_locked, METH_NOARGS, locked_doc},
	{"_at_fork_reinit", (PyCFunction)lock_at_fork_reinit, METH_NOARGS, at_fork_reinit_doc},
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
static PyType_Spec lock_spec = {
	.name = "thread.LockType",
	.basicsize = sizeof(lockobject),
	.itemsize = 0,
	.flags = Py_TPFLAGS_DEFAULT,
	.slots = lock_slots,
};

/* _thread.lock: before 3.13 it cannot be called (allocate_lock() makes
 * locks); from 3.13 it can, as `lock()`. */
static PyObject *dropin_lock_tp_new(PyTypeObject *tp, PyObject *args, PyObject *kwds)
{
	if (!compat_dropin_lock_callable) {
		PyErr_Format(PyExc_TypeError, "cannot create '%s' instances", tp->tp_name);
		return NULL;
	}
	if (PyTuple_GET_SIZE(args) != 0 || (kwds && PyDict_GET_SIZE(kwds) != 0)) {
		PyErr_SetString(PyExc_TypeError, "lock() takes no arguments");
		return NULL;
	}
	return thread_lock_new(tp);
}

static PyType_Slot dropin_lock_slots[] = {
	{Py_tp_doc, (void *)lock_doc},
	{Py_tp_new, (void *)dropin_lock_tp_new},
	{Py_tp_dealloc, (void *)lock_dealloc},
	{Py_tp_repr, (void *)lock_repr},
	{Py_tp_methods, dropin_lock_methods},
	{Py_tp_members, lock_members},
	{0, NULL},
};

static PyType_Spec dropin_lock_spec = {
	.name = "_thread.lock",
	.basicsize = sizeof(lockobject),
	.itemsize = 0,
	.flags = Py_TPFLAGS_DEFAULT,
	.slots = dropin_lock_slots,
};

int thread_lock_add(PyObject *module)
{
	module_state *st = thread_state(module);
	PyType_Spec *spec = st->is_dropin ? &dropin_lock_spec : &lock_spec;
	if (thread_add_type(module, &st->lock_type, spec) < 0 ||
	    thread_fastmethods_add(st->lock_type, lock_fastmethods, st->fastmethod_type,
	                           st->fastmethod_bound_type) < 0 ||
	    thread_add_ref(module, "LockType", (PyObject *)st->lock_type) < 0)
		return -1;
	return st->is_dropin ? thread_add_ref(module, "lock", (PyObject *)st->lock_type) : 0;
}
