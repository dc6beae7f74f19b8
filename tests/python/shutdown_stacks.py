"""Run by gdb on a core file (gdb -batch -x shutdown_stacks.py PYTHON CORE):
print every thread's C stack as one JSON line after the word STACKS.

Per thread: "lwp" (kernel thread id), "main" (its id is the process id),
"signalled" (gdb's selected thread of a core: the one that received the
signal that dumped it), "holds_gil" (it held the interpreter lock, as the
interpreter's own record says), and "frames" innermost first, each
{"function", "solib"}: the function's name, or null, and the shared object
that holds the pc, or null for the executable itself.  "unread" says why a
stack could not be read to its outermost frame, or is null.  "gil" says
where the lock's holder was read, or why it could not be."""
import json

import gdb  # only inside gdb


# Where the C library starts the main thread and the others.
THREAD_STARTS = ("_start", "__libc_start_main", "__libc_start_call_main", "start_thread",
                 "clone", "clone3")


def frames_of(thread, limit=400):
    """(frames, None) read to the outermost, or (frames so far, why not)."""
    thread.switch()
    frames = []
    frame, younger = gdb.newest_frame(), None
    while len(frames) < limit:
        pc = frame.pc()
        # A caller's pc is the return address, which may already lie past the
        # call's function; one byte back is inside it.  The innermost frame
        # and one a signal interrupted have the exact pc.
        exact = (younger is None or younger.type() == gdb.SIGTRAMP_FRAME
                 or frame.type() != gdb.NORMAL_FRAME)
        if pc == 0 and not exact:
            # A return to address 0 ends a thread's stack, beyond its start
            # (clone3 leaves it there); anywhere else the unwinding went wrong.
            if frames and frames[-1]["function"] in THREAD_STARTS:
                return frames, None
            return frames, "a caller at address 0"
        # pc 0 where exact: a call through a null pointer; its caller follows.
        frames.append({"function": frame.name() or ("address 0" if pc == 0 else None),
                       "solib": gdb.solib_name(pc if exact else pc - 1) if pc else None})
        younger, older = frame, frame.older()
        if older is None:
            reason = frame.unwind_stop_reason()
            if reason in (gdb.FRAME_UNWIND_NO_REASON, gdb.FRAME_UNWIND_OUTERMOST):
                return frames, None
            return frames, gdb.frame_stop_reason_string(reason)
        frame = older
    return frames, "more than %d frames" % limit


# Where CPython keeps the interpreter lock: one per interpreter from 3.12,
# one per runtime before.  Its fields are atomics with a _value inside
# until 3.13.
GIL_PLACES = ("_PyRuntime.interpreters.main->ceval.gil", "&_PyRuntime.ceval.gil")


def field(value, name):
    value = value[name]
    try:
        return value["_value"]
    except gdb.error:
        return value


def gil_holder():
    """(pthread id of the thread holding the interpreter lock, or 0 when
    nobody holds it; how it was read), or (None, why not)."""
    errors = []
    for place in GIL_PLACES:
        try:
            gil = gdb.parse_and_eval(place).dereference()
            if int(field(gil, "locked")) == 0:
                return 0, place
            holder = field(gil, "last_holder").cast(gdb.lookup_type("PyThreadState").pointer())
            return int(holder.dereference()["thread_id"]), place
        except gdb.error as e:
            errors.append("%s: %s" % (place, e))
    return None, "; ".join(errors)


def main():
    inferior = gdb.selected_inferior()
    signalled = gdb.selected_thread()
    holder, how = gil_holder()
    threads = []
    for thread in inferior.threads():
        pid, lwp, _ = thread.ptid
        try:
            ident = int.from_bytes(thread.handle(), "little")
        except Exception:  # gdb.error, or RuntimeError: no pthread for it
            ident = None
        try:
            frames, unread = frames_of(thread)
        except Exception as e:
            frames, unread = [], "%s: %s" % (type(e).__name__, e)
        threads.append({"lwp": lwp, "main": lwp == inferior.pid,
                        "signalled": thread == signalled,
                        "holds_gil": None if holder is None or ident is None
                        else bool(holder) and ident == holder,
                        "frames": frames, "unread": unread})
    print("STACKS " + json.dumps({"threads": threads, "gil": how}))


main()
