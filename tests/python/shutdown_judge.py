"""Judge the runs of test_shutdown.py: which failures are CPython's known
exit-time defect and which may be ours.  Pure functions over plain data,
so test_shutdown_judge.py can check them on made-up runs.

A run is a dict:
  "status"  exit status (negative: killed by that signal) or "hang"
  "out", "err"  what it printed
  "expect"  what a clean run prints on stdout (default "exit\n"): all of
            it printed means that the script and what it left for the
            exit (joins, atexit) had finished
  "stacks"  for a crash or a hang: {"threads": [...]} as shutdown_stacks.py
            reads them from the core, or None, with "why" saying why not.
A thread is {"main", "signalled", "holds_gil", "frames", "unread"}; frames
go innermost first, each {"function", "solib"} (solib None: the
executable); "unread" says why they stop short of the outermost, or is None."""
import math
import os
import re

# CPython 3.9 to 3.12 tear the interpreter down at exit while daemon
# threads may still be inside its own hand-over of the interpreter lock
# (python/cpython#110052, #87135); _thread's threads do the same.  3.8 and
# 3.13 have not shown it: there nothing is excused.
DEFECT_VERSIONS = ((3, 9), (3, 12))

# A wait in the kernel, as the C library names the frames of the call.
BLOCKING_CALL = re.compile(r"syscall|futex|_wait|sleep")
# The interpreter's own wait for its lock, as a thread back from a wait of
# ours re-enters it (PyEval_RestoreThread, outermost): the frames of it.
GIL_WAIT = {"PyCOND_TIMEDWAIT", "PyCOND_WAIT", "take_gil", "PyEval_RestoreThread"}


def has_defect(version):
    return DEFECT_VERSIONS[0] <= tuple(version[:2]) <= DEFECT_VERSIONS[1]


def is_cpython(frame):
    """The interpreter: the executable, or libpython when it is shared."""
    solib = frame["solib"]
    return solib is None or os.path.basename(solib).startswith("libpython")


def our_frame_test(module_file):
    """A predicate: is this frame in our extension module (libthread is
    linked into it), or in a shared libthread should a build make one?"""
    ours = os.path.realpath(module_file) if module_file else None

    def is_ours(frame):
        solib = frame["solib"]
        if solib is None:
            return False
        return (os.path.realpath(solib) == ours
                or re.match(r"libthread\.so", os.path.basename(solib)) is not None)
    return is_ours


def frames_of_ours_that_ran(thread, is_ours, is_core_of_a_hang):
    """The frames of ours in `thread` that may have taken part in the
    failure: all of them, minus two shapes that run nothing of ours.

    - The base of a thread we started: our entry functions, outermost (the
      C library's thread start around them aside), that had called into the
      interpreter: they are the callers of whatever runs above.  _thread's
      threads have CPython's entry in the same place.
    - A thread asleep in our lock's wait: inward of our frames only the C
      library, in a blocking call; outward of them the interpreter, which
      called the lock; and the interpreter's record says that this thread
      does not hold the interpreter lock (holds_gil False, not unknown).
      The thread that received the crash's signal is never taken for
      asleep; a hang's core was made by our SIGQUIT, which any thread may
      receive.
    - In a crash (not a hang), a thread back from our lock's wait and
      asleep in the interpreter's wait for its lock: as above, with the
      interpreter's own frames of that wait (take_gil under
      PyEval_RestoreThread) between the C library and ours.  It is where
      stock's threads are when they return from their lock, and they are
      CPython's; the interpreter runs our code again only once it has its
      lock.  In a hang such a thread still counts: it may be part of why
      nothing moves.
    Everything else of ours counts: a crash inside `with lock:`, our code
    spinning for the interpreter lock, our entry function in its own work."""
    frames = thread["frames"]
    ours = [is_ours(f) for f in frames]
    inner, outer = 0, len(frames)
    # The base: strip the C library's thread start, then our block, if the
    # frame just inward of that block is the interpreter.
    while outer > 0 and not ours[outer - 1] and not is_cpython(frames[outer - 1]):
        outer -= 1
    base = outer
    while base > 0 and ours[base - 1]:
        base -= 1
    if base < outer and base > 0 and is_cpython(frames[base - 1]):
        outer = base
    # A wait: the C library in a blocking call, called by a block of ours
    # that the interpreter called.
    if thread["holds_gil"] is False and (is_core_of_a_hang or not thread["signalled"]):
        lib = 0
        while lib < outer and not ours[lib] and not is_cpython(frames[lib]):
            lib += 1
        gil = lib
        if not is_core_of_a_hang:
            while (gil < outer and is_cpython(frames[gil])
                   and frames[gil]["function"] in GIL_WAIT):
                gil += 1
            names = [f["function"] for f in frames[lib:gil]]
            if gil > lib and ("take_gil" not in names or names[-1] != "PyEval_RestoreThread"):
                gil = lib  # not the whole wait for the interpreter lock
        block = gil
        while block < outer and ours[block]:
            block += 1
        if (0 < lib and gil < block < outer and is_cpython(frames[block])
                and BLOCKING_CALL.search(frames[0]["function"] or "")):
            inner = block
    return [f for f, o in zip(frames[inner:outer], ours[inner:outer]) if o]


def judge(run, version, is_ours):
    """"clean", "excused" (CPython's defect), or "failed", with a reason."""
    status, out, err = run["status"], run["out"], run["err"]
    expect = run.get("expect", "exit\n")
    if status == 0 and out == expect and err == "":
        return "clean", ""
    if status == 0 or (status != "hang" and status > 0):
        return "failed", "exit status %s" % status
    if not has_defect(version):
        return "failed", "%s; CPython %d.%d has no known defect at exit" % (
            describe(status), version[0], version[1])
    if out != expect:
        return "failed", "%s before the script finished" % describe(status)
    if run.get("stacks") is None:
        return "failed", "%s; its stacks could not be read: %s" % (
            describe(status), run.get("why", "?"))
    for thread in run["stacks"]["threads"]:
        if thread["unread"] and not is_without_registers(thread):
            # What was not read may hold a frame of ours.
            return "failed", "%s; a stack could not be read to its end: %s" % (
                describe(status), thread["unread"])
        ran = frames_of_ours_that_ran(thread, is_ours, status == "hang")
        if ran:
            return "failed", "%s with our %s in a %sthread" % (
                describe(status), ran[0]["function"] or "code",
                "main " if thread["main"] else "")
    return "excused", "%s in CPython's code only" % describe(status)


def is_without_registers(thread):
    """A thread the core has no registers for, so no frame at all: one the
    kernel was already ending, which runs nothing.  (Seen on 3.10 in 3 of
    the 15 crashes in 500 runs, with thread and _thread alike: the main
    thread, past finalisation, while a daemon thread crashed in take_gil.)"""
    return thread["frames"] == [] and "PC not available" in thread["unread"]


def describe(status):
    return "a hang" if status == "hang" else "signal %d" % -status


def p_not_above(ours, stock, runs_ours, runs_stock):
    """One-sided p-value for "ours fails more often than stock": given the
    ours + stock failures seen, the chance that ours would have at least
    `ours` of them were both rates equal (each failure is ours with
    probability runs_ours / (runs_ours + runs_stock)): the exact
    conditional test for two binomial (or Poisson) counts."""
    total = ours + stock
    share = runs_ours / (runs_ours + runs_stock)
    return sum(math.comb(total, k) * share ** k * (1 - share) ** (total - k)
               for k in range(ours, total + 1))
