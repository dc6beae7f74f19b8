"""thread (ours) vs CPython's _thread, from Python, in one process.

Rounds are interleaved (every workload runs for both modules in each round,
the order alternating), the first round is warm-up and dropped, and each
cell is the median of the remaining rounds with min and max.  Ratio is
thread/_thread (below 1: ours is faster).  Micro rows report nanoseconds
per operation with the cost of an empty loop of the same length taken off.

usage: PYTHONPATH=build/python python3 bench/bench_module.py [rounds]"""
import _thread
import os
import platform
import statistics
import subprocess
import sys
import time

import thread

ns = time.perf_counter_ns
MICRO_N = 200000


def empty_loop(n):
    t0 = ns()
    for _ in range(n):
        pass
    return ns() - t0


def b_acquire_release(mod):
    lock = mod.allocate_lock()
    n = MICRO_N
    t0 = ns()
    for _ in range(n):
        lock.acquire()
        lock.release()
    return (ns() - t0 - empty_loop(n)) / n


def b_acquire0_held(mod):
    lock = mod.allocate_lock()
    lock.acquire()
    n = MICRO_N
    t0 = ns()
    for _ in range(n):
        lock.acquire(0)
    return (ns() - t0 - empty_loop(n)) / n


def b_with(mod):
    lock = mod.allocate_lock()
    n = MICRO_N
    t0 = ns()
    for _ in range(n):
        with lock:
            pass
    return (ns() - t0 - empty_loop(n)) / n


def b_allocate_lock(mod):
    alloc = mod.allocate_lock
    n = MICRO_N
    t0 = ns()
    for _ in range(n):
        alloc()
    return (ns() - t0 - empty_loop(n)) / n


def b_get_ident(mod):
    get = mod.get_ident
    n = MICRO_N
    t0 = ns()
    for _ in range(n):
        get()
    return (ns() - t0 - empty_loop(n)) / n


def b_start_thread(mod, n=2000):
    ran = mod.allocate_lock()
    ran.acquire()
    start = mod.start_new_thread
    t0 = ns()
    for _ in range(n):
        start(ran.release, ())
        ran.acquire()
    return (ns() - t0) / n


def b_ping_pong(mod, n=20000):
    ping, pong, done = mod.allocate_lock(), mod.allocate_lock(), mod.allocate_lock()
    ping.acquire()
    pong.acquire()
    done.acquire()

    def other():
        for _ in range(n):
            ping.acquire()
            pong.release()
        done.release()
    mod.start_new_thread(other, ())
    t0 = ns()
    for _ in range(n):
        ping.release()
        pong.acquire()
    elapsed = ns() - t0
    done.acquire()
    return elapsed / n


def b_counter(mod, threads=4, m=20000):
    lock, finished = mod.allocate_lock(), mod.allocate_lock()
    box = [0, 0]
    finished.acquire()

    def work():
        for _ in range(m):
            with lock:
                box[0] += 1
        with lock:
            box[1] += 1
            if box[1] == threads:
                finished.release()
    t0 = ns()
    for _ in range(threads):
        mod.start_new_thread(work, ())
    finished.acquire()
    elapsed = ns() - t0
    assert box[0] == threads * m
    return elapsed / (threads * m)


# (label, function, target ratio)
ROWS = [
    ("acquire()+release()", b_acquire_release, 0.5),
    ("acquire(0) on a held lock", b_acquire0_held, 0.35),
    ("with lock:", b_with, 0.65),
    ("allocate_lock()", b_allocate_lock, 0.7),
    ("get_ident()", b_get_ident, 1.0),
    ("start_new_thread until run (2000 threads)", b_start_thread, 1.0),
    ("ping-pong, 2 threads, 2 locks (round trip)", b_ping_pong, 1.0),
    ("counter, 4 threads, 1 lock (per increment)", b_counter, 0.65),
]


def context():
    try:
        git = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                             text=True, cwd=os.path.dirname(os.path.abspath(__file__))).stdout.strip()
    except OSError:
        git = "?"
    cpu = platform.processor() or "?"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return git or "?", cpu


def fmt(v):
    return "%.0f" % v if v >= 100 else "%.1f" % v


def main():
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 21
    mods = [thread, _thread]
    results = {(label, m.__name__): [] for label, _, _ in ROWS for m in mods}
    for r in range(rounds + 1):
        order = mods if r % 2 == 0 else mods[::-1]
        for label, fn, _ in ROWS:
            for m in order:
                v = fn(m)
                if r > 0:  # round 0 is warm-up
                    results[(label, m.__name__)].append(v)
    git, cpu = context()
    print("### thread vs _thread, Python %s" % platform.python_version())
    print()
    print("%s, %d cores, git %s, %s; %d rounds (+1 warm-up), interleaved; "
          "ns per operation, median [min-max]; micro rows net of an empty loop."
          % (cpu, os.cpu_count() or 0, git, time.strftime("%Y-%m-%d"), rounds))
    print()
    print("| workload | thread | _thread | ratio | target |")
    print("|---|---|---|---|---|")
    for label, _, target in ROWS:
        a, b = results[(label, "thread")], results[(label, "_thread")]
        ma, mb = statistics.median(a), statistics.median(b)
        ratio = ma / mb if mb > 0 else float("nan")
        print("| %s | %s [%s-%s] | %s [%s-%s] | %.2fx | <= %.2fx%s |" % (
            label, fmt(ma), fmt(min(a)), fmt(max(a)), fmt(mb), fmt(min(b)), fmt(max(b)),
            ratio, target, "" if ratio <= target else " (missed)"))
    sa, sb = sys.getsizeof(thread.allocate_lock()), sys.getsizeof(_thread.allocate_lock())
    print("| lock object size, bytes | %d | %d | %.2fx | <= 32 B%s |" % (
        sa, sb, sa / sb, "" if sa <= 32 else " (missed)"))


if __name__ == "__main__":
    main()
