# Sourced by tests/python/test_pythons.sh and tests/dropin/test_dropin.sh:
# every CPython 3.8+ that pyenv provides, each with the extension built for
# it in its own build directory (build-py<version>).
#
# each_python FN TARGET...: build TARGETs for every interpreter and call
# `FN <version> <python> <build dir>`; an interpreter whose FN fails, or
# whose build fails, fails the whole.  Versions that are missing or cannot
# build (2.7, 3.6, 3.7) are skipped.  Without pyenv, or with no interpreter
# tested, it fails: it has shown nothing.  Needs $jobs, and runs in the
# source root.
each_python() {
	fn=$1
	shift
	if ! command -v pyenv >/dev/null 2>&1; then
		echo "pyenv not found: no interpreter tested"
		return 1
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
		if ! { cmake -S . -B "$b" -DTHREAD_PYTHON=ON -DTHREAD_BENCH=OFF \
		         -DTHREAD_EXAMPLES=OFF -DPython3_EXECUTABLE="$py" >"$b.log" 2>&1 &&
		       cmake --build "$b" -j"$jobs" --target "$@" >>"$b.log" 2>&1; }; then
			echo "$v: BUILD FAILED (see $b.log)"
			status=1
			continue
		fi
		rm -f "$b.log"
		"$fn" "$v" "$py" "$b" || status=1
		tested=$((tested + 1))
	done
	echo "tested $tested interpreter(s)"
	[ "$tested" -gt 0 ] || return 1
	return $status
}
