#!/bin/sh
# `make run`: run every example (C programs from build dir $1, Python
# programs with interpreter $2 and the extension in $1/python).
set -u
build=${1:-build}
python=${2:-python3}
failed=0
for exe in "$build"/examples/*; do
	[ -f "$exe" ] && [ -x "$exe" ] || continue
	echo "== $(basename "$exe")"
	"$exe" || { echo "FAILED: $exe"; failed=1; }
done
for py in "$(dirname "$0")"/../examples/*.py; do
	[ -f "$py" ] || continue
	echo "== $(basename "$py")"
	PYTHONPATH="$build/python" "$python" "$py" || { echo "FAILED: $py"; failed=1; }
done
exit $failed
