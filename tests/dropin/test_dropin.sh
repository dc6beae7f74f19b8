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
if ! command -v pyenv >/dev/null 2>&1; then
	echo "pyenv not found: nothing to test (skipped)"
	exit 0
fi
status=0
tested=0
for v in $(pyenv versions --bare 2>/dev/null); do
	py="$(pyenv root)/versions/$v/bin/python3"
	if [ ! -x "$py" ] || [ "$("$py" python/can_build.py 2>/dev/null)" != ON ]; then
		echo "$v: skipped (not CPython 3.8+ with headers)"
		continue
	fi
	if ! "$py" -S -c 'import test.test_threading' >/dev/null 2>&1; then
		echo "$v: skipped (no test package)"
		continue
	fi
	b="build-py$v"
	if ! { cmake -S . -B "$b" -DTHREAD_PYTHON=ON -DTHREAD_BENCH=OFF -DTHREAD_EXAMPLES=OFF \
	         -DPython3_EXECUTABLE="$py" >"$b.log" 2>&1 &&
	       cmake --build "$b" -j"$jobs" --target thread_python >>"$b.log" 2>&1; }; then
		echo "$v: BUILD FAILED (see $b.log)"
		status=1
		continue
	fi
	rm -f "$b.log"
	"$py" tests/dropin/run_suites.py "$b" || status=1
	tested=$((tested + 1))
done
echo "test-dropin: tested $tested interpreter(s)"
exit $status
