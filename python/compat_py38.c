/* CPython 3.8: heap types come from PyType_FromSpec alone (no link to the
 * module, no immutable flag), and Py_tp_members cannot set the weak
 * reference or vectorcall offsets, so they are set here from the spec's
 * member list. */
#include "compat.h"

#include <string.h>
#include <structmember.h>

PyModuleDef_Slot compat_module_slots[] = {
	{Py_mod_exec, (void *)thread_module_exec},
	{0, NULL},
};

PyObject *compat_new_type(PyObject *module, PyType_Spec *spec)
{
	PyTypeObject *tp;
	PyType_Slot *slot;
	(void)module;
	tp = (PyTypeObject *)PyType_FromSpec(spec);
	if (!tp)
		return NULL;
	for (slot = spec->slots; slot->slot; slot++) {
		PyMemberDef *m;
		if (slot->slot != Py_tp_members)
			continue;
		for (m = (PyMemberDef *)slot->pfunc; m->name; m++) {
			if (strcmp(m->name, "__weaklistoffset__") == 0)
				tp->tp_weaklistoffset = m->offset;
			else if (strcmp(m->name, "__vectorcalloffset__") == 0)
				tp->tp_vectorcall_offset = m->offset;
			else
				continue;
			/* 3.8 made it an ordinary read-only attribute instead. */
			if (PyDict_DelItemString(tp->tp_dict, m->name) < 0) {
				Py_DECREF(tp);
				return NULL;
			}
			PyType_Modified(tp);
		}
	}
	return (PyObject *)tp;
}

PyObject *compat_type_module(PyTypeObject *tp)
{
	(void)tp;
	return NULL;
}

static freelist lock_spare;
freelist *const compat_lock_freelist = &lock_spare; /* one for all interpreters */

const int compat_dropin_lock_callable = 0;

/* What this version's _thread lacks (compat.h). */
const char *const compat_dropin_absent[] = {
	"lock", "_is_main_interpreter", "daemon_threads_allowed", "_ThreadHandle",
	"_get_main_thread_ident", "_make_thread_handle", "_shutdown", "start_joinable_thread",
	"lock._at_fork_reinit", "RLock._at_fork_reinit", "RLock._recursion_count",
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
