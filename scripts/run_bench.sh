#!/usr/bin/env bash
# Runs the benchmark programs of the release build for `make bench`:
#  - bench/storage_bench.cc: the storage engine against LMDB and SQLite in one
#    process; arguments are passed through to it, e.g. `--keys 100000` for a
#    quick run (`--help` lists them);
#  - bench/recovery_bench.cc: crash-recovery time of the default WAL.
# docs/benchmarks/storage.md explains the output.
set -euo pipefail
cd "$(dirname "$0")/.."

for program in storage_bench recovery_bench; do
  if [[ ! -x build/release/bench/$program ]]; then
    echo "run_bench.sh: build/release/bench/$program not found; build it first (make bench)" >&2
    exit 1
  fi
done
status=0
build/release/bench/storage_bench "$@" || status=$?
echo
build/release/bench/recovery_bench || status=$?
exit $status
