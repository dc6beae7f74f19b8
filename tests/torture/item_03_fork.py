"""make torture item 3: fork() from a threaded program.
usage: item_03_fork.py BUILD_DIR
C: 200 forks while 6 threads hold, wait for and release a lock, a reentrant
lock and two semaphores passed between threads; each child reinitialises
them all, takes each, starts 4 threads that add under them, and exits with
a status naming what failed.  Python: 200 os.fork()s while threads keep a
page lock and threading's Lock, RLock and Condition (on the drop-in) busy;
each child uses the page module, threading and a ThreadPoolExecutor.  A
child that hangs is killed after 20 s and counts as a failure."""
import sys

from locks_support import c_program, ms, python_child, result, run_json, scaled

ITEM = 3
C_STATUS = {"10": "threads still counted", "11": "reinit failed",
            "12": "the lock could not be taken", "13": "the rlock could not be taken",
            "14": "a semaphore could not be taken", "15": "no thread started",
            "16": "a thread did not end", "17": "lost updates",
            "18": "a timed acquire misbehaved", "-1": "hung", "-2": "killed by a signal"}


def main():
    build = sys.argv[1]
    ok = True
    forks = scaled(200)
    f, err = run_json([c_program(build, "torture_fork"), str(forks), "4", "4", "20000"],
                      timeout=60 + forks * 21)
    if err:
        ok &= result(ITEM, "C fork", "C fork with busy locks", forks, 0, 6, "", 1, err)
    else:
        wrong = ["%d children: %s" % (n, C_STATUS.get(k, "status " + k))
                 for k, n in sorted(f["statuses"].items())]
        ok &= result(ITEM, "C fork", "C fork() while %d threads hold, wait for and release "
                     "a lock, an rlock and 2 semaphores (held just before %d forks); child "
                     "reinits, takes each, runs %d threads (%.1f s)"
                     % (f["busy"], f["held_at_fork"], f["child_threads"], f["seconds"]),
                     forks, forks, f["busy"] + f["child_threads"],
                     ms(f["worst_child_ns"]) + " for a child", f["failed"], "; ".join(wrong))
    forks = scaled(200)
    f, err = python_child("child_fork.py", "dropin", (forks, 20), timeout=60 + forks * 21)
    if err:
        ok &= result(ITEM, "Python fork", "os.fork() from a threaded program", forks, 0, 7,
                     "", 1, err)
    else:
        wrong = ["%d children: %s" % (n, k) for k, n in sorted(f["statuses"].items())
                 if k != "ok"]
        if f["alive_after"]:
            wrong.append("%d busy threads did not end in the parent" % f["alive_after"])
        ok &= result(ITEM, "Python fork", "os.fork() while %d threads keep a page lock and "
                     "threading.Lock/RLock/Condition on the drop-in busy (held just before "
                     "%d forks); child: _at_fork_reinit, start_new_thread, Thread, Condition, "
                     "ThreadPoolExecutor (%.1f s)" % (f["threads"], f["held_at_fork"],
                                                      f["seconds"]),
                     forks, forks, f["threads"] + 4, ms(f["worst_child_ns"]) + " for a child",
                     len(wrong), "; ".join(wrong))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
