"""Run the shutdown scripts and judge every run: what test_shutdown.py and
make torture's item 4 share.  A script exits its interpreter while other
threads are in every state; a run is clean when the process exits with
status 0, printed exactly what the script promises and nothing on stderr.
A crash or hang dumps core (a hang is ended by SIGQUIT) and gdb reads
every thread's stack from it (shutdown_stacks.py) for shutdown_judge.py.

Two scripts, each run on our module and on the stock one:
  "page"    the page's module (`thread`, or `_thread` as the yardstick):
            threads blocked in acquire(), sleeping, running Python code,
            raising and catching, still starting up, raising uncaught.
  "dropin"  `threading` on thread.dropin (on the stock `_thread` as the
            yardstick): daemon threads in the same states, blocked in
            Condition.wait and Lock.acquire, and non-daemon threads, let go
            as the main thread leaves, that contend for one lock while the
            interpreter's exit joins them.
How many threads of each kind is the caller's choice (script()):
test_shutdown.py starts 30 of each, item 4 mostly 2 of each, in many
more exits."""
import glob
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile

from shutdown_judge import judge

PAGE_SCRIPT = r"""
import sys, time
import {module} as thread
# Short turns while the first threads wait for their first turn, then longer
# ones, so the main thread mostly keeps the interpreter lock while it starts
# the last ones (still starting up, waiting for that lock, when it exits).
# Only the run time depends on this, never the outcome.
sys.setswitchinterval(1e-3)
sys.unraisablehook = lambda unraisable: None  # the uncaught raises below
N = {n}
forever = thread.allocate_lock(); forever.acquire()
started = thread.allocate_lock(); started.acquire()
count = [0]
count_lock = thread.allocate_lock()
KINDS = 4

def arrived():
    with count_lock:
        count[0] += 1
        if count[0] == KINDS * N:
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

def raising():
    arrived()
    while True:
        try:
            raise ValueError("in flight at exit")
        except ValueError:
            pass

def raise_uncaught():
    raise ValueError("uncaught, as the interpreter goes")

for fn in (blocked, sleeping, running, raising):
    for _ in range(N):
        thread.start_new_thread(fn, ())
started.acquire()
sys.setswitchinterval(0.05)
for i in range({late}):  # these are still starting up when we leave
    thread.start_new_thread(running if i % 2 else raise_uncaught, ())
sys.setswitchinterval(0.005)  # the default: finalisation may give up the lock
print("exit", flush=True)  # flushed: a failure after it came after the script
"""

DROPIN_SCRIPT = r"""
import sys, time
{install}
import atexit, threading
sys.setswitchinterval(1e-3)  # as in the page script
threading.excepthook = lambda args: None  # the uncaught raises below
N = {n}
forever = threading.Lock(); forever.acquire()
cond = threading.Condition()
started, spin, go = threading.Event(), threading.Event(), threading.Event()
count = [0]
count_lock = threading.Lock()
KINDS = 5
relayed = []

def arrived():
    with count_lock:
        count[0] += 1
        if count[0] == KINDS * N:
            started.set()

def blocked():
    arrived()
    forever.acquire()

def waiting():
    with cond:
        arrived()
        cond.wait()

def sleeping():
    arrived()
    time.sleep(60)

# Thread.start() waits until the new thread runs, which takes a turn of
# every thread that spins: they wait until all have started.
def running(late=False):
    if not late:
        arrived()
        spin.wait()
    x = 0
    while True:
        x += 1

def raising():
    arrived()
    spin.wait()
    while True:
        try:
            raise ValueError("in flight at exit")
        except ValueError:
            pass

def raise_uncaught():
    raise ValueError("uncaught, as the interpreter goes")

# Non-daemon threads that the exit joins: released together as the main
# thread leaves, each takes the same lock, works a little; every other one
# then ends by raising.
relay_lock = threading.Lock()

def relay(i):
    go.wait()
    with relay_lock:
        relayed.append(i)
        x = 0
        for _ in range(1000):
            x += 1
    if i % 2:
        raise ValueError("a joined thread raises")

atexit.register(lambda: print("relayed %d" % len(relayed), flush=True))
for fn in (blocked, waiting, sleeping, running, raising):
    for _ in range(N):
        threading.Thread(target=fn, daemon=True).start()
for i in range({joined}):
    threading.Thread(target=relay, args=(i,)).start()
started.wait()
spin.set()
for i in range({late}):  # these have barely begun when we leave
    threading.Thread(target=running if i % 2 else raise_uncaught, args=(True,) if i % 2
                     else (), daemon=True).start()
sys.setswitchinterval(0.005)
go.set()
print("exit", flush=True)  # flushed: a failure after it came after the script
"""

HANG_S = 60  # a run takes 1-4 s on a loaded machine; one still going after this has hung
HERE = os.path.dirname(os.path.abspath(__file__))


def script(kind, ours, n, late=None, joined=None):
    """(code, the stdout of a clean run, extra interpreter flags) for a run
    with `n` threads of each daemon kind, `late` still starting up at exit
    (default: n for the page, n // 5 for the drop-in) and, on the drop-in,
    `joined` non-daemon threads (default n)."""
    if kind == "page":
        return (PAGE_SCRIPT.format(module="thread" if ours else "_thread", n=n,
                                   late=n if late is None else late), "exit\n", [])
    late = n // 5 if late is None else late
    joined = n if joined is None else joined
    # -S: site may import threading (a .pth file does on 3.11 here), and
    # install() must come first.
    return (DROPIN_SCRIPT.format(install="import thread; thread.install()" if ours else "",
                                 n=n, late=late, joined=joined),
            "exit\nrelayed %d\n" % joined, ["-S"])


def threads_of(kind, n, late=None, joined=None):
    """How many threads script(kind, ...) starts besides the main one."""
    if kind == "page":
        return 4 * n + (n if late is None else late)
    return 5 * n + (n // 5 if late is None else late) + (n if joined is None else joined)


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


def read_core(directory, python):
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
             python, cores[0]],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=300)
    except (OSError, subprocess.TimeoutExpired) as e:
        return None, "gdb failed: %s" % e
    for line in gdb.stdout.decode(errors="replace").splitlines():
        if line.startswith("STACKS "):
            return json.loads(line[len("STACKS "):]), None
    return None, "gdb printed no stacks: %r" % gdb.stdout[-300:]


def run_once(python, module_dir, kind, ours, n, cannot_read_cores, late=None, joined=None,
             hang_s=HANG_S):
    """One run of script(kind, ours, n, late, joined) under `python`, with
    our module (found in `module_dir`) or the stock one, as a dict for
    shutdown_judge.judge; a run still going after `hang_s` has hung."""
    code, expect, flags = script(kind, ours, n, late, joined)
    workdir = tempfile.mkdtemp(prefix="shutdown-")
    try:
        # The child runs in `workdir`: it must find the module judged here.
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(
            [module_dir] + [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p])
        proc = subprocess.Popen([python, "-X", "faulthandler"] + flags + ["-c", code],
                                cwd=workdir, env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            out, err = proc.communicate(timeout=hang_s)
            status = proc.returncode
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGQUIT)
            try:
                out, err = proc.communicate(timeout=HANG_S)
            except subprocess.TimeoutExpired:
                proc.kill()
                out, err = proc.communicate()
            status = "hang"
        run = {"kind": kind, "ours": ours, "status": status, "expect": expect,
               "out": out.decode(errors="replace"), "err": err.decode(errors="replace"),
               "stacks": None}
        if status == "hang" or status < 0:
            if cannot_read_cores:
                run["why"] = cannot_read_cores
            else:
                run["stacks"], run["why"] = read_core(workdir, python)
        return run
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def judge_all(runs, version, is_ours):
    """Each run's verdict: {(kind, ours): {"clean"|"excused"|"failed":
    [(why, run), ...]}}."""
    verdicts = {}
    for run in runs:
        verdict, why = judge(run, version, is_ours)
        per = verdicts.setdefault((run["kind"], run["ours"]),
                                  {"clean": [], "excused": [], "failed": []})
        per[verdict].append((why, run))
    return verdicts


def first_line(text):
    lines = text.strip().splitlines()
    return lines[0] if lines else "(nothing on stderr)"


def report(verdicts, out=sys.stderr, prefix=""):
    """Print the counts per script and module, and each run not clean."""
    for (kind, ours), per in sorted(verdicts.items()):
        name = "%s%s on %s" % (prefix, kind, "ours" if ours else "stock")
        print("%s: %d clean, %d excused, %d failed" % (
            name, len(per["clean"]), len(per["excused"]), len(per["failed"])), file=out)
        for verdict in ("excused", "failed"):
            for why, run in per[verdict]:
                print("  %s %s: %s | %s" % (name, verdict, why, first_line(run["err"])),
                      file=out)
