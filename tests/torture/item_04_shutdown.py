"""make torture, item 4: the interpreter exits while threads run Python
code, block in acquire, sleep, start up and raise, and (drop-in) while
non-daemon threads are being joined; on every CPython 3.8+ that pyenv has.

Each version runs the two scripts of tests/python/shutdown_runs.py (the
page module; threading on thread.dropin) alternately, RUNS_PER_VERSION
times in all at scale 1, and judges every run with shutdown_judge.py (the
same code as tests/python/test_shutdown.py).  On 3.9-3.12, whose own exit
sometimes crashes or hangs (python/cpython#110052), the same scripts run
as often on the stock _thread in the same pool, and an excused run counts
only if ours are not excused significantly more often (one-sided exact
test at 1%).  Any run judged failed is a failure, on every version.

The issue asks for 300 runs per version; 300 x 6 versions, plus as many on
stock for 3.9-3.12, take about an hour on 2 loaded cores, so scale 1
runs 12 per version (TORTURE_SCALE=25 runs 300).  TORTURE_PYTHONS=3.11,3.12
limits the versions (for a quick look; make torture runs all)."""
import json
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tests", "python"))
from shutdown_judge import has_defect, our_frame_test, p_not_above  # noqa: E402
from shutdown_runs import allow_cores, judge_all, report, run_once  # noqa: E402
from builds import need  # noqa: E402  (tests/torture/builds.py)

SCALE = float(os.environ.get("TORTURE_SCALE", "1"))
RUNS_PER_VERSION = max(2, int(round(12 * SCALE)))
N = 20  # threads of each kind per run; a run takes 1-3 s here
SIGNIFICANCE = 0.01
KINDS = ("page", "dropin")
THREADS = {"page": 5 * N, "dropin": 5 * N + N + N // 5}  # shutdown_runs' scripts


def pythons():
    """[(version, python, module file)] for every CPython 3.8+ of pyenv, each
    with the extension built by tests/python/pythons.sh into build-py<V>
    (an incremental build where test-pythons already made it)."""
    shell = ('. tests/python/pythons.sh; jobs=1; '
             'found() { echo "FOUND $1 $2 $3"; }; each_python found thread_python')
    proc = subprocess.run(["nice", "-n", "10", "sh", "-c", shell], cwd=ROOT,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    found = []
    for line in proc.stdout.splitlines():
        if not line.startswith("FOUND "):
            print("  " + line)
            continue
        _, version, python, build = line.split()
        pydir = os.path.join(ROOT, build, "python")
        module = [f for f in os.listdir(pydir) if f.startswith("thread.") and f.endswith(".so")]
        found.append((version, python, os.path.join(pydir, module[0])))
    wanted = os.environ.get("TORTURE_PYTHONS")
    if wanted:
        found = [f for f in found if any(f[0].startswith(w) for w in wanted.split(","))]
    return found, proc.returncode


def counts(per):
    return ", ".join("%s %d" % (v, len(per[v])) for v in ("clean", "excused", "failed")
                     if per[v] or v == "clean")


def pooled(verdicts, ours):
    per = {"clean": [], "excused": [], "failed": []}
    for (kind, o), got in verdicts.items():
        if o == ours:
            for v in per:
                per[v] += got[v]
    return per


def row_for(version, module, runs):
    info = tuple(int(x) for x in version.split(".")[:2])
    verdicts = judge_all(runs, info, our_frame_test(module))
    report(verdicts, out=sys.stdout, prefix="%s " % version)
    ours = pooled(verdicts, True)
    failed = ["%s: %s" % (run["kind"], why) for why, run in ours["failed"]]
    worst = counts(ours)
    if has_defect(info):
        stock = pooled(verdicts, False)
        n_ours = sum(len(v) for v in ours.values())
        n_stock = sum(len(v) for v in stock.values())
        p = p_not_above(len(ours["excused"]), len(stock["excused"]), n_ours, n_stock)
        worst += "; stock _thread, same scripts and pool: %s; excused rate test p = %.3g" % (
            counts(stock), p)
        if p < SIGNIFICANCE:
            failed.append("excused %d of %d runs against stock's %d of %d (p = %.3g < %g)"
                          % (len(ours["excused"]), n_ours, len(stock["excused"]), n_stock,
                             p, SIGNIFICANCE))
    return {"item": 4, "name": "shutdown %s" % version,
            "tried": "exit with threads running, blocked, sleeping, starting, raising; "
                     "non-daemon threads joined (page module and threading on the drop-in), "
                     "CPython %s" % version,
            "runs": sum(len(v) for v in ours.values()), "operations": len(runs),
            "threads": max(THREADS.values()), "worst": worst,
            "failures": len(failed), "failed": "; ".join(failed)}


def main():
    t0 = time.monotonic()
    need("gdb")  # reads the cores; without it no crash can be excused
    found, status = pythons()
    print("interpreters: %s (%.0f s to build)" % (", ".join(v for v, _, _ in found),
                                                 time.monotonic() - t0), flush=True)
    cannot_read_cores = allow_cores()
    if cannot_read_cores:
        print("cores cannot be read: %s (nothing can be excused)" % cannot_read_cores)
    jobs = []
    for i in range(RUNS_PER_VERSION):
        for version, python, module in found:
            sides = (True, False) if has_defect(tuple(int(x) for x in version.split(".")[:2])) \
                else (True,)
            for ours in sides:
                jobs.append((version, python, os.path.dirname(module), KINDS[i % 2], ours))
    done = [0]

    def one(job):
        version, python, module_dir, kind, ours = job
        run = run_once(python, module_dir, kind, ours, N, cannot_read_cores)
        run["version"] = version
        done[0] += 1
        if done[0] % 20 == 0:
            print("  %d of %d runs, %.0f s" % (done[0], len(jobs), time.monotonic() - t0),
                  flush=True)
        return run
    with ThreadPoolExecutor(max_workers=2) as pool:
        runs = list(pool.map(one, jobs))
    rows = [row_for(version, module, [r for r in runs if r["version"] == version])
            for version, _, module in found]
    if status != 0 or not found:
        rows.append({"item": 4, "name": "shutdown builds", "tried": "build per CPython",
                     "runs": 1, "failures": 1,
                     "failed": "tests/python/pythons.sh failed (status %d)" % status})
    for row in rows:
        print("RESULT " + json.dumps(row), flush=True)
    print("item 4: %d runs in %.0f s" % (len(runs), time.monotonic() - t0))
    sys.exit(1 if any(r["failures"] for r in rows) else 0)


if __name__ == "__main__":
    main()
