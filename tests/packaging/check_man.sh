#!/bin/sh
# The manual pages in man/: mandoc -T lint reports nothing of level WARNING
# or above, and man-db's man -l renders every page without a groff warning.
# (tests/check_man.py, in make test, checks them against the header.)
# Installs mandoc and man-db when missing.
set -eu
src=$(cd "$(dirname "$0")/../.." && pwd)
. "$src/tests/packaging/need.sh"
need mandoc man-db
export MANPAGER=cat PAGER=cat MANWIDTH=80

# The pages proper; the other names are symbolic links to them.
pages=$(find "$src/man" -maxdepth 1 -name '*.3' -type f | sort)
[ -n "$pages" ] || { echo "check-man: no pages in man/"; exit 1; }
count=$(echo "$pages" | wc -l)

# mandoc exits nonzero for a message of the level -W asks for or above.
if ! lint=$(mandoc -T lint -W warning $pages 2>&1) || [ -n "$lint" ]; then
	echo "$lint"
	echo "check-man: mandoc -T lint is not clean"
	exit 1
fi

out=$(mktemp)
trap 'rm -f "$out"' EXIT
for page in $pages; do
	if ! man --warnings -l "$page" >"$out" 2>"$out.err" || [ -s "$out.err" ]; then
		cat "$out.err"
		rm -f "$out.err"
		echo "check-man: man -l $page failed or warned"
		exit 1
	fi
	rm -f "$out.err"
done
# What `man thread_lock_acquire` shows: the synopsis as the header has it.
man -l "$src/man/thread_lock_acquire.3" >"$out"
grep -q 'thread_lock_acquire_timed(thread_lock \*lock, int64_t timeout_ns,' "$out" || {
	cat "$out"
	echo "check-man: man -l thread_lock_acquire.3 lacks the synopsis"
	exit 1
}
echo "check-man: $count pages, mandoc -T lint clean, each rendered by man -l without warnings"
