#!/bin/sh
# Build the extension and run the Python tests with every CPython 3.8+ that
# pyenv provides, each in its own build directory (build-py<version>).
# Versions that are missing or cannot build (2.7, 3.6, 3.7) are skipped;
# without pyenv, or with no interpreter tested, it fails: it has shown
# nothing.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
jobs=${JOBS:-2}
cd "$root"
if ! command -v pyenv >/dev/null 2>&1; then
	echo "pyenv not found: no interpreter tested"
	exit 1
fi
status=0
tested=0
for v in $(pyenv versions --bare 2>/dev/null); do
	py="$(pyenv root)/versions/$v/bin/python3"
	if [ ! -x "$py" ] || [ "$("$py" python/can_build.py 2>/dev/null)" != ON ]; then
		echo "$v: skipped (not CPython 3.8+ with headers)"
		continue
	fi
	b="build-py$v"
	if ! { cmake -S . -B "$b" -DTHREAD_PYTHON=ON -DTHREAD_BENCH=OFF -DTHREAD_EXAMPLES=OFF \
	         -DPython3_EXECUTABLE="$py" >"$b.log" 2>&1 &&
	       cmake --build "$b" -j"$jobs" --target thread_python thread_python_checks \
	             >>"$b.log" 2>&1; }; then
		echo "$v: BUILD FAILED (see $b.log)"
		status=1
		continue
	fi
	rm -f "$b.log"
	rm -rf "$b/test-results"
	ctest --test-dir "$b" -L python -j"$jobs" --output-on-failure \
	      --output-junit ctest.xml >"$b/ctest-python.log" 2>&1
	printf '%s: ' "$v"
	if ! python3 tests/summary.py "$b"; then
		grep -E '\*\*\*|FAIL|Error' "$b/ctest-python.log" | head -20
		status=1
	fi
	tested=$((tested + 1))
done
echo "tested $tested interpreter(s)"
if [ "$tested" -eq 0 ]; then
	exit 1
fi
exit $status
