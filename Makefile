# The README's commands.  Everything real happens in CMake and CTest.
PYTHON ?= python3
BUILD ?= build
JOBS ?= 2
CMAKE_FLAGS ?=

PYTHON_EXE := $(shell $(PYTHON) -c 'import sys; print(sys.executable)' 2>/dev/null)

.PHONY: all configure test run bench clean

all: configure
	cmake --build $(BUILD) -j$(JOBS)

configure:
	cmake -S . -B $(BUILD) -DPython3_EXECUTABLE=$(PYTHON_EXE) $(CMAKE_FLAGS) >/dev/null

test: all
	tests/run_tests.sh $(BUILD)

run: all
	tests/run_examples.sh $(BUILD) $(PYTHON_EXE)

bench: all
	bench/run_bench.sh $(BUILD) $(PYTHON_EXE)

clean:
	rm -rf $(BUILD) build-*
