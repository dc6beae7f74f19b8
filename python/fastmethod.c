/* Fast methods: a method descriptor whose bound form is cheap to make.
 *
 * Why: `with lock:` looks up __enter__ and __exit__ on the type and binds
 * each to the lock (CPython 3.8-3.13 do not call them unbound, as they do
 * for `lock.acquire()`).  A built-in method descriptor binds into a
 * builtin_function_or_method, which is tracked by the cyclic GC: two GC
 * allocations and two GC untrack-and-frees per `with`, which cost more than
 * the lock itself and count towards the next collection.  A fast method
 * binds into a small object that the GC does not track (it refers only to
 * the lock and to its own type, neither of which can lead back to it), and
 * calls its C function through vectorcall with no further dispatch.
 *
 * Both objects look like their built-in counterparts to introspection:
 * __name__, __qualname__, __doc__, __text_signature__ (so inspect.signature
 * and help() work), __objclass__ on the descriptor, __self__ on the bound
 * method, and a bound method compares equal to another bound to the same
 * object by the same descriptor. */
#include "compat.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <structmember.h>

/* The vectorcall type flag under the name 3.8 gave it, which later
 * versions keep as an alias of Py_TPFLAGS_HAVE_VECTORCALL. */
#define TPFLAGS_VECTORCALL _Py_TPFLAGS_HAVE_VECTORCALL

/* Bound methods a descriptor keeps for reuse (freelist.h): `with` makes
 * two and drops them again at once.  Nested `with` blocks and threads each
 * hold one __exit__ until their block ends; beyond this many spare, blocks
 * go back to pymalloc. */
#define BOUND_KEEP 16

/* A descriptor in the owner type's dict.  GC-tracked: it holds the owner,
 * whose dict holds it. */
typedef struct {
	PyObject_HEAD
	vectorcallfunc vectorcall; /* called unbound: args[0] is the instance */
	const fastmethod_def *def;
	PyTypeObject *owner;      /* strong; the type whose instances it binds */
	PyTypeObject *bound_type; /* strong; what binding makes */
	freelist spare; /* of bound methods, for this descriptor's binds */
} fastmethod;

/* The descriptor bound to an instance.  Not GC-tracked (see above). */
typedef struct {
	fastmethod_bound_head head; /* vectorcall (descr->def->bound_call), self */
	fastmethod *descr;          /* strong: its def, and its free list */
} fastmethod_bound;

/* ---- getters shared by both types ------------------------------------------ */

/* The text signature at the start of a docstring ("name(sig)\n--\n\n..."),
 * and the docstring without it, as CPython does for built-in methods. */
static const char *doc_body(const char *doc)
{
	const char *end = strstr(doc, ")\n--\n\n");
	return end ? end + 6 : doc;
}

static PyObject *text_signature(const char *doc)
{
	const char *start = strchr(doc, '('), *end = strstr(doc, ")\n--\n\n");
	if (!start || !end || start > end)
		Py_RETURN_NONE;
	return PyUnicode_FromStringAndSize(start, end - start + 1);
}

static PyObject *qualname(PyTypeObject *owner, const fastmethod_def *def)
{
	PyObject *res, *owner_name = PyObject_GetAttrString((PyObject *)owner, "__qualname__");
	if (!owner_name)
		return NULL;
	res = PyUnicode_FromFormat("%U.%s", owner_name, def->name);
	Py_DECREF(owner_name);
	return res;
}

/* The def of a descriptor or of a bound method: the getters below serve
 * both types. */
static const fastmethod_def *def_of(PyObject *o)
{
	if (PyType_HasFeature(Py_TYPE(o), Py_TPFLAGS_METHOD_DESCRIPTOR))
		return ((fastmethod *)o)->def;
	return ((fastmethod_bound *)o)->descr->def;
}

static PyObject *get_name(PyObject *o, void *c)
{
	(void)c;
	return PyUnicode_FromString(def_of(o)->name);
}

static PyObject *get_doc(PyObject *o, void *c)
{
	(void)c;
	return PyUnicode_FromString(doc_body(def_of(o)->doc));
}

static PyObject *get_text_signature(PyObject *o, void *c)
{
	(void)c;
	return text_signature(def_of(o)->doc);
}

/* ---- the descriptor -------------------------------------------------------- */

static int check_instance(fastmethod *d, PyObject *obj)
{
	if (PyObject_TypeCheck(obj, d->owner))
		return 0;
	PyErr_Format(PyExc_TypeError,
	             "descriptor '%s' for '%s' objects doesn't apply to a '%s' object",
	             d->def->name, d->owner->tp_name, Py_TYPE(obj)->tp_name);
	return -1;
}

static PyObject *fastmethod_unbound_call(PyObject *callable, PyObject *const *args,
                                         size_t nargsf, PyObject *kwnames)
{
	fastmethod *d = (fastmethod *)callable;
	Py_ssize_t nargs = PyVectorcall_NARGS(nargsf);
	if (nargs < 1) {
		PyErr_Format(PyExc_TypeError, "unbound method %s.%s() needs an argument",
		             d->owner->tp_name, d->def->name);
		return NULL;
	}
	if (check_instance(d, args[0]) < 0)
		return NULL;
	return d->def->fn(args[0], args + 1, nargs - 1, kwnames);
}

static PyObject *fastmethod_get(PyObject *self, PyObject *obj, PyObject *type)
{
	fastmethod *d = (fastmethod *)self;
	fastmethod_bound *b;
	(void)type;
	if (obj == NULL) { /* looked up on the class */
		Py_INCREF(self);
		return self;
	}
	if (check_instance(d, obj) < 0)
		return NULL;
	b = (fastmethod_bound *)freelist_pop(&d->spare);
	if (b) {
		/* Takes the reference to the heap type that dealloc drops. */
		PyObject_INIT(b, d->bound_type);
	} else {
		b = PyObject_New(fastmethod_bound, d->bound_type);
		if (!b)
			return NULL;
	}
	b->head.vectorcall = d->def->bound_call;
	Py_INCREF(obj);
	b->head.self = obj;
	Py_INCREF(d);
	b->descr = d;
	return (PyObject *)b;
}

static int fastmethod_traverse(fastmethod *d, visitproc visit, void *arg)
{
	Py_VISIT(Py_TYPE(d));
	Py_VISIT(d->owner);
	Py_VISIT(d->bound_type);
	return 0;
}

static int fastmethod_clear(fastmethod *d)
{
	Py_CLEAR(d->owner);
	Py_CLEAR(d->bound_type);
	return 0;
}

static void fastmethod_dealloc(fastmethod *d)
{
	PyTypeObject *tp = Py_TYPE(d);
	PyObject_GC_UnTrack(d);
	freelist_clear(&d->spare);
	fastmethod_clear(d);
	PyObject_GC_Del(d);
	Py_DECREF(tp);
}

static PyObject *fastmethod_repr(fastmethod *d)
{
	return PyUnicode_FromFormat("<method '%s' of '%s' objects>", d->def->name,
	                            d->owner->tp_name);
}

static PyObject *fastmethod_qualname(fastmethod *d, void *c)
{
	(void)c;
	return qualname(d->owner, d->def);
}

static PyObject *fastmethod_objclass(fastmethod *d, void *c)
{
	(void)c;
	Py_INCREF(d->owner);
	return (PyObject *)d->owner;
}

static PyGetSetDef fastmethod_getset[] = {
	{"__name__", get_name, NULL, NULL, NULL},
	{"__qualname__", (getter)fastmethod_qualname, NULL, NULL, NULL},
	{"__doc__", get_doc, NULL, NULL, NULL},
	{"__text_signature__", get_text_signature, NULL, NULL, NULL},
	{"__objclass__", (getter)fastmethod_objclass, NULL, NULL, NULL},
	{NULL, NULL, NULL, NULL, NULL},
};

static PyMemberDef fastmethod_members[] = {
	{"__vectorcalloffset__", T_PYSSIZET, offsetof(fastmethod, vectorcall), READONLY, NULL},
	{NULL, 0, 0, 0, NULL},
};

static PyType_Slot fastmethod_slots[] = {
	{Py_tp_dealloc, (void *)fastmethod_dealloc},
	{Py_tp_traverse, (void *)fastmethod_traverse},
	{Py_tp_clear, (void *)fastmethod_clear},
	{Py_tp_repr, (void *)fastmethod_repr},
	{Py_tp_call, (void *)PyVectorcall_Call},
	{Py_tp_descr_get, (void *)fastmethod_get},
	{Py_tp_getset, fastmethod_getset},
	{Py_tp_members, fastmethod_members},
	{0, NULL},
};

PyType_Spec thread_fastmethod_spec = {
	.name = "thread.fast_method_descriptor",
	.basicsize = sizeof(fastmethod),
	.itemsize = 0,
	.flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC | TPFLAGS_VECTORCALL |
	         Py_TPFLAGS_METHOD_DESCRIPTOR,
	.slots = fastmethod_slots,
};

/* ---- the bound method ------------------------------------------------------ */


static void bound_dealloc(fastmethod_bound *b)
{
	PyTypeObject *tp = Py_TYPE(b);
	fastmethod *d = b->descr;
	Py_DECREF(b->head.self);
	if (!freelist_push(&d->spare, b, BOUND_KEEP))
		PyObject_Free(b);
	Py_DECREF(tp);
	Py_DECREF(d);
}

static PyObject *bound_repr(fastmethod_bound *b)
{
	return PyUnicode_FromFormat("<built-in method %s of %s object at %p>", b->descr->def->name,
	                            Py_TYPE(b->head.self)->tp_name, (void *)b->head.self);
}

static PyObject *bound_richcompare(PyObject *a, PyObject *b, int op)
{
	fastmethod_bound *x = (fastmethod_bound *)a, *y = (fastmethod_bound *)b;
	int eq;
	if ((op != Py_EQ && op != Py_NE) || Py_TYPE(a) != Py_TYPE(b))
		Py_RETURN_NOTIMPLEMENTED;
	eq = x->descr->def == y->descr->def && x->head.self == y->head.self;
	return PyBool_FromLong(op == Py_EQ ? eq : !eq);
}

static Py_hash_t bound_hash(fastmethod_bound *b)
{
	/* Objects are at least 8-aligned: drop the bits that never vary. */
	Py_hash_t h = (Py_hash_t)(((uintptr_t)b->descr->def ^ (uintptr_t)b->head.self) >> 3);
	return h == -1 ? -2 : h;
}

/* Binding again gives the same bound method, as for a built-in method
 * (which is not a descriptor at all); having __get__ lets inspect treat it
 * as built-in and read its __text_signature__. */
static PyObject *bound_get(PyObject *self, PyObject *obj, PyObject *type)
{
	(void)obj;
	(void)type;
	Py_INCREF(self);
	return self;
}

static PyObject *bound_qualname(fastmethod_bound *b, void *c)
{
	(void)c;
	return qualname(Py_TYPE(b->head.self), b->descr->def);
}

static PyObject *bound_self(fastmethod_bound *b, void *c)
{
	(void)c;
	Py_INCREF(b->head.self);
	return b->head.self;
}

static PyGetSetDef bound_getset[] = {
	{"__name__", get_name, NULL, NULL, NULL},
	{"__qualname__", (getter)bound_qualname, NULL, NULL, NULL},
	{"__doc__", get_doc, NULL, NULL, NULL},
	{"__text_signature__", get_text_signature, NULL, NULL, NULL},
	{"__self__", (getter)bound_self, NULL, NULL, NULL},
	{NULL, NULL, NULL, NULL, NULL},
};

static PyMemberDef bound_members[] = {
	{"__vectorcalloffset__", T_PYSSIZET, offsetof(fastmethod_bound, head.vectorcall), READONLY,
	 NULL},
	{NULL, 0, 0, 0, NULL},
};

static PyType_Slot bound_slots[] = {
	{Py_tp_dealloc, (void *)bound_dealloc},
	{Py_tp_repr, (void *)bound_repr},
	{Py_tp_richcompare, (void *)bound_richcompare},
	{Py_tp_hash, (void *)bound_hash},
	{Py_tp_call, (void *)PyVectorcall_Call},
	{Py_tp_descr_get, (void *)bound_get},
	{Py_tp_getset, bound_getset},
	{Py_tp_members, bound_members},
	{0, NULL},
};

PyType_Spec thread_fastmethod_bound_spec = {
	.name = "thread.fast_method",
	.basicsize = sizeof(fastmethod_bound),
	.itemsize = 0,
	.flags = Py_TPFLAGS_DEFAULT | TPFLAGS_VECTORCALL,
	.slots = bound_slots,
};

/* ---- installing them ------------------------------------------------------- */

int thread_fastmethods_add(PyTypeObject *owner, const fastmethod_def *defs,
                           PyTypeObject *descr_type, PyTypeObject *bound_type)
{
	for (; defs->name; defs++) {
		int r;
		fastmethod *d = PyObject_GC_New(fastmethod, descr_type);
		if (!d)
			return -1;
		d->vectorcall = fastmethod_unbound_call;
		d->def = defs;
		d->spare.head = NULL;
		d->spare.n = 0;
		Py_INCREF(owner);
		d->owner = owner;
		Py_INCREF(bound_type);
		d->bound_type = bound_type;
		PyObject_GC_Track(d);
		/* The owner is new and not yet visible to Python code; writing
		 * its dict directly is how a heap type made from a spec gets an
		 * attribute no slot describes. */
		r = PyDict_SetItemString(owner->tp_dict, defs->name, (PyObject *)d);
		Py_DECREF(d);
		if (r < 0)
			return -1;
	}
	PyType_Modified(owner);
	return 0;
}
