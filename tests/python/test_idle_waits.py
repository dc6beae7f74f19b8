"""A thread blocked in acquire() sleeps until the lock is released or its
timeout ends, in every thread that cannot run signal handlers: a
threading.Thread, a thread pool's worker, a start_new_thread thread.  Only
the main thread runs Python's signal handlers, so only its waits have a
reason to wake early (test_page_caveats.py covers those).

Measured on Linux from /proc: the voluntary context switches of the waiting
thread over one second.  A wait that woke every 50 ms to look for signals
makes about 20; a sleeping one makes none.  A few are allowed for the way
into the wait and for stray wake-ups under load.  CPython's _thread lock is
measured alongside as the model."""
import _thread
import concurrent.futures
import os
import threading
import time
import unittest

import thread
from support import WAIT_CAP, wait_until

WINDOW = 1.0  # seconds of blocked waiting that are counted
MOST_WAKEUPS = 3  # in WINDOW; a 50 ms poll makes about 20

LINUX_PROC = hasattr(threading, "get_native_id") and os.path.exists("/proc/self/task")


def task_status(tid, field):
    with open("/proc/self/task/%d/status" % tid) as f:
        for line in f:
            if line.startswith(field + ":"):
                return line.split()[1]
    raise LookupError(field)


class Waiter:
    """A lock held by the test and a thread, started by `start(body)`,
    blocked acquiring it (with no argument, or with `timeout`)."""

    def __init__(self, module, start, timeout=None):
        self.lock = module.allocate_lock()
        self.lock.acquire()
        self.timeout = timeout
        # What the acquire returns: the page's None for thread.acquire().
        self.expected = True if timeout is not None or module is _thread else None
        self.tid = None
        self.result = []
        self.done = threading.Event()
        start(self.body)

    def body(self):
        self.tid = threading.get_native_id()
        if self.timeout is None:
            self.result.append(self.lock.acquire())
        else:
            self.result.append(self.lock.acquire(True, self.timeout))
        self.done.set()

    def asleep(self):
        return self.tid is not None and task_status(self.tid, "State").startswith("S")

    def switches(self):
        return int(task_status(self.tid, "voluntary_ctxt_switches"))


@unittest.skipUnless(LINUX_PROC, "counts context switches in Linux /proc (threading.get_native_id)")
class IdleWaits(unittest.TestCase):
    def wakeups_while_blocked(self, start):
        """Block four threads started by `start(body)` (ours and _thread's
        lock, acquire() and acquire(True, timeout)) for WINDOW seconds;
        return {description: voluntary context switches in the window}
        once each has acquired its lock after the release."""
        waiters = {}
        for module in (thread, _thread):
            for timeout in (None, WAIT_CAP * 3):
                name = "%s acquire(%s)" % (module.__name__,
                                           "" if timeout is None else "True, timeout")
                waiters[name] = Waiter(module, start, timeout)
        try:
            self.assertTrue(wait_until(lambda: all(w.asleep() for w in waiters.values())))
            time.sleep(0.1)  # let each reach its wait; a late one costs a switch or two
            before = {name: w.switches() for name, w in waiters.items()}
            time.sleep(WINDOW)
            woke = {name: w.switches() - before[name] for name, w in waiters.items()}
        finally:
            for w in waiters.values():
                w.lock.release()
        for name, w in waiters.items():
            self.assertTrue(w.done.wait(WAIT_CAP), name)
            self.assertEqual(w.result, [w.expected], name)
        return woke

    def assert_slept(self, woke):
        self.assertEqual({name: n for name, n in woke.items() if n > MOST_WAKEUPS}, {},
                         "voluntary context switches in %.1f s: %r" % (WINDOW, woke))

    def test_a_threading_thread_blocked_in_acquire_sleeps_until_released(self):
        def start(body):
            t = threading.Thread(target=body, daemon=True)
            t.start()
            self.addCleanup(t.join, WAIT_CAP)
        self.assert_slept(self.wakeups_while_blocked(start))

    def test_a_thread_pool_worker_blocked_in_acquire_sleeps_until_released(self):
        pool = concurrent.futures.ThreadPoolExecutor(max_workers=4)
        self.addCleanup(pool.shutdown)
        self.assert_slept(self.wakeups_while_blocked(pool.submit))

    def test_a_start_new_thread_thread_blocked_in_acquire_sleeps_until_released(self):
        self.assert_slept(self.wakeups_while_blocked(
            lambda body: thread.start_new_thread(body, ())))


class WorkerTimeouts(unittest.TestCase):
    def test_a_timed_acquire_in_a_worker_times_out_no_earlier_than_its_timeout(self):
        for module in (thread, _thread):
            lock = module.allocate_lock()
            lock.acquire()
            got = []

            def body():
                start = time.monotonic()
                got.append(lock.acquire(True, 0.2))
                got.append(time.monotonic() - start)
            t = threading.Thread(target=body)
            t.start()
            t.join(WAIT_CAP)
            self.assertEqual(got[0], False, module.__name__)
            self.assertGreaterEqual(got[1], 0.2, module.__name__)
            self.assertLess(got[1], 2.0, module.__name__)


if __name__ == "__main__":
    unittest.main()
