/* thread.install(): make `threading`, and every module that took names from
 * `_thread`, run on the drop-in.
 *
 * Before `threading` is imported this is one entry in sys.modules, plus the
 * names that modules imported so far took with `from _thread import X`
 * (functools.RLock up to 3.11, reprlib.get_ident).  After, `threading` has
 * copied a dozen of `_thread`'s names into its globals (start_new_thread as
 * _start_new_thread, _set_sentinel, RLock as _CRLock, TIMEOUT_MAX, ...), and
 * these are moved over the same way, found by identity with the stock
 * objects, so no list per version is kept here.  Objects made before the
 * call (threading's record of the main thread, logging's module lock) keep
 * their stock locks, which go on working.  docs/design.md says why this
 * rather than a restart under `python -S`.
 *
 * The move is all or nothing: every change is computed first, nothing is
 * changed if any cannot be made, and the changes then run without calling
 * any Python code, so no other thread sees half of them. */
#include "compat.h"

/* Modules of the import system: they hold the `_thread` the interpreter
 * bootstrapped them with, for their own module locks, whatever install()
 * does (also when it runs before anything is imported), so they are left
 * alone here too. */
static const char *const import_system[] = {
	"_frozen_importlib", "_frozen_importlib_external", "importlib._bootstrap",
	"importlib._bootstrap_external", NULL,
};

/* Key of `obj` in the identity map: its address. */
static PyObject *key_of(PyObject *obj)
{
	return PyLong_FromVoidPtr(obj);
}

/* 1 if `name` is a str of the form __x__ (or just starts with "__"). */
static int is_dunder(PyObject *name)
{
	return PyUnicode_Check(name) && PyUnicode_GET_LENGTH(name) >= 2 &&
	       PyUnicode_READ_CHAR(name, 0) == '_' && PyUnicode_READ_CHAR(name, 1) == '_';
}

/* Map each object of `stock` (by address) to the drop-in object that must
 * replace it: the module itself, and each attribute that differs in the
 * drop-in (not dunders: strings, which other modules may hold by chance).
 * Names the drop-in lacks go into the new list *missing.  New reference or
 * NULL. */
static PyObject *replacements(PyObject *stock, PyObject *dropin, PyObject **missing)
{
	PyObject *map = PyDict_New(), *sdict = PyModule_GetDict(stock);
	PyObject *ddict = PyModule_GetDict(dropin), *name, *value, *key;
	Py_ssize_t pos = 0;

	*missing = PyList_New(0);
	if (!map || !*missing || !(key = key_of(stock)))
		goto fail;
	if (PyDict_SetItem(map, key, dropin) < 0) {
		Py_DECREF(key);
		goto fail;
	}
	Py_DECREF(key);
	while (PyDict_Next(sdict, &pos, &name, &value)) {
		PyObject *mine;
		int r;
		if (!PyUnicode_Check(name) || is_dunder(name))
			continue;
		mine = PyDict_GetItemWithError(ddict, name);
		if (!mine) {
			if (PyErr_Occurred() || PyList_Append(*missing, name) < 0)
				goto fail;
			continue;
		}
		if (mine == value)
			continue;
		if (!(key = key_of(value)))
			goto fail;
		r = PyDict_SetItem(map, key, mine);
		Py_DECREF(key);
		if (r < 0)
			goto fail;
	}
	if (PyErr_Occurred())
		goto fail;
	return map;
fail:
	Py_XDECREF(map);
	Py_CLEAR(*missing);
	return NULL;
}

/* 1 if a thread other than the caller may be running, or be starting, on
 * the stock `_thread`: one started by `threading` (in _limbo until it runs,
 * then in _active) or straight by start_new_thread (_count()).  Such a
 * thread could read a moved name half-way through its start and, say,
 * take a drop-in sentinel lock that the stock thread's end never releases.
 * 0 if none, -1 with an exception. */
static int threads_running(PyObject *stock, PyObject *threading)
{
	PyObject *tdict = PyModule_GetDict(threading);
	PyObject *active = PyDict_GetItemString(tdict, "_active");
	PyObject *limbo = PyDict_GetItemString(tdict, "_limbo");
	PyObject *count, *me;
	Py_ssize_t others;
	int mine;

	if (!active || !limbo || !PyDict_Check(active) || !PyDict_Check(limbo))
		return 1; /* not the threading we know: assume the worst */
	if (PyDict_GET_SIZE(limbo) != 0)
		return 1;
	count = PyObject_CallMethod(stock, "_count", NULL);
	if (!count)
		return -1;
	others = PyLong_AsSsize_t(count);
	Py_DECREF(count);
	if (others == -1 && PyErr_Occurred())
		return -1;
	if (others != 0)
		return 1;
	me = PyObject_CallMethod(stock, "get_ident", NULL);
	if (!me)
		return -1;
	mine = PyDict_Contains(active, me);
	Py_DECREF(me);
	if (mine < 0)
		return -1;
	return PyDict_GET_SIZE(active) - mine != 0;
}

/* 1 if `module` is one of the import system's modules (import_system). */
static int is_import_system(PyObject *modules, PyObject *module)
{
	const char *const *name;
	for (name = import_system; *name; name++)
		if (PyDict_GetItemString(modules, *name) == module)
			return 1;
	return 0;
}

/* Append to `plan` a (dict, key, old, new) entry for each global of each
 * module in `modules` that `map` says to replace.  0 or -1. */
static int plan_globals(PyObject *plan, PyObject *modules, PyObject *map, PyObject *stock,
                        PyObject *dropin)
{
	PyObject *name, *module, *gname, *value;
	Py_ssize_t pos = 0, gpos;

	while (PyDict_Next(modules, &pos, &name, &module)) {
		PyObject *globals;
		if (!PyModule_Check(module) || module == stock || module == dropin ||
		    is_import_system(modules, module))
			continue;
		globals = PyModule_GetDict(module);
		gpos = 0;
		while (PyDict_Next(globals, &gpos, &gname, &value)) {
			PyObject *key = key_of(value), *mine, *entry;
			if (!key)
				return -1;
			mine = PyDict_GetItemWithError(map, key);
			Py_DECREF(key);
			if (!mine) {
				if (PyErr_Occurred())
					return -1;
				continue;
			}
			entry = PyTuple_Pack(4, globals, gname, value, mine);
			if (!entry || PyList_Append(plan, entry) < 0) {
				Py_XDECREF(entry);
				return -1;
			}
			Py_DECREF(entry);
		}
	}
	return 0;
}

/* Make every change of `plan`, or none: 0, or -1 with the exception of the
 * change that failed, the ones before it undone.  Replacing the value of a
 * key a dict already has cannot fail (no resize), so only the first entry,
 * sys.modules["_thread"], which may be absent, can in practice. */
static int apply(PyObject *plan)
{
	Py_ssize_t i, n = PyList_GET_SIZE(plan);
	PyObject *type, *value, *tb;

	for (i = 0; i < n; i++) {
		PyObject *e = PyList_GET_ITEM(plan, i);
		if (PyDict_SetItem(PyTuple_GET_ITEM(e, 0), PyTuple_GET_ITEM(e, 1),
		                   PyTuple_GET_ITEM(e, 3)) < 0)
			break;
	}
	if (i == n)
		return 0;
	PyErr_Fetch(&type, &value, &tb);
	while (i-- > 0) {
		PyObject *e = PyList_GET_ITEM(plan, i), *old = PyTuple_GET_ITEM(e, 2);
		if (old == Py_None && i == 0)
			PyDict_DelItem(PyTuple_GET_ITEM(e, 0), PyTuple_GET_ITEM(e, 1));
		else
			PyDict_SetItem(PyTuple_GET_ITEM(e, 0), PyTuple_GET_ITEM(e, 1), old);
		PyErr_Clear(); /* an existing key: cannot fail, see above */
	}
	PyErr_Restore(type, value, tb);
	return -1;
}

/* The `_thread` that install() replaces: sys.modules' (a borrowed
 * reference), or the built-in one if it is not there (a new one in
 * *owned).  NULL with an exception. */
static PyObject *current_thread_module(PyObject *modules, PyObject **owned)
{
	PyObject *cur = PyDict_GetItemString(modules, "_thread");
	*owned = NULL;
	if (cur)
		return cur;
	*owned = PyImport_ImportModule("_thread");
	return *owned;
}

PyDoc_STRVAR(install_doc,
"install($module, /)\n--\n\n"
"Make the threading module, and every module that took names from\n"
"_thread, run on thread.dropin: sys.modules['_thread'] becomes the drop-in.\n"
"Call it first thing in the program, or run the program with\n"
"`python -m thread_run`.  If threading is already imported, it is moved\n"
"over, which needs that no other thread is running; otherwise, or if the\n"
"drop-in lacks a name this interpreter's _thread has, thread.error is\n"
"raised and nothing is changed.  A second call does nothing.");

static PyObject *install(PyObject *module, PyObject *unused)
{
	module_state *st = thread_state(module);
	PyObject *modules = PyImport_GetModuleDict(), *owned, *stock, *threading;
	PyObject *map = NULL, *missing = NULL, *plan = NULL, *entry, *name, *result = NULL;
	(void)unused;

	stock = current_thread_module(modules, &owned);
	if (!stock)
		return NULL;
	if (stock == st->dropin) {
		Py_XDECREF(owned);
		Py_RETURN_NONE; /* installed already */
	}
	if (!PyModule_Check(stock)) {
		PyErr_Format(st->error, "thread.install(): sys.modules['_thread'] is a %.100s, "
		             "not a module; nothing was changed", Py_TYPE(stock)->tp_name);
		goto done;
	}
	threading = PyDict_GetItemString(modules, "threading");
	if (threading && PyModule_Check(threading)) {
		int r = threads_running(stock, threading);
		if (r < 0)
			goto done;
		if (r) {
			PyErr_SetString(st->error,
			                "thread.install(): threading is imported and other threads "
			                "are running on the stock _thread, so it cannot be moved "
			                "over; nothing was changed. Call thread.install() before any "
			                "thread starts: first thing in the program, or run it with "
			                "`python -m thread_run PROGRAM` (with -S if site starts "
			                "threads)");
			goto done;
		}
	}
	map = replacements(stock, st->dropin, &missing);
	if (!map)
		goto done;
	if (PyList_GET_SIZE(missing) != 0) {
		PyErr_Format(st->error,
		             "thread.install(): thread.dropin lacks %R, which this interpreter's "
		             "_thread has, so threading cannot run on it; nothing was changed. "
		             "Keep the stock _thread, or use a build of thread whose drop-in is "
		             "complete for this Python", missing);
		goto done;
	}
	/* sys.modules["_thread"] first: the one change that can fail (apply). */
	plan = PyList_New(0);
	name = plan ? PyUnicode_FromString("_thread") : NULL;
	entry = name ? PyTuple_Pack(4, modules, name, owned ? Py_None : stock, st->dropin) : NULL;
	Py_XDECREF(name);
	if (!entry)
		goto done;
	if (PyList_Append(plan, entry) < 0) {
		Py_DECREF(entry);
		goto done;
	}
	Py_DECREF(entry);
	if (plan_globals(plan, modules, map, stock, st->dropin) < 0 || apply(plan) < 0)
		goto done;
	result = Py_None;
	Py_INCREF(result);
done:
	Py_XDECREF(plan);
	Py_XDECREF(map);
	Py_XDECREF(missing);
	Py_XDECREF(owned);
	return result;
}

PyMethodDef thread_install_functions[] = {
	{"install", install, METH_NOARGS, install_doc},
	{NULL, NULL, 0, NULL},
};
