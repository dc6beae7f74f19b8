#!/bin/sh
# Prove `pip install --no-build-isolation .` works offline: a fresh venv for
# PYTHON ($1, default python3), setuptools and wheel from Debian's wheel
# files, then every Python test against the installed module.  Exit
# status: 0 only if all of it passed.
set -eu
py=${1:-python3}
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
. "$root/tests/python/installed.sh"

need_build_wheels
build_venv "$py" "$work/venv"
source_copy "$work/src"
"$work/venv/bin/python" -m pip install -q --no-index --no-build-isolation "$work/src"
installed_tests "$work/venv/bin/python" pip
