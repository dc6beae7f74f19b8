"""make torture, item 7: bad input.

1. fuzz_faces.py on each Python face (the page module `thread`; the drop-in
   under `threading`): seeded random calls of every public name and
   method with random argument counts, types and values (the allowed
   exceptions are listed in fuzz_faces.py), on the debug interpreter with
   the extension built for it (item 6's build, reused) so that
   sys.gettotalrefcount() is exact.  The same seeded sequence runs three
   times in one process: refcount and RSS must be flat from the second
   repetition to the third.  A crash, a hang (the watchdog), a disallowed
   exception or a leak fails the row.  TORTURE_SEED=N replays a run.
2. libFuzzer over the C API (fuzz_capi.c) with ASan and UBSan, a fixed
   number of inputs.  Built here by invoking clang-14 straight on src/:
   the default build uses gcc, so a fuzz.cmake that only works when CMake
   was configured with clang would never run in `make torture`.

usage: item_07_fuzz.py BUILD_DIR"""
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from builds import DEBUG_PYTHON, HERE, ROOT, SCALE, debug_extension, need, result, say, scaled  # noqa: E402

REPS = 3
REFCOUNT_SLACK = 20    # a leak on one call in 250 shows above this
RSS_SLACK = 1 << 20    # from the second repetition to the third
WATCHDOG = 60 * max(1, SCALE)  # seconds per face; a run takes 3-10 s at scale 1
LIB_SOURCES = ["lock", "deadline", "error", "rlock", "join", "fork", "name",
               "thread_posix", "wait_futex"]


def fuzz_face(face, python, env, seed, calls):
    t0 = time.monotonic()
    try:
        proc = subprocess.run([python, os.path.join(HERE, "fuzz_faces.py"), face, str(seed),
                               str(calls), str(REPS)], capture_output=True, text=True,
                              env=env, timeout=WATCHDOG, cwd=ROOT)
    except subprocess.TimeoutExpired as e:
        say((e.stderr or b"")[-3000:] if isinstance(e.stderr, str) else "")
        return result(item=7, name="fuzz " + face, tried="fuzz of the %s face" % face,
                      runs=1, operations=0, failures=1, failed="hang: watchdog after %d s" % WATCHDOG)
    secs = time.monotonic() - t0
    out = [l for l in proc.stdout.splitlines() if l.startswith("{")]
    failed = []
    if proc.returncode != 0 or not out:
        failed.append("exit %d: %s" % (proc.returncode, proc.stderr[-1500:]))
        report = {"calls": 0, "outcomes": {}, "bad": [], "marks": [[0, 0]] * REPS}
    else:
        report = json.loads(out[-1])
    marks = report["marks"]
    dref = marks[-1][0] - marks[-2][0]
    drss = marks[-1][1] - marks[-2][1]
    say("  %s: seed %d, %d calls in %.1f s; outcomes %s" % (face, seed, report["calls"], secs,
                                                            report["outcomes"]))
    say("    refcount/RSS after each repetition: %s; last repetition: refcount %+d, RSS %+d KiB"
        % (", ".join("%d/%dKiB" % (m[0], m[1] >> 10) for m in marks), dref, drss >> 10))
    if report["bad"]:
        failed.append("%d disallowed: %s" % (len(report["bad"]), "; ".join(report["bad"][:3])))
        for b in report["bad"]:
            say("    DISALLOWED " + b)
    if abs(dref) > REFCOUNT_SLACK:
        failed.append("refcount moved %+d in the last repetition" % dref)
    if drss > RSS_SLACK:
        failed.append("RSS grew %d KiB in the last repetition" % (drss >> 10))
    return result(item=7, name="fuzz " + face,
                  tried="seeded fuzz of the %s face (seed %d), %d repetitions" % (
                      "page module" if face == "page" else "drop-in under threading",
                      seed, REPS),
                  runs=REPS, operations=report["calls"], threads=report.get("threads", 0),
                  worst="%d disallowed, refcount %+d, RSS %+d KiB in the last repetition"
                  % (len(report["bad"]), dref, drss >> 10),
                  failures=len(failed), failed="; ".join(failed)[:600])


def write_seeds(corpus):
    """Starting inputs: lock 0 and the rlock held, then every opcode with
    each edge timeout (fuzz_capi.c's take_timeout) and zero operands.  From
    an empty corpus libFuzzer seldom reaches a wait on a held lock with an
    extreme timeout, the place where deadline arithmetic would overflow."""
    prefix = bytes([0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 1])
    n = 0
    for op in range(30):
        for edge in range(10):
            with open(os.path.join(corpus, "seed-%d-%d" % (op, edge)), "wb") as f:
                f.write(prefix + bytes([op, 0, edge]) + bytes(12))
            n += 1
    return n


def libfuzzer(build, seed):
    runs = scaled(4000, least=100)
    out_dir = os.path.join(build, "torture-fuzz")
    exe = os.path.join(out_dir, "fuzz_capi")
    os.makedirs(out_dir, exist_ok=True)
    if not need("clang-14", "libclang-rt-14-dev"):
        return result(item=7, name="libfuzzer", tried="libFuzzer over the C API", runs=0,
                      failures=1, failed="clang-14 could not be installed")
    t0 = time.monotonic()
    srcs = [os.path.join(ROOT, "src", s + ".c") for s in LIB_SOURCES]
    cmd = ["nice", "-n", "10", "clang-14", "-g", "-O1",
           "-fsanitize=fuzzer,address,undefined", "-fno-sanitize-recover=all",
           "-D_GNU_SOURCE", "-DTHREAD_HAVE_PTHREAD_SETNAME_NP", "-DTHREAD_HAVE_PTHREAD_GETNAME_NP",
           "-I" + os.path.join(ROOT, "include"), "-I" + os.path.join(ROOT, "src"),
           os.path.join(HERE, "fuzz_capi.c")] + srcs + ["-lpthread", "-o", exe]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode:
        say(proc.stderr[-3000:])
        return result(item=7, name="libfuzzer", tried="libFuzzer over the C API", runs=0,
                      failures=1, failed="build failed")
    built = time.monotonic() - t0
    corpus = tempfile.mkdtemp(prefix="fuzz_capi.")
    seeds = write_seeds(corpus)
    try:
        proc = subprocess.run([exe, "-runs=%d" % runs, "-seed=%d" % seed, "-max_len=256",
                               "-timeout=20", "-artifact_prefix=" + out_dir + "/", corpus],
                              capture_output=True, text=True, timeout=WATCHDOG)
        log, rc = proc.stderr, proc.returncode
    except subprocess.TimeoutExpired:
        log, rc = "", "hang"
    finally:
        shutil.rmtree(corpus, ignore_errors=True)
    secs = time.monotonic() - t0 - built
    done = re.search(r"Done (\d+) runs in (\d+) second", log)
    cov = re.findall(r"cov: (\d+) ft: (\d+)", log)
    execs = int(done.group(1)) if done else 0
    say("  libFuzzer: built in %.0f s; %d seed inputs, then %d inputs (seed %d) in %.0f s, "
        "exit %s; coverage %s" % (built, seeds, execs, seed, secs, rc, "cov %s ft %s" % cov[-1] if cov else "?"))
    failed = ""
    if rc != 0 or not done:
        failed = "exit %s: %s" % (rc, "\n".join(l for l in log.splitlines()
                                                if "ERROR" in l or "fuzz_capi:" in l or
                                                "runtime error" in l)[:500])
        say(log[-4000:])
    return result(item=7, name="libfuzzer", tried="libFuzzer+ASan+UBSan over the C API "
                  "(NULLs, flags, timeouts, stack sizes, lock and rlock states)",
                  runs=1, operations=execs, threads=0,
                  worst="%s" % ("coverage %s edges" % cov[-1][0] if cov else "no run"),
                  failures=1 if failed else 0, failed=failed)


def main():
    build = os.path.abspath(sys.argv[1])
    seed = int(os.environ.get("TORTURE_SEED") or random.SystemRandom().randrange(1, 2 ** 31))
    say("seed %d (TORTURE_SEED=%d replays this run)" % (seed, seed))
    t0 = time.monotonic()
    where = debug_extension(build)
    if where:
        python, env = DEBUG_PYTHON, dict(os.environ, PYTHONPATH=where)
    else:  # still fuzzed, but refcounts are not available
        python, env = sys.executable, dict(os.environ)
    calls = scaled(10000, least=200)
    oks = [fuzz_face("page", python, env, seed, calls),
           fuzz_face("dropin", python, env, seed, calls),
           libfuzzer(build, seed)]
    if not where:
        oks.append(result(item=7, name="fuzz refcounts", tried="the fuzz on python3.11-dbg",
                          runs=0, failures=1, failed="no debug build: refcounts unchecked"))
    say("item 7: %.0f s" % (time.monotonic() - t0))
    sys.exit(0 if all(oks) else 1)


if __name__ == "__main__":
    main()
