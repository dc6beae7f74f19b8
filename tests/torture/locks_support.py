"""What items 1-3 of make torture share (tests/torture/README.md): the
scale, running a C program or a Python child under a timeout and reading
its one JSON line, printing RESULT rows.  POSIX only."""
import json
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SCALE = float(os.environ.get("TORTURE_SCALE", "1"))

def use_face(face):
    """In a child: "page" imports `thread`; "dropin" puts `threading` on the
    drop-in first (under -S nothing has imported threading yet; 3.11's site
    .pth would have) and checks that its locks are the drop-in's.  Returns
    (thread, threading or None)."""
    import thread
    if face == "page":
        return thread, None
    import thread.dropin
    assert "threading" not in sys.modules, "threading was imported before the swap"
    sys.modules["_thread"] = thread.dropin
    import threading
    assert type(threading.Lock()) is thread.dropin.LockType, type(threading.Lock())
    assert type(threading.RLock()) is thread.dropin.RLock, type(threading.RLock())
    return thread, threading


def scaled(n):
    """`n` times TORTURE_SCALE, at least 1."""
    return max(1, int(n * SCALE))


def ms(ns):
    return "%.1f ms" % (ns / 1e6)


def result(item, name, tried, runs, operations, threads, worst, failures, failed):
    """Print one RESULT row (the contract in README.md)."""
    row = {"item": item, "name": name, "tried": tried, "runs": runs,
           "operations": operations, "threads": threads, "worst": worst,
           "failures": failures, "failed": failed}
    print("RESULT " + json.dumps(row), flush=True)
    return failures == 0


def run_json(argv, timeout, env=None):
    """Run `argv`; return (figures from its last JSON line or None, what went
    wrong or "").  A timeout, a crash or no JSON line is what went wrong."""
    import subprocess  # not at the top: it imports threading, which a
    # drop-in child (use_face) must import only after the swap
    print("  $ " + " ".join(os.path.relpath(a, ROOT) if a.startswith(ROOT) else a
                            for a in argv), flush=True)
    t0 = time.monotonic()
    try:
        proc = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True, timeout=timeout, env=env, cwd=ROOT)
    except subprocess.TimeoutExpired:
        return None, "hung: killed after %d s" % timeout
    sys.stdout.write(proc.stderr[-2000:])
    lines = [l for l in proc.stdout.splitlines() if l.startswith("{")]
    print("  %.1f s: %s" % (time.monotonic() - t0, lines[-1] if lines else proc.stdout[-500:]),
          flush=True)
    if proc.returncode != 0:
        return None, "exit status %d: %s" % (proc.returncode, proc.stderr.strip()[-300:])
    if not lines:
        return None, "no figures printed"
    return json.loads(lines[-1]), ""


def c_program(build, name):
    return os.path.join(build, "tests", "torture", name)


def python_child(script, face, args, timeout):
    """Run tests/torture/<script> FACE ARGS.. in `python -S` (the drop-in
    face needs it; the page face runs the same way), with `thread` on the
    path; return run_json's pair."""
    sys.path.insert(0, os.path.join(ROOT, "tests", "python"))
    from support import child_env  # `thread`'s directory first on PYTHONPATH
    env = child_env()
    return run_json([sys.executable, "-S", os.path.join(HERE, script), face] +
                    [str(a) for a in args], timeout, env)
