/* CPython 3.9: heap types know their module; there is no immutable flag. */
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

const int compat_dropin_lock_callable = 0;

/* What this version's _thread lacks (compat.h). */
const char *const compat_dropin_absent[] = {
	"lock", "_is_main_interpreter", "daemon_threads_allowed", "_ThreadHandle",
	"_get_main_thread_ident", "_make_thread_handle", "_shutdown", "start_joinable_thread",
	"RLock._recursion_count",
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

const char compat_excepthook_args_name[] = "_thread.ExceptHookArgs";

const int compat_interrupt_main_takes_signum = 0;

int compat_interrupt_main(int signum)
{
	(void)signum; /* always SIGINT before 3.10 */
	PyErr_SetInterrupt();
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

const int compat_fast_method_calls = 1;

/* Exported, declared only in an internal header. */
PyAPI_FUNC(void) _PyThreadState_Init(PyThreadState *tstate);

void compat_bind_thread_state(PyThreadState *ts)
{
	ts->thread_id = PyThread_get_thread_ident();
	_PyThreadState_Init(ts); /* binds it when nothing is bound */
}
