/* compat_gil_word (compat.h) for CPython 3.8 to 3.11: the process has one
 * interpreter lock, in the runtime state, shared by every interpreter.
 * The internal headers need Py_BUILD_CORE; this file includes nothing of
 * ours but compat.h's declaration, so the define reaches no other code. */
#define Py_BUILD_CORE_MODULE 1
#include <Python.h>
#include <stdint.h>

#if PY_VERSION_HEX < 0x03090000
#include "internal/pycore_pystate.h" /* 3.8: _PyRuntimeState is here */
#else
#include "internal/pycore_runtime.h"
#endif

const uint32_t *compat_gil_word(void);

const uint32_t *compat_gil_word(void)
{
	/* `locked` is an _Py_atomic_int, whose only member is the int: its
	 * address is the int's. */
	return (const uint32_t *)(const void *)&_PyRuntime.ceval.gil.locked;
}
