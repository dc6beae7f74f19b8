#!/bin/sh
# Build the extension and run the Python tests with every CPython 3.8+ that
# pyenv provides (pythons.sh says which, and when this fails).
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
jobs=${JOBS:-2}
cd "$root"
. tests/python/pythons.sh

# Every Python test but test_shutdown, whose hundreds of exits per version
# make torture runs (tests/torture/item_04_shutdown.py), with the stock
# module beside it.
run_tests() { # version python build-dir
	rm -rf "$3/test-results"
	ctest --test-dir "$3" -L python -E 'python[.]test_shutdown$' -j"$jobs" --output-on-failure \
	      --output-junit ctest.xml >"$3/ctest-python.log" 2>&1
	printf '%s: ' "$1"
	if ! python3 tests/summary.py "$3"; then
		grep -E '\*\*\*|FAIL|Error' "$3/ctest-python.log" | head -20
		return 1
	fi
}

each_python run_tests thread_python thread_python_checks
