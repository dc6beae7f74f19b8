"""shutdown_judge on made-up runs: what test_shutdown.py excuses as
CPython's exit-time defect, and what it must count as a failure."""
import unittest

from shutdown_judge import judge, our_frame_test, p_not_above

MODULE = "/b/python/thread.cpython-312-x86_64-linux-gnu.so"
LIBC = "/lib/x86_64-linux-gnu/libc.so.6"
PYTHON = None  # the executable, libpython linked in
LIBPYTHON = "/py/lib/libpython3.12.so.1.0"
is_ours = our_frame_test(MODULE)


def frames(*pairs):
    return [{"function": name, "solib": solib} for name, solib in pairs]


OUR_BASE = frames(("thread_run", MODULE), ("trampoline", MODULE),
                  ("start_thread", LIBC), ("clone3", LIBC))
STOCK_BASE = frames(("thread_run", PYTHON), ("pythread_wrapper", PYTHON),
                    ("start_thread", LIBC), ("clone3", LIBC))
EVAL = frames(("_PyEval_EvalFrameDefault", PYTHON), ("_PyEval_Vector", PYTHON))
RUNNING = EVAL + OUR_BASE
ASLEEP_IN_OUR_LOCK = frames(("syscall", LIBC), ("futex", MODULE), ("thread__wait", MODULE),
                            ("acquire_blocking", MODULE), ("lock_acquire", MODULE)) + RUNNING
SLEEPING = frames(("clock_nanosleep", LIBC), ("pysleep", PYTHON), ("time_sleep", PYTHON)) + RUNNING
# What 3.9-3.12's defect looks like: a daemon thread in the interpreter's
# lock hand-over on an interpreter that finalisation has freed.
CPYTHON_CRASH = frames(("drop_gil", PYTHON), ("take_gil", PYTHON),
                       ("eval_frame_handle_pending", PYTHON)) + RUNNING
MAIN_FINALISING = frames(("__futex_abstimed_wait_common", LIBC), ("take_gil", PYTHON),
                         ("PyEval_RestoreThread", PYTHON), ("Py_FinalizeEx", PYTHON),
                         ("Py_RunMain", PYTHON), ("__libc_start_main", LIBC), ("_start", PYTHON))


def thread(stack, main=False, signalled=False, holds_gil=False, unread=None):
    return {"main": main, "signalled": signalled, "holds_gil": holds_gil, "frames": stack,
            "unread": unread}


def run(status, *threads, out="exit\n", err=""):
    return {"status": status, "out": out, "err": err,
            "stacks": {"threads": list(threads)} if threads else None, "why": "no core file"}


def others(*extra):
    """The rest of a typical core: main finalising, threads asleep in our
    lock, sleeping, running."""
    return (thread(MAIN_FINALISING, main=True), thread(ASLEEP_IN_OUR_LOCK),
            thread(SLEEPING), thread(RUNNING, holds_gil=True)) + extra


V312 = (3, 12)


class Judge(unittest.TestCase):
    def verdict(self, r, version=V312):
        return judge(r, version, is_ours)

    def test_a_run_that_exits_cleanly_is_clean(self):
        self.assertEqual(self.verdict(run(0)), ("clean", ""))

    def test_a_crash_in_cpython_only_after_exit_is_excused_on_3_9_to_3_12(self):
        r = run(-11, thread(CPYTHON_CRASH, signalled=True), *others())
        for version in ((3, 9), (3, 10), (3, 11), (3, 12)):
            self.assertEqual(self.verdict(r, version)[0], "excused", version)

    def test_nothing_is_excused_on_3_8_and_3_13(self):
        r = run(-11, thread(CPYTHON_CRASH, signalled=True), *others())
        for version in ((3, 8), (3, 13)):
            self.assertEqual(self.verdict(r, version)[0], "failed", version)

    def test_a_crash_inside_with_count_lock_is_not_excused(self):
        inside_with = frames(("thread_lock_acquire", MODULE), ("lock_enter", MODULE),
                             ("lock_enter_bound", MODULE)) + RUNNING
        verdict, why = self.verdict(run(-11, thread(inside_with, signalled=True), *others()))
        self.assertEqual(verdict, "failed")
        self.assertIn("thread_lock_acquire", why)

    def test_a_crash_in_the_c_library_called_from_our_lock_is_not_excused(self):
        # The crashing thread is never taken for one asleep in our wait.
        r = run(-11, thread(ASLEEP_IN_OUR_LOCK, signalled=True), *others())
        self.assertEqual(self.verdict(r)[0], "failed")
        r = run(-6, thread(frames(("abort", LIBC), ("thread__fatal", MODULE))
                           + ASLEEP_IN_OUR_LOCK[2:], signalled=True), *others())
        self.assertEqual(self.verdict(r)[0], "failed")

    def test_a_crash_in_our_entry_functions_own_work_is_not_excused(self):
        freeing = frames(("free", LIBC)) + OUR_BASE
        self.assertEqual(self.verdict(run(-11, thread(freeing, signalled=True), *others()))[0],
                         "failed")

    def test_a_crash_in_cpython_before_exit_is_not_excused(self):
        r = run(-11, thread(CPYTHON_CRASH, signalled=True), *others(), out="")
        self.assertEqual(self.verdict(r), ("failed", "signal 11 before the script finished"))

    def test_a_crash_whose_stacks_could_not_be_read_is_not_excused(self):
        verdict, why = self.verdict(run(-11))
        self.assertEqual(verdict, "failed")
        self.assertIn("no core file", why)

    def test_a_crash_with_a_stack_read_only_in_part_is_not_excused(self):
        cut = thread(RUNNING[:2], unread="previous frame inner to this frame (corrupt stack?)")
        verdict, why = self.verdict(run(-11, thread(CPYTHON_CRASH, signalled=True),
                                        *others(cut)))
        self.assertEqual(verdict, "failed")
        self.assertIn("corrupt stack", why)

    def test_a_thread_the_core_has_no_registers_for_runs_nothing(self):
        gone = thread([], main=True, holds_gil=True, unread="error: PC not available")
        r = run(-11, thread(CPYTHON_CRASH, signalled=True), thread(ASLEEP_IN_OUR_LOCK), gone)
        self.assertEqual(self.verdict(r)[0], "excused")
        part = thread(RUNNING[:2], unread="error: PC not available")
        r = run(-11, thread(CPYTHON_CRASH, signalled=True), part)
        self.assertEqual(self.verdict(r)[0], "failed")

    def test_a_hang_with_one_of_our_frames_in_a_non_main_thread_is_not_excused(self):
        # Back from our wait and blocked on the interpreter lock; or holding
        # it and spinning in our code while main waits in Py_FinalizeEx.
        back_from_wait = frames(("__futex_abstimed_wait_common", LIBC), ("take_gil", PYTHON),
                                ("PyEval_RestoreThread", PYTHON),
                                ("acquire_blocking", MODULE), ("lock_acquire", MODULE)) + RUNNING
        spinning = frames(("thread_lock_acquire", MODULE), ("lock_enter", MODULE)) + RUNNING
        for stack in (back_from_wait, spinning):
            r = run("hang", *others(thread(stack)))
            verdict, why = self.verdict(r)
            self.assertEqual(verdict, "failed")
            self.assertIn("a hang with our", why)

    def test_a_crash_with_a_thread_back_from_our_wait_asleep_for_the_interpreter_lock(self):
        # Where stock's threads are when their lock returns: excused in a
        # crash, unless that thread took the signal, or the interpreter's
        # wait is not whole (our code called take_gil's parts itself).
        back_from_wait = frames(("__futex_abstimed_wait_common", LIBC),
                                ("___pthread_cond_timedwait64", LIBC),
                                ("PyCOND_TIMEDWAIT", PYTHON), ("take_gil", PYTHON),
                                ("PyEval_RestoreThread", PYTHON), ("wait_for", MODULE),
                                ("lock_acquire", MODULE)) + RUNNING
        crash = thread(CPYTHON_CRASH, signalled=True)
        self.assertEqual(self.verdict(run(-11, crash, *others(thread(back_from_wait))))[0],
                         "excused")
        verdict, why = self.verdict(run(-11, thread(back_from_wait, signalled=True), *others()))
        self.assertEqual(verdict, "failed")
        self.assertIn("wait_for", why)
        self.assertEqual(self.verdict(run(-11, crash, *others(
            thread(back_from_wait, holds_gil=None))))[0], "failed")
        for cut in (back_from_wait[:3] + back_from_wait[4:],  # no take_gil
                    back_from_wait[:4] + back_from_wait[5:]):  # ours calls take_gil
            verdict, why = self.verdict(run(-11, crash, *others(thread(cut))))
            self.assertEqual(verdict, "failed", [f["function"] for f in cut])

    def test_a_hang_whose_interpreter_lock_holder_sleeps_in_our_wait_is_not_excused(self):
        for holds in (True, None):  # None: the lock's record could not be read
            r = run("hang", thread(MAIN_FINALISING, main=True),
                    thread(ASLEEP_IN_OUR_LOCK, holds_gil=holds), thread(RUNNING))
            self.assertEqual(self.verdict(r)[0], "failed", holds)

    def test_a_hang_after_exit_in_cpython_only_is_excused_whichever_thread_got_sigquit(self):
        r = run("hang", thread(ASLEEP_IN_OUR_LOCK, signalled=True), *others())
        self.assertEqual(self.verdict(r)[0], "excused")

    def test_a_hang_before_exit_is_not_excused(self):
        self.assertEqual(self.verdict(run("hang", *others(), out=""))[0], "failed")

    def test_stock_threads_crashing_in_cpython_after_exit_are_excused(self):
        stock_asleep = frames(("__futex_abstimed_wait_common", LIBC), ("do_futex_wait", LIBC),
                              ("PyThread_acquire_lock_timed", PYTHON)) + EVAL + STOCK_BASE
        crash = frames(("drop_gil", PYTHON), ("take_gil", PYTHON)) + EVAL + STOCK_BASE
        r = run(-11, thread(crash, signalled=True), thread(MAIN_FINALISING, main=True),
                thread(stock_asleep))
        self.assertEqual(self.verdict(r)[0], "excused")

    def test_other_exits_fail(self):
        for r in (run(1), run(0, err="Exception ignored"), run(0, out=""), run(-9, out="")):
            self.assertEqual(self.verdict(r)[0], "failed", r)


class OurFrames(unittest.TestCase):
    def test_our_module_and_a_shared_libthread_are_ours_and_nothing_else(self):
        self.assertTrue(is_ours({"function": "f", "solib": MODULE}))
        self.assertTrue(is_ours({"function": "f", "solib": "/usr/lib/libthread.so.1"}))
        for solib in (None, LIBC, LIBPYTHON, "/lib/x86_64-linux-gnu/libpthread.so.0",
                      "/other/thread.cpython-312-x86_64-linux-gnu.so"):
            self.assertFalse(is_ours({"function": "f", "solib": solib}), solib)


class Significance(unittest.TestCase):
    def test_p_is_the_chance_of_at_least_ours_share_of_the_failures_at_equal_rates(self):
        self.assertEqual(p_not_above(0, 0, 100, 100), 1.0)
        self.assertEqual(p_not_above(0, 5, 100, 100), 1.0)
        self.assertEqual(p_not_above(1, 1, 100, 100), 0.75)
        self.assertAlmostEqual(p_not_above(7, 0, 100, 100), 1 / 128)
        self.assertAlmostEqual(p_not_above(2, 0, 100, 300), 1 / 16)

    def test_at_the_one_percent_level_seven_to_none_is_significant_six_is_not(self):
        self.assertGreaterEqual(p_not_above(6, 0, 100, 100), 0.01)
        self.assertLess(p_not_above(7, 0, 100, 100), 0.01)
        self.assertGreaterEqual(p_not_above(9, 1, 100, 100), 0.01)
        self.assertLess(p_not_above(10, 1, 100, 100), 0.01)


if __name__ == "__main__":
    unittest.main()
