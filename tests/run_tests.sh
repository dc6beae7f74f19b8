#!/bin/sh
# Run every test CTest knows in build dir $1 and end with "N passed, M failed".
set -u
build=${1:-build}
jobs=${JOBS:-2}
log="$build/ctest.log"
rm -rf "$build/test-results" "$build/ctest.xml"
ctest --test-dir "$build" -j"$jobs" --output-on-failure --output-junit ctest.xml >"$log" 2>&1
rc=$?
grep -E 'Test +#|tests passed|Failed|\*\*\*' "$log" | grep -v ' Passed ' || true
python3 "$(dirname "$0")/summary.py" "$build" || exit 1
exit $rc
