/* CPython 3.8: heap types come from PyType_FromSpec alone (no link to the
 * module, no immutable flag), and Py_tp_members cannot set the weak
 * reference or vectorcall offsets, so they are set here from the spec's
 * member list once PyType_FromSpec has made the type. */
#include "compat.h"

#include <string.h>
#include <structmember.h>

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
	/* PyType_FromSpec readies the type before we can set its vectorcall
	 * offset, and PyType_Ready asserts (in a debug build) that a type with
	 * the vectorcall flag already has one: the flag goes on after the
	 * offset (tests/python/test_type_ready.py). */
	PyType_Spec unflagged = *spec;
	int vectorcall = (spec->flags & _Py_TPFLAGS_HAVE_VECTORCALL) != 0;
	PyTypeObject *tp;
	PyType_Slot *slot;
	(void)module;
	unflagged.flags &= ~(unsigned int)_Py_TPFLAGS_HAVE_VECTORCALL;
	tp = (PyTypeObject *)PyType_FromSpec(&unflagged);
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
			if (PyDict_DelItemString(tp->tp_dict, m->name) < 0)
				goto fail;
		}
	}
	if (vectorcall) {
		if (tp->tp_vectorcall_offset <= 0 || !tp->tp_call) {
			PyErr_Format(PyExc_SystemError,
			             "%s: vectorcall flag without __vectorcalloffset__ or tp_call",
			             spec->name);
			goto fail;
		}
		tp->tp_flags |= _Py_TPFLAGS_HAVE_VECTORCALL;
	}
	PyType_Modified(tp);
	return (PyObject *)tp;
fail:
	Py_DECREF(tp);
	return NULL;
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

int compat_runs_signal_handlers(void)
{
	/* _PyOS_IsMainThread is undocumented.  The releases read (3.8.18 to
	 * 3.11.7) test the interpreter in it too; we do not rely on that. */
	return _PyOS_IsMainThread() && _PyInterpreterState_Get() == PyInterpreterState_Main();
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

const int compat_subtype_traverse_visits_type = 1;

const int compat_fast_method_calls = 1;

/* Exported, declared only in an internal header. */
struct pyruntimestate;
extern struct pyruntimestate _PyRuntime;
PyAPI_FUNC(void) _PyThreadState_Init(struct pyruntimestate *runtime, PyThreadState *tstate);

void compat_bind_thread_state(PyThreadState *ts)
{
	ts->thread_id = PyThread_get_thread_ident();
	_PyThreadState_Init(&_PyRuntime, ts); /* binds it when nothing is bound */
}
