"""A thread that either module starts has a thread state of its own that
the interpreter's PyGILState calls find, so C code in it that asks who it
is (tracemalloc's hooks on every allocation, ctypes callbacks, extension
modules) works; this once deadlocked on 3.8-3.11 with tracemalloc on."""
import _thread
import ctypes
import sys
import unittest

import thread
from support import WAIT_CAP, run_script

MODULES = (("thread", thread), ("thread.dropin", thread.dropin), ("_thread", _thread))


class ThreadState(unittest.TestCase):
    def run_in_thread(self, mod, fn):
        done = mod.allocate_lock()
        done.acquire()
        out = []

        def body():
            try:
                out.append(fn())
            finally:
                done.release()
        mod.start_new_thread(body, ())
        self.assertTrue(done.acquire(True, WAIT_CAP))
        return out[0]

    def test_a_started_thread_is_the_one_pygilstate_knows(self):
        check = ctypes.pythonapi.PyGILState_Check
        for name, mod in MODULES:
            with self.subTest(name):
                self.assertEqual(self.run_in_thread(mod, check), 1)

    def test_a_thread_starts_and_allocates_while_tracemalloc_traces(self):
        code = """
            import sys, tracemalloc
            import thread, _thread
            tracemalloc.start()
            for mod in (thread, thread.dropin, _thread):
                done = mod.allocate_lock()
                done.acquire()
                def body():
                    [bytearray(100) for _ in range(100)]
                    done.release()
                mod.start_new_thread(body, ())
                print(done.acquire(True, 10))
        """
        rc, out, err = run_script(code, timeout=60)
        self.assertEqual((rc, out), (0, "True\nTrue\nTrue\n"), err)


if __name__ == "__main__":
    unittest.main()
