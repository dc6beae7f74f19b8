"""make torture item 1: lost updates.  usage: item_01_lost_updates.py BUILD_DIR
Counters: short-lived workers (8 live at a time, each replaced as it ends)
add under the C lock, the C reentrant lock (1-3 nested levels), the page
module's lock, and threading.Lock/RLock on the drop-in; the count must be
exact.  Rings: producers and consumers pass items through slots guarded by
locks used as binary semaphores (released by a thread that did not acquire
them); every item must be delivered exactly once.  One row per variant;
"worst" is the longest single acquire wait seen."""
import sys

from locks_support import c_program, ms, python_child, result, run_json, scaled

ITEM = 1
LIVE = 8


def counter_row(name, tried, figures, err):
    if err:
        return result(ITEM, name, tried, 1, 0, LIVE, "", 1, err)
    f = figures
    bad = f.get("bad", 0)
    wrong = []
    if f["got"] != f["expected"]:
        wrong.append("count %d, expected %d" % (f["got"], f["expected"]))
    if bad:
        wrong.append("%d acquires or releases returned an error" % bad)
    return result(ITEM, name, tried + " (%d workers, %d live; %.1f s)"
                  % (f["started"], LIVE, f["seconds"]), 1, f["expected"],
                  f["started"], ms(f["worst_wait_ns"]) + " acquire wait",
                  len(wrong), "; ".join(wrong))


def ring_row(name, tried, figures, err):
    if err:
        return result(ITEM, name, tried, 1, 0, 0, "", 1, err)
    f = figures
    wrong = []
    if f["once"] != f["items"]:
        wrong.append("%d of %d items lost, %d delivered twice"
                     % (f["lost"], f["items"], f["twice"]))
    if f.get("bad", 0):
        wrong.append("%d semaphore errors (a release of a free lock, a failed acquire)"
                     % f["bad"])
    return result(ITEM, name, tried + " (%.1f s)" % f["seconds"], 1, f["items"],
                  f["threads"], ms(f["worst_wait_ns"]) + " acquire wait",
                  len(wrong), "; ".join(wrong))


def row(figures, err, key, name, tried):
    """The row of variant `key` of a program's figures; a Python variant's
    worker exceptions fail it."""
    f = figures and figures.get(key)
    if not err and f is None:
        err = "not run: an earlier variant hung"
    elif not err and f.get("hung"):
        err = "%d threads hung (not done within the watchdog's time)" % f["hung"]
    elif not err and f.get("error_count"):
        err = "%d exceptions in workers: %s" % (f["error_count"], "; ".join(f["errors"]))
    return (ring_row if key == "ring" else counter_row)(name, tried, f, err)


def main():
    build = sys.argv[1]
    ok = True
    ops, workers, items = 5000, scaled(1000), scaled(200000)
    f, err = run_json([c_program(build, "torture_locks"), str(ops), str(workers),
                       str(LIVE), str(items), str(60 * scaled(1))],
                      timeout=300 * scaled(1))
    ok &= row(f, err, "lock", "C lock counter", "C thread_lock: %d adds each" % ops)
    ok &= row(f, err, "rlock", "C rlock counter",
              "C thread_rlock, 1-3 levels: %d adds each" % ops)
    ok &= row(f, err, "ring", "C semaphore ring", "C thread_lock as binary semaphores, "
              "4 producers, 4 consumers, 4 slots")

    ops, workers, items = 2000, scaled(250), scaled(40000)
    args = (ops, workers, LIVE, items, 60 * scaled(1))
    f, err = python_child("child_counters.py", "page", args, timeout=300 * scaled(1))
    ok &= row(f, err, "lock", "page lock counter", "thread.allocate_lock, "
              "start_new_thread workers: %d adds each" % ops)
    ok &= row(f, err, "ring", "page semaphore ring", "thread.allocate_lock as binary "
              "semaphores, 2 producers, 2 consumers, 4 slots")

    f, err = python_child("child_counters.py", "dropin", args, timeout=300 * scaled(1))
    ok &= row(f, err, "lock", "threading.Lock counter", "threading.Lock on the drop-in, "
              "Thread workers: %d adds each" % ops)
    ok &= row(f, err, "rlock", "threading.RLock counter", "threading.RLock on the "
              "drop-in, 1-3 levels: %d adds each" % ops)
    ok &= row(f, err, "ring", "threading.Lock semaphore ring", "threading.Lock on the "
              "drop-in as binary semaphores, 2 producers, 2 consumers")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
