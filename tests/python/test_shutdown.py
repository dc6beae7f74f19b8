"""The main thread exits while other threads are blocked in acquire(),
sleeping, running Python code, or still starting up (50 of each): the
process must exit with status 0 and nothing on stderr, every time.

On CPython 3.9 to 3.12 the interpreter itself sometimes crashes or hangs
at that exit (shutdown_judge.py).  There a failure is excused only if it
came after the script had finished, the core it left shows no frame of
ours that ran in any thread, and such failures are not significantly more
frequent than with _thread: the same script on the stock module runs as
many times, in the same pool, and is judged the same way."""
import glob
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import unittest
from concurrent.futures import ThreadPoolExecutor

import thread
from shutdown_judge import has_defect, judge, our_frame_test, p_not_above

SCRIPT = r"""
import sys, time
import {module} as thread
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
print("exit", flush=True)  # flushed: a failure after it came after the script
"""

RUNS = int(os.environ.get("THREAD_SHUTDOWN_RUNS", "100"))
HANG_S = 60  # a run takes 1-4 s here; one still going after this has hung
SIGNIFICANCE = 0.01  # of the one-sided test "ours fails more than stock"
HERE = os.path.dirname(os.path.abspath(__file__))


def allow_cores():
    """Let the children dump core (they inherit the limit), and end a hung
    one with SIGQUIT, which a background job may have inherited ignored.
    Returns why cores cannot be read here, or None."""
    hard = resource.getrlimit(resource.RLIMIT_CORE)[1]
    for limit in (resource.RLIM_INFINITY, hard):  # above the hard limit: root only
        try:
            resource.setrlimit(resource.RLIMIT_CORE, (limit, limit))
            break
        except (ValueError, OSError):
            pass
    signal.signal(signal.SIGQUIT, signal.SIG_DFL)
    if resource.getrlimit(resource.RLIMIT_CORE)[0] == 0:
        return "the core size limit is 0"
    if shutil.which("gdb") is None:
        return "gdb is not installed"
    return None


def read_core(directory):
    """(stacks, None) from the core the child left in `directory` (its
    working directory, where core_pattern "core" puts it), or (None, why)."""
    cores = glob.glob(os.path.join(directory, "*core*"))
    if not cores:
        try:
            with open("/proc/sys/kernel/core_pattern") as f:
                pattern = f.read().strip()
        except OSError:
            pattern = "?"
        return None, "no core file (core_pattern %r)" % pattern
    try:
        gdb = subprocess.run(
            ["gdb", "-batch", "-nx", "-x", os.path.join(HERE, "shutdown_stacks.py"),
             sys.executable, cores[0]],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=300)
    except (OSError, subprocess.TimeoutExpired) as e:
        return None, "gdb failed: %s" % e
    for line in gdb.stdout.decode(errors="replace").splitlines():
        if line.startswith("STACKS "):
            return json.loads(line[len("STACKS "):]), None
    return None, "gdb printed no stacks: %r" % gdb.stdout[-300:]


def run_once(module, cannot_read_cores):
    """One run of SCRIPT with `module` as the thread module, as a dict for
    shutdown_judge.judge; a hang is ended by SIGQUIT, so that it dumps core
    too."""
    workdir = tempfile.mkdtemp(prefix="shutdown-")
    try:
        # The child runs in `workdir`: it must find the module judged here.
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(
            [os.path.dirname(os.path.abspath(thread.__file__))]
            + [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p])
        proc = subprocess.Popen([sys.executable, "-X", "faulthandler", "-c",
                                 SCRIPT.format(module=module)], cwd=workdir, env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            out, err = proc.communicate(timeout=HANG_S)
            status = proc.returncode
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGQUIT)
            try:
                out, err = proc.communicate(timeout=HANG_S)
            except subprocess.TimeoutExpired:
                proc.kill()
                out, err = proc.communicate()
            status = "hang"
        run = {"module": module, "status": status, "out": out.decode(errors="replace"),
               "err": err.decode(errors="replace"), "stacks": None}
        if status == "hang" or status < 0:
            if cannot_read_cores:
                run["why"] = cannot_read_cores
            else:
                run["stacks"], run["why"] = read_core(workdir)
        return run
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def first_line(text):
    lines = text.strip().splitlines()
    return lines[0] if lines else "(nothing on stderr)"


class Shutdown(unittest.TestCase):
    def test_main_thread_exit_with_threads_in_every_state_exits_cleanly_every_time(self):
        version = sys.version_info
        # Where the defect exists, _thread runs beside ours as the yardstick.
        modules = ["thread", "_thread"] if has_defect(version) else ["thread"]
        cannot_read_cores = allow_cores()
        with ThreadPoolExecutor(max_workers=2) as pool:
            runs = list(pool.map(lambda m: run_once(m, cannot_read_cores),
                                 [m for _ in range(RUNS) for m in modules]))
        is_ours = our_frame_test(thread.__file__)
        verdicts = {m: {"clean": [], "excused": [], "failed": []} for m in modules}
        for run in runs:
            verdict, why = judge(run, version, is_ours)
            verdicts[run["module"]][verdict].append((why, run))
        for m in modules:
            print("%s: %d clean, %d excused, %d failed of %d runs" % (
                m, len(verdicts[m]["clean"]), len(verdicts[m]["excused"]),
                len(verdicts[m]["failed"]), RUNS), file=sys.stderr)
            for kind in ("excused", "failed"):
                for why, run in verdicts[m][kind]:
                    print("  %s %s: %s | %s" % (m, kind, why, first_line(run["err"])),
                          file=sys.stderr)
        p = 1.0
        if has_defect(version):
            ours, stock = len(verdicts["thread"]["excused"]), len(verdicts["_thread"]["excused"])
            p = p_not_above(ours, stock, RUNS, RUNS)
            print("excused: thread %d, _thread %d of %d runs each; p = %.3g (the chance, were "
                  "the rates equal, of thread having at least that share; below %g fails)"
                  % (ours, stock, RUNS, p, SIGNIFICANCE), file=sys.stderr)
        failed = verdicts["thread"]["failed"]
        self.assertEqual([why for why, _ in failed], [],
                         "%d of %d runs failed" % (len(failed), RUNS))
        self.assertGreaterEqual(p, SIGNIFICANCE, "thread's exits fail significantly more "
                                "often than _thread's")

if __name__ == "__main__":
    unittest.main()
