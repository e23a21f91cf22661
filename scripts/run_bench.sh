#!/usr/bin/env bash
# Runs the storage benchmark (bench/storage_bench.cc) of the release build
# against LMDB and SQLite in one process, for `make bench`. Arguments are
# passed through, e.g. `scripts/run_bench.sh --keys 100000` for a quick run;
# `--help` lists them. docs/benchmarks/storage.md explains the output.
set -euo pipefail
cd "$(dirname "$0")/.."

bench=build/release/bench/storage_bench
if [[ ! -x "$bench" ]]; then
  echo "run_bench.sh: $bench not found; build it first (make bench)" >&2
  exit 1
fi
exec "$bench" "$@"
