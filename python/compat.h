/* The parts of the C API that differ between the CPython versions we build
 * for (3.8 and later).  Exactly one compat_py*.c is compiled, picked by the
 * build (python/CMakeLists.txt, setup.py) from the interpreter's version, so
 * no other file needs a version test. */
#ifndef THREAD_PY_COMPAT_H
#define THREAD_PY_COMPAT_H

#include "module.h"

#include <stdint.h>

/* The module's slots: Py_mod_exec, plus the declarations this version
 * understands (sub-interpreter GIL support 3.12+, free threading 3.13+). */
extern PyModuleDef_Slot compat_module_slots[];

/* The drop-in's slots (dropin.c): the same declarations.  Both modules say
 * they need the GIL on a free-threaded 3.13 (compat_py313.c says why). */
extern PyModuleDef_Slot compat_dropin_slots[];

/* A heap type from `spec`, tied to `module` where the version can do that
 * (3.9+), immutable where it can (3.10+).  New reference, or NULL. */
PyObject *compat_new_type(PyObject *module, PyType_Spec *spec);

/* The module that created heap type `tp` (borrowed), or NULL when this
 * version keeps no such link (3.8), without an exception set. */
PyObject *compat_type_module(PyTypeObject *tp);

/* Where freed lock objects wait for reuse (freelist.h), or NULL: keep none.
 * Up to 3.11 every interpreter of the process shares one interpreter lock
 * and one allocator, so one list serves them all; from 3.12 a
 * sub-interpreter may have its own of both, and the list would have to
 * live in module state, which a lock's dealloc reaches only through two
 * calls that cost what the list saves. */
extern freelist *const compat_lock_freelist;

/* What this version's `_thread` lacks of the drop-in's surface (dropin.c):
 * module-level names ("_set_sentinel") and type attributes
 * ("RLock._recursion_count"); ends with NULL. */
extern const char *const compat_dropin_absent[];

/* 1 where `_thread.lock()` makes a lock (3.13+), 0 where it raises. */
extern const int compat_dropin_lock_callable;

/* The name of _thread._ExceptHookArgs' type ("_thread.ExceptHookArgs" on
 * 3.8 and 3.9). */
extern const char compat_excepthook_args_name[];

/* Write the traceback of (exc_type, exc_value, exc_tb) to `file` exactly as
 * the interpreter displays an uncaught exception.  0, or -1 with an
 * exception. */
int compat_display_exception(PyObject *file, PyObject *exc_type, PyObject *exc_value,
                             PyObject *exc_tb);

/* interrupt_main(): whether it takes a signal number (3.10+), and the call
 * that simulates the signal's arrival in the main thread: 0, or -1 with
 * ValueError for a bad number. */
extern const int compat_interrupt_main_takes_signum;
int compat_interrupt_main(int signum);

/* 1 in the main interpreter; daemon threads allowed in this interpreter
 * (always 1 before 3.12). */
int compat_is_main_interpreter(void);
int compat_daemon_threads_allowed(void);

/* 0 if this interpreter lets threads start, else -1 with the RuntimeError
 * _thread raises: 3.12+ sub-interpreters can be made without threads
 * (allow_threads=False).  (Daemon threads refused are threading's check.) */
int compat_check_threads_allowed(void);

/* 1 if the calling thread (attached) is the one where Python runs signal
 * handlers: the main thread of the main interpreter.  Everywhere else
 * PyErr_CheckSignals does nothing, so a wait there has no reason to wake. */
int compat_runs_signal_handlers(void);

/* Make `ts`, a thread state another thread made and the calling thread
 * has just attached, the calling thread's own: its thread ids (which
 * PyThreadState_New took from the thread that called it), and the binding
 * the interpreter's PyGILState calls find for this thread.  Without that
 * binding (3.8-3.11: attaching does not make it), any PyGILState_Ensure in
 * this thread, which tracemalloc's hooks make on every raw allocation,
 * waits for the interpreter lock this thread holds. */
void compat_bind_thread_state(PyThreadState *ts);

/* Report the exception being handled as unraisable: a thread started by
 * start_new_thread running `func` ended with it.  `dropin`: in the words
 * this version's _thread uses ("Exception ignored in thread started
 * by"); else as the page module always has. */
void compat_report_thread_exception(PyObject *func, int dropin);

/* 0 if this interpreter may start a thread now, else -1 with the exception
 * this version's _thread raises (3.12+: once finalisation has begun). */
int compat_check_thread_start(void);

/* The object `ref` (a weak reference) refers to, as a new reference, or
 * NULL (no exception) once it is gone. */
PyObject *compat_weakref_get(PyObject *ref);

/* 1 where the traverse of a Python subclass's instance visits the subclass
 * itself and then calls its base's traverse (3.8): a heap base type then
 * visits Py_TYPE(self) only for its own instances, or the subclass counts
 * twice.  0 where the base's traverse must visit it (3.9+). */
extern const int compat_subtype_traverse_visits_type;

/* 1 where a fast method (fastmethod.c) called as `obj.name()` beats a
 * built-in method (3.8-3.10); 0 where the interpreter specialises calls of
 * built-in methods (3.11+). */
extern const int compat_fast_method_calls;

/* The word that is nonzero while this interpreter's interpreter lock is
 * held, for handoff.c to spin on; NULL where that cannot be watched or
 * where handoff.c must not spin: an interpreter with a lock of its own
 * (3.12+), a free-threaded build.  Called attached.  No public API says
 * whether the lock is held, so compat_gil_runtime.c (3.8-3.11: one lock in
 * the runtime state) and compat_gil_interp.c (3.12+: a lock per
 * interpreter state) read the interpreter's internal headers, each alone
 * in its file. */
const uint32_t *compat_gil_word(void);

#endif /* THREAD_PY_COMPAT_H */
