"""make torture, item 4: the interpreter exits while threads run Python
code, block in acquire, sleep, start up and raise, and (drop-in) while
non-daemon threads are being joined; on every CPython 3.8+ that pyenv has.

Each version runs the two scripts of tests/python/shutdown_runs.py (the
page module; threading on thread.dropin), LIGHT_RUNS times each at scale
1, so 300 exits per version, in a light shape: 2 threads of every daemon
kind (blocked in acquire, and on the drop-in in Condition.wait; sleeping;
running Python code; raising and catching), 2 still starting up as the
main thread leaves (one to run, one to raise uncaught) and, on the
drop-in, 4 non-daemon threads let go as it leaves, which contend for one
lock while the exit joins them (2 end by raising).  10 and 16 threads: a
run takes 40-150 ms, against 1-3 s for the 104 and 124 threads of the
heavy shape that test_shutdown.py runs, so 300 exits fit in the time.
What can go wrong at exit goes wrong between one thread in one state and
the finalising main thread, at one moment; so the number of exits, each
catching its threads at another moment of their state, is what counts,
more than how many threads share one exit.  The heavy shape still runs
HEAVY_RUNS times per script and version, so that exits with a hundred
threads at once are not left to the default interpreter's
test_shutdown.py (page only); it is where 3.9-3.12's own exit crash shows
most (3.10, drop-in script, 50 heavy runs each: ours 2 crashes, stock 3),
so its runs also give the stock comparison some crashes to compare.

Every run is judged by shutdown_judge.py (the same code as
test_shutdown.py): clean, excused or failed.  On 3.9-3.12, whose own exit
sometimes crashes or hangs (python/cpython#110052), every run is made
again on the stock _thread, interleaved with ours in the same pool, and
an excused run counts only if ours are not excused significantly more
often (one-sided exact test at 1%).  Any run judged failed is a failure,
on every version.  Runs go in parallel, one per processor.

TORTURE_SCALE multiplies both counts; TORTURE_PYTHONS=3.11,3.12 limits the
versions (for a quick look; make torture runs all)."""
import json
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tests", "python"))
from shutdown_judge import has_defect, our_frame_test, p_not_above  # noqa: E402
from shutdown_runs import allow_cores, judge_all, report, run_once, threads_of  # noqa: E402
from builds import need  # noqa: E402  (tests/torture/builds.py)

SCALE = float(os.environ.get("TORTURE_SCALE", "1"))
LIGHT_RUNS = max(1, int(round(150 * SCALE)))  # per script and version
HEAVY_RUNS = max(1, int(round(5 * SCALE)))
KINDS = ("page", "dropin")
# Threads per run: each of every daemon kind, late (starting up at exit),
# joined (non-daemon, drop-in only).  None: the script's own default.
SHAPES = {"light": {"n": 2, "late": 2, "joined": 4},
          "heavy": {"n": 20, "late": None, "joined": None}}
HANG_S = {"light": 20, "heavy": 60}  # a light run takes 0.2 s at worst here
SIGNIFICANCE = 0.01
WORKERS = max(2, os.cpu_count() or 2)


def threads(kind, shape):
    return threads_of(kind, **SHAPES[shape])


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
    """"clean N, excused N (x %), failed N": every outcome seen (clean
    always), the excused with their share of the runs."""
    total = sum(len(v) for v in per.values())
    parts = ["clean %d" % len(per["clean"])]
    if per["excused"]:
        parts.append("excused %d (%.1f %%)" % (len(per["excused"]),
                                                100.0 * len(per["excused"]) / total))
    if per["failed"]:
        parts.append("failed %d" % len(per["failed"]))
    return ", ".join(parts)


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
        worst = "ours: %s; stock _thread, the same %d runs in the same pool: %s; " \
                "p = %.3g that ours are excused no more often (fails below %g)" % (
                    worst, n_stock, counts(stock), p, SIGNIFICANCE)
        if p < SIGNIFICANCE:
            failed.append("excused %d of %d runs against stock's %d of %d (p = %.3g < %g)"
                          % (len(ours["excused"]), n_ours, len(stock["excused"]), n_stock,
                             p, SIGNIFICANCE))
    light = " and ".join("%d with %d threads" % (LIGHT_RUNS, threads(k, "light")) for k in KINDS)
    heavy = "/".join("%d" % threads(k, "heavy") for k in KINDS)
    return {"item": 4, "name": "shutdown %s" % version,
            "tried": "exit with threads running, blocked, sleeping, starting, raising; "
                     "non-daemon threads joined: page module and threading on the drop-in, "
                     "%s, and %d each with %s threads; CPython %s" % (
                         light, HEAVY_RUNS, heavy, version),
            "runs": sum(len(v) for v in ours.values()), "operations": len(runs),
            "threads": max(threads(k, "heavy") for k in KINDS), "worst": worst,
            "failures": len(failed), "failed": "; ".join(failed)}


def job_list(found):
    """Every run, as (version, python, module dir, kind, ours, shape): per
    round every version, script and side in turn, so that ours and stock
    meet the same load; the heavy runs spread evenly among the light."""
    heavy_at = {int((j + 0.5) * LIGHT_RUNS / HEAVY_RUNS) for j in range(HEAVY_RUNS)}
    jobs = []
    for i in range(LIGHT_RUNS):
        for shape in ("light", "heavy") if i in heavy_at else ("light",):
            for version, python, module in found:
                info = tuple(int(x) for x in version.split(".")[:2])
                for kind in KINDS:
                    for ours in (True, False) if has_defect(info) else (True,):
                        jobs.append((version, python, os.path.dirname(module), kind, ours,
                                     shape))
    return jobs


def main():
    t0 = time.monotonic()
    need("gdb")  # reads the cores; without it no crash can be excused
    found, status = pythons()
    print("interpreters: %s (%.0f s to build)" % (", ".join(v for v, _, _ in found),
                                                 time.monotonic() - t0), flush=True)
    cannot_read_cores = allow_cores()
    if cannot_read_cores:
        print("cores cannot be read: %s (nothing can be excused)" % cannot_read_cores)
    jobs = job_list(found)
    done, shown = [0], [time.monotonic()]

    def one(job):
        version, python, module_dir, kind, ours, shape = job
        run = run_once(python, module_dir, kind, ours, cannot_read_cores=cannot_read_cores,
                       hang_s=HANG_S[shape], **SHAPES[shape])
        run["version"] = version
        run["kind"] = "%s, %d threads" % (kind, threads(kind, shape))
        done[0] += 1
        if time.monotonic() - shown[0] > 30:
            shown[0] = time.monotonic()
            print("  %d of %d runs, %.0f s" % (done[0], len(jobs), time.monotonic() - t0),
                  flush=True)
        return run
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        runs = list(pool.map(one, jobs))
    rows = [row_for(version, module, [r for r in runs if r["version"] == version])
            for version, _, module in found]
    if status != 0 or not found:
        rows.append({"item": 4, "name": "shutdown builds", "tried": "build per CPython",
                     "runs": 1, "failures": 1,
                     "failed": "tests/python/pythons.sh failed (status %d)" % status})
    for row in rows:
        print("RESULT " + json.dumps(row), flush=True)
    print("item 4: %d runs in %.0f s (%d at a time)" % (len(runs), time.monotonic() - t0,
                                                       WORKERS))
    sys.exit(1 if any(r["failures"] for r in rows) else 0)


if __name__ == "__main__":
    main()
