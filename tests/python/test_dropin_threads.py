"""A thread's life in the drop-in `_thread` (start_new_thread, start_new,
_count, _set_sentinel; 3.13's thread handles, start_joinable_thread and
_shutdown), each case run on thread.dropin and on this interpreter's own
_thread, and threading run on the drop-in in a child interpreter."""
import _thread
import os
import re
import signal
import subprocess
import sys
import textwrap
import time
import unittest
import weakref

import thread
import thread.dropin
from support import WAIT_CAP, child_env, wait_until

HAS_SENTINEL = hasattr(_thread, "_set_sentinel")   # 3.8-3.12
HAS_HANDLES = hasattr(_thread, "_ThreadHandle")    # 3.13+

# Child prologue: put the drop-in (or nothing, for "stock") in place of
# _thread before threading is imported; a drop-in without every name of the
# stock module fails here, before any test's own check.
PROLOGUE = """
import sys, _thread as stock
import thread, thread.dropin
if {dropin!r}:
    assert set(dir(stock)) <= set(dir(thread.dropin)), set(dir(stock)) - set(dir(thread.dropin))
    sys.modules["_thread"] = thread.dropin
import threading
assert (threading._allocate_lock is thread.dropin.allocate_lock) == {dropin!r}
"""


def run_child(code, dropin, timeout=60):
    """Run `code` after PROLOGUE under `python -S`; (rc, out, err)."""
    src = textwrap.dedent(PROLOGUE).format(dropin=dropin) + textwrap.dedent(code)
    proc = subprocess.run([sys.executable, "-S", "-c", src], stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, timeout=timeout, env=child_env())
    return proc.returncode, proc.stdout.decode(), proc.stderr.decode()


class Held:
    """An object whose death a weak reference shows.  Its finaliser lets
    other threads run while the weak reference is still alive, so a joiner
    woken before its thread state is cleared would see it."""

    def __del__(self):
        time.sleep(0.05)


class ThreadLife:
    module = None   # the _thread under test
    dropin = None   # True: thread.dropin

    def start_waiting(self, fn=None):
        """Start a thread that blocks on a gate; return (gate, started)."""
        m = self.module
        gate, started = m.allocate_lock(), m.allocate_lock()
        gate.acquire()
        started.acquire()

        def body():
            started.release()
            with gate:
                pass
            if fn:
                fn()
        m.start_new_thread(body, ())
        self.assertTrue(started.acquire(timeout=WAIT_CAP))
        return gate

    def test_count_goes_up_while_a_thread_runs_and_down_once_it_ended(self):
        m = self.module
        before = m._count()
        finished = m.allocate_lock()
        finished.acquire()
        gate = self.start_waiting(finished.release)
        self.assertEqual(m._count(), before + 1)
        gate.release()
        self.assertTrue(finished.acquire(timeout=WAIT_CAP))
        self.assertTrue(wait_until(lambda: m._count() == before))

    def test_start_new_is_the_old_name_of_start_new_thread(self):
        m = self.module
        done, got = m.allocate_lock(), []
        done.acquire()
        ident = m.start_new(lambda *a, **k: (got.append((a, k, m.get_ident())),
                                             done.release()), (1, 2), {"k": 3})
        self.assertTrue(done.acquire(timeout=WAIT_CAP))
        self.assertEqual(got, [((1, 2), {"k": 3}, ident)])

    def test_argument_errors_are_those_of_stock_thread(self):
        cases = [(print,), (1, ()), (print, []), (print, (), []), (print, (), None),
                 (print, (), {}, 4)]
        for fname in ("start_new_thread", "start_new"):
            for args in cases:
                with self.assertRaises(TypeError) as ours:
                    getattr(self.module, fname)(*args)
                with self.assertRaises(TypeError) as theirs:
                    getattr(_thread, fname)(*args)
                self.assertEqual(str(ours.exception), str(theirs.exception))
            with self.assertRaises(TypeError) as ours:
                getattr(self.module, fname)(print, (), kw=1)
            with self.assertRaises(TypeError) as theirs:
                getattr(_thread, fname)(print, (), kw=1)
            self.assertEqual(str(ours.exception), str(theirs.exception))

    @unittest.skipUnless(HAS_SENTINEL, "_set_sentinel is 3.8-3.12")
    def test_set_sentinel_gives_a_new_unlocked_lock(self):
        a, b = self.module._set_sentinel(), self.module._set_sentinel()
        self.assertIsNot(a, b)
        self.assertIs(type(a), type(self.module.allocate_lock()))
        self.assertFalse(a.locked() or b.locked())

    @unittest.skipUnless(HAS_SENTINEL, "_set_sentinel is 3.8-3.12")
    def test_sentinel_is_released_only_once_the_thread_state_is_cleared(self):
        # The thread's context (a ContextVar's value) goes with its thread
        # state; the sentinel must outlive it.
        import contextvars
        m = self.module
        var, out, ref = contextvars.ContextVar("v"), [], []

        def last():
            obj = Held()
            ref.append(weakref.ref(obj))
            var.set(obj)
            lock = m._set_sentinel()
            lock.acquire()
            out.append(lock)
        gate = self.start_waiting(last)
        before = m._count()
        gate.release()
        self.assertTrue(wait_until(lambda: out))
        lock = out[0]
        self.assertTrue(lock.acquire(timeout=WAIT_CAP))
        self.assertIsNone(ref[0](), "the sentinel was released before the state was cleared")
        self.assertEqual(m._count(), before - 1)

    def test_uncaught_exception_is_reported_as_stock_reports_it(self):
        code = """
            done = _thread.allocate_lock(); done.acquire()
            def boom(): done.release(); raise KeyError("k")
            def quiet(): raise SystemExit
            _thread.start_new_thread(quiet, ())
            _thread.start_new_thread(boom, ())
            done.acquire()
            while _thread._count(): pass
        """
        errs = []
        for dropin in (True, False):
            rc, out, err = run_child("_thread = sys.modules['_thread']\n" + textwrap.dedent(code),
                                     dropin)
            self.assertEqual(rc, 0, err)
            errs.append(re.sub(r"0x[0-9a-f]+", "ADDR", err))
        self.assertIn("Exception ignored in thread started by", errs[1])
        self.assertEqual(errs[0], errs[1])

    # ---- threading on the module, in a child interpreter -------------------

    def test_exit_waits_for_non_daemon_threads_and_not_for_daemon_ones(self):
        rc, out, err = run_child("""
            import time
            never = threading.Lock(); never.acquire()
            threading.Thread(target=never.acquire, daemon=True).start()
            def late():
                time.sleep(0.3)
                print("non-daemon finished", flush=True)
            threading.Thread(target=late).start()
            print("main done", flush=True)
        """, self.dropin)
        self.assertEqual((rc, out, err), (0, "main done\nnon-daemon finished\n", ""))

    def test_join_returns_once_the_thread_has_truly_ended(self):
        rc, out, err = run_child("""
            import contextvars, time, weakref
            var = contextvars.ContextVar("v")
            class Held:
                def __del__(self): time.sleep(0.05)
            refs = []
            def body():
                obj = Held(); refs.append(weakref.ref(obj)); var.set(obj)
            t = threading.Thread(target=body); t.start(); t.join()
            print(refs[0]() is None, t.is_alive())
        """, self.dropin)
        self.assertEqual((rc, out, err), (0, "True False\n", ""))

    def test_ctrl_c_interrupts_thread_join_in_the_main_thread(self):
        rc, out, err = run_child("""
            import os, signal, time
            never = threading.Lock(); never.acquire()
            t = threading.Thread(target=never.acquire, daemon=True); t.start()
            main = threading.get_ident()
            def in_join():
                f = sys._current_frames().get(main)
                while f is not None:
                    if f.f_code.co_name == "join":
                        return True
                    f = f.f_back
                return False
            def interrupt():
                deadline = time.monotonic() + 10
                while not in_join() and time.monotonic() < deadline:
                    time.sleep(0.001)
                time.sleep(0.05)  # let join block in C
                os.kill(os.getpid(), signal.SIGINT)
            threading.Thread(target=interrupt, daemon=True).start()
            try:
                t.join()
            except KeyboardInterrupt:
                print("interrupted")
        """, self.dropin, timeout=30)
        self.assertEqual((rc, out, err), (0, "interrupted\n", ""))

    # ---- 3.13 thread handles -------------------------------------------------

    def joinable(self, daemon=True):
        """A handle whose thread blocks on the returned gate."""
        gate = self.module.allocate_lock()
        gate.acquire()
        return self.module.start_joinable_thread(gate.acquire, daemon=daemon), gate

    @unittest.skipUnless(HAS_HANDLES, "thread handles are 3.13+")
    def test_handle_join_with_timeout_returns_at_the_deadline(self):
        h, gate = self.joinable()
        t0 = time.monotonic()
        self.assertIsNone(h.join(0.2))
        took = time.monotonic() - t0
        self.assertGreaterEqual(took, 0.2)
        self.assertLess(took, 2.0)
        self.assertFalse(h.is_done())
        gate.release()
        h.join()
        self.assertTrue(h.is_done())
        self.assertEqual(h.ident and repr(h), "<_thread._ThreadHandle object: ident=%d>" % h.ident)

    @unittest.skipUnless(HAS_HANDLES, "thread handles are 3.13+")
    def test_handle_is_done_only_after_the_thread_state_is_cleared(self):
        import contextvars
        var, refs = contextvars.ContextVar("v"), []

        def body():
            obj = Held()
            refs.append(weakref.ref(obj))
            var.set(obj)
        h = self.module.start_joinable_thread(body)
        h.join()
        self.assertIsNone(refs[0]())

    @unittest.skipUnless(HAS_HANDLES, "thread handles are 3.13+")
    def test_handle_misuse_raises_as_stock(self):
        m = self.module
        fresh = m._ThreadHandle()
        self.assertEqual((fresh.ident, fresh.is_done()), (0, False))
        for call in (fresh.join, lambda: fresh.join(0), fresh._set_done):
            with self.assertRaisesRegex(RuntimeError, "^thread not started$"):
                call()
        me = m._make_thread_handle(m.get_ident())
        with self.assertRaisesRegex(RuntimeError, "^Cannot join current thread$"):
            me.join()
        me._set_done()
        me.join()
        with self.assertRaisesRegex(TypeError, "^ident must be an integer$"):
            m._make_thread_handle("1")
        with self.assertRaisesRegex(TypeError, "^'handle' must be a _ThreadHandle$"):
            m.start_joinable_thread(print, (1,))
        with self.assertRaisesRegex(TypeError, "^thread function must be callable$"):
            m.start_joinable_thread(1)
        h, gate = self.joinable()
        with self.assertRaisesRegex(RuntimeError, "^thread already started$"):
            m.start_joinable_thread(print, handle=h)
        gate.release()
        h.join()
        self.assertEqual(m._get_main_thread_ident(), _thread._get_main_thread_ident())

    @unittest.skipUnless(HAS_HANDLES, "thread handles are 3.13+")
    def test_a_thread_joining_its_own_handle_raises(self):
        m, got, box = self.module, [], []
        ready = m.allocate_lock()
        ready.acquire()

        def body():
            ready.acquire()
            try:
                box[0].join()
            except RuntimeError as e:
                got.append(str(e))
        box.append(m.start_joinable_thread(body))
        ready.release()
        box[0].join()
        self.assertEqual(got, ["Cannot join current thread"])

    @unittest.skipUnless(HAS_HANDLES, "thread handles are 3.13+")
    def test_shutdown_joins_non_daemon_threads_only(self):
        m = self.module
        go = m.allocate_lock()
        go.acquire()
        worker = m.start_joinable_thread(lambda: (go.acquire(), time.sleep(0.2)), daemon=False)
        daemon, gate = self.joinable(daemon=True)
        go.release()
        m._shutdown()
        self.assertTrue(worker.is_done())
        self.assertFalse(daemon.is_done())
        gate.release()
        daemon.join()

    @unittest.skipUnless(HAS_HANDLES, "thread handles are 3.13+")
    @unittest.skipUnless(hasattr(os, "fork"), "needs fork")
    def test_after_fork_the_child_sees_other_threads_handles_done(self):
        m = self.module
        h, gate = self.joinable()
        mine = m._make_thread_handle(m.get_ident())
        r, w = os.pipe()
        import warnings
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            pid = os.fork()
        if pid == 0:
            try:
                h.join(WAIT_CAP)  # at once, as stock; bounded if not
                os.write(w, repr((h.is_done(), mine.is_done())).encode())
            finally:
                os._exit(0)
        os.close(w)
        with os.fdopen(r) as f:
            got = f.read()
        os.waitpid(pid, 0)
        gate.release()
        h.join()
        self.assertEqual(got, "(True, False)")


    @unittest.skipUnless(HAS_HANDLES, "thread handles are 3.13+")
    @unittest.skipUnless(hasattr(os, "fork"), "needs fork")
    def test_a_fork_child_joins_its_own_threads_handle_once_marked_done(self):
        # threading does this at a child's exit when a thread other than
        # the main one forked: that thread's handle, marked done, must not
        # be joined as an OS thread (no thread can join itself).
        m = self.module
        r, w = os.pipe()
        handle, child = [], []

        def body():
            import warnings
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DeprecationWarning)
                pid = os.fork()
            if pid == 0:
                try:
                    handle[0]._set_done()
                    handle[0].join()
                    handle[0].join(0)
                    os.write(w, repr(handle[0].is_done()).encode())
                finally:
                    os._exit(0)
            child.append(pid)
        go = m.allocate_lock()
        go.acquire()
        handle.append(m.start_joinable_thread(lambda: (go.acquire(), body())))
        go.release()
        handle[0].join()
        os.close(w)
        with os.fdopen(r) as f:
            got = f.read()
        os.waitpid(child[0], 0)
        self.assertEqual(got, "True")


class DropinThreadLife(ThreadLife, unittest.TestCase):
    module = thread.dropin
    dropin = True


class StockThreadLife(ThreadLife, unittest.TestCase):
    module = _thread
    dropin = False


def vm_size_kib():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmSize:"):
                return int(line.split()[1])


def slow_exit_key():
    """A pthread key whose destructor sleeps: a thread that sets it to N
    spends N microseconds in its OS-level exit, after its Python work is
    over (glibc runs key destructors as the thread ends).  The destructor
    is libc's usleep, which takes the key's value as its argument.  None
    where ctypes or the calls are missing."""
    try:
        import ctypes
        libc = ctypes.CDLL(None)
        key = ctypes.c_uint()
        if libc.pthread_key_create(ctypes.byref(key), ctypes.cast(libc.usleep, ctypes.c_void_p)):
            return None
    except (ImportError, OSError, AttributeError):
        return None
    return lambda us: libc.pthread_setspecific(key, ctypes.c_void_p(us))


SLOW_EXIT = slow_exit_key() if sys.platform.startswith("linux") else None


@unittest.skipUnless(HAS_HANDLES, "thread handles are 3.13+")
@unittest.skipUnless(SLOW_EXIT, "needs Linux, ctypes and pthread keys")
class HandleOwnsItsThread(unittest.TestCase):
    """A 3.13 handle's join returns once the OS thread is gone, as stock's
    does (it joins the thread), not only once its Python work is over; a
    handle that dies unjoined lets its thread go.  The threads here take
    50 ms to end after their Python work (SLOW_EXIT)."""

    def test_join_returns_once_the_os_thread_is_gone_as_on_stock(self):
        for m in (_thread, thread.dropin):
            for _ in range(3):
                native = []

                def body():
                    native.append(m.get_native_id())
                    SLOW_EXIT(50000)
                t0 = time.monotonic()
                m.start_joinable_thread(body).join()
                took = time.monotonic() - t0
                self.assertGreaterEqual(took, 0.05, "%s: the join returned before the thread ended"
                                        % m)
                # The kernel ends a thread in two steps, and a join returns
                # after the first; the second follows within microseconds.
                self.assertTrue(wait_until(
                    lambda: not os.path.exists("/proc/self/task/%d" % native[0]), cap=1))

    def test_every_joiner_returns_once_the_os_thread_is_gone(self):
        # Whichever joiner wakes first, none returns before the OS thread
        # ends; some of them wait with a timeout, which does not run out.
        m = thread.dropin
        for _ in range(3):
            gate = m.allocate_lock()
            gate.acquire()
            h = m.start_joinable_thread(lambda: (SLOW_EXIT(50000), gate.acquire()))
            returned, lock = [], m.allocate_lock()

            def joiner(timeout):
                h.join(timeout)
                with lock:
                    returned.append(time.monotonic())
            joiners = [m.start_joinable_thread(lambda t=t: joiner(t))
                       for t in (None, 60, None, 60, None, 60, None, 60)]
            time.sleep(0.05)  # let them sleep in join
            released = time.monotonic()
            gate.release()
            h.join()  # and one more, that comes late
            late = time.monotonic()
            for j in joiners:
                j.join()
            self.assertEqual(len(returned), 8)
            self.assertGreaterEqual(min(returned + [late]) - released, 0.05,
                                    "a joiner returned before the thread ended")

    def test_a_handle_that_dies_unjoined_lets_its_thread_go(self):
        # A joinable thread neither joined nor detached keeps its stack
        # mapped after it ends (8 MiB of address space here): 300 would
        # leave about 2.4 GiB.
        m = thread.dropin
        before = vm_size_kib()
        for _ in range(300):
            h = m.start_joinable_thread(lambda: None)
            wait_until(h.is_done)
            del h
        small = wait_until(lambda: vm_size_kib() - before < 256 * 1024)
        self.assertTrue(small, "address space grew %d KiB over 300 unjoined threads"
                        % (vm_size_kib() - before))


class PageKeepsItsOwnWords(unittest.TestCase):
    def test_page_start_new_thread_errors_are_unchanged(self):
        with self.assertRaisesRegex(TypeError, "function must be callable, not int"):
            thread.start_new_thread(1, ())
        with self.assertRaisesRegex(TypeError, r"takes 2 or 3 arguments \(1 given\)"):
            thread.start_new_thread(print)


if __name__ == "__main__":
    unittest.main()
