# NeuroQuantumDB developer entry points. `make run` and `make test` work on a
# fresh Debian 12 machine: they install missing packages first.
SHELL := /bin/bash
JOBS ?= $(shell nproc)
DATA_DIR ?= ./nqdb-data
BOOTSTRAP := scripts/bootstrap.sh

.PHONY: all bootstrap build build-asan build-tsan build-fuzz run test test-long fuzz bench clean format

all: build

bootstrap:
	@bash $(BOOTSTRAP)

build: bootstrap
	@cmake --preset release >/dev/null
	@cmake --build --preset release -j $(JOBS)

build-asan: bootstrap
	@cmake --preset asan >/dev/null
	@cmake --build --preset asan -j $(JOBS)

# clang-14: thread-safety analysis as errors (every library), and
# ThreadSanitizer for the tests that `make test` runs under it.
build-tsan: bootstrap
	@cmake --preset clang-tsan >/dev/null
	@cmake --build --preset clang-tsan -j $(JOBS) --target nq_storage nq_txn nqdb common_test storage_test crash_test txn_test quantum_test exec_test server_test

# clang-14 libFuzzer builds of the SQL fuzz targets (parser, execution) and
# of the DNA container decoder.
FUZZ_TARGETS := fuzz_sql_parser fuzz_sql_exec fuzz_dna_decoder
build-fuzz: bootstrap
	@cmake --preset clang-fuzz >/dev/null
	@cmake --build --preset clang-fuzz -j $(JOBS) --target $(FUZZ_TARGETS)

# Longer fuzzing than `make test` does: FUZZ_SECONDS per target (default 600).
FUZZ_SECONDS ?= 600
fuzz: build-fuzz
	@FUZZ_SECONDS=$(FUZZ_SECONDS) bash scripts/run_fuzz.sh $(FUZZ_TARGETS)

# Initialises the data directory on first run (printing the admin API key
# once), then runs the server on 127.0.0.1:8080 until Ctrl-C.
run: build
	@./build/release/src/nqdb run --data-dir $(DATA_DIR)

# Every test: release build; the unit tests again under ASan+UBSan; the
# concurrency tests under TSan (clang build, which also runs the
# thread-safety analysis).
test: build build-asan build-tsan build-fuzz
	@bash scripts/run_tests.sh

test-long: build
	@NQ_TEST_LONG=1 bash scripts/run_tests.sh --long

# `make bench` runs every suite; `make bench SUITE=storage` runs one.
bench: build
	@bash scripts/run_bench.sh $(SUITE)

format:
	@git ls-files '*.h' '*.cc' | xargs clang-format -i

clean:
	@rm -rf build
