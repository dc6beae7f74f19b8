/* _thread._local: thread-local data, the type behind threading.local.
 *
 * Each thread sees its own attribute dict.  Where the dicts live decides how
 * they are freed, and everything here goes through the public C API:
 *
 *   thread state dict --strong--> token            one per thread and module
 *   local.dicts: { weakref(token, on_thread_end) --> that thread's dict }
 *   on_thread_end --strong--> weakref(local)
 *
 * The token is a bare instance of this module's _local type, which is also
 * its key in the thread state dict (PyThreadState_GetDict): one entry per
 * thread however many locals it touches.  It holds nothing; it only dies
 * when the interpreter clears the thread's state, whoever started the
 * thread.
 *   - A thread ends: its token dies, each weakref to it calls on_thread_end,
 *     which removes that thread's dict from the local (if the local lives).
 *   - A local dies: its dicts go with it; the threads hold nothing of it.
 * The local owns its dicts, so a cycle through one of them (loc.x = loc) is
 * a cycle the collector sees (local_traverse).  The callback refers to the
 * local only weakly, or the local would keep itself alive through its own
 * dict keys. */
#include "compat.h"

#include <structmember.h>

typedef struct {
	PyObject_HEAD
	PyObject *weakrefs; /* owned by the weakref machinery; NULL when none */
	PyObject *args;     /* what __init__ gets again in each new thread */
	PyObject *kw;       /* may be NULL */
	PyObject *dicts;    /* {weakref(token) -> dict}: the only owner of each
	                     * thread's dict; NULL in a token and once cleared */
	PyObject *on_thread_end; /* callable: the weakrefs' callback */
} localobject;

static void local_dealloc(localobject *self);

/* This module's _local: `tp` itself or the base a Python subclass of it has
 * (every class deriving from _local has it on its tp_base chain, since it
 * has a layout of its own; only it has our dealloc). */
static PyTypeObject *base_of(PyTypeObject *tp)
{
	while (tp->tp_dealloc != (destructor)local_dealloc)
		tp = tp->tp_base;
	return tp;
}

/* The calling thread's token for `base` (borrowed), made on first use. */
static PyObject *thread_token(PyTypeObject *base)
{
	PyObject *tdict = PyThreadState_GetDict(), *token;
	if (!tdict) {
		PyErr_SetString(PyExc_SystemError, "no thread state dict for thread-local data");
		return NULL;
	}
	token = PyDict_GetItemWithError(tdict, (PyObject *)base);
	if (token || PyErr_Occurred())
		return token;
	token = base->tp_alloc(base, 0);
	if (!token)
		return NULL;
	/* Nothing to traverse; untracked, no Python code can find it (gc). */
	PyObject_GC_UnTrack(token);
	if (PyDict_SetItem(tdict, (PyObject *)base, token) < 0) {
		Py_DECREF(token);
		return NULL;
	}
	Py_DECREF(token); /* the thread state dict holds it */
	return token;
}

/* A new dict for the calling thread, entered in self->dicts under a weak
 * reference to `token`; with `init`, the type's __init__ runs on it with the
 * arguments the local was made with.  New reference, or NULL. */
static PyObject *ldict_new(localobject *self, PyObject *token, int init)
{
	initproc tp_init = Py_TYPE(self)->tp_init;
	PyObject *key, *ldict = PyDict_New();
	if (!ldict)
		return NULL;
	key = PyWeakref_NewRef(token, self->on_thread_end);
	if (!key || PyDict_SetItem(self->dicts, key, ldict) < 0)
		goto fail;
	if (init && tp_init != PyBaseObject_Type.tp_init &&
	    tp_init((PyObject *)self, self->args, self->kw) < 0) {
		/* Forget the dict, so the next access in this thread runs
		 * __init__ again rather than seeing a half-made dict. */
		PyObject *exc_type, *exc, *tb;
		PyErr_Fetch(&exc_type, &exc, &tb);
		if (self->dicts && PyDict_DelItem(self->dicts, key) < 0)
			PyErr_Clear();
		PyErr_Restore(exc_type, exc, tb);
		goto fail;
	}
	Py_DECREF(key);
	return ldict;
fail:
	Py_XDECREF(key);
	Py_DECREF(ldict);
	return NULL;
}

/* The calling thread's dict of `self` (new reference), made (and __init__
 * run) on the thread's first access. */
static PyObject *ldict_of(localobject *self)
{
	PyObject *token, *key, *ldict;
	if (!self->dicts) {
		PyErr_SetString(PyExc_RuntimeError, "thread-local object already cleared");
		return NULL;
	}
	token = thread_token(base_of(Py_TYPE(self)));
	if (!token)
		return NULL;
	/* The token's plain weak reference (cached on it) compares and hashes
	 * like the keys, which carry the callback. */
	key = PyWeakref_NewRef(token, NULL);
	if (!key)
		return NULL;
	ldict = PyDict_GetItemWithError(self->dicts, key);
	Py_DECREF(key);
	if (ldict) {
		Py_INCREF(ldict);
		return ldict;
	}
	return PyErr_Occurred() ? NULL : ldict_new(self, token, 1);
}

/* on_thread_end(local_ref, token_ref): a thread's token died, so the local,
 * if still alive, drops that thread's dict (the key is the very weakref the
 * dict was entered under, found by identity and its cached hash). */
static PyObject *thread_ended(PyObject *local_ref, PyObject *token_ref)
{
	PyObject *self = PyObject_CallObject(local_ref, NULL); /* the local or None */
	if (!self)
		return NULL;
	if (self != Py_None && ((localobject *)self)->dicts &&
	    PyDict_DelItem(((localobject *)self)->dicts, token_ref) < 0)
		PyErr_Clear(); /* already gone: an __init__ that failed */
	Py_DECREF(self);
	Py_RETURN_NONE;
}

static PyMethodDef thread_ended_def = {
	"_local_thread_ended", thread_ended, METH_O, NULL,
};

static PyObject *local_new(PyTypeObject *tp, PyObject *args, PyObject *kw)
{
	localobject *self;
	PyObject *self_ref, *token, *ldict;

	if (tp->tp_init == PyBaseObject_Type.tp_init &&
	    (PyTuple_GET_SIZE(args) != 0 || (kw && PyDict_GET_SIZE(kw) != 0))) {
		PyErr_SetString(PyExc_TypeError, "Initialization arguments are not supported");
		return NULL;
	}
	self = (localobject *)tp->tp_alloc(tp, 0);
	if (!self)
		return NULL;
	Py_INCREF(args);
	self->args = args;
	Py_XINCREF(kw);
	self->kw = kw;
	self->dicts = PyDict_New();
	self_ref = self->dicts ? PyWeakref_NewRef((PyObject *)self, NULL) : NULL;
	if (!self_ref)
		goto fail;
	self->on_thread_end = PyCFunction_New(&thread_ended_def, self_ref);
	Py_DECREF(self_ref);
	if (!self->on_thread_end)
		goto fail;
	/* The creating thread's dict, without __init__: the type call that made
	 * us runs it next. */
	token = thread_token(base_of(tp));
	ldict = token ? ldict_new(self, token, 0) : NULL;
	if (!ldict)
		goto fail;
	Py_DECREF(ldict);
	return (PyObject *)self;
fail:
	Py_DECREF(self);
	return NULL;
}

static int is_dict_name(PyObject *name)
{
	return PyUnicode_Check(name) && PyUnicode_CompareWithASCIIString(name, "__dict__") == 0;
}

/* What the type (its MRO) has for `name`, as generic attribute access looks
 * it up: a new reference, or NULL with or without an exception. */
static PyObject *type_lookup(PyTypeObject *tp, PyObject *name)
{
	PyObject *mro = tp->tp_mro, *found = NULL;
	Py_ssize_t i;
	Py_INCREF(mro); /* a key's __eq__ could replace it meanwhile */
	for (i = 0; i < PyTuple_GET_SIZE(mro) && !found; i++) {
		PyObject *dict = compat_type_dict((PyTypeObject *)PyTuple_GET_ITEM(mro, i));
		if (!dict)
			break;
		found = PyDict_GetItemWithError(dict, name);
		Py_XINCREF(found);
		Py_DECREF(dict);
		if (!found && PyErr_Occurred())
			break;
	}
	Py_DECREF(mro);
	return found;
}

/* Raise the AttributeError generic access raises for a missing `name` of
 * `self`; a failed deletion is worded as this version words it
 * (compat_attribute_error). */
static void no_attribute(PyObject *self, PyObject *name, int deleting)
{
	unsigned how = compat_attribute_error;
	PyObject *msg, *exc = NULL, *args = NULL, *kwargs = NULL;
	if (deleting && !(how & COMPAT_ATTRERR_DEL_MESSAGE)) {
		PyErr_SetObject(PyExc_AttributeError, name);
		return;
	}
	msg = PyUnicode_FromFormat("'%.100s' object has no attribute '%U'",
	                           Py_TYPE(self)->tp_name, name);
	if (!msg)
		return;
	if (!deleting || !(how & COMPAT_ATTRERR_DEL_CONTEXT)) {
		PyErr_SetObject(PyExc_AttributeError, msg);
		Py_DECREF(msg);
		return;
	}
	/* AttributeError(msg, name=..., obj=...): what "did you mean" uses. */
	args = PyTuple_Pack(1, msg);
	kwargs = args ? Py_BuildValue("{sOsO}", "name", name, "obj", self) : NULL;
	exc = kwargs ? PyObject_Call(PyExc_AttributeError, args, kwargs) : NULL;
	if (exc)
		PyErr_SetObject(PyExc_AttributeError, exc);
	Py_XDECREF(exc);
	Py_XDECREF(kwargs);
	Py_XDECREF(args);
	Py_DECREF(msg);
}

/* Generic attribute lookup with `ldict` as the instance dict: data
 * descriptors of the type, then the dict, then other type attributes. */
static PyObject *getattr_in(PyObject *self, PyObject *name, PyObject *ldict)
{
	PyTypeObject *tp = Py_TYPE(self);
	PyObject *descr, *value;
	descrgetfunc get;

	if (is_dict_name(name)) {
		Py_INCREF(ldict);
		return ldict;
	}
	/* _local itself has no data descriptor a dict entry could hide but
	 * __class__, so it looks in the dict first, as the stock type does. */
	if (tp->tp_dealloc == (destructor)local_dealloc) {
		value = PyDict_GetItemWithError(ldict, name);
		if (value || PyErr_Occurred()) {
			Py_XINCREF(value);
			return value;
		}
	}
	descr = type_lookup(tp, name);
	if (!descr && PyErr_Occurred())
		return NULL;
	get = descr ? Py_TYPE(descr)->tp_descr_get : NULL;
	if (get && Py_TYPE(descr)->tp_descr_set) {
		value = get(descr, self, (PyObject *)tp);
		Py_DECREF(descr);
		return value;
	}
	value = PyDict_GetItemWithError(ldict, name);
	if (value || PyErr_Occurred()) {
		Py_XINCREF(value);
		Py_XDECREF(descr);
		return value;
	}
	if (get) {
		value = get(descr, self, (PyObject *)tp);
		Py_DECREF(descr);
		return value;
	}
	if (descr)
		return descr;
	no_attribute(self, name, 0);
	return NULL;
}

static PyObject *local_getattro(localobject *self, PyObject *name)
{
	PyObject *value, *ldict = ldict_of(self);
	if (!ldict)
		return NULL;
	value = getattr_in((PyObject *)self, name, ldict);
	Py_DECREF(ldict);
	return value;
}

/* Generic attribute assignment (value NULL: deletion) into `ldict`. */
static int setattr_in(PyObject *self, PyObject *name, PyObject *value, PyObject *ldict)
{
	PyObject *descr;
	descrsetfunc set;
	int rc;

	if (is_dict_name(name)) {
		PyErr_Format(PyExc_AttributeError, "'%.100s' object attribute '%U' is read-only",
		             Py_TYPE(self)->tp_name, name);
		return -1;
	}
	descr = type_lookup(Py_TYPE(self), name);
	if (!descr && PyErr_Occurred())
		return -1;
	set = descr ? Py_TYPE(descr)->tp_descr_set : NULL;
	if (set) {
		rc = set(descr, self, value);
		Py_DECREF(descr);
		return rc;
	}
	Py_XDECREF(descr);
	if (value)
		return PyDict_SetItem(ldict, name, value);
	rc = PyDict_DelItem(ldict, name);
	if (rc < 0 && PyErr_ExceptionMatches(PyExc_KeyError)) {
		PyErr_Clear();
		no_attribute(self, name, 1);
	}
	return rc;
}

static int local_setattro(localobject *self, PyObject *name, PyObject *value)
{
	int rc;
	PyObject *ldict = ldict_of(self);
	if (!ldict)
		return -1;
	rc = setattr_in((PyObject *)self, name, value, ldict);
	Py_DECREF(ldict);
	return rc;
}

static int local_traverse(localobject *self, visitproc visit, void *arg)
{
	/* An instance refers to its heap type; for a Python subclass's
	 * instance, 3.8 visits that from the subclass's own traverse. */
	if (!compat_subtype_traverse_visits_type ||
	    Py_TYPE(self)->tp_traverse == (traverseproc)local_traverse)
		Py_VISIT(Py_TYPE(self));
	Py_VISIT(self->args);
	Py_VISIT(self->kw);
	Py_VISIT(self->dicts);
	Py_VISIT(self->on_thread_end);
	return 0;
}

static int local_clear(localobject *self)
{
	Py_CLEAR(self->args);
	Py_CLEAR(self->kw);
	Py_CLEAR(self->dicts);
	return 0;
}

static void local_dealloc(localobject *self)
{
	PyTypeObject *tp = Py_TYPE(self);
	PyObject_GC_UnTrack(self);
	/* First, so that on_thread_end, called as the dicts' keys die below,
	 * finds the local gone. */
	if (self->weakrefs)
		PyObject_ClearWeakRefs((PyObject *)self);
	local_clear(self);
	Py_CLEAR(self->on_thread_end);
	tp->tp_free(self);
	Py_DECREF(tp);
}

static PyMemberDef local_members[] = {
	{"__weaklistoffset__", T_PYSSIZET, offsetof(localobject, weakrefs), READONLY, NULL},
	{NULL, 0, 0, 0, NULL},
};

static PyType_Slot local_slots[] = {
	{Py_tp_doc, (void *)"Thread-local data"},
	{Py_tp_new, (void *)local_new},
	{Py_tp_dealloc, (void *)local_dealloc},
	{Py_tp_traverse, (void *)local_traverse},
	{Py_tp_clear, (void *)local_clear},
	{Py_tp_getattro, (void *)local_getattro},
	{Py_tp_setattro, (void *)local_setattro},
	{Py_tp_members, local_members},
	{0, NULL},
};

static PyType_Spec local_spec = {
	.name = "_thread._local",
	.basicsize = sizeof(localobject),
	.itemsize = 0,
	.flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE | Py_TPFLAGS_HAVE_GC,
	.slots = local_slots,
};

int thread_local_add(PyObject *module)
{
	module_state *st = thread_state(module);
	if (thread_add_type(module, &st->local_type, &local_spec) < 0)
		return -1;
	return thread_add_ref(module, "_local", (PyObject *)st->local_type);
}
