/* Waiting for a libthread lock from Python, for every object that waits
 * (lock.c, rlock.c, thread handles): acquire()'s arguments into a timeout,
 * and the wait itself.
 *
 * Policy: callers first try without waiting, with the thread state
 * attached (no interpreter-lock traffic when the lock is free); only if
 * that fails and the caller will wait do we detach.  A plain lock's wait
 * (thread_lock_wait) then spins for the lock and, once it has it, for the
 * interpreter lock, while such spins have been paying (handoff.c says why
 * and when).  Whatever sleeps, sleeps at once (THREAD_NO_SPIN): libthread's
 * own short spin only delays the thread we woke by detaching, which is
 * often put on this very processor (Condition ping-pong: 1.20x of stock
 * with that spin, 0.93x without, 21 rounds).
 * Blocking waits in the main thread of the main interpreter are
 * interruptible: on THREAD_EINTR, and every SIGNAL_POLL_NS in any case, we
 * run the Python signal handlers and, unless one raised, wait again for
 * the time left to the deadline taken at entry.  Every other thread
 * (threading.Thread, pool workers, start_new_thread's) cannot run signal
 * handlers, so it waits once, through signals: a thread blocked for good
 * then stays asleep, and does not come back for the interpreter lock 20
 * times a second, nor while the interpreter is being finalised at exit. */
#include "compat.h"

#include <math.h>

#define NS_PER_S 1000000000LL
#define SIGNAL_POLL_NS (50 * 1000000LL) /* longest a missed signal waits */

/* The wait; `spin_lk` is the lock itself when `obj` is a plain lock (the
 * hand-off spins are for those), else NULL. */
static int wait_for(thread_timed_fn timed, void *obj, int64_t timeout_ns, thread_lock *spin_lk)
{
	/* Only there do handlers run; elsewhere, wait once, through signals. */
	int polls = compat_runs_signal_handlers();
	int64_t deadline = INT64_MAX, now;
	int r;
	handoff h = {NULL, NULL, 0, 0, 0, 0}; /* no spins: every handoff_ call a no-op */

	if (spin_lk)
		handoff_plan(&h, spin_lk);
	if (polls && timeout_ns > 0) {
		now = thread_monotonic_ns();
		if (timeout_ns < INT64_MAX - now)
			deadline = now + timeout_ns;
	}
	for (;;) {
		/* Wait in slices: a signal that lands after we detach but before
		 * the wait begins is not reported by the wait, and its handler
		 * must not wait for the lock to be released. */
		int64_t slice = polls && (timeout_ns < 0 || timeout_ns > SIGNAL_POLL_NS)
		                        ? SIGNAL_POLL_NS : timeout_ns;
		Py_BEGIN_ALLOW_THREADS
		/* Spins only on the first slice, which it shortens by the time
		 * spent (a slice of 0 left is one more zero-wait try). */
		r = handoff_spin_for_lock(&h, spin_lk, &slice);
		if (!r)
			r = timed(obj, slice, (polls ? THREAD_INTERRUPTIBLE : 0) | THREAD_NO_SPIN);
		if (r == 1)
			handoff_spin_for_gil(&h);
		Py_END_ALLOW_THREADS
		if (!polls || (r != THREAD_EINTR && r != 0))
			break;
		/* Runs the handlers only in the main thread; elsewhere a no-op. */
		if (PyErr_CheckSignals() < 0) {
			handoff_learn(&h);
			return -1;
		}
		if (timeout_ns > 0) {
			now = thread_monotonic_ns();
			if (now >= deadline) {
				r = timed(obj, 0, 0);
				break;
			}
			timeout_ns = deadline - now;
		}
	}
	handoff_learn(&h);
	if (r < 0) {
		PyErr_SetString(PyExc_SystemError, thread_strerror(r));
		return -1;
	}
	return r;
}

int thread_wait(thread_timed_fn timed, void *obj, int64_t timeout_ns)
{
	return wait_for(timed, obj, timeout_ns, NULL);
}

static int lock_timed(void *lk, int64_t timeout_ns, unsigned flags)
{
	return thread_lock_acquire_timed((thread_lock *)lk, timeout_ns, flags);
}

int thread_lock_wait(thread_lock *lk, int64_t timeout_ns)
{
	return wait_for(lock_timed, lk, timeout_ns, lk);
}

/* `waitflag`/`blocking`: an integer (or anything with __index__). */
static int blocking_from_object(PyObject *obj)
{
	PyObject *index;
	int r;
	if (PyLong_Check(obj))
		return PyObject_IsTrue(obj);
	index = PyNumber_Index(obj);
	if (!index)
		return -1;
	r = PyObject_IsTrue(index);
	Py_DECREF(index);
	return r;
}

/* `timeout` in seconds, int or float, into nanoseconds rounded up (a wait
 * never ends early); -1 means none.  Returns 0, or -1 with an exception. */
static int timeout_from_object(PyObject *obj, int64_t *ns)
{
	if (PyFloat_Check(obj)) {
		double s = PyFloat_AS_DOUBLE(obj);
		if (isnan(s)) {
			PyErr_SetString(PyExc_ValueError, "timeout must be a number, not NaN");
			return -1;
		}
		if (s == -1.0) {
			*ns = -1;
			return 0;
		}
		if (s < 0) {
			PyErr_SetString(PyExc_ValueError,
			                "timeout value must be a non-negative number");
			return -1;
		}
		if (s > (double)THREAD_TIMEOUT_MAX_S) {
			PyErr_SetString(PyExc_OverflowError, "timeout value is too large");
			return -1;
		}
		*ns = (int64_t)ceil(s * (double)NS_PER_S);
		return 0;
	}
	{
		int overflow = 0;
		long long s = PyLong_AsLongLongAndOverflow(obj, &overflow);
		if (s == -1 && PyErr_Occurred())
			return -1;
		if (s == -1 && !overflow) {
			*ns = -1;
			return 0;
		}
		if (overflow < 0 || s < 0) {
			PyErr_SetString(PyExc_ValueError,
			                "timeout value must be a non-negative number");
			return -1;
		}
		if (overflow > 0 || s > THREAD_TIMEOUT_MAX_S) {
			PyErr_SetString(PyExc_OverflowError, "timeout value is too large");
			return -1;
		}
		*ns = (int64_t)s * NS_PER_S;
		return 0;
	}
}

/* acquire(blocking=True, timeout=-1), both optional, by position or name. */
int thread_parse_acquire(const char *fname, PyObject *const *args, Py_ssize_t nargs,
                         PyObject *kwnames, int64_t *timeout_ns)
{
	PyObject *given[2] = {NULL, NULL};
	static const char *const names[2] = {"blocking", "timeout"};
	Py_ssize_t i, nkw = kwnames ? PyTuple_GET_SIZE(kwnames) : 0;
	int blocking = 1;

	if (nargs > 2) {
		PyErr_Format(PyExc_TypeError,
		             "%s() takes at most 2 arguments (%zd given)", fname, nargs);
		return -1;
	}
	for (i = 0; i < nargs; i++)
		given[i] = args[i];
	for (i = 0; i < nkw; i++) {
		PyObject *key = PyTuple_GET_ITEM(kwnames, i);
		int k;
		for (k = 0; k < 2; k++)
			if (PyUnicode_CompareWithASCIIString(key, names[k]) == 0)
				break;
		if (k == 2) {
			PyErr_Format(PyExc_TypeError,
			             "%s() got an unexpected keyword argument '%U'", fname, key);
			return -1;
		}
		if (given[k]) {
			PyErr_Format(PyExc_TypeError,
			             "%s() got multiple values for argument '%s'", fname, names[k]);
			return -1;
		}
		given[k] = args[nargs + i];
	}
	if (given[0] && (blocking = blocking_from_object(given[0])) < 0)
		return -1;
	*timeout_ns = -1;
	if (given[1] && timeout_from_object(given[1], timeout_ns) < 0)
		return -1;
	if (!blocking) {
		if (*timeout_ns != -1) {
			PyErr_SetString(PyExc_ValueError,
			                "can't specify a timeout for a non-blocking call");
			return -1;
		}
		*timeout_ns = 0;
	}
	return 0;
}

