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


HANG_S = 60  # a run takes 2-4 s here; one still going after this has hung

# Our code, as gdb names its frames: the module's files and libthread's.
OUR_FRAMES = ("thread.cpython-", "threadmodule.c", "lockobject.c", "fastmethod.c",
              "/src/lock.c", "wait_futex.c", "wait_park.c", "thread_posix.c")


def main_thread_stack(pid):
    """The hung process's main thread as gdb sees it, or "" without gdb."""
    try:
        return subprocess.run(["gdb", "-p", str(pid), "-batch", "-ex", "thread 1",
                               "-ex", "bt 60"], stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, timeout=120).stdout.decode()
    except (OSError, subprocess.TimeoutExpired):
        return ""


def run_once(_):
    """(exit status, stdout, stderr); a run that hangs gives ("hang", stdout,
    the main thread's stack), read before it is killed."""
    # faulthandler prints nothing unless the process crashes; then it names
    # the Python function the crashing thread was running.
    proc = subprocess.Popen([sys.executable, "-X", "faulthandler", "-c", SCRIPT],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        out, err = proc.communicate(timeout=HANG_S)
        return proc.returncode, out.decode(), err.decode()
    except subprocess.TimeoutExpired:
        stack = main_thread_stack(proc.pid)
        proc.kill()
        out, _ = proc.communicate()
        return "hang", out.decode(), stack


# CPython 3.9 to 3.12 tear the interpreter down at exit while daemon
# threads may still be inside its own hand-over of the interpreter lock
# (python/cpython#110052, #87135; _thread's threads do the same; 3.8 and
# 3.13 have not shown it here).  These shapes of failure are taken for that
# defect, on those versions only:
# - a crash (SIGSEGV) where faulthandler names the crashing thread, and it
#   was running `running`, which is pure Python and calls nothing of ours;
# - a crash after the script had finished (it printed "exit") and
#   faulthandler printed nothing: finalisation had already removed it, and
#   only the interpreter's own teardown still runs.  (Seen in CI on 3.10 and
#   here on 3.12: exit status -11, stdout "exit", stderr empty; the core
#   dumps showed take_gil() -> drop_gil() on a freed interpreter.)
# - on 3.12, an abort in which the runtime, already finalised, failed to
#   bind a thread to it ("gilstate_tss_set: failed to set current tstate"),
#   runtime state "finalizing": a daemon thread attaching after teardown,
#   which 3.12's own thread start does unguarded as well;
# - a hang after "exit" whose main thread, as gdb shows it, is in the
#   interpreter's finalisation with no frame of ours on its stack.  (Seen
#   once in CI on 3.12; needs gdb, else the hang counts as a failure.)
# All are capped below, and 3.8 and 3.13, which lack the defect, run the
# same module strictly.
KNOWN_CPYTHON_DEFECT = (3, 9) <= sys.version_info[:2] <= (3, 12)


def is_known_cpython_defect(result):
    code, out, err = result
    if not KNOWN_CPYTHON_DEFECT:
        return False
    if code == "hang":
        return (out == "exit\n" and "Py_FinalizeEx" in err
                and not any(f in err for f in OUR_FRAMES))
    if code == -6:
        return (sys.version_info[:2] == (3, 12) and out == "exit\n"
                and "gilstate_tss_set: failed to set current tstate (TSS)" in err
                and "Python runtime state: finalizing" in err)
    if code != -11:
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
            if r[0] == "hang":  # the main thread's innermost frames, as evidence
                what = " | ".join(line for line in r[2].splitlines()
                                  if line.startswith("#"))[:600]
            else:
                what = (r[2].strip().splitlines()[:1] or ["(after faulthandler was removed)"])[0]
            print("known CPython defect (python/cpython#110052), not counted: exit %s, %s"
                  % (r[0], what), file=sys.stderr)
        self.assertEqual(bad[:3], [], "%d of %d runs failed" % (len(bad), RUNS))
        # The defect is rare; more than a few means something else is wrong.
        self.assertLessEqual(len(known), max(2, RUNS // 20))


if __name__ == "__main__":
    unittest.main()
