/* CPython 3.12: as 3.10, plus the per-interpreter GIL declaration (module
 * state is per module and lock objects use only libthread's atomics, so a
 * sub-interpreter with its own GIL may import the module). */
#include "compat.h"

PyModuleDef_Slot compat_module_slots[] = {
	{Py_mod_exec, (void *)thread_module_exec},
	{Py_mod_multiple_interpreters, Py_MOD_PER_INTERPRETER_GIL_SUPPORTED},
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

freelist *const compat_lock_freelist = NULL; /* see compat.h */

int compat_runs_signal_handlers(void)
{
	/* Thread and interpreter: from 3.12 it is the very test the
	 * interpreter makes before running signal handlers. */
	return _PyOS_IsMainThread();
}

void compat_report_thread_exception(PyObject *func)
{
	PyErr_WriteUnraisable(func);
}
