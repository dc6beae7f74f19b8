"""make torture, item 7: the seeded fuzz driver one child interpreter runs.

usage: fuzz_faces.py FACE SEED CALLS REPS   (FACE: page or dropin)

Makes CALLS random calls of the face's public names and methods, with
random argument counts, types and values, REPS times over with the same
seed, and prints one line of JSON: calls made, outcomes by exception
type, the disallowed ones (at most 20, with the call), and
sys.gettotalrefcount() (on a debug interpreter) and RSS after each
repetition.  A crash or a hang is for the parent to see.

What a call may raise (the module's documentation: the reference page for
`thread`, the `_thread` documentation for the drop-in): TypeError,
ValueError, OverflowError, RuntimeError (thread.error is RuntimeError),
MemoryError; what an argument's own __index__/__float__/__bool__ raises
(Hostile); AttributeError only from a thread-local's attribute access and
from an argument without the attribute asked for; SystemExit only from
exit/exit_thread; KeyboardInterrupt only after interrupt_main.  Anything
else, from any call, is a failure."""
import gc
import json
import math
import os
import random
import sys

import thread

FACE, SEED, CALLS, REPS = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
if FACE == "dropin":
    thread.install()
    import threading
    import thread.dropin as mod
else:
    mod = thread
    import threading  # stock _thread: only to wait for our threads
ALLOWED = (TypeError, ValueError, OverflowError, RuntimeError, MemoryError)


class Hostile(Exception):
    """Raised by the hostile arguments' conversions: must come through."""


class BadIndex:
    def __index__(self):
        raise Hostile("__index__")


class BadFloat:
    def __float__(self):
        raise Hostile("__float__")


class BadBool:
    def __bool__(self):
        raise Hostile("__bool__")


class BadBoth(BadIndex, BadFloat, BadBool):
    pass


def rss():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096


class Fuzz:
    def __init__(self, rng):
        self.rng = rng
        self.locks = [mod.allocate_lock() for _ in range(4)]
        self.rlocks = [mod.RLock() for _ in range(2)] if FACE == "dropin" else []
        self.local = mod._local() if FACE == "dropin" else None
        self.interrupts = 0
        self.started = 0
        self.outcomes = {}
        self.bad = []

    # ---- what a started thread runs ---------------------------------------
    def fn_return(self, *a, **k):
        return a

    def fn_raise(self, *a, **k):
        raise ValueError("raised in a fuzzed thread")

    def fn_exit(self, *a, **k):
        mod.exit_thread()

    def fn_sys_exit(self, *a, **k):
        sys.exit(3)

    def fn_release(self, *a, **k):
        try:  # a lock released by a thread that did not take it
            self.rng_thread().choice(self.locks).release()
        except RuntimeError:
            pass

    def fn_hold(self, *a, **k):
        lk = self.rng_thread().choice(self.locks)
        if lk.acquire(True, 0.002):
            lk.release()

    def rng_thread(self):
        return random.Random()  # threads must not disturb the seeded stream

    # ---- values -------------------------------------------------------------
    def value(self, depth=0):
        r = self.rng
        pools = [
            lambda: r.choice([0, 1, -1, 2, 7, 2 ** 31, 2 ** 63 - 1, 2 ** 63, 2 ** 64,
                              -2 ** 63 - 1, 10 ** 30, -10 ** 30, True, False]),
            lambda: r.choice([math.nan, math.inf, -math.inf, -0.0, 0.0, 1e-9, 0.001,
                              -1.0, -1e-9, 1e300, mod.TIMEOUT_MAX,
                              mod.TIMEOUT_MAX * 1.0001, r.uniform(-2, 0.003)]),
            lambda: r.choice([None, "", "x", b"", [], {}, object(), 1j]),
            lambda: r.choice([BadIndex(), BadFloat(), BadBool(), BadBoth()]),
            lambda: r.choice(self.locks + self.rlocks),
            lambda: r.choice([self.fn_return, self.fn_raise, self.fn_exit, self.fn_sys_exit,
                              self.fn_release, self.fn_hold, len, int, 42, "notcallable"]),
            lambda: tuple(self.value(depth + 1) for _ in range(r.randrange(3))) if depth < 2 else (),
        ]
        return r.choice(pools)()

    def args(self):
        n = self.rng.choice([0, 0, 1, 1, 2, 2, 3, 5])
        return [self.value() for _ in range(n)]

    def kwargs(self):
        if self.rng.random() < 0.8:
            return {}
        name = self.rng.choice(["blocking", "timeout", "x", "kwargs"])
        return {name: self.value()}

    # ---- targets --------------------------------------------------------------
    def targets(self):
        """(label, callable, exceptions it may also raise)."""
        r = self.rng
        lk = r.choice(self.locks)
        out = [("allocate_lock", mod.allocate_lock, ()), ("get_ident", mod.get_ident, ()),
               ("exit", mod.exit, (SystemExit,)), ("exit_thread", mod.exit_thread, (SystemExit,)),
               ("start_new_thread", mod.start_new_thread, ()), ("error", mod.error, ()),
               ("LockType", mod.LockType, ()),
               ("lock.acquire", lk.acquire, ()), ("lock.release", lk.release, ()),
               ("lock.locked", lk.locked, ()), ("lock.__enter__", lk.__enter__, ()),
               ("lock.__exit__", lk.__exit__, ()), ("repr", repr, ())]
        if FACE == "page":
            out.append(("install", thread.install, ()))
            return out
        rl = r.choice(self.rlocks)
        loc = self.local
        out += [("allocate", mod.allocate, ()), ("start_new", mod.start_new, ()),
                ("get_native_id", mod.get_native_id, ()), ("_count", mod._count, ()),
                ("_set_sentinel", mod._set_sentinel, ()), ("RLock", mod.RLock, ()),
                ("_local", mod._local, ()), ("_excepthook", mod._excepthook, ()),
                ("_ExceptHookArgs", mod._ExceptHookArgs, ()),
                ("interrupt_main", self.interrupt_main, ()),
                ("stack_size", self.stack_size, ()),
                ("rlock.acquire", rl.acquire, ()), ("rlock.release", rl.release, ()),
                ("rlock._is_owned", rl._is_owned, ()),
                ("rlock._recursion_count", rl._recursion_count, ()),
                ("rlock.__enter__", rl.__enter__, ()), ("rlock.__exit__", rl.__exit__, ()),
                ("rlock.release_save_restore", lambda *a, **k: self.save_restore(rl, *a), ()),
                ("lock._at_fork_reinit", lk._at_fork_reinit, ()),
                ("local.setattr", lambda *a: setattr(loc, *a), (AttributeError,)),
                ("local.getattr", lambda *a: getattr(loc, *a), (AttributeError,)),
                ("local.delattr", lambda *a: delattr(loc, *a), (AttributeError,)),
                ("threading.Thread", self.threading_thread, ()),
                ("threading.Condition", self.condition, ())]
        return out

    def interrupt_main(self, *a, **k):
        self.interrupts += 1  # before: the interrupt may arrive at once
        try:
            mod.interrupt_main(*a, **k)
        except BaseException as e:
            if not isinstance(e, KeyboardInterrupt):
                self.interrupts -= 1
            raise

    def stack_size(self, *a, **k):
        try:
            return mod.stack_size(*a, **k)
        finally:
            mod.stack_size(0)  # a fuzzed tiny stack would crash our own threads

    def save_restore(self, rl, *a):
        rl.acquire()
        state = rl._release_save()
        try:
            rl._acquire_restore(a[0] if a else state)
        finally:
            rl._at_fork_reinit()  # an owner made up by the fuzz would block us forever

    def threading_thread(self, *a, **k):
        t = threading.Thread(target=self.rng.choice([self.fn_return, self.fn_raise,
                                                     self.fn_exit, self.fn_release]),
                             args=tuple(a[:2]))
        t.start()
        t.join(*a[2:3])

    def condition(self, *a, **k):
        c = threading.Condition(self.rng.choice(self.rlocks + [threading.Lock()]))
        t = a[0] if a else 0.001
        if t is None or isinstance(t, (int, float)) and not t <= 0.01:
            t = 0.001  # nobody notifies: an unbounded wait would be the driver's hang
        with c:
            c.wait(t)

    # ---- a repetition -----------------------------------------------------------
    def call(self):
        label, fn, extra = self.rng.choice(self.targets())
        args, kwargs = self.args(), self.kwargs()
        if label.startswith("start_new") and self.rng.random() < 0.5:
            # Well-formed half the time, so the functions that raise, exit
            # the thread or release a lock they never took do run.
            args = [self.rng.choice([self.fn_return, self.fn_raise, self.fn_exit,
                                     self.fn_sys_exit, self.fn_release, self.fn_hold]),
                    tuple(self.args())] + ([{}] if self.rng.random() < 0.3 else [])
        try:
            fn(*args, **kwargs)
            kind = "ok"
        except ALLOWED + (Hostile,) + extra as e:
            kind = type(e).__name__
        except KeyboardInterrupt:
            kind = "KeyboardInterrupt"
            if self.interrupts == 0:
                self.disallowed(label, args, kwargs, "KeyboardInterrupt without interrupt_main")
            self.interrupts = 0
        except BaseException as e:  # noqa: B902 -- judging exactly this
            kind = type(e).__name__
            self.disallowed(label, args, kwargs, "%s: %s" % (kind, e))
        self.outcomes[kind] = self.outcomes.get(kind, 0) + 1
        if kind == "ok" and label in ("start_new_thread", "start_new", "threading.Thread"):
            self.started += 1

    def disallowed(self, label, args, kwargs, what):
        if len(self.bad) < 20:
            self.bad.append("%s(*%r, **%r) raised %s" % (label, args, kwargs, what))
        else:
            self.bad.append("...")

    def settle(self):
        """Every fuzzed thread done, our locks free: a repetition's end."""
        nap = thread.allocate_lock()
        nap.acquire()
        deadline = 200
        while deadline and len(os.listdir("/proc/self/task")) > 1:
            nap.acquire(True, 0.005)
            deadline -= 1
        for lk in self.locks:
            lk.acquire(False)
            lk.release()
        for rl in self.rlocks:
            rl._at_fork_reinit()


def main():
    sys.unraisablehook = lambda u: None   # fuzzed threads raise on purpose
    threading.excepthook = lambda a: None
    marks = []
    fz = None
    for _ in range(REPS):
        rng = random.Random(SEED)
        fz = Fuzz(rng) if fz is None else fz
        fz.rng = rng
        # Plain locks go free every millisecond or so, released by a thread
        # that did not take them: no fuzzed blocking acquire waits for ever.
        stop = []

        def releaser():
            r = random.Random(SEED + 1)
            nap = thread.allocate_lock()
            nap.acquire()
            while not stop:
                nap.acquire(True, 0.001)
                try:
                    r.choice(fz.locks).release()
                except RuntimeError:
                    pass
        t = threading.Thread(target=releaser)
        t.start()
        for _ in range(CALLS):
            try:
                fz.call()
            except KeyboardInterrupt:  # arrived between calls
                if fz.interrupts == 0:
                    fz.disallowed("between calls", [], {}, "KeyboardInterrupt")
                fz.interrupts = 0
        stop.append(1)
        t.join()
        fz.settle()
        gc.collect()
        marks.append([getattr(sys, "gettotalrefcount", lambda: 0)(), rss()])
    print(json.dumps({"face": FACE, "seed": SEED, "calls": CALLS * REPS, "outcomes": fz.outcomes,
                      "threads": fz.started,
                      "bad": fz.bad, "marks": marks}), flush=True)


if __name__ == "__main__":
    main()
