/* _thread._excepthook and _thread._ExceptHookArgs: what threading.excepthook
 * is by default, reporting an exception that ended a threading.Thread.
 *
 * The output must be the stock module's, byte for byte: "Exception in
 * thread NAME:" and then the traceback exactly as the interpreter itself
 * displays it (compat_display_exception: the interpreter's own display
 * routine where it exports one, else the traceback module's entry point
 * that the interpreter's routine calls). */
#include "compat.h"

#include <structmember.h>

static PyStructSequence_Field hook_args_fields[] = {
	{"exc_type", "Exception type"},
	{"exc_value", "Exception value"},
	{"exc_traceback", "Exception traceback"},
	{"thread", "Thread"},
	{NULL, NULL},
};

/* The name is the interpreter's (compat.h); the rest is fixed. */
static PyStructSequence_Desc hook_args_desc = {
	NULL,
	"ExceptHookArgs\n\nType used to pass arguments to threading.excepthook.",
	hook_args_fields,
	4,
};

/* Where the report goes: sys.stderr, or when that is None the thread's
 * saved `_stderr` (threading keeps the stderr a Thread started with).  A
 * new reference, or NULL with no exception when there is nowhere to write,
 * or NULL with an exception. */
static PyObject *report_file(PyObject *thread)
{
	PyObject *file = PySys_GetObject("stderr"); /* borrowed */
	if (file && file != Py_None) {
		Py_INCREF(file);
		return file;
	}
	if (thread == Py_None)
		return NULL;
	file = PyObject_GetAttrString(thread, "_stderr");
	if (file == Py_None) {
		Py_DECREF(file);
		return NULL;
	}
	return file;
}

/* "Exception in thread NAME:\n", NAME being thread.name, or the calling
 * thread's identifier when there is no thread object or no name. */
static int write_header(PyObject *file, PyObject *thread)
{
	PyObject *name = NULL;
	int rc;
	if (PyFile_WriteString("Exception in thread ", file) < 0)
		return -1;
	if (thread != Py_None) {
		name = PyObject_GetAttrString(thread, "name");
		if (!name)
			PyErr_Clear();
	}
	if (name) {
		rc = PyFile_WriteObject(name, file, Py_PRINT_RAW);
		Py_DECREF(name);
	} else {
		PyObject *ident = PyUnicode_FromFormat("%llu",
		                                       (unsigned long long)thread_get_ident());
		if (!ident)
			return -1;
		rc = PyFile_WriteObject(ident, file, Py_PRINT_RAW);
		Py_DECREF(ident);
	}
	if (rc < 0)
		return -1;
	return PyFile_WriteString(":\n", file);
}

static int flush(PyObject *file)
{
	PyObject *res = PyObject_CallMethod(file, "flush", NULL);
	if (!res)
		return -1;
	Py_DECREF(res);
	return 0;
}

PyDoc_STRVAR(excepthook_doc,
"_excepthook($module, (exc_type, exc_value, exc_traceback, thread), /)\n--\n\n"
"Handle uncaught Thread.run() exception.");

static PyObject *excepthook(PyObject *module, PyObject *args)
{
	module_state *st = thread_state(module);
	PyObject *exc_type, *exc_value, *exc_tb, *thread, *file;

	if (Py_TYPE(args) != st->excepthook_args_type) {
		PyErr_SetString(PyExc_TypeError,
		                "_thread._excepthook argument type must be ExceptHookArgs");
		return NULL;
	}
	exc_type = PyStructSequence_GET_ITEM(args, 0);
	exc_value = PyStructSequence_GET_ITEM(args, 1);
	exc_tb = PyStructSequence_GET_ITEM(args, 2);
	thread = PyStructSequence_GET_ITEM(args, 3);
	/* SystemExit ends a thread silently. */
	if (exc_type == PyExc_SystemExit)
		Py_RETURN_NONE;
	file = report_file(thread);
	if (!file) {
		if (PyErr_Occurred())
			return NULL;
		Py_RETURN_NONE;
	}
	if (write_header(file, thread) < 0 || flush(file) < 0 ||
	    compat_display_exception(file, exc_type, exc_value, exc_tb) < 0 ||
	    flush(file) < 0) {
		Py_DECREF(file);
		return NULL;
	}
	Py_DECREF(file);
	Py_RETURN_NONE;
}

PyMethodDef thread_excepthook_functions[] = {
	{"_excepthook", excepthook, METH_O, excepthook_doc},
	{NULL, NULL, 0, NULL},
};

int thread_excepthook_add(PyObject *module)
{
	module_state *st = thread_state(module);
	/* PyStructSequence_NewType reads the desc only while it runs; every
	 * caller writes the same name, so interpreters racing here agree. */
	hook_args_desc.name = compat_excepthook_args_name;
	st->excepthook_args_type = PyStructSequence_NewType(&hook_args_desc);
	if (!st->excepthook_args_type)
		return -1;
	return thread_add_ref(module, "_ExceptHookArgs", (PyObject *)st->excepthook_args_type);
}
