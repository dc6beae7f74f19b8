"""Sub-interpreters (3.12+): one made without threads (allow_threads=False)
refuses to start any, on both faces, with the RuntimeError the stock module
raises; one that allows them starts them."""
import sys
import unittest

from support import child_env, run_script

# In the sub-interpreter: try each module's start_new_thread and print what
# happened, one line per module.
SUB = """
import sys, time
sys.path[:0] = %(path)r
import _thread, thread
for name, mod in (("_thread", _thread), ("thread", thread), ("thread.dropin", thread.dropin)):
    done = mod.allocate_lock()
    done.acquire()
    try:
        mod.start_new_thread(done.release, ())
    except RuntimeError as e:
        print(name, type(e).__name__, e)
    else:
        print(name, "started", done.acquire(True, 30))
        time.sleep(0.2)  # let it end before the interpreter does
"""

MAIN = """
import test.support
test.support.run_in_subinterp_with_config(
    %(sub)r,
    use_main_obmalloc=True, allow_fork=True, allow_exec=True,
    allow_threads=%(allowed)r, allow_daemon_threads=%(allowed)r,
    check_multi_interp_extensions=False, own_gil=False)
"""


@unittest.skipIf(sys.version_info < (3, 12), "interpreters may forbid threads from 3.12")
class ThreadsInSubinterpreters(unittest.TestCase):
    def run_sub(self, allowed):
        env = child_env()
        sub = SUB % {"path": env["PYTHONPATH"].split(":")}
        rc, out, err = run_script(MAIN % {"sub": sub, "allowed": allowed}, env=env)
        self.assertEqual(rc, 0, err)
        return dict(line.split(" ", 1) for line in out.splitlines())

    def test_an_interpreter_without_threads_refuses_them_as_stock_does(self):
        seen = self.run_sub(allowed=False)
        refusal = "RuntimeError thread is not supported for isolated subinterpreters"
        self.assertEqual(seen, {"_thread": refusal, "thread": refusal, "thread.dropin": refusal})

    def test_an_interpreter_with_threads_starts_them(self):
        seen = self.run_sub(allowed=True)
        self.assertEqual(seen, {"_thread": "started True", "thread": "started True",
                                "thread.dropin": "started True"})


if __name__ == "__main__":
    unittest.main()
