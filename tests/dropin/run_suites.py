"""CPython's own thread suites, from this interpreter's `test` package, on the
stock `_thread` and on thread.dropin: both pass counts per suite, and the
tests that pass on stock but not on the drop-in.

usage: python run_suites.py BUILD_DIR

Uses the `thread` extension in BUILD_DIR/python (built for this
interpreter) and writes logs to BUILD_DIR/dropin-results/.  Each suite runs
once per `_thread`, in a child under -S (suite_child.py); the runs of one
suite share the machine at the same time, so load hits both alike.  A test
that passed on one side only is run again, alone, on the other side (a
flaky test must fail twice to count).  Exits 1 if any test passes on stock
but not on the drop-in, or if the pass counts differ."""
import collections
import concurrent.futures
import os
import signal
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
CHILD = os.path.join(HERE, "suite_child.py")

# (module, seconds allowed per run before the scale factor): test_threading
# takes about two minutes on a loaded machine.
SUITES = [("test.test_threading", 600), ("test.test_thread", 240),
          ("test.test_threadsignals", 180), ("test.test_threading_local", 180)]
MODES = ("stock", "dropin")
SCALE = float(os.environ.get("THREAD_DROPIN_TIMEOUT_SCALE", "1"))
JOBS = int(os.environ.get("THREAD_DROPIN_JOBS", "3"))
RERUN_MAX = 50  # more differences than this are not flakes: report them as they are
LIST_MAX = 25


class Run:
    """One suite on one `_thread`: outcomes by test id, and how it ended."""

    def __init__(self, outcomes, status, seconds):
        self.outcomes = outcomes  # test id -> (outcome, reason)
        self.status = status      # "ok", "failed", "timeout after Ns", "crashed (signal N)"
        self.seconds = seconds

    def ids(self, outcome):
        return {t for t, (o, _) in self.outcomes.items() if o == outcome}


def read_outcomes(path):
    got = {}
    try:
        with open(path) as f:
            for line in f:
                parts = line.rstrip("\n").split("\t", 2)
                if len(parts) == 3:
                    got[parts[1]] = (parts[0], parts[2])
    except OSError:
        pass
    return got


def run_child(build, results, mode, names, tag, timeout):
    """Run suite_child.py on `names`; a Run."""
    out = os.path.join(results, "%s.%s.outcomes" % (tag, mode))
    log = os.path.join(results, "%s.%s.log" % (tag, mode))
    env = dict(os.environ, PYTHONPATH=os.path.join(build, "python"))
    start = time.monotonic()
    with open(log, "w") as logf:
        proc = subprocess.Popen([sys.executable, "-S", CHILD, mode, out] + list(names),
                                stdout=logf, stderr=subprocess.STDOUT, env=env,
                                stdin=subprocess.DEVNULL, start_new_session=True)
        try:
            rc = proc.wait(timeout=timeout)
            status = "ok" if rc == 0 else ("crashed (signal %d)" % -rc if rc < 0 else "failed")
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)  # its own session: the suite's children too
            proc.wait()
            status = "timeout after %ds" % timeout
    return Run(read_outcomes(out), status, time.monotonic() - start)


def rerun(build, results, runs, suite, timeout):
    """Run again, alone, each test that passed on one side only, on the side
    where it did not pass; those that pass now count as passed.  Returns
    {mode: ids passed on the rerun}."""
    fixed = {}
    for mode, other in (("stock", "dropin"), ("dropin", "stock")):
        ids = sorted(t for t in runs[other].ids("pass") - runs[mode].ids("pass") if "<" not in t)
        fixed[mode] = set()
        if not ids or len(ids) > RERUN_MAX:
            continue
        again = run_child(build, results, mode, ids, suite + ".rerun", timeout)
        fixed[mode] = again.ids("pass") & set(ids)
    return fixed


def report_suite(version, suite, runs, fixed):
    """Print the suite's line and its differences; True when they agree."""
    passed = {m: runs[m].ids("pass") | fixed[m] for m in MODES}
    cells = []
    for m in MODES:
        r = runs[m]
        bad = len((r.ids("fail") | r.ids("error") | r.ids("xpass")) - fixed[m])
        extra = " +%d on rerun" % len(fixed[m]) if fixed[m] else ""
        cells.append("%s %3d passed%s (%d failed, %d skipped; %s, %.0fs)" % (
            m, len(passed[m]), extra, bad, len(r.ids("skip")), r.status, r.seconds))
    print("%s %-26s %s | %s" % (version, suite.split(".")[-1], cells[0], cells[1]))
    lost = sorted(passed["stock"] - passed["dropin"])
    if lost:
        print("  pass on stock, not on the drop-in (%d):" % len(lost))
        for t in lost[:LIST_MAX]:
            o, reason = runs["dropin"].outcomes.get(t, ("not run", ""))
            print("    %s: %s %s" % (t.replace("test.", "", 1), o, reason[:100]))
        if len(lost) > LIST_MAX:
            print("    ... and %d more" % (len(lost) - LIST_MAX))
    causes = collections.Counter(
        reason[:120] for o, reason in runs["dropin"].outcomes.values()
        if o in ("fail", "error") and reason)
    if lost and causes:
        print("  main causes on the drop-in: " +
              "; ".join("%s (x%d)" % (c, n) for c, n in causes.most_common(3)))
    return not lost and len(passed["stock"]) == len(passed["dropin"])


def main():
    build = os.path.abspath(sys.argv[1])
    results = os.path.join(build, "dropin-results")
    os.makedirs(results, exist_ok=True)
    version = "%d.%d.%d" % sys.version_info[:3]
    jobs = [(s, t, m) for s, t in SUITES for m in MODES]
    runs = collections.defaultdict(dict)
    with concurrent.futures.ThreadPoolExecutor(max_workers=JOBS) as pool:
        futures = {pool.submit(run_child, build, results, m, [s], s, int(t * SCALE)): (s, m)
                   for s, t, m in jobs}
        for f in concurrent.futures.as_completed(futures):
            s, m = futures[f]
            runs[s][m] = f.result()
    agree = True
    for suite, timeout in SUITES:
        fixed = rerun(build, results, runs[suite], suite, int(timeout * SCALE))
        agree = report_suite(version, suite, runs[suite], fixed) and agree
    print("%s: %s (logs: %s)" % (version, "drop-in matches stock" if agree
                                 else "DROP-IN DIFFERS FROM STOCK", results))
    return 0 if agree else 1


if __name__ == "__main__":
    sys.exit(main())
