"""Item 2, Python part (run by item_02_signals.py in `python -S`):
usage: child_signals.py FACE SECONDS MARGIN_MS
FACE "page": the page module's locks; "dropin": threading.Lock and RLock on
the drop-in.  8 workers hammer a lock (blocking and timed acquires that
must succeed) and make timed acquires of a lock held elsewhere, which must
time out no earlier than asked and at most MARGIN_MS late.  One sender
sends SIGUSR1 (SA_RESTART) and SIGALRM (no SA_RESTART) to the process and
to single workers, back to back; another sends SIGINT, to the process, to
the main thread or to a worker in turn, the next one as soon as main has
caught the KeyboardInterrupt for the last (none may be lost).  Main waits
meanwhile in blocking and timed acquires of held locks, which only a
KeyboardInterrupt ends.  Workers record any exception they see: none may
see one.  Prints one JSON line."""
import json
import os
import signal
import sys
import time

from locks_support import use_face

FACE = sys.argv[1]
SECONDS = float(sys.argv[2])
MARGIN = float(sys.argv[3]) / 1000
WORKERS = 8
thread, threading = use_face(FACE)
now = time.monotonic
alloc = thread.allocate_lock
handled = {"USR1": 0, "ALRM": 0}
signal.signal(signal.SIGUSR1, lambda s, f: handled.__setitem__("USR1", handled["USR1"] + 1))
signal.siginterrupt(signal.SIGUSR1, False)  # SA_RESTART
signal.signal(signal.SIGALRM, lambda s, f: handled.__setitem__("ALRM", handled["ALRM"] + 1))

state = {"stop": False, "stopping": False, "caught": 0, "sent": 0, "lost": 0,
         "latency": 0.0, "main_over": 0.0, "main_early": 0}
errors, idents = [], []
counter, held = alloc(), alloc()
held.acquire()  # main holds it all along: workers' timed acquires time out
rheld = threading.RLock() if threading else None
box = [0]
per = []


def start(fn, *args):
    if threading is None:
        thread.start_new_thread(fn, args)
    else:
        threading.Thread(target=fn, args=args, daemon=True).start()


def worker(k, done):
    mine = {"adds": 0, "timed": 0, "early": 0, "late": 0, "over": 0.0}
    per.append(mine)
    idents.append(thread.get_ident())
    i = 0
    while not state["stop"]:
        i += 1
        try:
            if i % 3 == 0:
                got = counter.acquire(True, 10.0)
                if not got:
                    errors.append("worker %d: a 10 s timed acquire timed out" % k)
                    continue
            else:
                counter.acquire()
            box[0] += 1
            mine["adds"] += 1
            counter.release()
            if i % 3 == 1:
                lk = rheld if rheld is not None and i % 2 else held
                timeout = 0.0005 + (i % 7) * 0.0005
                t0 = now()
                got = lk.acquire(True, timeout)
                over = now() - t0 - timeout
                mine["timed"] += 1
                if got:
                    errors.append("worker %d: acquired a lock held elsewhere" % k)
                mine["early"] += over < 0
                mine["late"] += over > MARGIN
                mine["over"] = max(mine["over"], over)
        except BaseException as e:  # noqa: B902 - every exception is a finding
            errors.append("worker %d: %r" % (k, e))
    done.release()


def hold_rlock(done):
    rheld.acquire()  # owned here: main's and workers' acquires must wait
    state["rlock_held"] = True
    while not state.get("release"):  # only once no worker can be waiting
        time.sleep(0.01)
    rheld.release()
    done.release()


def storm(done):
    """SIGUSR1 and SIGALRM back to back, to the process and to workers."""
    sent, i = 0, 0
    while not state["stop"]:
        i += 1
        sig = signal.SIGUSR1 if i % 2 else signal.SIGALRM
        if i % 4 < 2:
            os.kill(os.getpid(), sig)
        else:
            signal.pthread_kill(idents[i % len(idents)], sig)
        sent += 1
        time.sleep(0.0001)
    state["storm_sent"] = sent
    done.release()


def interrupter(main_ident, done):
    """SIGINT, the next as soon as main caught the last."""
    i = 0
    while not state.get("go"):  # main is ready to catch
        time.sleep(0.001)
    while not state["stopping"]:
        i += 1
        before = state["caught"]
        t0 = now()
        if i % 3 == 0:
            os.kill(os.getpid(), signal.SIGINT)
        elif i % 3 == 1:
            signal.pthread_kill(main_ident, signal.SIGINT)
        else:
            signal.pthread_kill(idents[i % len(idents)], signal.SIGINT)
        state["sent"] += 1
        while state["caught"] == before:
            if now() - t0 > 10:
                state["lost"] += 1
                break
            time.sleep(0.0002)
        state["latency"] = max(state["latency"], now() - t0)
    done.release()


def wait_for_interrupt(i):
    """Wait in a held lock until a KeyboardInterrupt ends it."""
    mode = i % 4
    lk = rheld if rheld is not None and i % 8 >= 4 else held
    if mode == 0:
        lk.acquire()
    elif mode == 1:
        lk.acquire(True, -1)
    else:
        while True:
            t0 = now()
            timeout = 0.002 * mode
            if lk.acquire(True, timeout):
                errors.append("main: acquired a lock held elsewhere")
                return
            over = now() - t0 - timeout
            state["main_over"] = max(state["main_over"], over)
            state["main_early"] += over < 0
    errors.append("main: the blocking acquire returned")


dones = [alloc() for _ in range(WORKERS + 3)]
for d in dones:
    d.acquire()
if rheld is not None:
    start(hold_rlock, dones[-1])
    while not state.get("rlock_held"):
        time.sleep(0.001)
else:
    dones[-1].release()
for k in range(WORKERS):
    start(worker, k, dones[k])
while len(idents) < WORKERS:
    time.sleep(0.001)
start(storm, dones[WORKERS])
start(interrupter, threading.get_ident() if threading else thread.get_ident(),
      dones[WORKERS + 1])
end = now() + SECONDS
i, loops = 0, 0
while True:  # the outer try takes an interrupt that lands in an except clause
    try:
        state["go"] = True
        while now() < end:
            i += 1
            try:
                wait_for_interrupt(i)
            except KeyboardInterrupt:
                state["caught"] += 1
        state["stopping"] = True
        dones[WORKERS + 1].acquire()  # the interrupter has stopped
        break
    except KeyboardInterrupt:
        state["caught"] += 1
        loops += 1
state["stop"] = True
for d in dones[:WORKERS + 1]:  # workers and storm; the interrupter's: above
    if not d.acquire(True, 30):
        errors.append("a thread did not end within 30 s of the stop")
state["release"] = True
if not dones[-1].acquire(True, 30):
    errors.append("the RLock holder did not end within 30 s of the stop")
out = {"face": FACE, "threads": WORKERS + 3, "expected": sum(m["adds"] for m in per),
       "got": box[0], "timed": sum(m["timed"] for m in per),
       "early": sum(m["early"] for m in per) + state["main_early"],
       "late": sum(m["late"] for m in per),
       "worst_overshoot_ns": int(1e9 * max([m["over"] for m in per] + [state["main_over"]])),
       "main_worst_overshoot_ns": int(1e9 * state["main_over"]),
       "sigint_sent": state["sent"], "keyboard_interrupts": state["caught"],
       "lost": state["lost"], "worst_interrupt_latency_ns": int(1e9 * state["latency"]),
       "outer_catches": loops, "storm_sent": state.get("storm_sent", 0),
       "handled": handled, "error_count": len(errors), "errors": errors[:5]}
print(json.dumps(out))
