"""Helpers shared by the Python tests: run a script in a child interpreter,
wait for threads by explicit hand-off, pester a thread with signals."""
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time

# Generous cap for waits that should end almost at once.
WAIT_CAP = 10.0


def run_script(code, timeout=60, env=None):
    """Run `code` in a fresh interpreter (same PYTHONPATH); return
    (returncode, stdout, stderr) as text."""
    full_env = dict(os.environ)
    if env:
        full_env.update(env)
    proc = subprocess.run([sys.executable, "-c", textwrap.dedent(code)],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          env=full_env, timeout=timeout)
    return proc.returncode, proc.stdout.decode(), proc.stderr.decode()


def child_env():
    """os.environ for a child interpreter, with the directory that holds
    `thread` (and `thread_run` beside it) first on PYTHONPATH: a `-S` child
    must find them even where pip installed them in site-packages."""
    import thread
    env = dict(os.environ)
    here = os.path.dirname(os.path.abspath(thread.__file__))
    env["PYTHONPATH"] = os.pathsep.join(p for p in (here, env.get("PYTHONPATH")) if p)
    return env


def wait_until(predicate, cap=WAIT_CAP):
    """Poll `predicate` (for "N threads have started" only) until it holds or
    `cap` seconds pass; return its last value."""
    deadline = time.monotonic() + cap
    while not predicate():
        if time.monotonic() > deadline:
            return predicate()
        time.sleep(0.001)
    return True


def send_signals(ident, every, cap):
    """Send SIGUSR1 to thread `ident` every `every` seconds from a thread of
    its own, for at most `cap` seconds; returns stop(), which ends it and
    returns the monotonic times at which signals were sent."""
    done = threading.Event()
    sent = []
    end = time.monotonic() + cap

    def pester():
        while not done.wait(every) and time.monotonic() < end:
            sent.append(time.monotonic())
            signal.pthread_kill(ident, signal.SIGUSR1)
    t = threading.Thread(target=pester)
    t.start()

    def stop():
        done.set()
        t.join(WAIT_CAP)
        return sent
    return stop
