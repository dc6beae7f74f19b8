/* A library that test_type_ready.py preloads (LD_PRELOAD) into an
 * interpreter: its PyType_Ready checks each type on the way in as a debug
 * build's PyType_Ready does, then calls the interpreter's own.
 *
 * Why: CPython's PyType_Ready asserts, before it readies a type, that a
 * type with the method-descriptor flag has tp_descr_get and that one with
 * the vectorcall flag has tp_call and a positive tp_vectorcall_offset
 * (3.8's Objects/typeobject.c; later versions check the same).  Release
 * builds compile those asserts away, so a type that breaks them imports
 * fine on every interpreter we have and aborts a debug one.  This is the
 * same test at the same moment, on a release build.
 *
 * It works where the interpreter's PyType_FromSpec calls PyType_Ready
 * through the dynamic linker (a shared libpython built without
 * -fno-semantic-interposition, as pyenv's 3.8, 3.11 and 3.13 here).  It names each `thread.`
 * and `_thread.` (the drop-in's) type it passes on stderr, so the test can tell when it saw none. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef int (*ready_fn)(PyTypeObject *);

static void broken(PyTypeObject *type, const char *what)
{
	fprintf(stderr, "ready-check: %s: %s\n", type->tp_name, what);
	abort(); /* as the debug build's assert would */
}

int PyType_Ready(PyTypeObject *type)
{
	ready_fn real = (ready_fn)dlsym(RTLD_NEXT, "PyType_Ready");
	if (!real)
		broken(type, "no PyType_Ready after this library");
	if (!(type->tp_flags & Py_TPFLAGS_READY)) {
		unsigned long flags = type->tp_flags;
		if ((flags & Py_TPFLAGS_METHOD_DESCRIPTOR) && !type->tp_descr_get)
			broken(type, "method descriptor flag without tp_descr_get");
		if ((flags & _Py_TPFLAGS_HAVE_VECTORCALL) && type->tp_vectorcall_offset <= 0)
			broken(type, "vectorcall flag with tp_vectorcall_offset <= 0");
		if ((flags & _Py_TPFLAGS_HAVE_VECTORCALL) && !type->tp_call)
			broken(type, "vectorcall flag without tp_call");
		if (strncmp(type->tp_name, "thread.", 7) == 0 ||
		    strncmp(type->tp_name, "_thread.", 8) == 0)
			fprintf(stderr, "ready-check: %s passed\n", type->tp_name);
	}
	return real(type);
}
