#!/bin/sh
# CPython's thread suites (test_thread, test_threading, test_threadsignals,
# test_threading_local) on the stock _thread and on thread.dropin, with every
# CPython 3.8+ that pyenv provides, each with the extension built for it in
# build-py<version> (as test_pythons.sh builds it).  Fails if, on any of
# them, a test passes on stock but not on the drop-in or the pass counts
# differ.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
jobs=${JOBS:-2}
cd "$root"
. tests/python/pythons.sh

run_suites() { # version python build-dir
	if ! "$2" -S -c 'import test.test_threading' >/dev/null 2>&1; then
		echo "$1: no test package: CPython's suites cannot run here"
		return 1
	fi
	"$2" tests/dropin/run_suites.py "$3"
}

each_python run_suites thread_python
