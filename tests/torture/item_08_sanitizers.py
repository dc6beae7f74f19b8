"""make torture, item 8: sanitizers.

1. The Python tests (tests/python/test_*.py through run.py) against an
   ASan+UBSan build of the extension and of libthread under it, with gcc's
   ASan runtime preloaded into the interpreter (an uninstrumented program
   must load it first).  ASAN_OPTIONS has detect_leaks=0: CPython does not
   free everything at exit, so LeakSanitizer would report the
   interpreter's own allocations in every run (item 6 checks our leaks with
   valgrind and refcounts instead).  halt_on_error: the first report ends
   the run and fails its test.  Left out: test_shutdown (item 4's, and 300
   interpreter exits would not fit the budget); test_type_ready, whose child
   interpreters preload their own library (ready_check.so) with
   LD_PRELOAD, which puts it before ASan's runtime and makes ASan refuse
   to start.
2. TSan over the C tests of the parts added since the lock (rlock, join,
   fork, native ids and names) in a build of their own.

usage: item_08_sanitizers.py BUILD_DIR"""
import glob
import json
import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from builds import ROOT, asan_extension, cmake_build, result, say  # noqa: E402

EXCLUDED = {"test_shutdown": "item 4's", "test_type_ready": "its own LD_PRELOAD displaces ASan's"}
TSAN_FILES = ["test_rlock.c", "test_join.c", "test_fork.c", "test_native.c"]
REPORT = re.compile(r"ERROR: AddressSanitizer|runtime error:|ERROR: LeakSanitizer|"
                    r"WARNING: ThreadSanitizer|ThreadSanitizer:")


def python_under_asan(build):
    out = asan_extension(build)
    if out is None:
        return result(item=8, name="asan python", tried="Python tests, ASan+UBSan extension",
                      runs=0, failures=1, failed="ASan build failed")
    runtime = subprocess.run(["gcc", "-print-file-name=libasan.so"], capture_output=True,
                             text=True).stdout.strip()
    env = dict(os.environ, LD_PRELOAD=runtime, PYTHONPATH=os.path.join(out, "python"),
               ASAN_OPTIONS="detect_leaks=0:halt_on_error=1:abort_on_error=1",
               PYTHONMALLOC="malloc",  # objects from malloc, where ASan sees their bounds
               UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1")
    results = os.path.join(out, "test-results")
    here = os.path.join(ROOT, "tests", "python")
    passed = failed_tests = skipped = 0
    failed, t0 = [], time.monotonic()
    for path in sorted(glob.glob(os.path.join(here, "test_*.py"))):
        mod = os.path.basename(path)[:-3]
        if mod in EXCLUDED:
            say("  %-28s left out: %s" % (mod, EXCLUDED[mod]))
            continue
        t1 = time.monotonic()
        proc = subprocess.run([sys.executable, os.path.join(here, "run.py"), "asan." + mod,
                               results, mod], capture_output=True, text=True, env=env,
                              cwd=here, timeout=600)
        try:
            with open(os.path.join(results, "asan.%s.json" % mod)) as f:
                counts = json.load(f)
        except (OSError, ValueError):
            counts = {"passed": 0, "failed": 1, "skipped": 0}
        reports = [l for l in proc.stderr.splitlines() if REPORT.search(l)]
        bad = proc.returncode != 0 or counts["failed"] or reports
        say("  %-28s %3d passed, %d failed, %d skipped, %d sanitizer reports, %.0f s"
            % (mod, counts["passed"], counts["failed"], counts["skipped"], len(reports),
               time.monotonic() - t1))
        passed += counts["passed"]
        skipped += counts["skipped"]
        failed_tests += counts["failed"]
        if bad:
            failed.append("%s: %s" % (mod, (reports or ["exit %d" % proc.returncode])[0][:200]))
            say(proc.stderr[-4000:])
    return result(item=8, name="asan python", tried="Python tests (all but %s) on an "
                  "ASan+UBSan extension" % ", ".join(sorted(EXCLUDED)),
                  runs=passed + failed_tests, operations=passed, threads=0,
                  worst="%d failed, %d skipped, %d files with reports, %.0f s" % (
                      failed_tests, skipped, len(failed), time.monotonic() - t0),
                  failures=len(failed), failed="; ".join(failed)[:600])


def tsan_c_tests(build):
    out = os.path.join(build, "torture-tsan")
    ok, secs = cmake_build(out, ["-DTHREAD_PYTHON=OFF", "-DTHREAD_SANITIZE=thread",
                                 "-DCMAKE_BUILD_TYPE=Debug"], "thread_tests_futex")
    say("TSan build of the C tests: %s, %.0f s" % (ok and "ok" or "FAILED", secs))
    if not ok:
        return result(item=8, name="tsan", tried="TSan C tests", runs=0, failures=1,
                      failed="TSan build failed")
    exe = os.path.join(out, "tests", "thread_tests_futex")
    names = []
    for f in TSAN_FILES:
        with open(os.path.join(ROOT, "tests", f)) as src:
            names += re.findall(r"^TEST\(([a-z0-9_]+)\)", src.read(), re.M)
    env = dict(os.environ, TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1",
               THREAD_TEST_SCALE="0.2")
    failed, t0 = [], time.monotonic()
    for name in names:
        proc = subprocess.run([exe, name], capture_output=True, text=True, env=env, timeout=300)
        reports = [l for l in proc.stderr.splitlines() if REPORT.search(l)]
        # 77: the test skipped itself (it says why); anything else nonzero fails.
        if proc.returncode not in (0, 77) or reports:
            failed.append(name)
            say("  TSan %s: exit %d\n%s" % (name, proc.returncode, proc.stderr[-3000:]))
    say("  TSan: %d tests of %s in %.0f s, %d failed" % (len(names), ", ".join(TSAN_FILES),
                                                       time.monotonic() - t0, len(failed)))
    return result(item=8, name="tsan", tried="TSan on the C tests of rlock, join, fork, names",
                  runs=len(names), operations=len(names), threads=0,
                  worst="%d reports" % len(failed), failures=len(failed),
                  failed=", ".join(failed)[:600])


def main():
    build = os.path.abspath(sys.argv[1])
    t0 = time.monotonic()
    oks = [python_under_asan(build), tsan_c_tests(build)]
    say("item 8: %.0f s" % (time.monotonic() - t0))
    sys.exit(0 if all(oks) else 1)


if __name__ == "__main__":
    main()
