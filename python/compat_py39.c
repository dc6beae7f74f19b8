/* CPython 3.9: heap types know their module; there is no immutable flag. */
#include "compat.h"

PyModuleDef_Slot compat_module_slots[] = {
	{Py_mod_exec, (void *)thread_module_exec},
	{0, NULL},
};

PyObject *compat_new_type(PyObject *module, PyType_Spec *spec)
{
	return PyType_FromModuleAndSpec(module, spec, NULL);
}

PyObject *compat_type_module(PyTypeObject *tp)
{
	/* LockType cannot be subclassed, so an instance's type is the one
	 * module_exec created, which is tied to the module. */
	return PyType_GetModule(tp);
}

static freelist lock_spare;
freelist *const compat_lock_freelist = &lock_spare; /* one for all interpreters */

int compat_runs_signal_handlers(void)
{
	/* _PyOS_IsMainThread is undocumented.  The releases read (3.8.18 to
	 * 3.11.7) test the interpreter in it too; we do not rely on that. */
	return _PyOS_IsMainThread() && PyInterpreterState_Get() == PyInterpreterState_Main();
}

void compat_report_thread_exception(PyObject *func)
{
	PyErr_WriteUnraisable(func);
}
