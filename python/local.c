/* _thread._local: thread-local data, the type behind threading.local.
 *
 * Each thread sees its own attribute dict.  Where the dicts live decides how
 * they are freed; they are kept with the public C API alone:
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
	/* The last thread to reach its dict, so a loop in one thread finds it
	 * without two dict lookups: that thread's state dict (compared, never
	 * followed) and its dict (borrowed from dicts).  Sound because a
	 * thread's token lives exactly as long as its state dict: the token
	 * dies before the state dict's memory can be reused, and on_thread_end
	 * then empties the cache (whichever thread ended), as do local_clear
	 * and an __init__ that failed. */
	PyObject *cached_tdict;
	PyObject *cached_ldict;
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

static void forget_cached(localobject *self)
{
	self->cached_tdict = NULL;
	self->cached_ldict = NULL;
}

/* The calling thread's state dict (borrowed), or NULL with an exception. */
static PyObject *thread_dict(void)
{
	PyObject *tdict = PyThreadState_GetDict();
	if (!tdict)
		PyErr_SetString(PyExc_SystemError, "no thread state dict for thread-local data");
	return tdict;
}

/* The calling thread's token for `base` (borrowed), made on first use;
 * `tdict` is the thread's state dict. */
static PyObject *thread_token(PyObject *tdict, PyTypeObject *base)
{
	PyObject *token;
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
		forget_cached(self);
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
	PyObject *tdict, *token, *key, *ldict;
	if (!self->dicts) {
		PyErr_SetString(PyExc_RuntimeError, "thread-local object already cleared");
		return NULL;
	}
	tdict = thread_dict();
	if (!tdict)
		return NULL;
	if (tdict == self->cached_tdict) {
		Py_INCREF(self->cached_ldict);
		return self->cached_ldict;
	}
	token = thread_token(tdict, base_of(Py_TYPE(self)));
	if (!token)
		return NULL;
	/* The token's plain weak reference (cached on it) compares and hashes
	 * like the keys, which carry the callback. */
	key = PyWeakref_NewRef(token, NULL);
	if (!key)
		return NULL;
	ldict = PyDict_GetItemWithError(self->dicts, key);
	Py_DECREF(key);
	if (ldict)
		Py_INCREF(ldict);
	else if (PyErr_Occurred() || !(ldict = ldict_new(self, token, 1)))
		return NULL;
	/* Still there: __init__ ran Python code, which may have ended
	 * threads or cleared the local. */
	if (self->dicts) {
		self->cached_tdict = tdict;
		self->cached_ldict = ldict;
	}
	return ldict;
}

/* on_thread_end(local_ref, token_ref): a thread's token died, so the local,
 * if still alive, drops that thread's dict (the key is the very weakref the
 * dict was entered under, found by identity and its cached hash). */
static PyObject *thread_ended(PyObject *local_ref, PyObject *token_ref)
{
	PyObject *self = PyObject_CallObject(local_ref, NULL); /* the local or None */
	if (!self)
		return NULL;
	if (self != Py_None) {
		forget_cached((localobject *)self);
		if (((localobject *)self)->dicts &&
		    PyDict_DelItem(((localobject *)self)->dicts, token_ref) < 0)
			PyErr_Clear(); /* already gone: an __init__ that failed */
	}
	Py_DECREF(self);
	Py_RETURN_NONE;
}

static PyMethodDef thread_ended_def = {
	"_local_thread_ended", thread_ended, METH_O, NULL,
};

static PyObject *local_new(PyTypeObject *tp, PyObject *args, PyObject *kw)
{
	localobject *self;
	PyObject *self_ref, *tdict, *token, *ldict;

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
	tdict = thread_dict();
	token = tdict ? thread_token(tdict, base_of(tp)) : NULL;
	ldict = token ? ldict_new(self, token, 0) : NULL;
	if (!ldict)
		goto fail;
	Py_DECREF(ldict);
	return (PyObject *)self;
fail:
	Py_DECREF(self);
	return NULL;
}

/* "__dict__" names the calling thread's dict itself.  Attribute names are
 * nearly always interned, so most are told apart by length alone. */
static int is_dict_name(PyObject *name)
{
	return PyUnicode_Check(name) && PyUnicode_GET_LENGTH(name) == 8 &&
	       PyUnicode_CompareWithASCIIString(name, "__dict__") == 0;
}

/* Attribute access is the interpreter's own generic access with the calling
 * thread's dict standing in for the instance dict
 * (_PyObject_GenericGetAttrWithDict and its setter, exported by every
 * version 3.8-3.13): data descriptors of the type, then the dict, then the
 * rest of the type, with the type lookup cache and the very error each
 * version raises. */
static PyObject *local_getattro(localobject *self, PyObject *name)
{
	PyObject *value, *ldict = ldict_of(self);
	if (!ldict)
		return NULL;
	if (is_dict_name(name))
		return ldict;
	/* _local itself has no data descriptor a dict entry could hide but
	 * __class__, so it looks in the dict first, as the stock type does. */
	if (Py_TYPE(self)->tp_dealloc == (destructor)local_dealloc) {
		value = PyDict_GetItemWithError(ldict, name);
		if (value || PyErr_Occurred()) {
			Py_XINCREF(value);
			Py_DECREF(ldict);
			return value;
		}
	}
	value = _PyObject_GenericGetAttrWithDict((PyObject *)self, name, ldict, 0);
	Py_DECREF(ldict);
	return value;
}

static int local_setattro(localobject *self, PyObject *name, PyObject *value)
{
	int rc;
	PyObject *ldict = ldict_of(self);
	if (!ldict)
		return -1;
	if (is_dict_name(name)) {
		PyErr_Format(PyExc_AttributeError, "'%.100s' object attribute '%U' is read-only",
		             Py_TYPE(self)->tp_name, name);
		Py_DECREF(ldict);
		return -1;
	}
	rc = _PyObject_GenericSetAttrWithDict((PyObject *)self, name, value, ldict);
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
	forget_cached(self);
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
