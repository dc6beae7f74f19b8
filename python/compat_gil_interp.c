/* compat_gil_word (compat.h) for CPython 3.12 and later: each interpreter
 * state points at its interpreter lock, the main interpreter's unless it
 * was made with a lock of its own.  Only interpreters on the main
 * interpreter's lock get the word: handoff.c's scores are guarded by that
 * one lock.  The internal headers need Py_BUILD_CORE; this file includes
 * nothing of ours but compat.h's declaration, so the define reaches no
 * other code. */
#define Py_BUILD_CORE_MODULE 1
#include <Python.h>
#include <stdint.h>

#include "internal/pycore_interp.h"

const uint32_t *compat_gil_word(void);

const uint32_t *compat_gil_word(void)
{
#ifdef Py_GIL_DISABLED
	return NULL; /* free-threaded: no one lock orders handoff.c's scores */
#else
	struct _gil_runtime_state *gil = PyInterpreterState_Get()->ceval.gil;
	if (!gil || gil != PyInterpreterState_Main()->ceval.gil)
		return NULL;
	/* 3.12: an _Py_atomic_int, whose only member is the int; 3.13: an
	 * int.  Either way the address is the int's. */
	return (const uint32_t *)(const void *)&gil->locked;
#endif
}
