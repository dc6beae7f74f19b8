"""The main thread exits while other threads are blocked in acquire(),
sleeping, running Python code, raising, or still starting up (30 of
each): the process must exit with status 0 and nothing on stderr, every
time.  The scripts and the judging are shutdown_runs.py's, which make
torture's item 4 runs too, on every CPython and on threading as well.

On CPython 3.9 to 3.12 the interpreter itself sometimes crashes or hangs
at that exit (shutdown_judge.py).  There a failure is excused only if it
came after the script had finished, the core it left shows no frame of
ours that ran in any thread, and such failures are not significantly more
frequent than with _thread: the same script on the stock module runs as
many times, in the same pool, and is judged the same way."""
import os
import sys
import unittest
from concurrent.futures import ThreadPoolExecutor

import thread
from shutdown_judge import has_defect, our_frame_test, p_not_above
from shutdown_runs import allow_cores, judge_all, report, run_once

# 60 runs of 150 threads: about 4 minutes here; make torture's item 4 runs
# the same exits on every version, THREAD_SHUTDOWN_RUNS more of them here.
RUNS = int(os.environ.get("THREAD_SHUTDOWN_RUNS", "60"))
N = 30  # threads of each kind
SIGNIFICANCE = 0.01  # of the one-sided test "ours fails more than stock"


class Shutdown(unittest.TestCase):
    def test_main_thread_exit_with_threads_in_every_state_exits_cleanly_every_time(self):
        version = sys.version_info
        # Where the defect exists, _thread runs beside ours as the yardstick.
        modules = [True, False] if has_defect(version) else [True]
        cannot_read_cores = allow_cores()
        module_dir = os.path.dirname(os.path.abspath(thread.__file__))
        with ThreadPoolExecutor(max_workers=2) as pool:
            runs = list(pool.map(
                lambda ours: run_once(sys.executable, module_dir, "page", ours, N,
                                      cannot_read_cores),
                [m for _ in range(RUNS) for m in modules]))
        verdicts = judge_all(runs, version, our_frame_test(thread.__file__))
        report(verdicts)
        p = 1.0
        if has_defect(version):
            ours = len(verdicts[("page", True)]["excused"])
            stock = len(verdicts[("page", False)]["excused"])
            p = p_not_above(ours, stock, RUNS, RUNS)
            print("excused: thread %d, _thread %d of %d runs each; p = %.3g (the chance, were "
                  "the rates equal, of thread having at least that share; below %g fails)"
                  % (ours, stock, RUNS, p, SIGNIFICANCE), file=sys.stderr)
        failed = verdicts[("page", True)]["failed"]
        self.assertEqual([why for why, _ in failed], [],
                         "%d of %d runs failed" % (len(failed), RUNS))
        self.assertGreaterEqual(p, SIGNIFICANCE, "thread's exits fail significantly more "
                                "often than _thread's")


if __name__ == "__main__":
    unittest.main()
