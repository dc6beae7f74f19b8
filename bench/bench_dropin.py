"""threading on the drop-in (thread.dropin standing in for _thread) against
threading on the stock _thread, on the running interpreter.

Every measurement runs in a fresh `python -S` child, so each variant gets an
interpreter whose threading was imported on it.  Rounds are interleaved:
every workload runs for both variants in each round, the order alternating;
round 0 is warm-up and dropped; each cell is the median of the rest, with
the ratio drop-in/stock (below 1: the drop-in is faster).

usage: PYTHONPATH=build/python python3 bench/bench_dropin.py [rounds [workload,...]]
(the workloads are the names in WORKLOADS; all of them by default)"""
import os
import platform
import statistics
import subprocess
import sys

# The child: set up the variant, import threading, time one workload and
# print nanoseconds per operation.
CHILD = r"""
import sys
variant, workload, build = sys.argv[1:4]
if variant == "dropin":
    sys.path.insert(0, build)
    import thread
    sys.modules["_thread"] = thread.dropin
import threading, queue, time
from concurrent.futures import ThreadPoolExecutor
assert (type(threading.Lock()).__module__ == "_thread")
if variant == "dropin":
    assert threading._allocate_lock is thread.dropin.allocate_lock
ns = time.perf_counter_ns

def loop(n, body):
    t0 = ns()
    body(n)
    return (ns() - t0) / n

def lock_acq_rel(n):
    l = threading.Lock()
    a, r = l.acquire, l.release
    for _ in range(n):
        a(); r()

def with_lock(n):
    l = threading.Lock()
    for _ in range(n):
        with l:
            pass

def rlock_nested(n):
    l = threading.RLock()
    for _ in range(n):
        l.acquire(); l.acquire(); l.release(); l.release()

def semaphore(n):
    s = threading.Semaphore()
    for _ in range(n):
        s.acquire(); s.release()

def local_get_set(n):
    d = threading.local()
    d.x = 0
    for _ in range(n):
        d.x = d.x + 1

def ping_pong(n, make):
    # Two threads take turns n times through a pair of one-shot signals.
    ping, pong = make(), make()
    def other():
        for _ in range(n):
            ping.wait_for_turn()
            pong.give_turn()
    t = threading.Thread(target=other)
    t.start()
    for _ in range(n):
        ping.give_turn()
        pong.wait_for_turn()
    t.join()

class EventTurn:
    def __init__(self):
        self.e = threading.Event()
    def give_turn(self):
        self.e.set()
    def wait_for_turn(self):
        self.e.wait(); self.e.clear()

class ConditionTurn:
    def __init__(self):
        self.c = threading.Condition()
        self.ready = False
    def give_turn(self):
        with self.c:
            self.ready = True
            self.c.notify()
    def wait_for_turn(self):
        with self.c:
            while not self.ready:
                self.c.wait()
            self.ready = False

def event_ping_pong(n):
    ping_pong(n, EventTurn)

def condition_ping_pong(n):
    ping_pong(n, ConditionTurn)

def queue_put_get(n):
    q = queue.Queue()
    def consumer():
        for _ in range(n):
            q.get()
    t = threading.Thread(target=consumer)
    t.start()
    for i in range(n):
        q.put(i)
    t.join()

def thread_start_join(n):
    for _ in range(n):
        t = threading.Thread(target=int)
        t.start()
        t.join()

def pool_submit_result(n):
    with ThreadPoolExecutor(max_workers=2) as pool:
        for _ in range(n):
            pool.submit(int).result()

N = {"lock_acq_rel": 200000, "with_lock": 200000, "rlock_nested": 100000,
     "semaphore": 100000, "local_get_set": 200000, "event_ping_pong": 5000,
     "condition_ping_pong": 5000, "queue_put_get": 20000, "thread_start_join": 1000,
     "pool_submit_result": 5000}
fn = globals()[workload]
fn(min(1000, N[workload]))  # warm the code paths
print(loop(N[workload], fn))
"""

WORKLOADS = [
    ("lock_acq_rel", "`Lock` acquire+release", 0.6),
    ("with_lock", "`with Lock`", 0.6),
    ("rlock_nested", "`RLock` acquire+release nested twice", 0.7),
    ("condition_ping_pong", "`Condition` ping-pong, two threads", 0.7),
    ("event_ping_pong", "`Event` ping-pong, two threads", 0.7),
    ("queue_put_get", "`queue.Queue` put/get, producer and consumer", 0.9),
    ("semaphore", "`Semaphore` acquire+release", 0.9),
    ("thread_start_join", "`Thread` start+join", 1.05),
    ("pool_submit_result", "`ThreadPoolExecutor` submit+result", 1.05),
    ("local_get_set", "`threading.local` attribute get+set", 1.05),
]


def run(variant, workload, build):
    out = subprocess.run([sys.executable, "-S", "-c", CHILD, variant, workload, build],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=300)
    if out.returncode != 0:
        raise RuntimeError("%s/%s failed: %s" % (variant, workload, out.stderr.decode()))
    return float(out.stdout.decode().split()[-1])


def main():
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 11
    if len(sys.argv) > 2:
        only = sys.argv[2].split(",")
        unknown = set(only) - {w for w, _, _ in WORKLOADS}
        if unknown:
            sys.exit("unknown workload(s): %s" % ", ".join(sorted(unknown)))
        WORKLOADS[:] = [w for w in WORKLOADS if w[0] in only]
    build = os.path.dirname(os.path.abspath(__import__("thread").__file__))
    samples = {(w, v): [] for w, _, _ in WORKLOADS for v in ("stock", "dropin")}
    for r in range(rounds + 1):
        for w, _, _ in WORKLOADS:
            order = ("stock", "dropin") if (r % 2 == 0) else ("dropin", "stock")
            for v in order:
                t = run(v, w, build)
                if r > 0:  # round 0 warms caches and the page cache
                    samples[(w, v)].append(t)
    v = sys.version_info
    print("## threading on the drop-in vs the stock _thread, CPython %d.%d.%d "
          "(%s; %d rounds, medians, ns/op)" % (v[0], v[1], v[2], platform.machine(), rounds))
    print()
    print("| workload | stock | drop-in | ratio | target |")
    print("|---|---:|---:|---:|---|")
    for w, label, target in WORKLOADS:
        s = statistics.median(samples[(w, "stock")])
        d = statistics.median(samples[(w, "dropin")])
        ratio = d / s
        mark = "met" if ratio <= target else "MISSED"
        print("| %s | %.1f | %.1f | %.2fx | <= %.2fx %s |" % (label, s, d, ratio, target, mark))


if __name__ == "__main__":
    main()
