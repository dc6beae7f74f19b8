#!/bin/sh
# Prove `pip install --no-build-isolation .` works offline: a fresh venv for
# PYTHON ($1, default python3), setuptools and wheel from Debian's wheel
# files (installed with apt-get only if missing), then every Python test
# against the installed module.  Exit status: 0 only if all of it passed.
set -eu
py=${1:-python3}
root=$(cd "$(dirname "$0")/../.." && pwd)
wheels=/usr/share/python-wheels
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if ! ls $wheels/setuptools-*.whl $wheels/wheel-*.whl >/dev/null 2>&1; then
	echo "installing Debian's setuptools and wheel wheel files"
	apt-get update -q >/dev/null
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q python3-setuptools-whl python3-wheel-whl >/dev/null
fi

"$py" -m venv "$work/venv"
vpy="$work/venv/bin/python"
if ! "$vpy" -c 'import setuptools, wheel, sys; sys.exit(int(setuptools.__version__.split(".")[0]) < 61)' 2>/dev/null; then
	"$vpy" -m pip install -q --no-index --find-links "$wheels" setuptools wheel
fi

# Build from a copy: an in-tree build would write setuptools' build/ into
# the CMake build directory.
mkdir "$work/src"
(cd "$root" && cp -r pyproject.toml setup.py README.md include src python "$work/src/")
"$vpy" -m pip install -q --no-index --no-build-isolation "$work/src"

cd "$work"
"$vpy" -c 'import os, sys, thread; assert thread.__file__.startswith(sys.prefix), thread.__file__; assert os.path.exists(os.path.join(os.path.dirname(thread.__file__), "thread.pyi")); print("installed:", thread.__file__)'
status=0
# Not test_shutdown: hundreds of exits of the same code whatever installed
# it, run by make test and, on every version, by make torture.
for t in "$root"/tests/python/test_*.py; do
	name=$(basename "$t" .py)
	[ "$name" = test_shutdown ] && continue
	if "$vpy" "$root/tests/python/run.py" "pip.$name" "$work/results" "$name" >"$work/$name.log" 2>&1; then
		echo "pip.$name: ok"
	else
		echo "pip.$name: FAILED"; tail -30 "$work/$name.log"; status=1
	fi
done
exit $status
