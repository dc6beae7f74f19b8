"""make torture, item 6: leaks.

1. valgrind memcheck over a subset of the C tests (BUILD_DIR's own test
   binary, RelWithDebInfo, so no extra build): one or more tests from every
   area that allocates or starts threads.  Definitely and indirectly lost
   must be 0 bytes and memcheck must report no error.  The full run is
   `make valgrind` (minutes); this subset keeps the item within budget.
2. Lock, rlock, thread, local and drop-in operations repeated on Debian's
   debug interpreter (python3.11-dbg) with the extension built for it:
   sys.gettotalrefcount() and sys.getallocatedblocks() after each
   repetition must be flat once warmed up.
3. start_new_thread on both faces (thread and thread.dropin) with RSS read
   after each quarter: RSS must stop growing (last quarter vs first).

usage: item_06_leaks.py BUILD_DIR"""
import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from builds import DEBUG_PYTHON, ROOT, debug_extension, need, result, say, scaled  # noqa: E402

# One or more tests per area that allocates, frees or starts threads.
VALGRIND_TESTS = [
    "allocate_lock_returns_an_unlocked_lock",
    "lock_as_binary_semaphore_delivers_every_item_exactly_once",
    "thread_exit_ends_the_thread_and_runs_cleanup_handlers",
    "join_returns_1_once_the_thread_returned_and_sees_its_writes",
    "detach_of_a_running_thread_lets_it_finish_and_frees_everything",
    "a_thread_may_detach_its_own_handle_but_not_join_it",
    "start_failure_returns_an_error_leaks_nothing_and_later_starts_work",
    "nested_rlock_sections_in_several_threads_exclude_each_other",
    "name_set_by_a_thread_reads_back_and_is_what_the_system_shows",
    "child_reinitialises_locks_a_vanished_thread_held_and_uses_them",
]
# Leaks per repetition below this are noise of the interpreter's caches;
# one leaked reference per operation would show as REFCOUNT_OPS or more.
REFCOUNT_OPS = 200
REFCOUNT_SLACK = 20
# The 100,000 threads: about 30 s here.  RSS is flat within 16 KiB
# over 50,000; 2 MiB over the last three quarters (75,000 threads) catches
# a leak of 28 bytes a thread.
RSS_THREADS = 100000
RSS_SLACK = 2 << 20


def valgrind(build):
    exe = os.path.join(build, "tests", "thread_tests_futex")
    if not need("valgrind"):
        return result(item=6, name="valgrind", tried="valgrind memcheck on C tests", runs=0,
                      failures=1, failed="valgrind could not be installed")
    lost_def = lost_ind = errors = bad = 0
    failed = []
    env = dict(os.environ, THREAD_TEST_SCALE="0.1")
    for name in VALGRIND_TESTS:
        proc = subprocess.run(["valgrind", "--leak-check=full", "--child-silent-after-fork=no",
                               "--show-leak-kinds=definite,indirect",
                               "--errors-for-leak-kinds=definite,indirect",
                               "--error-exitcode=99", exe, name],
                              capture_output=True, text=True, env=env, timeout=300)
        # Every process (a test that forks has two) prints its own summary.
        d = sum(int(x.replace(",", "")) for x in re.findall(r"definitely lost: ([\d,]+) bytes", proc.stderr))
        i = sum(int(x.replace(",", "")) for x in re.findall(r"indirectly lost: ([\d,]+) bytes", proc.stderr))
        e = sum(int(x) for x in re.findall(r"ERROR SUMMARY: (\d+) errors", proc.stderr))
        ok = proc.returncode == 0 and d == 0 and i == 0 and e == 0
        say("  valgrind %-70s exit %d, definitely %d B, indirectly %d B, %d errors"
            % (name, proc.returncode, d, i, e))
        if not ok:
            bad += 1
            failed.append(name)
            say(proc.stderr[-3000:])
        lost_def, lost_ind, errors = lost_def + d, lost_ind + i, errors + e
    return result(item=6, name="valgrind", tried="valgrind memcheck, %d C tests (subset of "
                  "`make valgrind`)" % len(VALGRIND_TESTS), runs=len(VALGRIND_TESTS),
                  operations=len(VALGRIND_TESTS), threads=0,
                  worst="definitely lost %d B, indirectly lost %d B, %d errors"
                  % (lost_def, lost_ind, errors),
                  failures=bad, failed=", ".join(failed))


REFCOUNT_SCRIPT = r"""
import gc, sys, thread
thread.install()
import threading
import thread.dropin as d

sys.unraisablehook = lambda u: None
threading.excepthook = lambda a: None
OPS, REPS = %d, %d

def quiet(f, *a, **k):
    try:
        return f(*a, **k)
    except (RuntimeError, ValueError, TypeError, OverflowError, AttributeError, SystemExit):
        pass

def one(i, done, box):
    lk = thread.allocate_lock()
    lk.acquire(); quiet(lk.acquire, 0); lk.release(); quiet(lk.release)
    with lk:
        lk.locked()
    quiet(lk.acquire, 1, -5); quiet(lk.acquire, "x"); quiet(lk.acquire, True, 1e300)
    dl = d.allocate_lock(); dl.acquire(); dl.acquire(True, 0.0001); dl.release()
    rl = d.RLock(); rl.acquire(); rl.acquire(timeout=0.1); state = rl._release_save()
    rl._acquire_restore(state); rl._is_owned(); rl._recursion_count(); rl.release(); rl.release()
    quiet(rl.release); repr(rl); repr(lk)
    loc = box["local"]; loc.x = [i]; loc.__dict__; quiet(delattr, loc, "nothere")
    d.get_ident(); d.get_native_id(); d._count(); d.stack_size(0); quiet(d.stack_size, -1)
    def body(kind):
        loc.y = kind
        if kind == 1:
            raise ValueError("in a thread")
        if kind == 2:
            thread.exit_thread()
        with box["count"]:
            box["n"] += 1
    def run(kind):
        try:
            body(kind)
        finally:
            done.release()
    face = thread if i %% 2 else d
    face.start_new_thread(run, (i %% 3,))
    quiet(face.start_new_thread, 42, ())
    quiet(face.start_new_thread, run, "notatuple")
    done.acquire()

def rep():
    box = {"local": threading.local(), "count": thread.allocate_lock(), "n": 0}
    done = d.allocate_lock(); done.acquire()
    for i in range(OPS):
        one(i, done, box)
    t = threading.Thread(target=lambda: threading.Event().wait(0.001)); t.start(); t.join()
    c = threading.Condition(threading.RLock())
    with c:
        c.wait(0.0001)
    nap = d.allocate_lock(); nap.acquire()
    while d._count():
        nap.acquire(True, 0.001)

for r in range(REPS):
    rep()
    gc.collect()
    print("REFS", r, sys.gettotalrefcount(), sys.getallocatedblocks(), flush=True)
"""


def refcounts(build):
    where = debug_extension(build)
    reps = scaled(8, least=4)
    if where is None:
        return result(item=6, name="refcount", tried="refcounts on python3.11-dbg", runs=0,
                      failures=1, failed="no debug interpreter or build")
    t0 = time.monotonic()
    env = dict(os.environ, PYTHONPATH=where)
    proc = subprocess.run([DEBUG_PYTHON, "-S", "-c", REFCOUNT_SCRIPT % (REFCOUNT_OPS, reps)],
                          capture_output=True, text=True, env=env, timeout=600)
    rows = [tuple(map(int, l.split()[2:])) for l in proc.stdout.splitlines()
            if l.startswith("REFS ")]
    say("  python3.11-dbg: %d repetitions of %d operations in %.0f s; total refcount / "
        "allocated blocks after each: %s" % (len(rows), REFCOUNT_OPS, time.monotonic() - t0,
                                             ", ".join("%d/%d" % r for r in rows)))
    warm = rows[2:]  # two repetitions of warm-up: caches, interned names
    dref = [b[0] - a[0] for a, b in zip(warm, warm[1:])]
    dblk = [b[1] - a[1] for a, b in zip(warm, warm[1:])]
    say("  deltas after warm-up: refcount %s, blocks %s" % (dref, dblk))
    failed = []
    if proc.returncode or len(rows) != reps:
        failed.append("exit %d: %s" % (proc.returncode, proc.stderr[-2000:]))
    if any(abs(x) > REFCOUNT_SLACK for x in dref + dblk):
        failed.append("not flat: refcount deltas %s, block deltas %s" % (dref, dblk))
    worst = max([abs(x) for x in dref] or [0])
    return result(item=6, name="refcount", tried="lock/rlock/local/start_new_thread/threading "
                  "on python3.11-dbg, sys.gettotalrefcount() per repetition", runs=len(rows),
                  operations=len(rows) * REFCOUNT_OPS, threads=len(rows) * REFCOUNT_OPS,
                  worst="refcount delta %d, blocks delta %d after warm-up"
                  % (worst, max([abs(x) for x in dblk] or [0])),
                  failures=len(failed), failed="; ".join(failed))


RSS_SCRIPT = r"""
import sys, thread
import thread.dropin as d
TOTAL, BATCH = %d, 100

def rss():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096

count = thread.allocate_lock()
done = thread.allocate_lock(); done.acquire()
nap = thread.allocate_lock(); nap.acquire()
state = {"n": 0}

def body(target):
    with count:
        state["n"] += 1
        last = state["n"] == target
    if last:
        done.release()

started = 0
marks = []
while started < TOTAL:
    face = thread if (started // BATCH) %% 2 else d
    target = started + BATCH
    for _ in range(BATCH):
        face.start_new_thread(body, (target,))
    started += BATCH
    done.acquire()
    if started %% (TOTAL // 4) == 0:
        while d._count():  # threads still tearing down
            nap.acquire(True, 0.001)
        marks.append(rss())
print("RSS", " ".join(map(str, marks)), state["n"])
"""


def rss_threads(build):
    total = scaled(RSS_THREADS, least=400) // 400 * 400
    t0 = time.monotonic()
    proc = subprocess.run([sys.executable, "-c", RSS_SCRIPT % total], capture_output=True,
                          text=True, timeout=900, cwd=ROOT)
    secs = time.monotonic() - t0
    line = [l for l in proc.stdout.splitlines() if l.startswith("RSS ")]
    failed = []
    if proc.returncode or not line:
        failed.append("exit %d: %s" % (proc.returncode, proc.stderr[-2000:]))
        marks, ran = [0, 0, 0, 0], 0
    else:
        vals = list(map(int, line[0].split()[1:]))
        marks, ran = vals[:-1], vals[-1]
    growth = marks[-1] - marks[0]
    say("  %d start_new_thread calls (thread and thread.dropin in turn, batches of 100) in "
        "%.0f s; RSS after each quarter: %s KiB; growth over the last three quarters %d KiB"
        % (total, secs, ", ".join(str(m >> 10) for m in marks), growth >> 10))
    if ran != total:
        failed.append("%d of %d threads ran" % (ran, total))
    if growth > RSS_SLACK:
        failed.append("RSS grew %d KiB after the first quarter" % (growth >> 10))
    return result(item=6, name="rss", tried="start_new_thread on both faces, RSS per quarter",
                  runs=1, operations=total, threads=total,
                  worst="RSS %d KiB after 1st quarter, %d KiB after last"
                  % (marks[0] >> 10, marks[-1] >> 10),
                  failures=len(failed), failed="; ".join(failed))


def main():
    build = os.path.abspath(sys.argv[1])
    t0 = time.monotonic()
    oks = [valgrind(build), refcounts(build), rss_threads(build)]
    say("item 6: %.0f s" % (time.monotonic() - t0))
    sys.exit(0 if all(oks) else 1)


if __name__ == "__main__":
    main()
