#!/bin/sh
# Install the built library into a scratch prefix, then build and run a
# client through pkg-config and through find_package(thread).
# Usage: check_install.sh <source dir> <build dir> <C compiler>
set -eu
src=$1 build=$2 cc=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
prefix=$work/prefix
cmake --install "$build" --prefix "$prefix" >/dev/null
libdir=$(ls -d "$prefix"/lib*)

# pkg-config (the .pc file is relocatable), shared and static.
PKG_CONFIG_PATH=$libdir/pkgconfig
export PKG_CONFIG_PATH
command -v pkg-config >/dev/null || { echo "pkg-config missing"; exit 1; }
"$cc" -o "$work/pc_shared" "$src/tests/install/consumer.c" $(pkg-config --cflags --libs thread)
LD_LIBRARY_PATH=$libdir "$work/pc_shared"
"$cc" -o "$work/pc_static" "$src/tests/install/consumer.c" $(pkg-config --static --cflags thread) \
	"$libdir/libthread.a" $(pkg-config --static --libs-only-other thread)
"$work/pc_static"
# The shared library exports the API and nothing else.
exports=$(nm -D --defined-only "$libdir/libthread.so" | awk '$2 == "T" {print $3}' | sort)
# _init and _fini come from the C library's crti.o (global on musl).
bad=$(echo "$exports" | grep -v -e '^thread_' -e '^_init$' -e '^_fini$' || true)
[ -z "$bad" ] || { echo "unexpected exports: $bad"; exit 1; }
readelf -d "$libdir/libthread.so" | grep -q 'SONAME.*libthread.so.1' || { echo "no versioned SONAME"; exit 1; }

# CMake package.
cmake -S "$src/tests/install" -B "$work/cmake" -DCMAKE_PREFIX_PATH="$prefix" \
	-DCMAKE_C_COMPILER="$cc" >/dev/null
cmake --build "$work/cmake" >/dev/null
LD_LIBRARY_PATH=$libdir "$work/cmake/consumer_shared"
"$work/cmake/consumer_static"
