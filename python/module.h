/* Private to the `thread` extension: module state, the lock object, and
 * what threadmodule.c and lockobject.c share. */
#ifndef THREAD_PY_MODULE_H
#define THREAD_PY_MODULE_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "freelist.h"
#include "thread.h"

/* Per-module state: one per import of the module in each interpreter.
 * Written once by module_exec, read-only afterwards, cleared by m_clear. */
typedef struct {
	PyTypeObject *lock_type; /* thread.LockType, a heap type */
	PyObject *error;         /* thread.error: RuntimeError, as in _thread */
	PyTypeObject *fastmethod_type, *fastmethod_bound_type; /* fastmethod.c */
} module_state;

/* A lock object.  Not tracked by the cyclic GC: it refers to nothing but
 * its type, so it cannot be part of a cycle the GC needs to see, and the
 * GC header would take it from 32 to 48 bytes.  The weak reference list
 * comes before the word so the object packs into 32 bytes on 64-bit. */
typedef struct {
	PyObject_HEAD
	PyObject *weakrefs; /* owned by the weakref machinery; NULL when none */
	thread_lock lk;     /* the lock itself; only libthread touches it */
} lockobject;

/* Longest acquire() timeout, in whole seconds whose nanoseconds fit in an
 * int64_t; thread.TIMEOUT_MAX. */
#define THREAD_TIMEOUT_MAX_S 9223372036LL

/* A method with a cheap bound form (fastmethod.c), for the methods that
 * `with` binds on every use.  `fn` gets the instance as `self` and the
 * arguments after it; `bound_call` is the same method called bound, made by
 * FASTMETHOD_BOUND_CALL; `doc` starts with a text signature, as PyDoc_STRVAR
 * docstrings of built-in methods do.  Arrays end with a NULL name. */
typedef PyObject *(*fastmethod_fn)(PyObject *self, PyObject *const *args, Py_ssize_t nargs,
                                   PyObject *kwnames);
typedef struct {
	const char *name;
	fastmethod_fn fn;
	vectorcallfunc bound_call;
	const char *doc;
} fastmethod_def;

/* How a bound fast method begins; the rest is fastmethod.c's. */
typedef struct {
	PyObject_HEAD
	vectorcallfunc vectorcall; /* the def's bound_call */
	PyObject *self;            /* strong; an instance of the owner type */
} fastmethod_bound_head;

/* Define `name`, the vectorcall function of `fn` bound: it hands the bound
 * method's `self` straight to `fn`, which the compiler may then inline, so
 * a call through the bound method costs one call, not two. */
#define FASTMETHOD_BOUND_CALL(name, fn)                                                  \
	static PyObject *name(PyObject *bound, PyObject *const *args, size_t nargsf,      \
	                      PyObject *kwnames)                                         \
	{                                                                                \
		return fn(((fastmethod_bound_head *)bound)->self, args,                  \
		          PyVectorcall_NARGS(nargsf), kwnames);                          \
	}

extern PyModuleDef thread_moduledef;
extern PyType_Spec thread_lock_spec;
extern PyType_Spec thread_fastmethod_spec, thread_fastmethod_bound_spec;
extern const fastmethod_def thread_lock_fastmethods[]; /* __enter__, __exit__ */

/* Put a descriptor for each of `defs` into `owner`'s dict; `descr_type` and
 * `bound_type` are made from the two specs above.  0, or -1 with an
 * exception.  Only for a type no Python code has seen yet. */
int thread_fastmethods_add(PyTypeObject *owner, const fastmethod_def *defs,
                           PyTypeObject *descr_type, PyTypeObject *bound_type);

/* The module state of `module`, or of the module that created `tp`; the
 * latter is NULL when the interpreter cannot say (3.8). */
module_state *thread_state(PyObject *module);
module_state *thread_state_of_type(PyTypeObject *tp);

/* A new unlocked lock of type `tp`, or NULL with MemoryError set. */
PyObject *thread_lock_new(PyTypeObject *tp);

/* Module initialisation, run by Py_mod_exec (the slot list lives in the
 * compat file for the interpreter being built for). */
int thread_module_exec(PyObject *module);

#endif /* THREAD_PY_MODULE_H */
