/* `thread.dropin`: the same code presented as a complete `_thread` for the
 * running interpreter, so that stdlib `threading`, and everything built on
 * it, can run on libthread (install.c puts it in place).  Its definition
 * only: every part it lists lives in its own file.
 *
 * Its surface is the union of what `_thread` has in CPython 3.8 to 3.13;
 * the names this interpreter's `_thread` lacks (compat_dropin_absent) are
 * taken out when the module is made, so dir() matches the stock module. */
#include "compat.h"

#include <string.h>

int thread_dropin_exec(PyObject *module)
{
	module_state *st = thread_state(module);
	const char *const *absent;

	st->is_dropin = 1;
	if (thread_add_common(module) < 0 || thread_lock_add(module) < 0 ||
	    thread_rlock_add(module) < 0 || thread_local_add(module) < 0 ||
	    thread_excepthook_add(module) < 0 || thread_handle_add(module) < 0)
		return -1;
	if (PyModule_AddFunctions(module, thread_start_functions) < 0 ||
	    PyModule_AddFunctions(module, thread_dropin_start_functions) < 0 ||
	    PyModule_AddFunctions(module, thread_functions) < 0 ||
	    PyModule_AddFunctions(module, thread_dropin_functions) < 0 ||
	    PyModule_AddFunctions(module, thread_excepthook_functions) < 0)
		return -1;
	/* Module-level names this version lacks ("Type.attr" entries are
	 * taken out of the types by thread_add_type). */
	for (absent = compat_dropin_absent; *absent; absent++) {
		if (strchr(*absent, '.'))
			continue;
		if (PyObject_HasAttrString(module, *absent) &&
		    PyObject_DelAttrString(module, *absent) < 0)
			return -1;
	}
	return 0;
}

PyDoc_STRVAR(dropin_doc,
"This module provides primitive operations to write multi-threaded programs.\n"
"The 'threading' module provides a more convenient interface.\n\n"
"(thread.dropin: CPython's _thread over libthread.)");

PyModuleDef thread_dropin_moduledef = {
	PyModuleDef_HEAD_INIT,
	.m_name = "_thread",
	.m_doc = dropin_doc,
	.m_size = sizeof(module_state),
	.m_slots = compat_dropin_slots,
	.m_traverse = thread_module_traverse,
	.m_clear = thread_module_clear,
	.m_free = thread_module_free,
};

/* A module spec named `_thread` whose origin is the file of `page`. */
static PyObject *dropin_spec(PyObject *page)
{
	PyObject *machinery, *spec_type, *args, *kwargs = NULL, *origin, *spec = NULL;
	machinery = PyImport_ImportModule("importlib.machinery");
	if (!machinery)
		return NULL;
	spec_type = PyObject_GetAttrString(machinery, "ModuleSpec");
	Py_DECREF(machinery);
	if (!spec_type)
		return NULL;
	origin = PyModule_GetFilenameObject(page);
	if (!origin) {
		PyErr_Clear(); /* a module loaded without a file */
		origin = PyUnicode_FromString("thread");
	}
	args = Py_BuildValue("(sO)", "_thread", Py_None);
	if (origin && args)
		kwargs = Py_BuildValue("{sO}", "origin", origin);
	if (kwargs)
		spec = PyObject_Call(spec_type, args, kwargs);
	Py_XDECREF(kwargs);
	Py_XDECREF(args);
	Py_XDECREF(origin);
	Py_DECREF(spec_type);
	return spec;
}

PyObject *thread_dropin_new(PyObject *page)
{
	PyObject *spec, *module, *modules;
	spec = dropin_spec(page);
	if (!spec)
		return NULL;
	module = PyModule_FromDefAndSpec(&thread_dropin_moduledef, spec);
	if (!module || PyModule_ExecDef(module, &thread_dropin_moduledef) < 0 ||
	    PyObject_SetAttrString(module, "__spec__", spec) < 0) {
		Py_DECREF(spec);
		Py_XDECREF(module);
		return NULL;
	}
	Py_DECREF(spec);
	/* `import thread.dropin` finds it here once `thread` is imported. */
	modules = PyImport_GetModuleDict();
	if (PyDict_SetItemString(modules, "thread.dropin", module) < 0) {
		Py_DECREF(module);
		return NULL;
	}
	return module;
}
