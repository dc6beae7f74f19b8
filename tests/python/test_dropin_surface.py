"""thread.dropin has the surface of this interpreter's stock _thread: the
same names, and the same behaviour for each name that is not about a
thread's life (locks, excepthook, stack_size, interrupt_main, interpreter
queries).  Each check runs on both modules, so any difference shows."""
import _thread
import io
import signal
import sys
import unittest

import thread

DROPIN = thread.dropin


def public_names(obj):
    return {n for n in dir(obj) if not (n.startswith("__") and n.endswith("__"))}


class Surface(unittest.TestCase):
    def test_the_dropin_has_exactly_the_stock_module_names(self):
        self.assertEqual(public_names(DROPIN), public_names(_thread))

    def test_the_lock_type_has_exactly_the_stock_lock_names(self):
        self.assertEqual(public_names(DROPIN.LockType), public_names(_thread.LockType))

    def test_the_dropin_is_named_like_the_stock_module_and_is_importable(self):
        import thread.dropin as by_import
        self.assertIs(by_import, DROPIN)
        self.assertEqual(DROPIN.__name__, "_thread")
        self.assertEqual(DROPIN.LockType.__module__, _thread.LockType.__module__)
        self.assertEqual(DROPIN.LockType.__name__, _thread.LockType.__name__)

    def test_error_and_timeout_max_are_the_stock_values(self):
        self.assertIs(DROPIN.error, _thread.error)
        self.assertEqual(DROPIN.TIMEOUT_MAX, _thread.TIMEOUT_MAX)

    def test_the_page_module_is_unchanged(self):
        lock = thread.allocate_lock()
        self.assertIsNone(lock.acquire())
        self.assertFalse(hasattr(thread, "RLock"))
        self.assertEqual(type(lock).__name__, "LockType")


class Both:
    """A check per behaviour, run with `mod` the drop-in and the stock _thread."""
    mod = None

    def test_acquire_without_argument_returns_true(self):
        lock = self.mod.allocate_lock()
        self.assertIs(lock.acquire(), True)

    def test_the_old_method_aliases_behave_as_the_methods(self):
        lock = self.mod.allocate_lock()
        self.assertIs(lock.acquire_lock(), True)
        self.assertIs(lock.locked_lock(), True)
        self.assertIsNone(lock.release_lock())
        self.assertIs(lock.locked_lock(), False)
        self.assertIs(lock.acquire_lock(0), True)
        self.assertIs(lock.acquire_lock(0), False)

    @unittest.skipUnless(hasattr(_thread.LockType, "_at_fork_reinit"), "3.9+")
    def test_at_fork_reinit_makes_a_held_lock_free(self):
        lock = self.mod.allocate_lock()
        lock.acquire()
        lock._at_fork_reinit()
        self.assertFalse(lock.locked())
        self.assertTrue(lock.acquire(False))

    def test_rlock_acquire_restore_of_a_non_tuple_raises_typeerror(self):
        # Found by make torture's fuzz (item 7): it was a SystemError.
        rlock = self.mod.RLock()
        for state in (5, None, 1.5):
            with self.assertRaises(TypeError):
                rlock._acquire_restore(state)
        self.assertFalse(rlock._is_owned())
        self.assertTrue(rlock.acquire(False))

    def test_the_repr_names_state_and_type_as_stock_does(self):
        lock = self.mod.allocate_lock()
        self.assertRegex(repr(lock), r"^<unlocked _thread\.lock object at 0x[0-9a-f]+>$")
        lock.acquire()
        self.assertRegex(repr(lock), r"^<locked _thread\.lock object at 0x[0-9a-f]+>$")

    def test_the_lock_type_is_callable_only_where_stock_is(self):
        if sys.version_info >= (3, 13):
            self.assertFalse(self.mod.LockType().locked())
            self.assertIs(self.mod.lock, self.mod.LockType)
        else:
            with self.assertRaisesRegex(TypeError, r"cannot create '_thread\.lock' instances"):
                self.mod.LockType()

    def test_the_allocate_and_exit_aliases_exist(self):
        self.assertIs(type(self.mod.allocate()), self.mod.LockType)
        self.assertRaises(SystemExit, self.mod.exit_thread)
        self.assertRaises(SystemExit, self.mod.exit)

    def test_stack_size_returns_the_old_size_and_without_argument_resets(self):
        self.assertEqual(self.mod.stack_size(), 0)
        self.assertEqual(self.mod.stack_size(1 << 20), 0)
        self.assertEqual(self.mod.stack_size(1 << 21), 1 << 20)
        self.assertEqual(self.mod.stack_size(), 1 << 21)
        self.assertEqual(self.mod.stack_size(0), 0)

    def test_stack_size_rejects_sizes_as_stock_does(self):
        for size, message in ((100, "size not valid: 100 bytes"),
                              (32767, "size not valid: 32767 bytes"),
                              (-1, "size must be 0 or a positive value")):
            with self.assertRaisesRegex(ValueError, message):
                self.mod.stack_size(size)
        self.assertRaises(TypeError, self.mod.stack_size, 1.5)
        self.assertRaises(TypeError, self.mod.stack_size, 1, 2)
        self.assertEqual(self.mod.stack_size(), 0)

    def test_interrupt_main_raises_keyboardinterrupt_in_the_main_thread(self):
        with self.assertRaises(KeyboardInterrupt):
            self.mod.interrupt_main()
            for _ in range(100):  # the handler runs at the next check
                sum(range(10))

    @unittest.skipUnless(sys.version_info >= (3, 10), "a signal number from 3.10")
    def test_interrupt_main_runs_the_handler_of_the_given_signal(self):
        seen = []
        old = signal.signal(signal.SIGUSR1, lambda *a: seen.append(a[0]))
        self.addCleanup(signal.signal, signal.SIGUSR1, old)
        self.mod.interrupt_main(signal.SIGUSR1)
        for _ in range(100):
            sum(range(10))
        self.assertEqual(seen, [signal.SIGUSR1])
        self.assertRaises(ValueError, self.mod.interrupt_main, 100000)

    @unittest.skipUnless(sys.version_info < (3, 10), "no argument before 3.10")
    def test_interrupt_main_takes_no_argument_before_3_10(self):
        self.assertRaises(TypeError, self.mod.interrupt_main, 2)

    @unittest.skipUnless(sys.version_info >= (3, 12), "3.12+")
    def test_the_interpreter_queries_answer_for_the_main_interpreter(self):
        self.assertIs(self.mod._is_main_interpreter(), True)
        self.assertIs(self.mod.daemon_threads_allowed(), True)


class ExceptHook:
    """_excepthook's report, compared with the stock module's, byte for byte."""
    mod = None

    def report(self, mod, exc, thread_obj):
        args = mod._ExceptHookArgs((type(exc), exc, exc.__traceback__, thread_obj))
        buf, old = io.StringIO(), sys.stderr
        sys.stderr = buf
        try:
            mod._excepthook(args)
        finally:
            sys.stderr = old
        return buf.getvalue()

    def raised(self, fn):
        try:
            fn()
        except BaseException as e:  # noqa: B902 - SystemExit is a case
            return e
        self.fail("nothing raised")

    def cases(self):
        class Named:
            name = "worker-1"
            _stderr = None

        def chained():
            try:
                {}["key"]
            except KeyError as e:
                raise ValueError("outer") from e
        return [(self.raised(lambda: 1 / 0), Named()),
                (self.raised(chained), Named()),
                (self.raised(lambda: 1 / 0), None),
                (self.raised(lambda: sys.exit(3)), Named())]

    def test_the_report_is_the_stock_modules_byte_for_byte(self):
        for exc, who in self.cases():
            mine = self.report(DROPIN, exc, who)
            self.assertEqual(mine, self.report(_thread, exc, who))
        self.assertTrue(mine == "" or mine.startswith("Exception in thread"))

    def test_a_named_thread_is_named_and_systemexit_is_silent(self):
        exc, who = self.cases()[0]
        self.assertTrue(self.report(self.mod, exc, who).startswith(
            "Exception in thread worker-1:\nTraceback (most recent call last):\n"))
        exc, who = self.cases()[3]
        self.assertEqual(self.report(self.mod, exc, who), "")

    def test_without_stderr_the_threads_saved_stderr_is_used(self):
        class Saved:
            name = "saved"
            _stderr = io.StringIO()
        exc = self.raised(lambda: 1 / 0)
        old = sys.stderr
        sys.stderr = None
        try:
            self.mod._excepthook(self.mod._ExceptHookArgs(
                (type(exc), exc, exc.__traceback__, Saved)))
        finally:
            sys.stderr = old
        self.assertIn("Exception in thread saved:", Saved._stderr.getvalue())
        if sys.version_info < (3, 13):
            self.assertIn("ZeroDivisionError", Saved._stderr.getvalue())
        # 3.13's stock module writes the traceback itself to
        # sys.__stderr__ when sys.stderr is None, and so does the drop-in.

    def test_the_argument_must_be_the_modules_args_type(self):
        with self.assertRaisesRegex(TypeError, "argument type must be ExceptHookArgs"):
            self.mod._excepthook((ZeroDivisionError, None, None, None))
        self.assertEqual(self.mod._ExceptHookArgs.__name__, _thread._ExceptHookArgs.__name__)
        self.assertEqual(self.mod._ExceptHookArgs.__module__, _thread._ExceptHookArgs.__module__)
        self.assertEqual(self.mod._ExceptHookArgs.n_fields, 4)


class DropinBoth(Both, ExceptHook, unittest.TestCase):
    mod = DROPIN


class StockBoth(Both, ExceptHook, unittest.TestCase):
    mod = _thread


if __name__ == "__main__":
    unittest.main()
