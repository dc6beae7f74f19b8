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

#endif /* THREAD_PY_COMPAT_H */
