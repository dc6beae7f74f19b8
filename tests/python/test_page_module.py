"""The reference page, sentence by sentence, up to the lock methods.  Each
test is named after the sentence it checks (../shared/spec/thread-module.txt)."""
import os
import sys
import threading
import unittest

import thread
from support import WAIT_CAP, run_script


def run_in_thread(fn, *args, **kwargs):
    """Start fn(*args, **kwargs) with thread.start_new_thread; return (ident,
    wait) where wait() blocks until it has ended and returns its result."""
    done = thread.allocate_lock()
    done.acquire()
    box = {}

    def body():
        try:
            box["result"] = fn(*args, **kwargs)
        finally:
            done.release()
    ident = thread.start_new_thread(body, ())

    def wait():
        if not done.acquire(True, WAIT_CAP):
            raise AssertionError("thread did not finish")
        return box.get("result")
    return ident, wait


class Introduction(unittest.TestCase):
    def test_this_module_provides_multiple_threads_of_control_sharing_their_global_data_space(self):
        shared = []
        _, wait = run_in_thread(shared.append, "from the thread")
        wait()
        self.assertEqual(shared, ["from the thread"])
        global GLOBAL_SEEN
        GLOBAL_SEEN = None
        _, wait = run_in_thread(lambda: globals().__setitem__("GLOBAL_SEEN", thread.get_ident()))
        wait()
        self.assertNotIn(GLOBAL_SEEN, (None, thread.get_ident()))

    def test_for_synchronization_simple_locks_mutexes_or_binary_semaphores_are_provided(self):
        sem = thread.allocate_lock()
        sem.acquire()
        # A binary semaphore: another thread may release what we acquired.
        _, wait = run_in_thread(sem.release)
        wait()
        self.assertIs(sem.acquire(0), True)

    @unittest.skipUnless(os.name == "posix", "POSIX threads only on POSIX")
    def test_it_is_supported_on_systems_that_have_a_posix_thread_implementation(self):
        # Threads are real pthreads: their ident is what threading reports
        # and their kernel thread id differs from ours.
        ident, wait = run_in_thread(lambda: (threading.get_ident(), threading.get_native_id()))
        their_ident, their_native = wait()
        self.assertEqual(their_ident, ident)
        self.assertNotEqual(their_native, threading.get_native_id())

    def test_it_defines_the_following_constant_and_functions(self):
        for name in ("error", "LockType", "start_new_thread", "exit", "exit_thread",
                     "allocate_lock", "get_ident"):
            self.assertTrue(hasattr(thread, name), name)
        for name in ("start_new_thread", "exit", "exit_thread", "allocate_lock", "get_ident"):
            self.assertTrue(callable(getattr(thread, name)), name)


class Error(unittest.TestCase):
    def test_error_is_raised_on_thread_specific_errors(self):
        self.assertTrue(issubclass(thread.error, RuntimeError))
        with self.assertRaises(thread.error):
            thread.allocate_lock().release()


class LockTypeName(unittest.TestCase):
    def test_locktype_is_the_type_of_lock_objects(self):
        self.assertIsInstance(thread.LockType, type)
        self.assertIs(type(thread.allocate_lock()), thread.LockType)


class StartNewThread(unittest.TestCase):
    def test_start_new_thread_starts_a_new_thread_and_returns_its_identifier(self):
        ident, wait = run_in_thread(lambda: (thread.get_ident(), threading.get_ident()))
        self.assertEqual(wait(), (ident, ident))
        self.assertNotEqual(ident, thread.get_ident())

    def test_the_thread_executes_function_with_the_argument_list_args(self):
        _, wait = run_in_thread(lambda *a: a, 1, "two", 3.0)
        self.assertEqual(wait(), (1, "two", 3.0))

    def test_args_must_be_a_tuple(self):
        before = threading.active_count()
        for bad in ([1], None, "ab", {"a": 1}):
            with self.assertRaisesRegex(TypeError, "tuple"):
                thread.start_new_thread(print, bad)
        with self.assertRaisesRegex(TypeError, "callable"):
            thread.start_new_thread(42, ())
        self.assertEqual(threading.active_count(), before)

    def test_the_optional_kwargs_argument_specifies_a_dictionary_of_keyword_arguments(self):
        done = thread.allocate_lock()
        done.acquire()
        got = []

        def f(a, b=0, *, c=0):
            got.append((a, b, c))
            done.release()
        thread.start_new_thread(f, (1,), {"b": 2, "c": 3})
        self.assertTrue(done.acquire(True, WAIT_CAP))
        self.assertEqual(got, [(1, 2, 3)])
        with self.assertRaisesRegex(TypeError, "dict"):
            thread.start_new_thread(f, (1,), [("b", 2)])

    def test_when_the_function_returns_the_thread_silently_exits(self):
        rc, out, err = run_script("""
            import thread
            done = thread.allocate_lock(); done.acquire()
            def f():
                done.release()
                return 42
            thread.start_new_thread(f, ())
            done.acquire()
            print("main done")
        """)
        self.assertEqual((rc, out, err), (0, "main done\n", ""))

    def test_an_unhandled_exception_prints_a_stack_trace_then_the_thread_exits_and_other_threads_continue(self):
        rc, out, err = run_script("""
            import sys, thread
            done = thread.allocate_lock(); done.acquire()
            seen = []
            def hook(u):
                seen.append(u.exc_type.__name__)
                sys.__unraisablehook__(u)
                done.release()
            sys.unraisablehook = hook
            def bad():
                raise ValueError("boom in thread")
            thread.start_new_thread(bad, ())
            done.acquire()
            other = thread.allocate_lock(); other.acquire()
            thread.start_new_thread(other.release, ())
            other.acquire()
            print("still running", seen)
        """)
        self.assertEqual(rc, 0, err)
        self.assertEqual(out, "still running ['ValueError']\n")
        self.assertIn("Traceback (most recent call last)", err)
        self.assertIn("ValueError: boom in thread", err)
        self.assertIn("in bad", err)


class Exit(unittest.TestCase):
    def test_exit_raises_the_systemexit_exception(self):
        with self.assertRaises(SystemExit):
            thread.exit()

    def test_when_not_caught_exit_causes_the_thread_to_exit_silently(self):
        rc, out, err = run_script("""
            import thread
            done = thread.allocate_lock(); done.acquire()
            after = []
            def f():
                try:
                    thread.exit()
                finally:
                    done.release()
                after.append("ran on")
            thread.start_new_thread(f, ())
            done.acquire()
            print("main done", after)
        """)
        self.assertEqual((rc, out, err), (0, "main done []\n", ""))

    def test_exit_thread_is_deprecated_use_exit(self):
        with self.assertWarns(DeprecationWarning):
            with self.assertRaises(SystemExit):
                thread.exit_thread()

    def test_exit_thread_is_an_obsolete_synonym_for_exit(self):
        rc, out, err = run_script("""
            import thread, warnings
            warnings.simplefilter("ignore", DeprecationWarning)
            done = thread.allocate_lock(); done.acquire()
            def f():
                try:
                    thread.exit_thread()
                finally:
                    done.release()
            thread.start_new_thread(f, ())
            done.acquire()
            print("main done")
        """)
        self.assertEqual((rc, out, err), (0, "main done\n", ""))


class AllocateLock(unittest.TestCase):
    def test_allocate_lock_returns_a_new_lock_object(self):
        a, b = thread.allocate_lock(), thread.allocate_lock()
        self.assertIsInstance(a, thread.LockType)
        self.assertIsNot(a, b)
        a.acquire()
        self.assertFalse(b.locked())

    def test_methods_of_locks_are_described_below(self):
        lock = thread.allocate_lock()
        for name in ("acquire", "release", "locked"):
            self.assertTrue(callable(getattr(lock, name)), name)

    def test_the_lock_is_initially_unlocked(self):
        self.assertIs(thread.allocate_lock().locked(), False)


class GetIdent(unittest.TestCase):
    def test_get_ident_returns_the_thread_identifier_of_the_current_thread(self):
        self.assertEqual(thread.get_ident(), threading.get_ident())
        ident, wait = run_in_thread(thread.get_ident)
        self.assertEqual(wait(), ident)

    def test_the_identifier_is_a_nonzero_integer(self):
        ident, wait = run_in_thread(thread.get_ident)
        for value in (thread.get_ident(), wait()):
            self.assertIsInstance(value, int)
            self.assertNotEqual(value, 0)

    def test_it_is_intended_as_a_magic_cookie_to_index_a_dictionary_of_thread_specific_data(self):
        # Four threads, all alive at once, file their data under their own
        # identifier and, once all have, find their own there: identifiers
        # of live threads differ and stay put for a thread's life.
        n = 4
        data = {thread.get_ident(): "main"}
        guard = thread.allocate_lock()
        all_filed = thread.allocate_lock()
        all_filed.acquire()
        filed = [0]

        def keep(i):
            with guard:
                data[thread.get_ident()] = i
                filed[0] += 1
                if filed[0] == n:
                    all_filed.release()
            if not all_filed.acquire(True, WAIT_CAP):
                return "not all threads filed their data"
            all_filed.release()  # let the next one through
            return data[thread.get_ident()]
        waits = [run_in_thread(keep, i)[1] for i in range(n)]
        self.assertEqual([w() for w in waits], list(range(n)))
        self.assertEqual(sorted(data.values(), key=str), list(range(n)) + ["main"])
        self.assertEqual(data[thread.get_ident()], "main")

    @unittest.skipUnless(sys.platform.startswith("linux"),
                         "glibc and musl hand an ended thread's identifier to the next one")
    def test_thread_identifiers_may_be_recycled_when_a_thread_exits_and_another_is_created(self):
        # Identifiers are the system's (threading's): here the identifier of
        # a thread that has ended comes back, within a few starts, to a new
        # thread, which has it as its own.  One thread at a time; a live
        # thread's identifier is never another's, so one seen again had
        # ended.
        ended, again = set(), None
        for _ in range(100):
            ident, wait = run_in_thread(thread.get_ident)
            self.assertEqual(wait(), ident)
            if ident in ended:
                again = ident
                break
            ended.add(ident)
        self.assertIsNotNone(again, "no identifier came back in 100 threads")

if __name__ == "__main__":
    unittest.main()
