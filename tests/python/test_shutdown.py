"""The main thread exits while other threads are blocked in acquire(),
sleeping, running Python code, or still starting up (50 of each): the
process must exit with status 0 and nothing on stderr, every time."""
import os
import subprocess
import sys
import unittest
from concurrent.futures import ThreadPoolExecutor

SCRIPT = r"""
import sys, thread, time
# Short turns while 150 threads wait for their first turn, then longer ones,
# so the main thread mostly keeps the interpreter lock while it starts the
# last 50 (still starting up, waiting for that lock, when it exits).  Only
# the run time depends on this, never the outcome.
sys.setswitchinterval(1e-3)
N = 50
forever = thread.allocate_lock(); forever.acquire()
started = thread.allocate_lock(); started.acquire()
count = [0]
count_lock = thread.allocate_lock()

def arrived():
    with count_lock:
        count[0] += 1
        if count[0] == 3 * N:
            started.release()

def blocked():
    arrived()
    forever.acquire()

def sleeping():
    arrived()
    time.sleep(60)

def running():
    arrived()
    x = 0
    while True:
        x += 1

for fn in (blocked, sleeping, running):
    for _ in range(N):
        thread.start_new_thread(fn, ())
started.acquire()
sys.setswitchinterval(0.05)
for _ in range(N):  # these are still starting up when we leave
    thread.start_new_thread(running, ())
sys.setswitchinterval(0.005)  # the default: finalisation may give up the lock
print("exit")
"""

RUNS = int(os.environ.get("THREAD_SHUTDOWN_RUNS", "100"))


def run_once(_):
    # faulthandler prints nothing unless the process crashes; then it names
    # the Python function the crashing thread was running.
    proc = subprocess.run([sys.executable, "-X", "faulthandler", "-c", SCRIPT],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
    return proc.returncode, proc.stdout.decode(), proc.stderr.decode()


# CPython 3.9 to 3.12 free a daemon thread's interpreter at exit while that
# thread may still be inside the interpreter's own hand-over of the
# interpreter lock between two bytecodes, and it then crashes in
# take_gil() (python/cpython#110052; _thread's threads do the same).
# Two shapes of crash are taken for that defect, on those versions only:
# - faulthandler names the crashing thread, and it was running `running`,
#   which is pure Python and calls nothing of ours;
# - the script had finished (it printed "exit") and faulthandler printed
#   nothing: the crash came after finalisation had already removed
#   faulthandler, where only the interpreter's own teardown still runs.
#   (Seen in CI on 3.10: exit status -11, stdout "exit", stderr empty.)
# Both are capped below, and 3.8 and 3.13, which lack the defect, run the
# same module strictly.
KNOWN_CPYTHON_DEFECT = (3, 9) <= sys.version_info[:2] <= (3, 12)


def is_known_cpython_defect(result):
    code, out, err = result
    if not (KNOWN_CPYTHON_DEFECT and code == -11):
        return False
    if err == "":
        return out == "exit\n"
    current = err.split("Current thread", 1)[-1].split("\n\n", 1)[0]
    return ("Segmentation fault" in err and ", line " in current
            and current.rstrip().endswith("in running"))


class Shutdown(unittest.TestCase):
    def test_main_thread_exit_with_threads_in_every_state_exits_cleanly_every_time(self):
        with ThreadPoolExecutor(max_workers=2) as pool:
            results = list(pool.map(run_once, range(RUNS)))
        known = [r for r in results if is_known_cpython_defect(r)]
        bad = [r for r in results if r != (0, "exit\n", "") and r not in known]
        for r in known:
            first = r[2].strip().splitlines()[:1] or ["(after faulthandler was removed)"]
            print("known CPython defect (python/cpython#110052), not counted: exit %d, %s"
                  % (r[0], first[0]), file=sys.stderr)
        self.assertEqual(bad[:3], [], "%d of %d runs failed" % (len(bad), RUNS))
        # The defect is rare; more than a few means something else is wrong.
        self.assertLessEqual(len(known), max(2, RUNS // 20))


if __name__ == "__main__":
    unittest.main()
