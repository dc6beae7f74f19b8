"""make torture, item 5: thread creation refused by the system, and locks
that cannot be allocated, by two means: RLIMIT_NPROC 1 for user nobody
(root drops to it: CI runs as root, whom the limit does not bind) and
RLIMIT_AS a little above what the process maps.

C (exhaustion.c): every refused thread_start_new_thread returns
THREAD_EAGAIN or THREAD_ENOMEM; thread_allocate_lock returns NULL under
RLIMIT_AS.  Python (exhaustion_child.py): the page module raises
thread.error; threading on thread.dropin raises what threading on the
stock _thread raises (the same type and message, run side by side);
allocate_lock raises MemoryError on both faces.  Afterwards threads start
again, and file descriptors, threads, RSS, the C heap in use and (Python)
the interpreter's allocated blocks are where they were before the
refusals (each side runs a warm-up round first).  One row per language or
face and limit."""
import json
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

HERE = os.path.dirname(os.path.abspath(__file__))
SCALE = float(os.environ.get("TORTURE_SCALE", "1"))
REFUSALS = max(10, int(round(1000 * SCALE)))
RSS_SLACK_KB = 1024  # RSS moves by pages; a leak per refusal is far above
LIMITS = ("nproc", "as")
# A thread that starts under a limit (on a stack the C library cached) is
# held alive until the round ends, so each cached stack serves one start:
# glibc caches 40 MiB of stacks, 64 at 640 KiB, and more than that many
# starts means a held thread gave its stack back.
CACHED_MAX = 64


def run(cmd):
    t0 = time.monotonic()
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          timeout=600)
    figures = None
    for line in proc.stdout.splitlines():
        if line.startswith("FIGURES "):
            figures = json.loads(line[len("FIGURES "):])
    print("  %s: status %d, %.1f s\n    %s%s" % (
        " ".join(os.path.basename(c) for c in cmd[-3:]), proc.returncode,
        time.monotonic() - t0, proc.stdout.strip(), ("\n    stderr: " + proc.stderr.strip()
                                                      if proc.stderr.strip() else "")),
          flush=True)
    return proc.returncode, figures, proc.stderr


def c_row(limit, status, fig, err):
    failed = []
    if fig is None:
        failed.append("status %d, no figures: %s" % (status, err.strip()[-200:]))
    else:
        if fig["other"]:
            failed.append("%d refusals with a code other than EAGAIN/ENOMEM" % fig["other"])
        if fig["eagain"] + fig["enomem"] == 0:
            failed.append("nothing was refused")
        if fig["started_anyway"] > CACHED_MAX:
            failed.append("%d started under the limit, more than %d cached stacks" % (
                fig["started_anyway"], CACHED_MAX))
        if not (fig["started_before"] and fig["started_after"]):
            failed.append("threads did not start again")
        for key in ("fds", "tasks"):
            if fig[key][0] != fig[key][1]:
                failed.append("%s %d -> %d" % (key, fig[key][0], fig[key][1]))
        if fig["heap_round_of_all"] - fig["heap_round_of_1"] >= 8 * fig["refusals"]:
            failed.append("heap grew %d bytes more over %d refusals than over 1" % (
                fig["heap_round_of_all"] - fig["heap_round_of_1"], fig["refusals"]))
        if fig["rss_kb"][1] - fig["rss_kb"][0] > RSS_SLACK_KB:
            failed.append("RSS %d -> %d kB" % tuple(fig["rss_kb"]))
        if limit == "as" and not fig["lock_null_seen"]:
            failed.append("thread_allocate_lock never returned NULL")
        if status != 0 and not failed:
            failed.append("exit status %d" % status)
    worst = "" if fig is None else (
        "EAGAIN %d, ENOMEM %d of %d starts (%d started on a cached stack); fds %d->%d, "
        "threads %d->%d, RSS %d->%d kB, heap +%d B (round of 1: +%d B)%s" % (
            fig["eagain"], fig["enomem"], fig["refusals"], fig["started_anyway"],
            fig["fds"][0], fig["fds"][1], fig["tasks"][0], fig["tasks"][1],
            fig["rss_kb"][0], fig["rss_kb"][1], fig["heap_round_of_all"],
            fig["heap_round_of_1"],
            "; thread_allocate_lock NULL after %d locks" % fig["locks_until_null"]
            if limit == "as" else ""))
    return {"item": 5, "name": "exhaustion C %s" % limit,
            "tried": "C: thread starts refused (%s), then start again%s" % (
                describe(limit), "; thread_allocate_lock until NULL" if limit == "as" else ""),
            "runs": 1, "operations": REFUSALS, "threads": 4, "worst": worst,
            "failures": len(failed), "failed": "; ".join(failed)}


def describe(limit):
    return "RLIMIT_NPROC 1 as user nobody" if limit == "nproc" else "RLIMIT_AS"


def py_checks(fig, name):
    """What failed in one Python child's figures."""
    failed = []
    refused = sum(fig["errors"].values())
    if refused == 0:
        failed.append("%s: nothing was refused" % name)
    if fig["started_anyway"] > CACHED_MAX:
        failed.append("%s: %d started under the limit, more than %d cached stacks" % (
            name, fig["started_anyway"], CACHED_MAX))
    if refused + fig["started_anyway"] != REFUSALS:
        failed.append("%s: %d refused + %d started of %d" % (
            name, refused, fig["started_anyway"], REFUSALS))
    b, a = fig["before"], fig["after"]
    for key in ("fds", "tasks", "active"):
        if b[key] != a[key]:
            failed.append("%s: %s %d -> %d" % (name, key, b[key], a[key]))
    if a["blocks"] - b["blocks"] >= REFUSALS // 10:
        failed.append("%s: %d more allocated blocks" % (name, a["blocks"] - b["blocks"]))
    if a["heap"] - b["heap"] >= 8 * REFUSALS:  # as in exhaustion.c
        failed.append("%s: C heap %+d bytes" % (name, a["heap"] - b["heap"]))
    if a["rss_kb"] - b["rss_kb"] > RSS_SLACK_KB:
        failed.append("%s: RSS %d -> %d kB" % (name, b["rss_kb"], a["rss_kb"]))
    return failed


def py_row(face, limit, got):
    """One row: the page module, or threading on the drop-in beside stock."""
    failed, worst = [], []
    for name, (status, fig, err) in got.items():
        if fig is None:
            failed.append("%s: status %d, no figures: %s" % (name, status, err.strip()[-200:]))
            continue
        if status != 0:
            failed.append("%s: exit status %d" % (name, status))
        # Stock's own leaks are CPython's (3.11 keeps about 350 bytes of C
        # heap per refused start here): only its exception is the yardstick.
        if name != "stock":
            failed += py_checks(fig, name)
        worst.append("%s: %s; %d started on a cached stack; fds %d->%d, threads %d->%d, "
                     "blocks %+d, C heap %+d B, RSS %d->%d kB%s" % (
                         name, ", ".join("%s x%d" % kv for kv in fig["errors"].items()),
                         fig["started_anyway"], fig["before"]["fds"], fig["after"]["fds"],
                         fig["before"]["tasks"], fig["after"]["tasks"],
                         fig["after"]["blocks"] - fig["before"]["blocks"],
                         fig["after"]["heap"] - fig["before"]["heap"],
                         fig["before"]["rss_kb"], fig["after"]["rss_kb"],
                         "; allocate_lock: %s after %d locks" % (
                             fig["lock_error"], fig["locks_until_error"])
                         if name != "stock" and limit == "as" else ""))
        if name == "page":
            bad = [k for k in fig["errors"] if not k.startswith("RuntimeError: can't start")]
            if bad:
                failed.append("page: raised %s, not thread.error" % bad)
        if name != "stock" and limit == "as" and fig["lock_error"] != "MemoryError":
            failed.append("%s: allocate_lock raised %s, not MemoryError" % (
                name, fig["lock_error"]))
    if face == "dropin" and all(got[n][1] for n in got):
        ours, stock = set(got["dropin"][1]["errors"]), set(got["stock"][1]["errors"])
        if ours != stock:
            failed.append("drop-in raised %s where stock raised %s" % (sorted(ours),
                                                                      sorted(stock)))
    tried = ("page module: start_new_thread refused (%s), then start again" % describe(limit)
             if face == "page" else
             "threading on the drop-in vs stock: Thread.start refused (%s), then start again"
             % describe(limit))
    if limit == "as":
        tried += "; allocate_lock until MemoryError"
    return {"item": 5, "name": "exhaustion %s %s" % (face, limit), "tried": tried,
            "runs": len(got), "operations": REFUSALS * len(got), "threads": 1,
            "worst": " | ".join(worst), "failures": len(failed), "failed": "; ".join(failed)}


def main():
    build = os.path.abspath(sys.argv[1])
    t0 = time.monotonic()
    program = os.path.join(build, "tests", "torture", "exhaustion")
    child = os.path.join(HERE, "exhaustion_child.py")
    jobs = [("C", limit, [program, limit, str(REFUSALS)]) for limit in LIMITS]
    for face in ("page", "dropin", "stock"):
        flags = [] if face == "page" else ["-S"]  # install() before site's threading
        jobs += [(face, limit, [sys.executable] + flags + [child, face, limit, str(REFUSALS)])
                 for limit in LIMITS]
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = dict(((face, limit), got) for (face, limit, _), got in
                       zip(jobs, pool.map(lambda job: run(job[2]), jobs)))
    rows = [c_row(limit, *results[("C", limit)]) for limit in LIMITS]
    rows += [py_row("page", limit, {"page": results[("page", limit)]}) for limit in LIMITS]
    rows += [py_row("dropin", limit, {"dropin": results[("dropin", limit)],
                                      "stock": results[("stock", limit)]})
             for limit in LIMITS]
    for row in rows:
        print("RESULT " + json.dumps(row), flush=True)
    print("item 5: %.0f s" % (time.monotonic() - t0))
    sys.exit(1 if any(r["failures"] for r in rows) else 0)


if __name__ == "__main__":
    main()
