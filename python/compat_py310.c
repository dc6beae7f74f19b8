/* CPython 3.10 and 3.11: heap types know their module and can be made
 * immutable; no sub-interpreter or free-threading declarations yet. */
#include "compat.h"

PyModuleDef_Slot compat_module_slots[] = {
	{Py_mod_exec, (void *)thread_module_exec},
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
	/* LockType cannot be subclassed: an instance's type is ours. */
	return PyType_GetModule(tp);
}

static freelist lock_spare;
freelist *const compat_lock_freelist = &lock_spare; /* one for all interpreters */

const int compat_dropin_lock_callable = 0;

/* What this version's _thread lacks (compat.h). */
const char *const compat_dropin_absent[] = {
	"lock", "_is_main_interpreter", "daemon_threads_allowed", "_ThreadHandle",
	"_get_main_thread_ident", "_make_thread_handle", "_shutdown", "start_joinable_thread",
#if PY_VERSION_HEX < 0x030B0000
	"RLock._recursion_count",
#endif
	NULL,
};

void compat_report_thread_exception(PyObject *func, int dropin)
{
	if (dropin)
		_PyErr_WriteUnraisableMsg("in thread started by", func);
	else
		PyErr_WriteUnraisable(func);
}

PyObject *compat_weakref_get(PyObject *ref)
{
	PyObject *obj = PyWeakref_GetObject(ref); /* borrowed */
	if (!obj || obj == Py_None)
		return NULL;
	Py_INCREF(obj);
	return obj;
}

int compat_check_thread_start(void)
{
	return 0; /* this version's _thread does not check */
}
