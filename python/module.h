/* Private to the extension: the module state that both module definitions
 * share, the object layouts, and what the files call of each other.
 *
 * One implementation serves two module definitions:
 *   page.c    `thread`, the module of the reference page;
 *   dropin.c  `thread.dropin`, a complete `_thread` for the running
 *             interpreter, which stdlib `threading` can run on.
 * The objects and functions they list live in one file per job: lock.c
 * (the lock types), rlock.c (the reentrant lock), start.c (thread start and
 * the per-thread bookkeeping), handle.c (3.13's thread handles), local.c (thread-local
 * data), excepthook.c, functions.c (the small module-level functions),
 * fastmethod.c (cheap bound methods for `with`), install.c (thread.install),
 * wait.c and handoff.c (how a Python thread waits) and compat_*.c (what
 * differs between CPython versions). */
#ifndef THREAD_PY_MODULE_H
#define THREAD_PY_MODULE_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "freelist.h"
#include "thread.h"

/* Per-module state: one per module object (each import of `thread` in each
 * interpreter, and the drop-in it makes).  Written by module exec, then
 * read-only but for the counters, which change only with the interpreter
 * lock held; cleared by m_clear.  Types a module does not have are NULL. */
typedef struct {
	PyTypeObject *lock_type;  /* thread.LockType / _thread.lock */
	PyTypeObject *rlock_type; /* _thread.RLock (drop-in) */
	PyTypeObject *local_type; /* _thread._local (drop-in); also the key of its
	                           * per-thread data in thread state dicts (local.c) */
	PyTypeObject *handle_type;      /* _thread._ThreadHandle (drop-in, 3.13) */
	PyTypeObject *excepthook_args_type; /* _thread._ExceptHookArgs (drop-in) */
	PyObject *error;                    /* RuntimeError, as in _thread */
	PyTypeObject *fastmethod_type, *fastmethod_bound_type; /* fastmethod.c */
	PyObject *dropin;   /* `thread`: its drop-in module; NULL in the drop-in */
	Py_ssize_t threads; /* threads this module started whose Python work is
	                     * not over yet: _count() */
	struct handleobject *handles; /* handle.c: every live _ThreadHandle of
	                               * this module, for _shutdown and fork */
	unsigned long long main_ident; /* _get_main_thread_ident(), 0: unknown */
	int is_dropin;      /* 1 in the drop-in: acquire() returns True */
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
 * int64_t; TIMEOUT_MAX. */
#define THREAD_TIMEOUT_MAX_S 9223372036LL

/* ---- fast methods (fastmethod.c) ------------------------------------------ */

/* A method with a cheap bound form, for the methods that `with` binds on
 * every use.  `fn` gets the instance as `self` and the arguments after it;
 * `bound_call` is the same method called bound, made by
 * FASTMETHOD_BOUND_CALL; `doc` starts with a text signature, as
 * PyDoc_STRVAR docstrings of built-in methods do.  Arrays end with a NULL
 * name. */
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

extern PyType_Spec thread_fastmethod_spec, thread_fastmethod_bound_spec;

/* Put a descriptor for each of `defs` into `owner`'s dict; `descr_type` and
 * `bound_type` are made from the two specs above.  0, or -1 with an
 * exception.  Only for a type no Python code has seen yet. */
int thread_fastmethods_add(PyTypeObject *owner, const fastmethod_def *defs,
                           PyTypeObject *descr_type, PyTypeObject *bound_type);

/* ---- the two module definitions ------------------------------------------ */

extern PyModuleDef thread_moduledef;        /* page.c */
extern PyModuleDef thread_dropin_moduledef; /* dropin.c */

/* The module state of `module`, or of the module that created `tp`; the
 * latter is NULL when the interpreter cannot say (3.8). */
module_state *thread_state(PyObject *module);
module_state *thread_state_of_type(PyTypeObject *tp);

/* Make the heap type of `spec` for `module` into *slot (a new reference,
 * dropped by m_clear).  In the drop-in, attributes this interpreter's
 * _thread lacks (compat_dropin_absent) are taken out of it.  0, or -1 with
 * an exception. */
int thread_add_type(PyObject *module, PyTypeObject **slot, PyType_Spec *spec);

/* Module exec, run by Py_mod_exec of each definition (the slot lists live
 * in the compat file for the interpreter being built for). */
int thread_module_exec(PyObject *module);
int thread_dropin_exec(PyObject *module);

/* The drop-in module made for the page module `page` (dropin.c), also
 * entered in sys.modules as "thread.dropin".  New reference, or NULL. */
PyObject *thread_dropin_new(PyObject *page);

/* Each part of the drop-in adds its types and state to `module`: 0 or -1
 * with an exception (rlock.c, local.c, excepthook.c, handle.c). */
int thread_rlock_add(PyObject *module);
int thread_local_add(PyObject *module);
int thread_excepthook_add(PyObject *module);
int thread_handle_add(PyObject *module);

/* start.c: start a thread running func(*args, **kwargs) for `module` (its
 * state counts it); `handle` (handle.c) or NULL.  With a handle the thread
 * starts joinable, and the handle owns its OS thread.  The identifier of
 * the new thread, or 0 with an exception set (the handle is then done). */
thread_ident thread_start(PyObject *module, PyObject *func, PyObject *args, PyObject *kwargs,
                          PyObject *handle);

/* handle.c, for start.c: `handle` runs in thread `ident`, whose joinable
 * libthread handle is `os` (parent, before the thread runs Python code;
 * the handle takes `os` over); its thread could not start; its thread's
 * Python work is over (the thread, attached, after clearing its thread
 * state).  All with the interpreter lock held. */
void thread_handle_running(PyObject *handle, thread_ident ident, thread_handle *os);
void thread_handle_done(PyObject *handle);

/* Have os.fork() call `def` (METH_NOARGS, `module` its self) in the child,
 * before Python code runs there (os.register_at_fork; nothing where the
 * platform has no fork).  0, or -1 with an exception. */
int thread_at_fork_child(PyObject *module, PyMethodDef *def);

/* A new reference to `value` added to `module` as `name`: 0 or -1. */
int thread_add_ref(PyObject *module, const char *name, PyObject *value);

/* ---- the parts ------------------------------------------------------------ */

/* lock.c: the lock types of the two faces, which differ only in what
 * acquire() with no argument returns (None on the page, True in _thread)
 * and in the names _thread's lock also has. */
/* Add the module's lock type (by the module's face) as LockType, and in
 * the drop-in also as `lock` (3.13's name; taken out before that). */
int thread_lock_add(PyObject *module);

/* A new unlocked lock of type `tp`, or NULL with MemoryError set. */
PyObject *thread_lock_new(PyTypeObject *tp);

/* Wait for libthread lock `lk`, detached from the interpreter, as every
 * blocking acquire of the module does: timeout_ns > 0, or -1 for no limit.
 * In the thread that runs signal handlers, the wait is interruptible: the
 * handlers run as signals arrive and, unless one raised, the wait goes on
 * until the deadline taken at entry.  Returns 1 (held), 0 (timed out), -1
 * with an exception set.  `lk` must stay valid throughout (the caller holds
 * a reference to what contains it). */
int thread_lock_wait(thread_lock *lk, int64_t timeout_ns);

/* The same wait for anything with a timed acquire of libthread's contract
 * (thread_lock_acquire_timed's arguments and results), such as a
 * reentrant lock. */
typedef int (*thread_timed_fn)(void *obj, int64_t timeout_ns, unsigned flags);
int thread_wait(thread_timed_fn timed, void *obj, int64_t timeout_ns);

/* handoff.c: how a wait for a plain lock (thread_lock_wait) spins, first
 * for the lock and then for the interpreter lock, while spinning pays.
 * One per wait, on the waiter's stack: plan (attached), then spin for the
 * lock (detached, the first call of a wait only; 1: got it; else the
 * timeout is cut by the time spent), then, once the lock is held, spin for
 * the interpreter lock (detached), then learn from the outcomes (attached
 * again).  On a zeroed handoff, never planned, every call does nothing. */
typedef struct {
	const uint32_t *gil; /* the interpreter lock's "held" word, NULL: no spins */
	thread_lock *lk;     /* the lock waited for, while in handoff.c's table */
	int spins_for_lock, spins_for_gil; /* planned */
	int lock_outcome, gil_outcome;     /* 1 won, -1 ran out, 0 not tried */
} handoff;
void handoff_plan(handoff *h, thread_lock *lk);
int handoff_spin_for_lock(handoff *h, thread_lock *lk, int64_t *timeout_ns);
void handoff_spin_for_gil(handoff *h);
void handoff_learn(handoff *h);
/* In a fork child (attached): no other thread spins or waits. */
void handoff_after_fork_child(void);

/* acquire()'s arguments (blocking=True, timeout=-1) into a timeout in
 * nanoseconds: 0 try once, -1 no limit.  0, or -1 with an exception. */
int thread_parse_acquire(const char *fname, PyObject *const *args, Py_ssize_t nargs,
                         PyObject *kwnames, int64_t *timeout_ns);

/* Module-level functions, in tables by part and by face: each module
 * definition adds the tables it has (PyModule_AddFunctions).
 * start.c: start_new_thread (both) and, for the drop-in, the rest of a
 * thread's life as threading sees it (start_new, _count, _set_sentinel,
 * thread handles, _shutdown). */
extern PyMethodDef thread_start_functions[], thread_dropin_start_functions[];
/* functions.c: exit, allocate_lock, get_ident (both), exit_thread (the
 * page's warns), and the drop-in's get_native_id, interrupt_main,
 * stack_size and interpreter queries. */
extern PyMethodDef thread_functions[], thread_page_functions[], thread_dropin_functions[];
/* excepthook.c: _excepthook and the _ExceptHookArgs type (drop-in). */
extern PyMethodDef thread_excepthook_functions[];
/* install.c: thread.install() (page). */
extern PyMethodDef thread_install_functions[];

/* state.c: what both definitions share: their error and TIMEOUT_MAX and
 * the fast-method types (thread_add_common), and the module's GC hooks. */
int thread_add_common(PyObject *module);
int thread_module_traverse(PyObject *module, visitproc visit, void *arg);
int thread_module_clear(PyObject *module);
void thread_module_free(void *module);

#endif /* THREAD_PY_MODULE_H */
