"""What items 6-8 of make torture share: the scale, RESULT rows, Debian
packages installed when missing, and the extra builds of the extension
(debug interpreter, ASan+UBSan), each in its own directory under BUILD_DIR
so `make clean` removes them and a second item reuses the first's build."""
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SCALE = float(os.environ.get("TORTURE_SCALE", "1"))
DEBUG_PYTHON = "/usr/bin/python3.11-dbg"


def scaled(n, least=1):
    return max(least, int(n * SCALE))


def result(**row):
    print("RESULT " + json.dumps(row), flush=True)
    return row.get("failures", 1) == 0


def say(text):
    print(text, flush=True)


def need(*packages):
    """apt-get install those of `packages` that are missing (CI is root on a
    clean machine with no stdin); False when that fails."""
    missing = [p for p in packages if subprocess.run(
        ["dpkg-query", "-W", "-f=${Status}", p], capture_output=True,
        text=True).stdout.find("ok installed") < 0]
    if not missing:
        return True
    say("installing " + " ".join(missing))
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    for cmd in (["apt-get", "update", "-q"],
                ["apt-get", "install", "-y", "-q", "--no-install-recommends"] + missing):
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
        if proc.returncode:
            say(proc.stdout[-2000:] + proc.stderr[-2000:])
            return False
    return True


def cmake_build(build_dir, options, target, env=None):
    """Configure (once) and build `target` in `build_dir` with -j1 under
    nice; returns (ok, seconds)."""
    t0 = time.monotonic()
    steps = []
    if not os.path.exists(os.path.join(build_dir, "CMakeCache.txt")):
        steps.append(["cmake", "-S", ROOT, "-B", build_dir, "-DTHREAD_BENCH=OFF",
                      "-DTHREAD_EXAMPLES=OFF"] + options)
    steps.append(["nice", "-n", "10", "cmake", "--build", build_dir, "-j1",
                  "--target", target])
    for cmd in steps:
        proc = subprocess.run(cmd, capture_output=True, text=True,
                              env=dict(os.environ, **(env or {})))
        if proc.returncode:
            say(" ".join(cmd) + " failed:\n" + proc.stdout[-3000:] + proc.stderr[-3000:])
            return False, time.monotonic() - t0
    return True, time.monotonic() - t0


def debug_extension(build):
    """The extension built for Debian's debug interpreter (python3.11-dbg,
    whose headers come with libpython3.11-dbg, its dependency); returns the
    directory holding thread.cpython-311d-*.so, or None.
    Debian's /usr/include/python3.11d holds symlinks into python3.11, and
    with the -isystem that CMake gives imported include directories gcc
    finds Python.h's "pyconfig.h" beside the link's target: the release
    one, without Py_DEBUG, so the extension would not count its references
    in sys.gettotalrefcount().  -I (CMAKE_NO_SYSTEM_FROM_IMPORTED) keeps
    the debug pyconfig.h (without it, item 6 sees about 74 phantom
    references a repetition and fails)."""
    if not need("python3.11-dbg"):
        return None
    out = os.path.join(build, "torture-pydbg")
    ok, secs = cmake_build(out, ["-DTHREAD_PYTHON=ON", "-DTHREAD_TESTS=OFF",
                                 "-DCMAKE_NO_SYSTEM_FROM_IMPORTED=ON",
                                 "-DPython3_EXECUTABLE=" + DEBUG_PYTHON], "thread_python")
    say("debug-interpreter build of the extension: %s, %.0f s" % (ok and "ok" or "FAILED", secs))
    return os.path.join(out, "python") if ok else None


def asan_extension(build):
    """The extension (and libthread under it) built with ASan+UBSan for the
    default python3; returns the directory holding it, or None."""
    out = os.path.join(build, "torture-pyasan")
    ok, secs = cmake_build(out, ["-DTHREAD_PYTHON=ON", "-DTHREAD_SANITIZE=address,undefined",
                                 "-DCMAKE_BUILD_TYPE=Debug", "-DTHREAD_TESTS=OFF",
                                 "-DPython3_EXECUTABLE=" + sys.executable], "thread_python")
    say("ASan+UBSan build of the extension: %s, %.0f s" % (ok and "ok" or "FAILED", secs))
    return out if ok else None
