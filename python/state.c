/* Module state: what both module definitions share of their set-up and
 * tear-down (page.c, dropin.c). */
#include "compat.h"

#include <string.h>

module_state *thread_state(PyObject *module)
{
	return (module_state *)PyModule_GetState(module);
}

module_state *thread_state_of_type(PyTypeObject *tp)
{
	PyObject *m = compat_type_module(tp);
	return m ? thread_state(m) : NULL;
}

int thread_add_ref(PyObject *module, const char *name, PyObject *value)
{
	Py_INCREF(value);
	if (PyModule_AddObject(module, name, value) < 0) {
		Py_DECREF(value);
		return -1;
	}
	return 0;
}

/* 0 when `name` is "<type>.<attr>" with <type> the last dotted part of
 * `tp_name`, and *attr then points at <attr>. */
static int names_attr_of(const char *name, const char *tp_name, const char **attr)
{
	const char *dot = strrchr(tp_name, '.'), *own = dot ? dot + 1 : tp_name;
	size_t n = strlen(own);
	if (strncmp(name, own, n) != 0 || name[n] != '.')
		return -1;
	*attr = name + n + 1;
	return 0;
}

int thread_add_type(PyObject *module, PyTypeObject **slot, PyType_Spec *spec)
{
	const char *const *absent;
	PyTypeObject *tp = (PyTypeObject *)compat_new_type(module, spec);
	if (!tp)
		return -1;
	*slot = tp;
	if (!thread_state(module)->is_dropin)
		return 0;
	/* The type is new and no Python code has seen it, so its dict may
	 * still change (even where the type is immutable to Python code). */
	for (absent = compat_dropin_absent; *absent; absent++) {
		const char *attr;
		if (names_attr_of(*absent, spec->name, &attr) < 0)
			continue;
		if (PyDict_DelItemString(tp->tp_dict, attr) < 0)
			return -1;
		PyType_Modified(tp);
	}
	return 0;
}

int thread_module_traverse(PyObject *module, visitproc visit, void *arg)
{
	module_state *st = thread_state(module);
	Py_VISIT(st->lock_type);
	Py_VISIT(st->rlock_type);
	Py_VISIT(st->local_type);
	Py_VISIT(st->handle_type);
	Py_VISIT(st->excepthook_args_type);
	Py_VISIT(st->error);
	Py_VISIT(st->fastmethod_type);
	Py_VISIT(st->fastmethod_bound_type);
	Py_VISIT(st->dropin);
	return 0;
}

int thread_module_clear(PyObject *module)
{
	module_state *st = thread_state(module);
	Py_CLEAR(st->lock_type);
	Py_CLEAR(st->rlock_type);
	Py_CLEAR(st->local_type);
	Py_CLEAR(st->handle_type);
	Py_CLEAR(st->excepthook_args_type);
	Py_CLEAR(st->error);
	Py_CLEAR(st->fastmethod_type);
	Py_CLEAR(st->fastmethod_bound_type);
	Py_CLEAR(st->dropin);
	return 0;
}

void thread_module_free(void *module)
{
	thread_module_clear((PyObject *)module);
}

int thread_at_fork_child(PyObject *module, PyMethodDef *def)
{
	PyObject *os, *reg, *hook, *args = NULL, *kwargs = NULL, *r = NULL;
	os = PyImport_ImportModule("os");
	if (!os)
		return -1;
	reg = PyObject_GetAttrString(os, "register_at_fork");
	Py_DECREF(os);
	if (!reg) {
		PyErr_Clear(); /* no fork on this platform */
		return 0;
	}
	hook = PyCFunction_New(def, module);
	if (hook && (args = PyTuple_New(0)))
		kwargs = Py_BuildValue("{sO}", "after_in_child", hook);
	if (kwargs)
		r = PyObject_Call(reg, args, kwargs);
	Py_XDECREF(r);
	Py_XDECREF(kwargs);
	Py_XDECREF(args);
	Py_XDECREF(hook);
	Py_DECREF(reg);
	return r ? 0 : -1;
}

/* os.register_at_fork(after_in_child=...): the hand-off spins' state
 * (handoff.c) names threads the child does not have. */
static PyObject *handoff_fork_hook(PyObject *module, PyObject *unused)
{
	(void)module;
	(void)unused;
	handoff_after_fork_child();
	Py_RETURN_NONE;
}

static PyMethodDef handoff_fork_def = {"_handoff_after_fork_child", handoff_fork_hook,
                                       METH_NOARGS, NULL};

int thread_add_common(PyObject *module)
{
	module_state *st = thread_state(module);
	PyObject *timeout_max;

	/* Each step only once the one before has worked: no call with an
	 * exception already set.  What was made is freed by m_clear. */
	if (thread_add_type(module, &st->fastmethod_type, &thread_fastmethod_spec) < 0 ||
	    thread_add_type(module, &st->fastmethod_bound_type, &thread_fastmethod_bound_spec) < 0)
		return -1;
	Py_INCREF(PyExc_RuntimeError);
	st->error = PyExc_RuntimeError;
	if (thread_add_ref(module, "error", st->error) < 0)
		return -1;
	timeout_max = PyFloat_FromDouble((double)THREAD_TIMEOUT_MAX_S);
	if (!timeout_max || PyModule_AddObject(module, "TIMEOUT_MAX", timeout_max) < 0) {
		Py_XDECREF(timeout_max);
		return -1;
	}
	/* Once per module made: a second hook only repeats the reset. */
	return thread_at_fork_child(module, &handoff_fork_def);
}
