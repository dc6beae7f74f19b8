/* CPython 3.13 and later: as 3.12, plus the free-threading declaration, the
 * public clock and the formatted unraisable report.
 *
 * Both modules declare that they need the GIL: the locks are libthread's
 * atomic words, but the lock free lists, the fast-method caches and the
 * thread count in the module state are shared and written under the GIL
 * alone, and no free-threaded build is tested here.  A free-threaded
 * interpreter therefore turns the GIL back on when they are imported (with
 * a warning), rather than running them unsafely. */
#include "compat.h"

PyModuleDef_Slot compat_module_slots[] = {
	{Py_mod_exec, (void *)thread_module_exec},
	{Py_mod_multiple_interpreters, Py_MOD_PER_INTERPRETER_GIL_SUPPORTED},
	{Py_mod_gil, Py_MOD_GIL_USED},
	{0, NULL},
};

PyModuleDef_Slot compat_dropin_slots[] = {
	{Py_mod_exec, (void *)thread_dropin_exec},
	{Py_mod_multiple_interpreters, Py_MOD_PER_INTERPRETER_GIL_SUPPORTED},
	{Py_mod_gil, Py_MOD_GIL_USED},
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

/* Exported as before, but from 3.13 declared only in an internal header. */
extern int _PyOS_IsMainThread(void);

int compat_runs_signal_handlers(void)
{
	/* Thread and interpreter: from 3.12 it is the very test the
	 * interpreter makes before running signal handlers. */
	return _PyOS_IsMainThread();
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

const char compat_excepthook_args_name[] = "_thread._ExceptHookArgs";

/* 3.13's display of an uncaught exception is traceback's
 * _print_exception_bltin (to sys.stderr, coloured where the terminal
 * allows), which the interpreter calls whatever file it was given; for a
 * value that is not an exception, the traceback module's general entry. */
int compat_display_exception(PyObject *file, PyObject *exc_type, PyObject *exc_value,
                             PyObject *exc_tb)
{
	PyObject *traceback, *res;
	traceback = PyImport_ImportModule("traceback");
	if (!traceback)
		return -1;
	if (PyExceptionInstance_Check(exc_value)) {
		if (exc_tb != Py_None && PyTraceBack_Check(exc_tb) &&
		    PyException_SetTraceback(exc_value, exc_tb) < 0) {
			Py_DECREF(traceback);
			return -1;
		}
		res = PyObject_CallMethod(traceback, "_print_exception_bltin", "O", exc_value);
	} else {
		res = PyObject_CallMethod(traceback, "print_exception", "OOOOO", exc_type,
		                          exc_value, exc_tb, Py_None, file);
	}
	Py_DECREF(traceback);
	if (!res)
		return -1;
	Py_DECREF(res);
	return 0;
}

const int compat_interrupt_main_takes_signum = 1;

int compat_interrupt_main(int signum)
{
	if (PyErr_SetInterruptEx(signum) < 0) {
		PyErr_SetString(PyExc_ValueError, "signal number out of range");
		return -1;
	}
	return 0;
}

/* 3.13 no longer exports the interpreter's feature flags.  The main
 * interpreter always allows daemon threads; so do sub-interpreters made
 * with the legacy settings.  Isolated sub-interpreters, which refuse them,
 * are told apart by what the stock module, which can read the flag, says. */
int compat_daemon_threads_allowed(void)
{
	PyObject *stock, *res;
	int allowed;
	if (compat_is_main_interpreter())
		return 1;
	stock = PyImport_ImportModule("_thread");
	if (!stock)
		return -1;
	if (PyModule_Check(stock) && PyModule_GetDef(stock) == &thread_dropin_moduledef) {
		Py_DECREF(stock); /* installed in place of the stock module */
		return 1;
	}
	res = PyObject_CallMethod(stock, "daemon_threads_allowed", NULL);
	Py_DECREF(stock);
	if (!res)
		return -1;
	allowed = PyObject_IsTrue(res);
	Py_DECREF(res);
	return allowed;
}

/* The sub-interpreter's settings, as the interpreter reports them to
 * Python (_interpreters.get_config); the main interpreter has them all. */
static int setting(const char *name)
{
	PyObject *mod, *id = NULL, *config = NULL, *value = NULL;
	int on = -1;
	if (compat_is_main_interpreter())
		return 1;
	mod = PyImport_ImportModule("_interpreters");
	if (!mod)
		return -1;
	id = PyObject_CallMethod(mod, "get_current", NULL);
	if (id && PyTuple_Check(id) && PyTuple_GET_SIZE(id) > 0)
		config = PyObject_CallMethod(mod, "get_config", "O", PyTuple_GET_ITEM(id, 0));
	else if (id)
		PyErr_SetString(PyExc_SystemError, "_interpreters.get_current(): not a tuple");
	if (config)
		value = PyObject_GetAttrString(config, name);
	if (value)
		on = PyObject_IsTrue(value);
	Py_XDECREF(value);
	Py_XDECREF(config);
	Py_XDECREF(id);
	Py_DECREF(mod);
	return on;
}

int compat_check_threads_allowed(void)
{
	int on = setting("allow_threads");
	if (on == 0)
		PyErr_SetString(PyExc_RuntimeError,
		                "thread is not supported for isolated subinterpreters");
	return on == 1 ? 0 : -1;
}

const int compat_subtype_traverse_visits_type = 0;

const int compat_fast_method_calls = 0;

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

void compat_bind_thread_state(PyThreadState *ts)
{
	ts->thread_id = PyThread_get_thread_ident();
	/* The system's id of the thread. */
	ts->native_thread_id = (unsigned long)thread_get_native_id();
	/* Attaching it made the PyGILState binding. */
}
