/* CPython 3.10 and 3.11: heap types know their module and can be made
 * immutable; no sub-interpreter or free-threading declarations yet. */
#include "compat.h"

PyModuleDef_Slot compat_module_slots[] = {
	{Py_mod_exec, (void *)thread_module_exec},
	{0, NULL},
};

PyModuleDef_Slot compat_dropin_slots[] = {
	{Py_mod_exec, (void *)thread_dropin_exec},
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

int compat_runs_signal_handlers(void)
{
	/* _PyOS_IsMainThread is undocumented.  The releases read (3.8.18 to
	 * 3.11.7) test the interpreter in it too; we do not rely on that. */
	return _PyOS_IsMainThread() && PyInterpreterState_Get() == PyInterpreterState_Main();
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
	return 1; /* an interpreter-wide setting only from 3.12 */
}

int compat_check_threads_allowed(void)
{
	return 0; /* every interpreter may start threads before 3.12 */
}

const int compat_subtype_traverse_visits_type = 0;

const int compat_fast_method_calls =
#if PY_VERSION_HEX >= 0x030B0000
	0; /* 3.11 specialises built-in method calls */
#else
	1;
#endif

/* Exported, declared only in an internal header; 3.11 renamed it (its
 * _PyThreadState_Init is a fatal error). */
#if PY_VERSION_HEX >= 0x030B0000
PyAPI_FUNC(void) _PyThreadState_SetCurrent(PyThreadState *tstate);
#define bind_to_thread _PyThreadState_SetCurrent
#else
PyAPI_FUNC(void) _PyThreadState_Init(PyThreadState *tstate);
#define bind_to_thread _PyThreadState_Init
#endif

void compat_bind_thread_state(PyThreadState *ts)
{
	ts->thread_id = PyThread_get_thread_ident();
#if PY_VERSION_HEX >= 0x030B0000
	/* A 3.11 field: the system's id of the thread. */
	ts->native_thread_id = (unsigned long)thread_get_native_id();
#endif
	bind_to_thread(ts); /* binds it when nothing is bound */
}
