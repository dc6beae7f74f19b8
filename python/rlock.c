/* _thread.RLock: a reentrant lock object over libthread's thread_rlock,
 * which owns the whole algorithm (owner, count, the lock word under them).
 * This file only parses arguments, waits the module's way (wait.c: signal
 * handlers in the main thread, the deadline kept) and turns libthread's
 * codes into the exceptions and values the stock RLock gives. */
#include "compat.h"

#include <stddef.h>
#include <structmember.h>

/* Not GC-tracked, as the lock (module.h); a subclass gets its own dict and
 * GC support from the interpreter. */
typedef struct {
	PyObject_HEAD
	PyObject *weakrefs; /* owned by the weakref machinery; NULL when none */
	thread_rlock rl;
} rlockobject;

static PyObject *rlock_tp_new(PyTypeObject *tp, PyObject *args, PyObject *kwds)
{
	rlockobject *self;
	(void)args; /* like the stock RLock, any arguments are ignored */
	(void)kwds;
	self = (rlockobject *)tp->tp_alloc(tp, 0);
	if (!self)
		return NULL;
	self->weakrefs = NULL;
	self->rl = (thread_rlock)THREAD_RLOCK_INIT;
	return (PyObject *)self;
}

static void rlock_dealloc(rlockobject *self)
{
	PyTypeObject *tp = Py_TYPE(self);
	if (PyType_IS_GC(tp))
		PyObject_GC_UnTrack(self);
	if (self->weakrefs)
		PyObject_ClearWeakRefs((PyObject *)self);
	tp->tp_free((PyObject *)self);
	Py_DECREF(tp);
}

static PyObject *not_owned(void)
{
	PyErr_SetString(PyExc_RuntimeError, "cannot release un-acquired lock");
	return NULL;
}

static int rlock_timed(void *rl, int64_t timeout_ns, unsigned flags)
{
	return thread_rlock_acquire_timed((thread_rlock *)rl, timeout_ns, flags);
}

/* timeout_ns: 0 try once, -1 forever.  1 held, 0 not, -1 with an exception. */
static int acquire_timed(rlockobject *self, int64_t timeout_ns)
{
	/* The owner's next level, or a free lock, needs no waiting. */
	int r = thread_rlock_acquire(&self->rl, 0);
	if (r == 0 && timeout_ns != 0)
		r = thread_wait(rlock_timed, &self->rl, timeout_ns);
	if (r == THREAD_EOVERFLOW) {
		PyErr_SetString(PyExc_OverflowError, "Internal lock count overflowed");
		return -1;
	}
	return r;
}

PyDoc_STRVAR(acquire_doc,
"acquire($self, /, blocking=True, timeout=-1)\n--\n\n"
"Lock the lock.  `blocking` indicates whether we should wait\n"
"for the lock to be available or not.  If `blocking` is False\n"
"and another thread holds the lock, the method will return False\n"
"immediately.  If `blocking` is True and another thread holds\n"
"the lock, the method will wait for the lock to be released,\n"
"take it and then return True.\n"
"(note: the blocking operation is interruptible.)\n\n"
"In all other cases, the method will return True immediately.\n"
"Precisely, if the current thread already holds the lock, its\n"
"internal counter is simply incremented. If nobody holds the lock,\n"
"the lock is taken and its internal counter initialized to 1.");

static PyObject *rlock_acquire(rlockobject *self, PyObject *const *args, Py_ssize_t nargs,
                               PyObject *kwnames)
{
	int64_t timeout_ns = -1;
	int r;
	if ((nargs != 0 || kwnames) &&
	    thread_parse_acquire("acquire", args, nargs, kwnames, &timeout_ns) < 0)
		return NULL;
	r = acquire_timed(self, timeout_ns);
	if (r < 0)
		return NULL;
	return PyBool_FromLong(r);
}

PyDoc_STRVAR(release_doc,
"release($self, /)\n--\n\n"
"Release the lock, allowing another thread that is blocked waiting for\n"
"the lock to acquire the lock.  The lock must be in the locked state,\n"
"and must be locked by the same thread that unlocks it; otherwise a\n"
"`RuntimeError` is raised.\n\n"
"Do note that if the lock was acquire()d several times in a row by the\n"
"current thread, release() needs to be called as many times for the lock\n"
"to be available for other threads.");

static PyObject *rlock_release(rlockobject *self, PyObject *unused)
{
	(void)unused;
	if (thread_rlock_release(&self->rl) < 0)
		return not_owned();
	Py_RETURN_NONE;
}

PyDoc_STRVAR(enter_doc,
"__enter__($self, /)\n--\n\n"
"Lock the lock, waiting as long as it takes; return True.");

static PyObject *rlock_enter(PyObject *self, PyObject *const *args, Py_ssize_t nargs,
                             PyObject *kwnames)
{
	/* `with` passes nothing; a direct call may pass acquire()'s arguments. */
	return rlock_acquire((rlockobject *)self, args, nargs, kwnames);
}

PyDoc_STRVAR(exit_doc,
"__exit__($self, /, *exc_info)\n--\n\n"
"Release the lock.");

static PyObject *rlock_exit(PyObject *self, PyObject *const *args, Py_ssize_t nargs,
                            PyObject *kwnames)
{
	(void)args;
	(void)nargs;
	(void)kwnames;
	return rlock_release((rlockobject *)self, NULL);
}

/* release() as a fast method: it takes no arguments. */
static PyObject *rlock_release_fast(PyObject *self, PyObject *const *args, Py_ssize_t nargs,
                                    PyObject *kwnames)
{
	(void)args;
	if (nargs != 0 || (kwnames && PyTuple_GET_SIZE(kwnames))) {
		PyErr_Format(PyExc_TypeError, "release() takes no arguments (%zd given)",
		             nargs + (kwnames ? PyTuple_GET_SIZE(kwnames) : 0));
		return NULL;
	}
	return rlock_release((rlockobject *)self, NULL);
}

FASTMETHOD_BOUND_CALL(rlock_enter_bound, rlock_enter)
FASTMETHOD_BOUND_CALL(rlock_exit_bound, rlock_exit)
FASTMETHOD_BOUND_CALL(rlock_acquire_bound, rlock_enter)
FASTMETHOD_BOUND_CALL(rlock_release_bound, rlock_release_fast)

static const fastmethod_def rlock_fastmethods[] = {
	{"__enter__", rlock_enter, rlock_enter_bound, enter_doc},
	{"__exit__", rlock_exit, rlock_exit_bound, exit_doc},
	{NULL, NULL, NULL, NULL},
};

/* acquire() and release() as fast methods too, where that is faster
 * (compat_fast_method_calls): on 3.8 the built-in method call's checks cost
 * more than the lock (RLock nested twice 0.76x of stock as built-in
 * methods, 0.63x as fast methods), while 3.11's interpreter specialises
 * calls of built-in methods and beats ours (0.42x against 0.63x). */
static const fastmethod_def rlock_call_fastmethods[] = {
	{"acquire", rlock_enter, rlock_acquire_bound, acquire_doc},
	{"release", rlock_release_fast, rlock_release_bound, release_doc},
	{NULL, NULL, NULL, NULL},
};

PyDoc_STRVAR(is_owned_doc,
"_is_owned($self, /)\n--\n\n"
"For internal use by `threading.Condition`.");

static PyObject *rlock_is_owned(rlockobject *self, PyObject *unused)
{
	(void)unused;
	return PyBool_FromLong(thread_rlock_is_owned(&self->rl) == 1);
}

PyDoc_STRVAR(recursion_count_doc,
"_recursion_count($self, /)\n--\n\n"
"For internal use by reentrancy checks.");

static PyObject *rlock_recursion_count(rlockobject *self, PyObject *unused)
{
	(void)unused;
	return PyLong_FromUnsignedLong(thread_rlock_count(&self->rl));
}

PyDoc_STRVAR(release_save_doc,
"_release_save($self, /)\n--\n\n"
"For internal use by `threading.Condition`.");

static PyObject *rlock_release_save(rlockobject *self, PyObject *unused)
{
	thread_rlock_state saved;
	(void)unused;
	if (thread_rlock_release_save(&self->rl, &saved) < 0)
		return not_owned();
	return Py_BuildValue("(kK)", (unsigned long)saved.count,
	                     (unsigned long long)saved.owner);
}

PyDoc_STRVAR(acquire_restore_doc,
"_acquire_restore($self, state, /)\n--\n\n"
"For internal use by `threading.Condition`.");

static PyObject *rlock_acquire_restore(rlockobject *self, PyObject *state)
{
	thread_rlock_state saved;
	unsigned long count;
	unsigned long long owner;
	int r;
	/* Any sequence of two, as stock takes; anything else a TypeError. */
	if (!PyArg_Parse(state, "(kK):_acquire_restore", &count, &owner))
		return NULL;
	if (count == 0 || count > UINT32_MAX || owner == 0) {
		PyErr_SetString(PyExc_ValueError, "_acquire_restore: not a saved state");
		return NULL;
	}
	saved.count = (uint32_t)count;
	saved.owner = (thread_ident)owner;
	/* Uninterruptible, as the stock RLock's: Condition.wait() must get
	 * its lock back before anything else happens.  A free lock is taken
	 * without giving up the interpreter lock, whose hand-over to another
	 * thread and back would cost two switches. */
	r = thread_rlock_try_restore(&self->rl, &saved);
	if (r == 0) {
		Py_BEGIN_ALLOW_THREADS
		r = thread_rlock_acquire_restore(&self->rl, &saved);
		Py_END_ALLOW_THREADS
	}
	if (r < 0) {
		PyErr_SetString(PyExc_SystemError, thread_strerror(r));
		return NULL;
	}
	Py_RETURN_NONE;
}

PyDoc_STRVAR(at_fork_reinit_doc,
"_at_fork_reinit($self, /)\n--\n\n"
"Make the lock new: free, no owner, whatever its state: for the only\n"
"thread of a child process after fork().");

static PyObject *rlock_at_fork_reinit(rlockobject *self, PyObject *unused)
{
	(void)unused;
	thread_rlock_reinit(&self->rl);
	Py_RETURN_NONE;
}

static PyObject *rlock_repr(rlockobject *self)
{
	/* A snapshot for display: the owner and count another thread sees
	 * may be stale, as they are in the stock RLock's repr. */
	thread_ident owner;
	uint32_t count;
	thread_rlock_peek(&self->rl, &owner, &count);
	return PyUnicode_FromFormat("<%s %s object owner=%llu count=%lu at %p>",
	                            owner ? "locked" : "unlocked", Py_TYPE(self)->tp_name,
	                            (unsigned long long)owner, (unsigned long)count,
	                            (void *)self);
}

static PyMethodDef rlock_methods[] = {
	{"acquire", (PyCFunction)(void (*)(void))rlock_acquire, METH_FASTCALL | METH_KEYWORDS,
	 acquire_doc},
	{"release", (PyCFunction)rlock_release, METH_NOARGS, release_doc},
	{"_is_owned", (PyCFunction)rlock_is_owned, METH_NOARGS, is_owned_doc},
	{"_recursion_count", (PyCFunction)rlock_recursion_count, METH_NOARGS,
	 recursion_count_doc},
	{"_release_save", (PyCFunction)rlock_release_save, METH_NOARGS, release_save_doc},
	{"_acquire_restore", (PyCFunction)rlock_acquire_restore, METH_O, acquire_restore_doc},
	{"_at_fork_reinit", (PyCFunction)rlock_at_fork_reinit, METH_NOARGS, at_fork_reinit_doc},
	{NULL, NULL, 0, NULL},
};

static PyMemberDef rlock_members[] = {
	{"__weaklistoffset__", T_PYSSIZET, offsetof(rlockobject, weakrefs), READONLY, NULL},
	{NULL, 0, 0, 0, NULL},
};

static PyType_Slot rlock_slots[] = {
	{Py_tp_new, (void *)rlock_tp_new},
	{Py_tp_dealloc, (void *)rlock_dealloc},
	{Py_tp_repr, (void *)rlock_repr},
	{Py_tp_methods, rlock_methods},
	{Py_tp_members, rlock_members},
	{0, NULL},
};

/* A base type, as the stock RLock is (threading tests subclass it). */
static PyType_Spec rlock_spec = {
	.name = "_thread.RLock",
	.basicsize = sizeof(rlockobject),
	.itemsize = 0,
	.flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE,
	.slots = rlock_slots,
};

int thread_rlock_add(PyObject *module)
{
	module_state *st = thread_state(module);
	if (thread_add_type(module, &st->rlock_type, &rlock_spec) < 0 ||
	    thread_fastmethods_add(st->rlock_type, rlock_fastmethods, st->fastmethod_type,
	                           st->fastmethod_bound_type) < 0)
		return -1;
	/* Put in place of the built-in acquire and release of rlock_methods. */
	if (compat_fast_method_calls &&
	    thread_fastmethods_add(st->rlock_type, rlock_call_fastmethods, st->fastmethod_type,
	                           st->fastmethod_bound_type) < 0)
		return -1;
	return thread_add_ref(module, "RLock", (PyObject *)st->rlock_type);
}
