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
	/* Made by either definition (page.c, dropin.c). */
	PyObject *m = PyType_GetModuleByDef(tp, &thread_moduledef);
	if (!m) {
		PyErr_Clear();
		m = PyType_GetModuleByDef(tp, &thread_dropin_moduledef);
		if (!m)
			PyErr_Clear();
	}
	return m;
}

freelist *const compat_lock_freelist = NULL; /* see compat.h */

const int compat_dropin_lock_callable = 1;

/* What this version's _thread lacks (compat.h). */
const char *const compat_dropin_absent[] = {
	"_set_sentinel",
	NULL,
};

void compat_report_thread_exception(PyObject *func, int dropin)
{
	(void)dropin; /* the page module reports as _thread does here */
	PyErr_FormatUnraisable("Exception ignored in thread started by %R", func);
}

int compat_check_thread_start(void)
{
	if (Py_IsFinalizing()) {
		PyErr_SetString(PyExc_PythonFinalizationError,
		                "can't create new thread at interpreter shutdown");
		return -1;
	}
	return 0;
}

PyObject *compat_weakref_get(PyObject *ref)
{
	PyObject *obj = NULL;
	if (PyWeakref_GetRef(ref, &obj) < 0)
		PyErr_Clear();
	return obj;
}
