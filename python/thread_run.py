"""Run a Python program with `threading` on thread.dropin.

    python [OPTIONS] -m thread_run PROGRAM [ARG ...]
    python [OPTIONS] -m thread_run -m MODULE [ARG ...]

does what `python [OPTIONS] PROGRAM ARG ...` or `python [OPTIONS] -m MODULE
ARG ...` does (sys.argv, sys.path[0], __main__, exit status), after
thread.install().  Where site-packages imported `threading` at start-up
(a .pth file can), install() moves it over; if it cannot (site started a
thread), it says so and the program does not run: use `python -S -m
thread_run ...` then.

The `thread` extension is a single module, not a package, so this runner
ships beside it as a module of its own."""
import os
import runpy
import sys

import thread

USAGE = "usage: python -m thread_run (PROGRAM | -m MODULE) [ARG ...]"


def _script_dir_first(program):
    """Put the program's directory where python puts it: first on sys.path,
    where `python -m thread_run` left the current directory.  Not in
    isolated (-I) or safe-path (-P) mode, where python adds nothing."""
    if sys.flags.isolated or getattr(sys.flags, "safe_path", False):
        return
    where = os.path.dirname(os.path.realpath(program))
    if sys.path:
        sys.path[0] = where
    else:
        sys.path.insert(0, where)


def main(argv):
    if not argv or argv[0] in ("-h", "--help"):
        print(USAGE, file=sys.stderr if not argv else sys.stdout)
        return 2 if not argv else 0
    if argv[0] == "-m" and len(argv) < 2:
        print(USAGE + "\nthread_run: -m needs a module name", file=sys.stderr)
        return 2
    try:
        thread.install()
    except thread.error as e:
        print("thread_run: %s" % e, file=sys.stderr)
        return 1
    if argv[0] == "-m":
        # run_module puts the module's file in sys.argv[0] while it runs.
        sys.argv = argv[1:]
        runpy.run_module(argv[1], run_name="__main__", alter_sys=True)
    else:
        sys.argv = list(argv)
        _script_dir_first(argv[0])
        runpy.run_path(argv[0], run_name="__main__")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
