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

    def test_the_interpreter_files_a_started_thread_under_its_own_ident(self):
        # sys._current_frames() keys frames by the thread state's thread id.
        def where():
            me = mod.get_ident()
            frame = sys._current_frames().get(me)
            return me, frame is not None and frame.f_code is where.__code__
        for name, mod in MODULES:
            with self.subTest(name):
                ident, found = self.run_in_thread(mod, where)
                self.assertTrue(found, "no frame of thread %d in sys._current_frames()" % ident)

    def test_an_asynchronous_exception_reaches_a_started_thread_by_its_ident(self):
        set_async = ctypes.pythonapi.PyThreadState_SetAsyncExc
        set_async.argtypes = (ctypes.c_ulong, ctypes.py_object)

        class Stop(Exception):
            pass

        def target():
            # Found by its ident (the call returns 1), it arrives as the
            # call returns; found nothing (0), it never does.
            try:
                set_async(mod.get_ident(), Stop)
                for _ in range(10 ** 7):
                    pass
            except Stop:
                return "stopped"
            return "not stopped"
        for name, mod in MODULES:
            with self.subTest(name):
                self.assertEqual(self.run_in_thread(mod, target), "stopped")

    @unittest.skipIf(sys.version_info < (3, 9), "PyThreadState_GetID is 3.9+")
    def test_each_started_thread_makes_one_thread_state(self):
        # Thread state ids count the states an interpreter made: two threads
        # started one after the other get consecutive ones.
        ctypes.pythonapi.PyThreadState_GetID.argtypes = (ctypes.c_void_p,)
        ctypes.pythonapi.PyThreadState_GetID.restype = ctypes.c_uint64
        ctypes.pythonapi.PyGILState_GetThisThreadState.restype = ctypes.c_void_p

        def state_id():
            ts = ctypes.pythonapi.PyGILState_GetThisThreadState()
            return ctypes.pythonapi.PyThreadState_GetID(ts)
        for name, mod in MODULES:
            with self.subTest(name):
                ids = [self.run_in_thread(mod, state_id) for _ in range(5)]
                self.assertEqual([b - a for a, b in zip(ids, ids[1:])], [1] * 4, ids)

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
