# Sourced by tests/python/test_pythons.sh and tests/dropin/test_dropin.sh:
# every CPython 3.8+ that pyenv provides, each with the extension built for
# it in its own build directory (build-py<version>).
#
# each_python FN TARGET...: build TARGETs for every interpreter and call
# `FN <version> <python> <build dir>`; an interpreter whose FN fails, or
# whose build fails, fails the whole.  Versions that are missing or cannot
# build (2.7, 3.6, 3.7) are skipped.  Without pyenv, or with no interpreter
# tested, it fails: it has shown nothing.  Needs $jobs, and runs
# in the source root.
each_python() {
	fn=$1
	shift
	targets="$*"
	each_interpreter build_then "$fn"
}

# build_then FN VERSION PYTHON: each_python's step for one interpreter.
build_then() {
	b="build-py$2"
	# $targets unquoted: the target names, one word each
	if ! { cmake -S . -B "$b" -DTHREAD_PYTHON=ON -DTHREAD_BENCH=OFF \
	         -DTHREAD_EXAMPLES=OFF -DPython3_EXECUTABLE="$3" >"$b.log" 2>&1 &&
	       cmake --build "$b" -j"$jobs" --target $targets >>"$b.log" 2>&1; }; then
		echo "$2: BUILD FAILED (see $b.log)"
		return 1
	fi
	rm -f "$b.log"
	"$1" "$2" "$3" "$b"
}

# each_interpreter FN ARG...: call `FN ARG... <version> <python>` for every
# CPython 3.8+ that pyenv provides, skipping (and saying so) the versions
# that are missing or cannot build; fails if any call failed, or if none
# was made (without pyenv, say), since it then has shown nothing.
each_interpreter() {
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
		"$@" "$v" "$py" || status=1
		tested=$((tested + 1))
	done
	echo "tested $tested interpreter(s)"
	[ "$tested" -gt 0 ] || return 1
	return $status
}
