"""What the issue adds to the page: argument errors, thread start failure,
the unraisable hook, size, docstrings and signatures, sub-interpreters."""
import inspect
import pydoc
import sys
import unittest

import thread
from support import run_script

NAMES = ("start_new_thread", "exit", "exit_thread", "allocate_lock", "get_ident")


class Extras(unittest.TestCase):
    def test_a_lock_object_is_at_most_32_bytes(self):
        self.assertLessEqual(sys.getsizeof(thread.allocate_lock()), 32)

    def test_locktype_makes_a_new_unlocked_lock_and_takes_no_arguments(self):
        self.assertFalse(thread.LockType().locked())
        with self.assertRaises(TypeError):
            thread.LockType(1)

    def test_locktype_cannot_be_subclassed(self):
        with self.assertRaises(TypeError):
            type("Sub", (thread.LockType,), {})

    def test_waitflag_must_be_an_integer(self):
        lock = thread.allocate_lock()
        for bad in (None, "x", 0.5):
            with self.assertRaises(TypeError):
                lock.acquire(bad)
        self.assertIs(lock.acquire(2 ** 70), True)

    def test_blocking_given_twice_raises_type_error(self):
        with self.assertRaises(TypeError):
            thread.allocate_lock().acquire(True, blocking=True)

    def test_start_new_thread_takes_two_or_three_arguments(self):
        with self.assertRaises(TypeError):
            thread.start_new_thread(print)
        with self.assertRaises(TypeError):
            thread.start_new_thread(print, (), {}, 4)

    def test_the_unraisable_hook_gets_the_exception_of_a_thread(self):
        rc, out, err = run_script("""
            import sys, thread
            done = thread.allocate_lock(); done.acquire()
            got = []
            def hook(u):
                got.append((type(u.exc_value).__name__, str(u.exc_value)))
                done.release()
            sys.unraisablehook = hook
            def bad():
                raise KeyError("k")
            thread.start_new_thread(bad, ())
            done.acquire()
            print(got == [("KeyError", "'k'")])
        """)
        self.assertEqual((rc, out, err), (0, "True\n", ""))

    def test_a_refused_thread_raises_error_leaks_nothing_and_the_module_keeps_working(self):
        # An address-space limit below what a thread stack needs makes the
        # system refuse the thread (root ignores RLIMIT_NPROC).
        rc, out, err = run_script("""
            import resource, sys, thread
            def f(): pass
            args = (object(),)
            before = sys.getrefcount(f), sys.getrefcount(args)
            with open("/proc/self/statm") as s:
                size = int(s.read().split()[0]) * resource.getpagesize()
            resource.setrlimit(resource.RLIMIT_AS, (size + (2 << 20), resource.RLIM_INFINITY))
            try:
                thread.start_new_thread(f, args)
                print("started")
            except thread.error as e:
                print("refused:", "can't start new thread" in str(e))
            resource.setrlimit(resource.RLIMIT_AS, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
            print("leak-free:", (sys.getrefcount(f), sys.getrefcount(args)) == before)
            done = thread.allocate_lock(); done.acquire()
            thread.start_new_thread(done.release, ())
            print("works:", done.acquire(True, 10))
        """)
        if "started" in out:
            self.skipTest("this system started a thread under the limit")
        self.assertEqual((rc, out, err),
                         (0, "refused: True\nleak-free: True\nworks: True\n", ""))

    def test_a_started_thread_owns_its_thread_state(self):
        # The thread state the function runs in belongs to the new thread:
        # sys._current_frames() lists its frame under its own identifier,
        # and C code calling back into Python from it (ctypes callbacks go
        # through PyGILState_Ensure) finds that state instead of deadlocking.
        rc, out, err = run_script("""
            import ctypes, sys, thread
            done = thread.allocate_lock(); done.acquire()
            box = {}
            CMP = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_int),
                                   ctypes.POINTER(ctypes.c_int))
            def cmp(a, b):
                return a[0] - b[0]
            def body():
                try:
                    me = thread.get_ident()
                    frame = sys._current_frames().get(me)
                    box["frames"] = frame is not None and frame.f_code is body.__code__
                    arr = (ctypes.c_int * 4)(3, 1, 4, 2)
                    libc = ctypes.CDLL(None)
                    libc.qsort(arr, 4, ctypes.sizeof(ctypes.c_int), CMP(cmp))
                    box["sorted"] = list(arr)
                finally:
                    done.release()
            ident = thread.start_new_thread(body, ())
            print("finished:", done.acquire(True, 10))
            print(box["frames"], box["sorted"])
        """)
        self.assertEqual((rc, out, err), (0, "finished: True\nTrue [1, 2, 3, 4]\n", ""))

    def test_every_name_has_a_docstring_and_text_signature(self):
        for name in NAMES:
            fn = getattr(thread, name)
            self.assertTrue(fn.__doc__, name)
            inspect.signature(fn)  # raises ValueError without a text signature
        for name in ("acquire", "release", "locked", "__enter__", "__exit__"):
            inspect.signature(getattr(thread.LockType, name))
        sig = inspect.signature(thread.LockType.acquire)
        self.assertEqual(list(sig.parameters), ["self", "blocking", "timeout"])
        self.assertEqual(str(inspect.signature(thread.start_new_thread)),
                         "(function, args, kwargs=None, /)")

    def test_see_about_this_document_help_shows_every_name(self):
        text = pydoc.render_doc(thread, renderer=pydoc.plaintext)
        for name in NAMES + ("LockType", "acquire", "release", "locked"):
            self.assertIn(name, text)

    @unittest.skipUnless(sys.version_info >= (3, 12), "per-interpreter GIL is 3.12+")
    def test_a_subinterpreter_with_its_own_gil_can_use_the_module(self):
        rc, out, err = run_script("""
            try:
                import _interpreters as interpreters
            except ImportError:
                import _xxsubinterpreters as interpreters
            import thread
            try:
                interp = interpreters.create(isolated=True)
            except TypeError:
                interp = interpreters.create("isolated")
            code = ("import thread\\n"
                    "l = thread.allocate_lock()\\n"
                    "assert l.acquire(0) and not l.acquire(0)\\n"
                    "l.release()\\n"
                    "assert type(l) is thread.LockType\\n")
            r = interpreters.run_string(interp, code)
            interpreters.destroy(interp)
            print("ok", r)
        """)
        self.assertEqual((rc, out, err), (0, "ok None\n", ""))


if __name__ == "__main__":
    unittest.main()
