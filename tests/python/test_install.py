"""thread.install() and `python -m thread_run`: an unmodified program's
`threading` runs on thread.dropin.  Every case runs in a child interpreter,
since install() changes the interpreter for good; `-S` where the case needs
`threading` not imported yet (site may import it: a .pth file can)."""
import os
import subprocess
import sys
import tempfile
import textwrap
import unittest

import thread
from support import child_env

TIMEOUT = 120


def python(*args, cwd=None):
    """Run this interpreter with `args` (support.child_env); (status, out, err)."""
    proc = subprocess.run([sys.executable] + list(args), stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, cwd=cwd, timeout=TIMEOUT, env=child_env())
    return proc.returncode, proc.stdout.decode(), proc.stderr.decode()


def code(text):
    return textwrap.dedent(text)


# A program that knows nothing of `thread`: a thread pool, its argv, and an
# exit status taken from its first argument.
PROGRAM = code("""
    import sys, threading
    from concurrent.futures import ThreadPoolExecutor
    with ThreadPoolExecutor(max_workers=4) as pool:
        squares = list(pool.map(lambda x: x * x, range(10)))
    dropin = sys.modules.get("thread.dropin")
    print("dropin", dropin is not None and sys.modules["_thread"] is dropin)
    print("lock", type(threading.Lock()).__module__, type(threading.Lock()).__name__,
          dropin is not None and type(threading.Lock()) is dropin.LockType)
    print("squares", sum(squares))
    print("name", __name__)
    print("argv", sys.argv)
    sys.exit(int(sys.argv[1]))
""")


def lines(out):
    return dict(line.split(" ", 1) for line in out.splitlines() if " " in line)


class Install(unittest.TestCase):
    def test_install_before_threading_makes_threading_run_on_the_dropin(self):
        rc, out, err = python("-S", "-c", code("""
            import sys, thread
            assert "threading" not in sys.modules
            thread.install()
            import threading
            d = thread.dropin
            assert sys.modules["_thread"] is d
            assert type(threading.Lock()) is d.LockType, type(threading.Lock())
            assert type(threading.RLock()) is d.RLock, type(threading.RLock())
            assert threading.get_ident is d.get_ident
            seen = []
            t = threading.Thread(target=lambda: seen.append(threading.get_ident()))
            t.start(); t.join()
            assert seen == [t.ident], (seen, t.ident)
            print("ok")
        """))
        self.assertEqual((rc, out.strip()), (0, "ok"), err)

    def test_install_after_threading_moves_every_name_it_took_from_thread(self):
        rc, out, err = python("-c", code("""
            import sys, threading, reprlib, thread
            # Not a global: install() moves module globals that hold _thread.
            kept = [sys.modules["_thread"]]
            def took(module):
                # Names whose values are the stock _thread's objects.
                by_id = {id(v): n for n, v in vars(kept[0]).items()
                         if not n.startswith("__")}
                return {n: by_id[id(v)] for n, v in vars(module).items()
                        if id(v) in by_id
                        and v is not getattr(thread.dropin, by_id[id(v)], None)}
            before = took(threading)
            assert "get_ident" in before and "TIMEOUT_MAX" in before, before
            thread.install()
            d = thread.dropin
            assert sys.modules["_thread"] is d
            for name, source in before.items():
                assert getattr(threading, name) is getattr(d, source), name
            assert took(threading) == {}, took(threading)
            assert reprlib.get_ident is d.get_ident
            assert globals()["kept"][0] is not d
            assert type(threading.Lock()) is d.LockType
            t = threading.Thread(target=lambda: None)
            t.start(); t.join()
            assert not t.is_alive()
            print("ok")
        """))
        self.assertEqual((rc, out.strip()), (0, "ok"), err)

    def test_install_with_another_thread_running_raises_and_changes_nothing(self):
        rc, out, err = python("-c", code("""
            import sys, threading, reprlib, thread
            go = threading.Event()
            t = threading.Thread(target=go.wait)
            t.start()
            def snapshot():
                return (sys.modules["_thread"], dict(vars(threading)),
                        dict(vars(reprlib)))
            before = snapshot()
            try:
                thread.install()
            except thread.error as e:
                msg = str(e)
            else:
                msg = None
            after = snapshot()
            go.set(); t.join()
            assert msg is not None, "install() did not raise"
            assert "before any thread starts" in msg and "thread_run" in msg, msg
            assert after[0] is before[0]
            for b, a in zip(before[1:], after[1:]):
                assert a.keys() == b.keys()
                assert all(a[k] is b[k] for k in b), [k for k in b if a[k] is not b[k]]
            print("ok")
        """))
        self.assertEqual((rc, out.strip()), (0, "ok"), err)

    def test_a_second_install_changes_nothing(self):
        rc, out, err = python("-c", code("""
            import sys, threading, thread
            assert thread.install() is None
            names = dict(vars(threading))
            go = threading.Event()
            t = threading.Thread(target=go.wait)
            t.start()
            try:
                again = thread.install()  # with a thread running: still fine
            finally:
                go.set(); t.join()
            assert again is None
            assert sys.modules["_thread"] is thread.dropin
            assert all(vars(threading)[k] is v for k, v in names.items())
            print("ok")
        """))
        self.assertEqual((rc, out.strip()), (0, "ok"), err)

    def test_install_leaves_the_import_systems_own_thread_module(self):
        # Its module locks are the interpreter's, install() or not.
        rc, out, err = python("-S", "-c", code("""
            import sys, importlib._bootstrap as b, thread
            kept = [sys.modules["_thread"]]  # not a global: install() moves those
            thread.install()
            assert sys.modules["_thread"] is thread.dropin
            assert b._thread is kept[0], b._thread
            print("ok")
        """))
        self.assertEqual((rc, out.strip()), (0, "ok"), err)


class RunCommand(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.addCleanup(self.dir.cleanup)
        self.prog = self.write("prog.py", PROGRAM)

    def write(self, name, text):
        path = os.path.join(self.dir.name, name)
        with open(path, "w") as f:
            f.write(text)
        return path

    def check_program_ran_on_the_dropin(self, out, argv0, args):
        got = lines(out)
        self.assertEqual(got.get("dropin"), "True", out)
        self.assertEqual(got.get("lock", "").split()[-1], "True", out)
        self.assertEqual(got.get("squares"), "285", out)
        self.assertEqual(got.get("name"), "__main__", out)
        self.assertEqual(got.get("argv"), repr([argv0] + args), out)

    def test_run_command_runs_the_program_on_the_dropin_with_its_argv(self):
        rc, out, err = python("-S", "-m", "thread_run", self.prog, "0", "a b", "-m")
        self.assertEqual(rc, 0, err)
        self.check_program_ran_on_the_dropin(out, self.prog, ["0", "a b", "-m"])

    def test_run_command_passes_the_programs_exit_status_on(self):
        rc, out, err = python("-S", "-m", "thread_run", self.prog, "7")
        self.assertEqual(rc, 7, err)
        self.check_program_ran_on_the_dropin(out, self.prog, ["7"])

    def test_run_command_without_S_works_where_site_imports_threading(self):
        # On an interpreter whose site imports threading (a .pth file), this
        # is the move-over path; elsewhere the next test forces it.
        rc, out, err = python("-m", "thread_run", self.prog, "0", "x")
        self.assertEqual(rc, 0, err)
        self.check_program_ran_on_the_dropin(out, self.prog, ["0", "x"])

    def test_run_command_moves_threading_over_when_it_was_imported_first(self):
        rc, out, err = python("-S", "-c", code("""
            import runpy, sys, threading
            sys.argv = ["thread_run"] + sys.argv[1:]
            runpy.run_module("thread_run", run_name="__main__", alter_sys=True)
        """), self.prog, "0")
        self.assertEqual(rc, 0, err)
        self.check_program_ran_on_the_dropin(out, self.prog, ["0"])

    def test_run_command_refuses_when_a_thread_runs_at_start_up(self):
        rc, out, err = python("-S", "-c", code("""
            import runpy, sys, threading
            go = threading.Event()
            threading.Thread(target=go.wait, daemon=True).start()
            sys.argv = ["thread_run"] + sys.argv[1:]
            runpy.run_module("thread_run", run_name="__main__", alter_sys=True)
        """), self.prog, "0")
        self.assertEqual(rc, 1, out + err)
        self.assertEqual(out, "")  # the program did not run
        self.assertIn("thread_run: thread.install():", err)

    def test_run_command_runs_a_module_with_m(self):
        self.write("progmod.py", PROGRAM)
        rc, out, err = python("-S", "-m", "thread_run", "-m", "progmod", "3", "y",
                              cwd=self.dir.name)
        self.assertEqual(rc, 3, err)
        self.check_program_ran_on_the_dropin(out, os.path.join(self.dir.name, "progmod.py"),
                                             ["3", "y"])

    def test_run_command_puts_the_programs_directory_first_on_sys_path(self):
        self.write("sibling.py", "WHERE = 'beside the program'\n")
        prog = self.write("uses_sibling.py", "import sibling\nprint(sibling.WHERE)\n")
        rc, out, err = python("-S", "-m", "thread_run", prog, cwd=tempfile.gettempdir())
        self.assertEqual((rc, out.strip()), (0, "beside the program"), err)

    def test_run_command_reports_an_uncaught_exception_with_status_1(self):
        prog = self.write("raises.py", "raise KeyError('from the program')\n")
        rc, out, err = python("-S", "-m", "thread_run", prog)
        self.assertEqual(rc, 1)
        self.assertIn("KeyError: 'from the program'", err)

    def test_run_command_without_a_program_prints_usage_with_status_2(self):
        for args in ([], ["-m"]):
            rc, out, err = python("-S", "-m", "thread_run", *args)
            self.assertEqual(rc, 2, args)
            self.assertIn("usage: python -m thread_run", err)


if __name__ == "__main__":
    unittest.main()
