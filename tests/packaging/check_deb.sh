#!/bin/sh
# The Debian packages (debian/), as a user gets them: built with
# dpkg-buildpackage from a fresh clone of HEAD (nothing uncommitted gets
# in), checked by lintian, installed with apt-get, then used: a C program
# built through pkg-config and through find_package(thread), `man` for every
# function, both Python modules under Debian's /usr/bin/python3.  The
# packages are purged at the end, whatever happened, so the machine is left
# as it was (build dependencies that had to be installed stay, as the other
# targets' tools do).  Installs what it needs when missing.
set -eu
src=$(cd "$(dirname "$0")/../.." && pwd)
. "$src/tests/packaging/need.sh"
export DEBIAN_FRONTEND=noninteractive MANPAGER=cat PAGER=cat
need git dpkg-dev build-essential lintian pkg-config cmake man-db

ours="libthread1 libthread-dev python3-thread"
for p in $ours; do
	if dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed'; then
		echo "check-deb: $p is installed already and would be replaced, then purged;"
		echo "remove it first: apt-get purge $ours"
		exit 1
	fi
done

work=$(mktemp -d)
installed=""
cleanup() {
	if [ -n "$installed" ]; then
		apt-get purge -y -q $installed >"$work/purge.log" 2>&1 ||
			{ cat "$work/purge.log"; echo "check-deb: could not purge $installed"; }
	fi
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

fail() {
	echo "check-deb: $*"
	exit 1
}

# loads_installed PROGRAM: it loads the packaged libthread.so.1, no other.
loads_installed() {
	got=$(ldd "$1" | awk '$1 == "libthread.so.1" { print $3 }')
	[ -n "$got" ] && [ "$(realpath "$got")" = "$(realpath "$lib/libthread.so.1")" ] ||
		{ ldd "$1"; fail "$1 does not load the installed libthread.so.1"; }
}

# ---- build ------------------------------------------------------------------
rev=$(git -C "$src" rev-parse HEAD)
git clone -q --no-checkout "$src" "$work/thread"
git -C "$work/thread" checkout -q "$rev"
cd "$work/thread"
if ! dpkg-checkbuilddeps 2>/dev/null; then
	echo "installing the build dependencies of debian/control"
	apt-get update -q >/dev/null
	apt-get build-dep -y -q --no-install-recommends ./ >"$work/deps.log" 2>&1 ||
		{ cat "$work/deps.log"; fail "apt-get build-dep failed"; }
fi
# The source package too, for lintian's checks of debian/ itself.
(cd "$work" && dpkg-source --build thread >"$work/source.log" 2>&1) ||
	{ cat "$work/source.log"; fail "dpkg-source --build failed"; }
dpkg-buildpackage -us -uc -b -J"${JOBS:-2}" >"$work/build.log" 2>&1 ||
	{ tail -n 60 "$work/build.log"; fail "dpkg-buildpackage failed"; }
cd "$work"
ls ./*.deb

# ---- lintian: no error and no warning (what it says below that is printed)
lintian --fail-on error,warning --display-info --pedantic --show-overrides ./*.changes ./*.dsc 2>&1 |
	grep -v 'running with root privileges' >lintian.log || true
cat lintian.log
if grep -q '^[EW]: ' lintian.log; then
	fail "lintian reports errors or warnings"
fi

# ---- install ------------------------------------------------------------------
installed=$(for deb in ./*.deb; do dpkg-deb -f "$deb" Package; done | tr '\n' ' ')
apt-get install -y -q ./*.deb >install.log 2>&1 || { cat install.log; fail "apt-get install failed"; }
echo "installed: $installed"

# ---- C through pkg-config: the .pc file's directories are the installed ones
inc=$(pkg-config --variable=includedir thread)
lib=$(pkg-config --variable=libdir thread)
[ "$(realpath "$inc")" = /usr/include ] || fail "thread.pc: includedir $inc is not /usr/include"
[ -e "$lib/libthread.so" ] && [ "$(realpath "$lib")" = "/usr/lib/$(dpkg-architecture -qDEB_HOST_MULTIARCH)" ] ||
	fail "thread.pc: libdir $lib is not the multiarch library directory"
consumer=$work/thread/tests/install
cc -Wall -Werror -o pc_shared "$consumer/consumer.c" $(pkg-config --cflags --libs thread)
loads_installed ./pc_shared
./pc_shared
cc -Wall -Werror -o pc_static "$consumer/consumer.c" $(pkg-config --static --cflags thread) \
	"$lib/libthread.a" $(pkg-config --static --libs-only-other thread)
./pc_static

# ---- C through CMake's find_package(thread), from the system paths alone
cmake -S "$consumer" -B cmake-client >cmake.log 2>&1 || { cat cmake.log; fail "find_package(thread) failed"; }
cmake --build cmake-client >>cmake.log 2>&1 || { cat cmake.log; fail "the CMake client did not build"; }
loads_installed cmake-client/consumer_shared
cmake-client/consumer_shared
cmake-client/consumer_static

# ---- man: the page a C programmer asks for first, and one for every function
man thread_lock_acquire >man.txt || fail "man thread_lock_acquire failed"
grep -q 'thread_lock_acquire_timed' man.txt || fail "man thread_lock_acquire shows the wrong page"
names=$(sed -n 's/^THREAD_API[^(]*[ *]\(thread_[a-z0-9_]*\)(.*/\1/p' /usr/include/thread.h)
[ -n "$names" ] || fail "no THREAD_API function found in /usr/include/thread.h"
for name in thread $names; do
	page=$(man -w "$name" 2>/dev/null) || fail "man $name: no page"
	case $page in /usr/share/man/man3/*) ;; *) fail "man $name: found $page" ;; esac
done
echo "man: thread(3) and $(echo "$names" | wc -w) functions have installed pages"

# ---- Python: both modules, from dist-packages, under Debian's python3 (-I:
# no PYTHONPATH, no user site, not the current directory)
cat >prog.py <<'PY'
import sys, threading, thread
assert sys.modules["_thread"] is thread.dropin, "threading is not on the drop-in"
out = []
t = threading.Thread(target=out.append, args=("ran",))
t.start()
t.join()
print("thread_run: threading on thread.dropin,", out[0])
PY
/usr/bin/python3 -I -c '
import thread, thread_run
where = "/usr/lib/python3/dist-packages/"
assert thread.__file__.startswith(where), thread.__file__
assert thread_run.__file__.startswith(where), thread_run.__file__
lock = thread.allocate_lock()
assert lock.acquire(0) and not lock.acquire(0)
lock.release()
print("python3:", thread.__file__, "and", thread_run.__name__, "import; dropin:", thread.dropin.__name__)
'
/usr/bin/python3 -I -m thread_run prog.py
echo "check-deb: packages of $(git -C "$src" rev-parse --short "$rev") built, lintian clean, installed, used, purged"
