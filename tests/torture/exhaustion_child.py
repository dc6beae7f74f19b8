"""Item 5's Python side, one face and one limit per process:
    exhaustion_child.py FACE LIMIT REFUSALS
FACE: page (thread.start_new_thread), dropin (threading on thread.dropin:
run with -S so install() comes first), stock (threading on _thread).
LIMIT: nproc (as user nobody: root drops to it after the imports, with
RLIMIT_NPROC 1) or as (RLIMIT_AS a little above what is mapped now).
Refused starts are counted with their exception's type and message (a
thread that starts anyway lives until the round ends, so only the first
few starts can); after
the soft limit is back at the hard one threads start again; file
descriptors, threads, RSS and the interpreter's allocated blocks are
compared before and after.  Under `as` the face's allocate_lock is called
until it fails, which must be MemoryError.  Prints "FIGURES {json}"."""
import ctypes
import gc
import json
import os
import resource
import sys
import time

FACE, LIMIT, REFUSALS = sys.argv[1], sys.argv[2], int(sys.argv[3])
if FACE == "dropin":
    import thread
    thread.install()
import threading  # noqa: E402
if FACE == "stock":
    import _thread as thread
else:
    import thread  # noqa: F811

NOBODY = 65534
LOCK_CAP = 1 << 22
ran = thread.allocate_lock()
ran.acquire()
# Held while a limit is in force: a thread that starts anyway waits on it,
# so the stack it got from the C library's cache stays its own until the
# round ends and the cache empties after a few starts.  Threads that ended
# at once would hand their stacks on, and on a fast enough machine every
# start would succeed.
hold = thread.allocate_lock()
holding = []  # the threads (threading faces) started while held


def note_run():
    ran.release()


def note_run_and_hold():
    ran.release()
    hold.acquire()
    hold.release()  # for the next held thread


def start(held=False):
    target = note_run_and_hold if held else note_run
    if FACE == "page":
        thread.start_new_thread(target, ())
        ran.acquire()
    else:
        t = threading.Thread(target=target)
        t.start()
        ran.acquire()
        if held:
            holding.append(t)
        else:
            t.join()


def set_stack_size(size):
    # The page has no stack_size(); the drop-in's sets libthread's, which
    # the page's start_new_thread uses too.
    (thread.dropin.stack_size if FACE == "page" else threading.stack_size)(size)


def vm_kb(field):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])


class Mallinfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in (
        "arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks",
        "fordblks", "keepcost")]


def heap_in_use():
    """The C library's heap in use (glibc's mallinfo2): what libthread
    mallocs for a start (its boot record) is there, not in Python's blocks."""
    libc = ctypes.CDLL(None)
    libc.mallinfo2.restype = Mallinfo2
    return libc.mallinfo2().uordblks


def measure():
    gc.collect()
    # A thread that ran its last Python line may still be ending in the
    # C library: wait (2 s at most) until only this one is left.
    for _ in range(200):
        if len(os.listdir("/proc/self/task")) == 1:
            break
        time.sleep(0.01)
    return {"fds": len(os.listdir("/proc/self/fd")) - 1,
            "tasks": len(os.listdir("/proc/self/task")),
            "rss_kb": vm_kb("VmRSS"), "blocks": sys.getallocatedblocks(),
            "heap": heap_in_use(),
            "active": threading.active_count()}


def limited_round(refusals):
    resource_ = resource.RLIMIT_AS if LIMIT == "as" else resource.RLIMIT_NPROC
    soft, hard = resource.getrlimit(resource_)
    errors, started = {}, 0
    limit = (vm_kb("VmSize") + 4096) * 1024 if LIMIT == "as" else 1
    if LIMIT == "as":
        # Larger than the room left, and than any stack the C library has
        # cached from the threads before (it would reuse one).
        set_stack_size(64 << 20)
    hold.acquire()
    resource.setrlimit(resource_, (limit, hard))
    try:
        for _ in range(refusals):
            try:
                start(held=True)
                started += 1  # the C library reused a cached stack
            except Exception as e:
                key = "%s: %s" % (type(e).__name__, e)
                errors[key] = errors.get(key, 0) + 1
    finally:
        resource.setrlimit(resource_, (soft, hard))
        hold.release()
    for t in holding:
        t.join()
    del holding[:]
    start()
    set_stack_size(0)
    return {"errors": errors, "started_anyway": started}


def locks_until_error(slots):
    """Allocate locks under RLIMIT_AS just above what is mapped now until
    one fails: (how many, the exception's type name, or None)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    alloc = thread.allocate_lock if FACE == "page" else threading.Lock
    locks, error = 0, None
    gc.disable()  # a million tracked objects: collections would take minutes
    resource.setrlimit(resource.RLIMIT_AS, ((vm_kb("VmSize") + 1024) * 1024, hard))
    try:
        # slots was made before the limit; each int i reuses the block its
        # predecessor freed: only the locks need memory.
        for i in range(LOCK_CAP):
            slots[i] = alloc()
            locks += 1
    except BaseException as e:
        error = type(e).__name__
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))
    gc.enable()
    slots[:] = [None] * LOCK_CAP
    return locks, error


if LIMIT == "nproc" and os.geteuid() == 0:
    os.setgid(NOBODY)
    os.setuid(NOBODY)
locks = (0, None)
if LIMIT == "as" and FACE != "stock":
    # Before any thread: the stacks the C library caches would leave room.
    slots = [None] * LOCK_CAP
    locks_until_error(slots)  # warm-up
    locks = locks_until_error(slots)
    del slots
    thread.allocate_lock()  # and one again, with the limit lifted
start()
limited_round(10)  # warm-up: one-time allocations are no leak
before = measure()
got = limited_round(REFUSALS)
after = measure()
got.update({"before": before, "after": after, "locks_until_error": locks[0],
            "lock_error": locks[1]})
print("FIGURES " + json.dumps(got), flush=True)
