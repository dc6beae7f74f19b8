"""Item 1, Python part (run by item_01_lost_updates.py in `python -S`):
usage: child_counters.py FACE OPS WORKERS LIVE ITEMS WATCHDOG_S
FACE "page": the page module's lock, workers from start_new_thread;
"dropin": threading.Lock and threading.RLock on the drop-in, workers from
threading.Thread.  WORKERS short-lived workers, LIVE at a time, each adding
OPS under the lock (every fourth acquire timed); then a ring of producers
and consumers passing ITEMS through slots guarded by locks used as binary
semaphores.  Threads not done WATCHDOG_S seconds after their variant
started are reported as hung.  A thread switch every 10 us makes an unprotected += lose
updates at once.  Prints one JSON line."""
import json
import os
import sys
import time

from locks_support import use_face

FACE = sys.argv[1]
OPS, WORKERS, LIVE, ITEMS, WATCHDOG = (int(a) for a in sys.argv[2:7])
thread, threading = use_face(FACE)
now = time.perf_counter_ns
errors = []  # what workers saw: any entry fails the run


def start(fn, *args):
    """Start a worker in the face's own way; return what joins it."""
    if threading is None:
        thread.start_new_thread(fn, args)
        return None
    t = threading.Thread(target=fn, args=args)
    t.start()
    return t


def churn(body, make_lock):
    """WORKERS runs of body(lock, box, worst) LIVE at a time, each replaced
    as it ends (its done lock, released by the worker, says so)."""
    lock, box, worst = make_lock(), [0], [0]

    def worker(done):
        try:
            body(lock, box, worst)
        except BaseException as e:  # noqa: B902 - every exception is a finding
            errors.append(repr(e))
        done.release()
    slots, started, t0 = [None] * LIVE, 0, now()
    while True:
        busy = 0
        for i, s in enumerate(slots):
            if s is not None and s[0].acquire(False):
                if s[1] is not None:
                    s[1].join()
                slots[i] = s = None
            if s is None and started < WORKERS:
                done = thread.allocate_lock()
                done.acquire()
                slots[i] = (done, start(worker, done))
                started += 1
            busy += slots[i] is not None
        if not busy:
            break
        if now() - t0 > WATCHDOG * 1e9:
            errors.append("%d workers hung" % busy)
            break
        time.sleep(0.001)
    return {"expected": OPS * WORKERS, "got": box[0], "started": started,
            "worst_wait_ns": worst[0], "seconds": (now() - t0) / 1e9}


def add(box, i):
    """box[0] += 1, giving up the GIL halfway every 16th time."""
    if i % 16:
        box[0] += 1
    else:
        v = box[0]
        time.sleep(0)
        box[0] = v + 1


def add_under_lock(lock, box, worst):
    for i in range(OPS):
        t0 = now()
        got = lock.acquire(True, 10.0) if i % 4 == 3 else lock.acquire()
        w = now() - t0
        if w > worst[0]:
            worst[0] = w
        if got is False:
            errors.append("a 10 s timed acquire timed out")
            continue
        add(box, i)
        lock.release()


def add_under_rlock(lock, box, worst):
    for i in range(OPS):
        levels = 1 + i % 3
        t0 = now()
        got = lock.acquire(True, 10.0) if i % 4 == 3 else lock.acquire()
        w = now() - t0
        if w > worst[0]:
            worst[0] = w
        if not got:
            errors.append("a 10 s timed acquire timed out")
            continue
        for _ in range(levels - 1):
            lock.acquire()
        if not lock._is_owned():
            errors.append("RLock not owned by its holder")
        add(box, i)
        for _ in range(levels):
            lock.release()


def ring(make_lock):
    """2 producers and 2 consumers pass ITEMS through 4 slots: empty[s] and
    full[s] are binary semaphores, each released by a thread that did not
    acquire it."""
    slots = 4
    empty = [make_lock() for _ in range(slots)]
    full = [make_lock() for _ in range(slots)]
    for f in full:
        f.acquire()
    item, tickets, counts = [None] * slots, make_lock(), {"put": 0, "took": 0}
    seen = bytearray(ITEMS)
    worst = [0]

    def ticket(key):
        with tickets:
            t = counts[key]
            counts[key] += 1
        return t

    def down(lk):
        t0 = now()
        lk.acquire()
        w = now() - t0
        if w > worst[0]:
            worst[0] = w

    def producer():
        while True:
            t = ticket("put")
            if t >= ITEMS:
                return
            down(empty[t % slots])
            item[t % slots] = t
            full[t % slots].release()

    def consumer():
        while True:
            t = ticket("took")
            if t >= ITEMS:
                return
            down(full[t % slots])
            v = item[t % slots]
            empty[t % slots].release()
            seen[v] = min(seen[v] + 1, 255)

    dones, t0 = [], now()
    for fn in (producer, producer, consumer, consumer):
        done = thread.allocate_lock()
        done.acquire()

        def run(fn=fn, done=done):
            try:
                fn()
            except BaseException as e:  # noqa: B902
                errors.append(repr(e))
            done.release()
        dones.append((done, start(run)))
    for done, t in dones:
        if not done.acquire(True, max(0.0, WATCHDOG - (now() - t0) / 1e9)):
            errors.append("a ring thread hung")
        elif t is not None:
            t.join()
    return {"items": ITEMS, "once": seen.count(1), "lost": seen.count(0),
            "twice": ITEMS - seen.count(1) - seen.count(0), "threads": 4,
            "worst_wait_ns": worst[0], "seconds": (now() - t0) / 1e9}


sys.setswitchinterval(1e-5)
out = {}
if threading is None:
    variants = (("lock", churn, add_under_lock, thread.allocate_lock),
                ("ring", ring, thread.allocate_lock))
else:
    variants = (("lock", churn, add_under_lock, threading.Lock),
                ("rlock", churn, add_under_rlock, threading.RLock),
                ("ring", ring, threading.Lock))
for name, run, *args in variants:
    before = len(errors)
    out[name] = run(*args)
    out[name]["errors"] = errors[before:before + 5]
    out[name]["error_count"] = len(errors) - before
print(json.dumps(out), flush=True)
os._exit(0)  # hung threads, if any, cannot be joined
