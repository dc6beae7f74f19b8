#!/bin/sh
# Build and run the C suite on a platform other than the host's own:
#   windows        mingw-w64 cross-build (static lib, DLL, tests, benchmark),
#                  every test under Wine
#   bench-windows  the C benchmark under Wine
#   musl           musl-gcc build, both wait backends
#   aarch64        aarch64-linux-gnu cross-build, every test under qemu-aarch64
# Installs what it needs from Debian's packages when missing (CI runs as root
# on a clean machine).  Test targets end with tests/run_tests.sh's
# "N passed, M failed" line.  Each platform has its own build directory.
set -eu
target=${1:?usage: run_platform.sh windows|bench-windows [WHICH]|musl|aarch64}
shift
src=$(cd "$(dirname "$0")/.." && pwd)
jobs=${JOBS:-2}

# need PACKAGE...: install those of the Debian packages that are missing.
. "$src/tests/packaging/need.sh"

# configure BUILD_DIR CMAKE_ARGS...; then build.
build() {
	dir=$1
	shift
	cmake -S "$src" -B "$dir" -DTHREAD_PYTHON=OFF "$@" >/dev/null
	cmake --build "$dir" -j"$jobs" >"$dir/build.log" 2>&1 || {
		cat "$dir/build.log"
		exit 1
	}
	if grep -q 'warning:' "$dir/build.log"; then
		grep 'warning:' "$dir/build.log"
		echo "$dir: the build has warnings"
		exit 1
	fi
}

# A Wine prefix of our own in the build directory, created without a display
# or dialogs (no Mono, no Gecko), and a wineserver kept for the whole run so
# each test process does not start one.
wine_setup() {
	export WINEPREFIX="$1/wineprefix" WINEDEBUG=-all WINEARCH=win64
	export WINEDLLOVERRIDES="mscoree,mshtml="
	unset DISPLAY WAYLAND_DISPLAY
	if [ ! -f "$WINEPREFIX/system.reg" ]; then
		wineboot -i >"$1/wineboot.log" 2>&1 || {
			cat "$1/wineboot.log"
			exit 1
		}
		# Let the first boot wind down completely (its wineserver exits
		# once only system processes are left): programs started while
		# it still runs were seen to be killed.
		wineserver -w
	fi
	wineserver -p 2>/dev/null || true # fails only if one already serves the prefix
	trap 'wineserver -k 2>/dev/null || true' EXIT
	# Wine's own services (services.exe, winedevice.exe...) start with the
	# first program and outlive it, holding its stdout and stderr.  Start
	# them here, on /dev/null: started by a test, they would keep CTest
	# reading that test's output until its timeout.
	wine cmd /c exit </dev/null >/dev/null 2>&1
}

windows_build() {
	need gcc-mingw-w64-x86-64 wine wine64
	build "$src/build-win" -DCMAKE_TOOLCHAIN_FILE="$src/cmake/toolchain-mingw-w64.cmake" \
		-DTHREAD_TEST_WRAPPER=wine -DTHREAD_TEST_TIMEOUT=300
	wine_setup "$src/build-win"
}

case $target in
windows)
	windows_build
	# A quarter of the iteration counts (tests/helpers.c): under Wine a
	# finished thread takes long to exit, so threads started in waves pile
	# up (2,300 alive at once measured in a 10,000-thread run on a loaded
	# machine), and each holds four descriptors of the process's limit.
	export THREAD_TEST_SCALE=${THREAD_TEST_SCALE:-0.25}
	"$src/tests/run_tests.sh" "$src/build-win" && exit 0
	# On a Wine prefix made moments ago, a test process is now and then
	# killed from outside (CTest: "Subprocess killed", by a signal, not a
	# Windows exception) within its first half second; seen once in CI, on
	# two unrelated tests, never again in the reruns.  Only when every
	# failure is such a kill does the whole suite run once more, and then
	# the second run's result stands; an assertion or an exception fails.
	log=$src/build-win/ctest.log
	failed=$(grep -E 'Test +#' "$log" | grep -cE '\*\*\*(Failed|Exception|Timeout)|Not Run')
	killed=$(grep -E 'Test +#' "$log" | grep -c 'Subprocess killed\*\*\*Exception')
	[ "$killed" -gt 0 ] && [ "$killed" -eq "$failed" ] || exit 1
	echo "Wine killed $killed test process(es) from outside (above); the whole suite runs again:"
	exec "$src/tests/run_tests.sh" "$src/build-win"
	;;
bench-windows)
	windows_build
	bench=$src/build-win/bench/bench_lock_win.exe
	echo "Measured under Wine $(wine --version 2>/dev/null) on Linux $(uname -r), not on Windows:"
	echo "Wine maps WaitOnAddress, SRW locks and threads onto Linux futexes and"
	echo "pthreads, so these figures describe that mapping, not a Windows kernel."
	BENCH_GIT_HASH=$(git -C "$src" rev-parse --short HEAD 2>/dev/null || echo unknown) \
		wine "$bench" "$@"
	;;
musl)
	need musl-tools linux-libc-dev
	dir=$src/build-musl
	# musl-gcc searches only musl's headers; the futex backend also needs the
	# kernel's (what Alpine's linux-headers package provides).
	inc=$dir/kernel-include
	mkdir -p "$inc"
	ln -sfn /usr/include/linux "$inc/linux"
	ln -sfn /usr/include/asm-generic "$inc/asm-generic"
	ln -sfn "/usr/include/$(gcc -print-multiarch)/asm" "$inc/asm"
	CC=musl-gcc build "$dir" -DCMAKE_C_FLAGS="-idirafter $inc"
	exec "$src/tests/run_tests.sh" "$dir"
	;;
aarch64)
	need gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user
	build "$src/build-aarch64" \
		-DCMAKE_TOOLCHAIN_FILE="$src/cmake/toolchain-aarch64-linux-gnu.cmake" \
		"-DTHREAD_TEST_WRAPPER=qemu-aarch64;-L;/usr/aarch64-linux-gnu" \
		-DTHREAD_TEST_TIMEOUT=300
	# Full iteration counts: emulation is about 20x slower at starting
	# threads, yet the whole suite takes well under a minute.  Set
	# THREAD_TEST_SCALE (tests/helpers.c) to scale the stress counts down.
	THREAD_TEST_SCALE=${THREAD_TEST_SCALE:-1} exec "$src/tests/run_tests.sh" "$src/build-aarch64"
	;;
*)
	echo "unknown platform $target" >&2
	exit 2
	;;
esac
