/* CPython 3.12: as 3.10, plus the per-interpreter GIL declaration (module
 * state is per module and lock objects use only libthread's atomics, so a
 * sub-interpreter with its own GIL may import the module). */
#include "compat.h"

PyModuleDef_Slot compat_module_slots[] = {
	{Py_mod_exec, (void *)thread_module_exec},
	{Py_mod_multiple_interpreters, Py_MOD_PER_INTERPRETER_GIL_SUPPORTED},
	{0, NULL},
};

PyModuleDef_Slot compat_dropin_slots[] = {
	{Py_mod_exec, (void *)thread_dropin_exec},
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

const int compat_dropin_lock_callable = 0;

/* What this version's _thread lacks (compat.h). */
const char *const compat_dropin_absent[] = {
	"lock", "_ThreadHandle", "_get_main_thread_ident", "_make_thread_handle", "_shutdown",
	"start_joinable_thread",
	NULL,
};

int compat_runs_signal_handlers(void)
{
	/* Thread and interpreter: from 3.12 it is the very test the
	 * interpreter makes before running signal handlers. */
	return _PyOS_IsMainThread();
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
	if (_Py_IsFinalizing()) {
		PyErr_SetString(PyExc_RuntimeError, "can't create new thread at interpreter shutdown");
		return -1;
	}
	return 0;
}

const char compat_excepthook_args_name[] = "_thread._ExceptHookArgs";

const int compat_interrupt_main_takes_signum = 1;

int compat_interrupt_main(int signum)
{
	if (PyErr_SetInterruptEx(signum) < 0) {
		PyErr_SetString(PyExc_ValueError, "signal number out of range");
		return -1;
	}
	return 0;
}

int compat_daemon_threads_allowed(void)
{
	return _PyInterpreterState_HasFeature(PyThreadState_Get()->interp,
	                                      Py_RTFLAGS_DAEMON_THREADS);
}

int compat_check_threads_allowed(void)
{
	if (!_PyInterpreterState_HasFeature(PyThreadState_Get()->interp, Py_RTFLAGS_THREADS)) {
		PyErr_SetString(PyExc_RuntimeError,
		                "thread is not supported for isolated subinterpreters");
		return -1;
	}
	return 0;
}

const int compat_subtype_traverse_visits_type = 0;

const int compat_fast_method_calls = 0;

void compat_bind_thread_state(PyThreadState *ts)
{
	ts->thread_id = PyThread_get_thread_ident();
	/* The system's id of the thread. */
	ts->native_thread_id = (unsigned long)thread_get_native_id();
	/* Attaching it made the PyGILState binding. */
}
