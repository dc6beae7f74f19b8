"""Item 3, Python part (run by item_03_fork.py in `python -S`):
usage: child_fork.py dropin FORKS TIMEOUT_S
threading runs on the drop-in.  Threads keep a page lock, a threading.Lock,
an RLock (two levels) and a Condition busy (each held across a GIL
release, so forks land while they are held) while main forks FORKS times.
Each child, in one thread with the others gone: reinitialises the busy
locks (_at_fork_reinit) and takes them; starts start_new_thread workers on
a new page lock, threading.Threads on Lock, RLock and a Condition
hand-off, and a ThreadPoolExecutor; then exits with a status naming the
first step that failed (STEPS).  A child not done within TIMEOUT_S is
killed and counts as hung.  Prints one JSON line."""
import json
import os
import signal
import sys
import time
import warnings

from locks_support import use_face

thread, threading = use_face(sys.argv[1])
FORKS, TIMEOUT = int(sys.argv[2]), float(sys.argv[3])
STEPS = ["ok", "threads still counted", "reinit and take the busy locks",
         "page lock and start_new_thread", "threading.Thread on Lock and RLock",
         "Condition hand-off", "ThreadPoolExecutor", "an exception"]
ADDS = 500

page_lock, lock, rlock = thread.allocate_lock(), threading.Lock(), threading.RLock()
cond = threading.Condition()
stop = [False]
busy_adds = [0]


def busy_lock(lk, nested):
    while not stop[0]:
        with lk:
            if nested:
                lk.acquire()
            busy_adds[0] += 1
            time.sleep(0)  # gives up the GIL while holding the lock
            if nested:
                lk.release()


def busy_page():
    while not stop[0]:
        page_lock.acquire()
        time.sleep(0)
        page_lock.release()


def busy_cond(role):
    with cond:
        while not stop[0]:
            cond.notify()
            cond.wait(0.01)


def child():
    """The fork child's work: a step number (0: all worked)."""
    if threading.active_count() != 1:
        return 1
    for lk in (lock, rlock):
        lk._at_fork_reinit()
    # Timed: a lock left held must fail this step, not hang the child.
    if not (lock.acquire(True, 5) and rlock.acquire(True, 5) and rlock.acquire(True, 5)):
        return 2
    lock.release()
    rlock.release()
    rlock.release()
    # The page module has no reinit: a fresh lock, as a child program would.
    plock, box, dones = thread.allocate_lock(), [0], []

    def page_worker(done):
        for _ in range(ADDS):
            plock.acquire()
            box[0] += 1
            plock.release()
        done.release()
    for _ in range(3):
        d = thread.allocate_lock()
        d.acquire()
        dones.append(d)
        thread.start_new_thread(page_worker, (d,))
    if not all(d.acquire(True, 10) for d in dones) or box[0] != 3 * ADDS:
        return 3
    counts = [0, 0]

    def adder():
        for _ in range(ADDS):
            with lock:
                counts[0] += 1
            with rlock:
                with rlock:
                    counts[1] += 1
    ts = [threading.Thread(target=adder) for _ in range(3)]
    for t in ts:
        t.start()
    for t in ts:
        t.join(10)
    if any(t.is_alive() for t in ts) or counts != [3 * ADDS, 3 * ADDS]:
        return 4
    c, turn = threading.Condition(), [0]

    def pong():
        with c:
            for _ in range(20):
                c.wait_for(lambda: turn[0] % 2 == 1, 10)
                turn[0] += 1
                c.notify()
    t = threading.Thread(target=pong)
    t.start()
    with c:
        for _ in range(20):
            turn[0] += 1
            c.notify()
            if not c.wait_for(lambda: turn[0] % 2 == 0, 10):
                break
    t.join(10)
    if t.is_alive() or turn[0] != 40:
        return 5
    from concurrent.futures import ThreadPoolExecutor
    with ThreadPoolExecutor(4) as pool:
        got = sum(pool.map(lambda k: k * k, range(100)))
    return 0 if got == sum(k * k for k in range(100)) else 6


def run_child():
    try:
        code = child()
    except BaseException:  # noqa: B902 - reported through the status
        import traceback
        traceback.print_exc()
        code = 7
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


warnings.simplefilter("ignore", DeprecationWarning)  # 3.12+: fork with threads
threads = [threading.Thread(target=busy_lock, args=(lock, False)) for _ in range(2)]
threads += [threading.Thread(target=busy_lock, args=(rlock, True)) for _ in range(2)]
threads += [threading.Thread(target=busy_cond, args=(r,)) for r in range(2)]
threads += [threading.Thread(target=busy_page)]
for t in threads:
    t.start()
statuses, hung, worst, held_at_fork, t_all = {}, 0, 0.0, 0, time.monotonic()
for n in range(FORKS):
    time.sleep(0.001)  # let the busy threads run between forks
    held_at_fork += lock.locked() or page_lock.locked()
    t0 = time.monotonic()
    pid = os.fork()
    if pid == 0:
        run_child()
    while True:
        got, status = os.waitpid(pid, os.WNOHANG)
        if got == pid:
            break
        if time.monotonic() - t0 > TIMEOUT:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            status, hung = None, hung + 1
            break
        time.sleep(0.001)
    worst = max(worst, time.monotonic() - t0)
    if status is None:
        what = "hung"
    elif os.WIFEXITED(status):
        what = STEPS[os.WEXITSTATUS(status)] if os.WEXITSTATUS(status) < len(STEPS) \
            else "status %d" % os.WEXITSTATUS(status)
    else:
        what = "killed by signal %d" % os.WTERMSIG(status)
    statuses[what] = statuses.get(what, 0) + 1
stop[0] = True
for t in threads:
    t.join(30)
print(json.dumps({"forks": FORKS, "threads": len(threads), "statuses": statuses,
                  "failed": FORKS - statuses.get("ok", 0), "hung": hung,
                  "held_at_fork": held_at_fork, "busy_adds": busy_adds[0],
                  "worst_child_ns": int(worst * 1e9),
                  "alive_after": sum(t.is_alive() for t in threads),
                  "seconds": time.monotonic() - t_all}))
