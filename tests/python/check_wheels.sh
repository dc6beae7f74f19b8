#!/bin/sh
# `make check-wheels`: for every CPython 3.8+ that pyenv provides, build a
# wheel with `pip wheel --no-build-isolation` (offline: setuptools and wheel
# from Debian's wheel files), check what it holds and its metadata
# (wheel_contents.py), install it into a fresh venv that has nothing else,
# and run every Python test there against the installed copy.  Prints one
# line per version; exit status 0 only if every version passed (and there
# was one: tests/python/pythons.sh).
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
. "$root/tests/python/installed.sh"
. "$root/tests/python/pythons.sh"
cd "$root"

need_build_wheels || exit 1
source_copy "$work/src" || exit 1
one_version() { # version python
	v=$1
	py=$2
	d="$work/$v"
	mkdir -p "$d/wheels"
	build_venv "$py" "$d/build" >"$d/log" 2>&1 &&
	"$d/build/bin/python" -m pip wheel -q --no-index --no-deps --no-build-isolation \
		-w "$d/wheels" "$work/src" >>"$d/log" 2>&1 || {
		echo "$v: WHEEL BUILD FAILED"; tail -30 "$d/log"; return 1; }
	whl=$(ls "$d"/wheels/thread-*.whl 2>/dev/null)
	[ -n "$whl" ] || { echo "$v: pip wheel made no thread wheel"; tail -30 "$d/log"; return 1; }
	"$py" "$root/tests/python/wheel_contents.py" "$whl" "$root/README.md" "$root/LICENSE" >"$d/contents" 2>&1 || {
		echo "$v: $(basename "$whl"): WRONG CONTENTS"; grep -v '^ok:' "$d/contents"; return 1; }
	# The test venv has the wheel and its own pip: no setuptools, no sources.
	"$py" -m venv "$d/run" &&
	"$d/run/bin/python" -m pip install -q --no-index --no-deps "$whl" >>"$d/log" 2>&1 || {
		echo "$v: INSTALL FAILED"; tail -30 "$d/log"; return 1; }
	"$d/run/bin/python" -c 'import pydoc, thread; assert "allocate_lock" in pydoc.render_doc(thread)' || {
		echo "$v: help(thread) FAILED"; return 1; }
	if installed_tests "$d/run/bin/python" "wheel-$v" >"$d/tests" 2>&1; then
		echo "$v: $(basename "$whl"): contents ok, $(grep -c ': ok$' "$d/tests") test files passed in a fresh venv"
	else
		echo "$v: $(basename "$whl"): TESTS FAILED"; grep -v ': ok$' "$d/tests"; return 1
	fi
}
each_interpreter one_version || exit 1
echo "wheels built, checked and tested for every interpreter above"
