# Sourced by check_pip_install.sh and check_wheels.sh: what both do with an
# interpreter and a copy of the sources, offline.  Needs $root (the source
# root) and $work (a scratch directory of the caller's).

wheels=/usr/share/python-wheels

# Debian's setuptools and wheel, as wheel files (installed with apt-get
# only if missing: CI runs as root on a clean machine).
need_build_wheels() {
	if ! ls $wheels/setuptools-*.whl $wheels/wheel-*.whl >/dev/null 2>&1; then
		echo "installing Debian's setuptools and wheel wheel files"
		apt-get update -q >/dev/null
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q python3-setuptools-whl python3-wheel-whl >/dev/null
	fi
}

# build_venv PYTHON DIR: a fresh venv in DIR with setuptools 61+ and wheel
# (its own if new enough, else Debian's).
build_venv() {
	"$1" -m venv "$2"
	if ! "$2/bin/python" -c 'import setuptools, wheel, sys; sys.exit(int(setuptools.__version__.split(".")[0]) < 61)' 2>/dev/null; then
		"$2/bin/python" -m pip install -q --no-index --find-links "$wheels" "setuptools>=61" wheel
	fi
}

# source_copy DIR: what a build needs, copied, so that setuptools' build/
# does not land in the CMake build directory.
source_copy() {
	mkdir -p "$1"
	(cd "$root" && cp -r pyproject.toml setup.py README.md LICENSE include src python "$1/")
}

# installed_tests VENV_PYTHON LABEL: every Python test, run from outside
# the sources against the installed module.  Not test_shutdown: hundreds
# of exits of the same code whatever installed it, run by make test and,
# on every version, by make torture.
installed_tests() {
	vpy=$1
	label=$2
	(
		cd "$work" || exit 1
		"$vpy" -c 'import os, sys, thread; assert thread.__file__.startswith(sys.prefix), thread.__file__; assert os.path.exists(os.path.join(os.path.dirname(thread.__file__), "thread.pyi")); print("installed:", thread.__file__)' || exit 1
		status=0
		for t in "$root"/tests/python/test_*.py; do
			name=$(basename "$t" .py)
			[ "$name" = test_shutdown ] && continue
			if "$vpy" "$root/tests/python/run.py" "$label.$name" "$work/results-$label" "$name" >"$work/$label.$name.log" 2>&1; then
				echo "$label.$name: ok"
			else
				echo "$label.$name: FAILED"
				tail -30 "$work/$label.$name.log"
				status=1
			fi
		done
		exit $status
	)
}
