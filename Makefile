# The README's commands.  Everything real happens in CMake and CTest.
PYTHON ?= python3
BUILD ?= build
JOBS ?= 2
CMAKE_FLAGS ?=

PYTHON_EXE := $(shell $(PYTHON) -c 'import sys; print(sys.executable)' 2>/dev/null)
# The extension is built when $(PYTHON) is CPython 3.8+ with its headers.
PYTHON_EXT := $(shell $(PYTHON) python/can_build.py 2>/dev/null || echo OFF)
# A build dir configured for another interpreter forgets what it found.
PYTHON_WAS := $(shell sed -n 's/^Python3_EXECUTABLE:[A-Z]*=//p' $(BUILD)/CMakeCache.txt 2>/dev/null)
PYTHON_RESET := $(if $(and $(PYTHON_WAS),$(filter-out $(PYTHON_EXE),$(PYTHON_WAS))),-U 'Python3_*' -U '_Python3_*')

.PHONY: all configure test run bench clean

all: configure
	cmake --build $(BUILD) -j$(JOBS)

configure:
	cmake -S . -B $(BUILD) $(PYTHON_RESET) -DPython3_EXECUTABLE=$(PYTHON_EXE) \
	  -DTHREAD_PYTHON=$(PYTHON_EXT) $(CMAKE_FLAGS) >/dev/null

test: all
	tests/run_tests.sh $(BUILD)

run: all
	tests/run_examples.sh $(BUILD) $(PYTHON_EXE)

bench: all
	bench/run_bench.sh $(BUILD) $(PYTHON_EXE)

clean:
	rm -rf $(BUILD) build-*

# ---- checkers: the C tests under sanitizers and valgrind, each in its own build
SAN_FLAGS = -DTHREAD_BENCH=OFF -DTHREAD_EXAMPLES=OFF -DTHREAD_PYTHON=OFF -DCMAKE_BUILD_TYPE=Debug
.PHONY: tsan asan valgrind warnings

# Every target, library to extension, built with -Werror by gcc and by clang.
warnings:
	for cc in gcc clang; do \
	  CC=$$cc cmake -S . -B build-werror-$$cc -DCMAKE_C_FLAGS=-Werror \
	    -DPython3_EXECUTABLE=$(PYTHON_EXE) -DTHREAD_PYTHON=ON >/dev/null && \
	  cmake --build build-werror-$$cc -j$(JOBS) >/dev/null || exit 1; \
	  echo "$$cc: no warnings"; \
	done

tsan:
	cmake -S . -B build-tsan $(SAN_FLAGS) -DTHREAD_SANITIZE=thread >/dev/null
	cmake --build build-tsan -j$(JOBS) >/dev/null
	TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 tests/run_tests.sh build-tsan

asan:
	cmake -S . -B build-asan $(SAN_FLAGS) -DTHREAD_SANITIZE=address,undefined >/dev/null
	cmake --build build-asan -j$(JOBS) >/dev/null
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  tests/run_tests.sh build-asan

valgrind:
	cmake -S . -B build-valgrind $(SAN_FLAGS) -DTHREAD_TEST_TIMEOUT=600 \
	  "-DTHREAD_TEST_WRAPPER=valgrind;-q;--leak-check=full;--errors-for-leak-kinds=definite,indirect;--show-leak-kinds=definite,indirect;--error-exitcode=99" >/dev/null
	cmake --build build-valgrind -j$(JOBS) >/dev/null
	THREAD_TEST_SCALE=0.1 THREAD_TEST_SERIALISED=1 tests/run_tests.sh build-valgrind

# ---- other platforms: Windows (mingw-w64 + Wine), musl, aarch64 (qemu-user)
.PHONY: test-windows bench-windows test-musl test-aarch64
test-windows:
	JOBS=$(JOBS) tests/run_platform.sh windows
bench-windows:
	JOBS=$(JOBS) tests/run_platform.sh bench-windows
test-musl:
	JOBS=$(JOBS) tests/run_platform.sh musl
test-aarch64:
	JOBS=$(JOBS) tests/run_platform.sh aarch64

# ---- the Python extension on every CPython 3.8+ pyenv has; the drop-in under
# CPython's thread suites; pip install offline
.PHONY: test-pythons test-dropin check-pip-install check-wheels
test-pythons:
	JOBS=$(JOBS) tests/python/test_pythons.sh
# CPython's own thread suites on stock _thread and on thread.dropin, per version.
test-dropin:
	JOBS=$(JOBS) tests/dropin/test_dropin.sh
check-pip-install:
	tests/python/check_pip_install.sh $(PYTHON_EXE)
# A wheel per CPython 3.8+ (pip wheel), its contents and metadata checked,
# installed into a fresh venv and tested there.
check-wheels:
	tests/python/check_wheels.sh

# ---- as users take it: the man pages linted (mandoc) and rendered (man -l);
# the Debian packages built from a clone of HEAD, checked by lintian,
# installed, used from C and Python, and purged (tests/packaging/)
.PHONY: check-man check-deb
check-man:
	tests/packaging/check_man.sh
check-deb:
	JOBS=$(JOBS) tests/packaging/check_deb.sh

# ---- make torture: every item of tests/torture, its table, N passed, M failed
# (TORTURE_SCALE=N for a longer soak); torture-doc also writes the table into
# docs/reliability.md.
.PHONY: torture torture-doc
torture: all
	cmake --build $(BUILD) -j$(JOBS) --target torture_programs
	$(PYTHON_EXE) tests/torture/run_torture.py $(BUILD)
torture-doc: all
	cmake --build $(BUILD) -j$(JOBS) --target torture_programs
	$(PYTHON_EXE) tests/torture/run_torture.py $(BUILD) --doc docs/reliability.md
