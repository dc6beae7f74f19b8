/* Free lists: freed objects of one type kept for reuse, so that the next
 * one costs neither pymalloc's allocation nor its free (about a third of
 * allocate_lock() and of binding a fast method, measured).
 *
 * A block on the list is memory, not an object: its first word links to
 * the next block and nothing else in it is kept.  Lists are only touched
 * with the interpreter lock of the interpreter that owns the list held, so
 * they need no lock of their own; where there is no such lock (free-
 * threaded builds, 3.13t) nothing is ever kept.  Include after Python.h. */
#ifndef THREAD_PY_FREELIST_H
#define THREAD_PY_FREELIST_H

#ifdef Py_GIL_DISABLED
#define FREELISTS_ENABLED 0
#else
#define FREELISTS_ENABLED 1
#endif

typedef struct {
	void *head; /* the last block freed, or NULL */
	int n;      /* blocks on the list */
} freelist;

/* A block to PyObject_INIT, or NULL: allocate one.  `fl` may be NULL. */
static inline void *freelist_pop(freelist *fl)
{
	void *block = fl ? fl->head : NULL;
	if (block) {
		fl->head = *(void **)block;
		fl->n--;
	}
	return block;
}

/* Keep the block of an object being deallocated (its references already
 * dropped) if `fl` has room for it; 0 if not, and the caller frees it. */
static inline int freelist_push(freelist *fl, void *block, int max)
{
	if (!FREELISTS_ENABLED || !fl || fl->n >= max)
		return 0;
	*(void **)block = fl->head;
	fl->head = block;
	fl->n++;
	return 1;
}

/* Give every kept block back to pymalloc. */
static inline void freelist_clear(freelist *fl)
{
	void *block;
	while ((block = freelist_pop(fl)) != NULL)
		PyObject_Free(block);
}

#endif /* THREAD_PY_FREELIST_H */
