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

void compat_report_thread_exception(PyObject *func)
{
	PyErr_WriteUnraisable(func);
}

PyObject *compat_type_dict(PyTypeObject *tp)
{
	Py_INCREF(tp->tp_dict);
	return tp->tp_dict;
}

const int compat_subtype_traverse_visits_type = 0;

const unsigned compat_attribute_error = 0
#if PY_VERSION_HEX >= 0x030B0000
	| COMPAT_ATTRERR_DEL_MESSAGE
#endif
	;
