#!/bin/sh
# `make bench`: every benchmark, printed as markdown tables, plus the
# contended-throughput plot in docs/contended.png.
# Usage: run_bench.sh <build dir> <python>
set -eu
build=${1:-build}
python=${2:-python3}
top=$(cd "$(dirname "$0")/.." && pwd)
out=$build/bench
BENCH_GIT_HASH=$(git -C "$top" rev-parse --short HEAD 2>/dev/null || echo unknown)
BENCH_PLOT_DATA=$out/contended.dat
export BENCH_GIT_HASH BENCH_PLOT_DATA
rm -f "$BENCH_PLOT_DATA"

echo "# Benchmarks, $(date -u +%Y-%m-%d), $(uname -srm)"
for exe in "$out"/bench_lock_*; do
	[ -x "$exe" ] || continue
	echo
	"$exe"
done

# The plot: threads vs throughput, ours vs the platform mutex, per backend.
if ! command -v gnuplot >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
	(apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q gnuplot-nox) >/dev/null 2>&1 || true
fi
if command -v gnuplot >/dev/null 2>&1 && [ -s "$BENCH_PLOT_DATA" ]; then
	gnuplot -e "data='$BENCH_PLOT_DATA'; out='$top/docs/contended.png'" "$top/bench/contended.gp"
	echo
	echo "plot written to docs/contended.png"
else
	echo "gnuplot unavailable: no plot drawn"
fi

# The Python module against CPython's _thread, when it is built.
if [ -f "$top/bench/bench_module.py" ] && [ -d "$build/python" ]; then
	echo
	PYTHONPATH="$build/python" "$python" "$top/bench/bench_module.py"
fi

# threading on the drop-in against threading on the stock _thread.
if [ -f "$top/bench/bench_dropin.py" ] && [ -d "$build/python" ]; then
	echo
	PYTHONPATH="$build/python" "$python" "$top/bench/bench_dropin.py"
fi
