"""The examples' progress output, as a person and as a log see it (a CTest
test).

An example that reports progress draws one line that redraws in place when
its stream is a terminal, and writes no carriage returns to a log or a
pipe: join_timeout then prints one line per step, wordcount.py nothing
until its result.  Each is run twice, once with its output on a pipe and
once on a pseudo-terminal (raw, so that what the program wrote is what is
read back).

Usage: check_examples.py JOIN_TIMEOUT_EXE WORDCOUNT_PY [PYTHON]
(PYTHON runs wordcount.py with the extension on PYTHONPATH; default: this
interpreter.)  Exits 77 (a CTest skip), saying why, when join_timeout's
worker ended before its first 100 ms step, which leaves nothing to see."""
import os
import pty
import re
import subprocess
import sys
import time
import tty

SKIP = 77
failures = []


def check(ok, what):
    print(("ok: " if ok else "FAIL: ") + what)
    if not ok:
        failures.append(what)


def run_on_pty(cmd, streams):
    """Run cmd with the named streams ("stdout", "stderr") on a raw
    pseudo-terminal and the others on pipes.  Returns (terminal text, pipe
    texts by name, seconds taken)."""
    master, slave = pty.openpty()
    tty.setraw(slave)  # no "\n" -> "\r\n": read back exactly what was written
    kw = {name: (slave if name in streams else subprocess.PIPE) for name in ("stdout", "stderr")}
    t0 = time.monotonic()
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, **kw)
    os.close(slave)
    seen = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: every writer closed its end
            break
        if not chunk:
            break
        seen += chunk
    os.close(master)
    piped = {name: getattr(proc, name).read().decode() for name in kw if kw[name] == subprocess.PIPE}
    proc.wait(timeout=120)
    check(proc.returncode == 0, "%s exits 0 on a terminal" % os.path.basename(cmd[-1]))
    return seen.decode(), piped, time.monotonic() - t0


def run_on_pipes(cmd):
    proc = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120)
    check(proc.returncode == 0, "%s exits 0 on pipes" % os.path.basename(cmd[-1]))
    return proc.stdout, proc.stderr


def join_timeout(exe):
    out, err = run_on_pipes([exe])
    steps = re.fullmatch(r"((?:still working after \d+00 ms\n)*)joined: sum = \d+\n", out)
    check(steps is not None and "\r" not in out,
          "join_timeout on a pipe: one line per step, then the result, no carriage returns: %r" % out[-200:])
    if steps is not None and not steps.group(1):
        print("SKIPPED: join_timeout's worker finished within its first 100 ms step")
        return SKIP
    seen, _, _ = run_on_pty([exe], ("stdout",))
    frames = re.fullmatch(r"((?:\rstill working after \d+00 ms)+)\njoined: sum = \d+\n", seen)
    check(frames is not None, "join_timeout on a terminal: one redrawn line, ended, then the result: %r"
          % seen[-200:])
    return 0


def wordcount(script, python):
    out, err = run_on_pipes([python, script])
    files = re.match(r"(\d+) files, ", out)
    check(files is not None, "wordcount on a pipe prints its result: %r" % out[:200])
    check(err == "", "wordcount on a pipe writes no progress to a log: %r" % err[:200])
    seen, piped, took = run_on_pty([python, script], ("stderr",))
    n = files.group(1) if files else r"\d+"
    frames = re.fullmatch(r"((?:\r\d+/\d+ files *)+)\n", seen)
    check(frames is not None and seen.endswith("\r%s/%s files\n" % (n, n)),
          "wordcount on a terminal: one redrawn line that ends at %s/%s files: %r" % (n, n, seen[-200:]))
    check(piped.get("stdout", "").startswith("%s files, " % n), "wordcount's result still goes to stdout")
    if frames:
        drawn = frames.group(1).count("\r")
        # At most one frame per 0.1 s, and the last one: a bound taken from
        # this run's own time, so a slow machine cannot fail it.
        check(drawn <= 2 + took / 0.1, "wordcount redraws at most every 0.1 s: %d frames in %.2f s"
              % (drawn, took))


def main(argv):
    if len(argv) < 3:
        print(__doc__)
        return 2
    python = argv[3] if len(argv) > 3 else sys.executable
    skipped = join_timeout(argv[1])
    wordcount(argv[2], python)
    if failures:
        print("%d check(s) failed" % len(failures))
        return 1
    return skipped


if __name__ == "__main__":
    sys.exit(main(sys.argv))
