/* The parts of the C API that differ between the CPython versions we build
 * for (3.8 and later).  Exactly one compat_py*.c is compiled, picked by the
 * build (python/CMakeLists.txt, setup.py) from the interpreter's version, so
 * no other file needs a version test. */
#ifndef THREAD_PY_COMPAT_H
#define THREAD_PY_COMPAT_H

#include "module.h"

#include <stdint.h>

/* 3.8 spells the vectorcall type flag with a leading underscore. */
#ifndef Py_TPFLAGS_HAVE_VECTORCALL
#define Py_TPFLAGS_HAVE_VECTORCALL _Py_TPFLAGS_HAVE_VECTORCALL
#endif

/* 1 where the interpreter lock serialises all Python code of an
 * interpreter, so a free list kept in an object of that interpreter needs
 * no lock of its own; 0 in free-threaded builds (3.13t), which go without. */
#ifdef Py_GIL_DISABLED
#define COMPAT_FREELISTS 0
#else
#define COMPAT_FREELISTS 1
#endif

/* The module's slots: Py_mod_exec, plus the declarations this version
 * understands (sub-interpreter GIL support 3.12+, free threading 3.13+). */
extern PyModuleDef_Slot compat_module_slots[];

/* A heap type from `spec`, tied to `module` where the version can do that
 * (3.9+), immutable where it can (3.10+).  New reference, or NULL. */
PyObject *compat_new_type(PyObject *module, PyType_Spec *spec);

/* The module that created heap type `tp` (borrowed), or NULL when this
 * version keeps no such link (3.8), without an exception set. */
PyObject *compat_type_module(PyTypeObject *tp);

/* Report the exception being handled as unraisable: a thread started by
 * start_new_thread running `func` ended with it. */
void compat_report_thread_exception(PyObject *func);

#endif /* THREAD_PY_COMPAT_H */
