/* CPython 3.13 and later: as 3.12, plus the free-threading declaration (the
 * module keeps no mutable shared state of its own: module state is written
 * once at exec, and locks are libthread's atomic words), the public clock
 * and the formatted unraisable report. */
#include "compat.h"

PyModuleDef_Slot compat_module_slots[] = {
	{Py_mod_exec, (void *)thread_module_exec},
	{Py_mod_multiple_interpreters, Py_MOD_PER_INTERPRETER_GIL_SUPPORTED},
	{Py_mod_gil, Py_MOD_GIL_NOT_USED},
	{0, NULL},
};

PyObject *compat_new_type(PyObject *module, PyType_Spec *spec)
{
	PyType_Spec immutable = *spec;
	immutable.flags |= Py_TPFLAGS_IMMUTABLETYPE;
	return PyType_FromModuleAndSpec(module, &immutable, NULL);
}

PyObject *compat_type_module(PyTypeObject *tp)
{
	PyObject *m = PyType_GetModuleByDef(tp, &thread_moduledef);
	if (!m)
		PyErr_Clear();
	return m;
}

/* Exported as before, but from 3.13 declared only in an internal header. */
extern int _PyOS_IsMainThread(void);

int compat_runs_signal_handlers(void)
{
	/* Thread and interpreter: from 3.12 it is the very test the
	 * interpreter makes before running signal handlers. */
	return _PyOS_IsMainThread();
}

freelist *const compat_lock_freelist = NULL; /* see compat.h */

void compat_report_thread_exception(PyObject *func)
{
	PyErr_FormatUnraisable("Exception ignored in thread started by %R", func);
}
