#!/usr/bin/env bash
# Runs the benchmark programs of the release build for `make bench`.
#   scripts/run_bench.sh                 every suite
#   scripts/run_bench.sh storage [ARGS]  one suite; ARGS go to its program
# Suites:
#  - storage: bench/storage_bench.cc (against LMDB and SQLite; `--keys 100000`
#    for a quick run, `--help` lists options) and bench/recovery_bench.cc;
#  - txn: bench/txn_bench.cc (TPC-B-like transactions with 1, 2 and 4
#    threads beside SQLite; `--seconds 1 --rounds 1` for a quick run);
#  - sql: bench/sql_bench.cc (bulk insert, point lookups, scan, GROUP BY,
#    join and index range queries through the embedding API beside SQLite's
#    C API, and one script through `nqdb shell` and `sqlite3`; needs
#    build/release/src/nqdb; `--rows 100000` for a quick run,
#    `--skip-shell`, `--help`);
#  - tpch: bench/tpch_bench.cc (the 22 TPC-H queries on generated data,
#    loaded into our engine through the embedding API and into SQLite,
#    answers compared; `--sf 0.01` for a quick run, `--sf 1` for the long
#    one, `--queries 1,3,5`, `--timeout S`, `--help`);
#  - optimizer: bench/join_order_bench.cc (planning time and chosen join
#    order for chain, star and clique join graphs of 4 to 16 tables;
#    `--reps N`);
#  - dna: bench/dna_bench.cc (bits per base and MB/s of our compressor, 2-bit
#    packing, xz -9, zstd -19 --long and bzip2 -9 on every genome of the test
#    data, the quaternary codec's GB/s, and microseconds per compress and
#    decompress of small values; `--level N`, `--small-only`, `--help`);
#  - neuro: bench/neuro_bench.cc (our MLP and spiking classifier beside
#    scikit-learn's MLPClassifier, run with /usr/bin/python3, on the same
#    folds; replacement policies on access traces; `--quick` for a short run);
#  - quantum: bench/quantum_bench.cc (every QUBO / Max-Cut instance with
#    every solver: best value, gap to best-known, time to best;
#    `--time-limit 1 --bqp-time-limit 0.5` for a quick run, `--help`);
#  - server: bench/server_bench.sh (wrk against `nqdb serve`'s /health and a
#    primary-key lookup through POST /api/v1/query, beside nginx serving a
#    static file, then with rate limits off, in memory and in Redis;
#    `--seconds 3` for a quick run);
# docs/benchmarks/ explains each suite's output.
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=build/release/bench
need() {
  if [[ ! -x $BIN/$1 ]]; then
    echo "run_bench.sh: $BIN/$1 not found; build it first (make bench)" >&2
    exit 1
  fi
}

suite_storage() {
  need storage_bench
  need recovery_bench
  local status=0
  $BIN/storage_bench "$@" || status=$?
  echo
  $BIN/recovery_bench || status=$?
  return $status
}

suite_txn() {
  need txn_bench
  $BIN/txn_bench "$@"
}

suite_sql() {
  need sql_bench
  $BIN/sql_bench "$@"
}

suite_tpch() {
  need tpch_bench
  $BIN/tpch_bench "$@"
}

suite_optimizer() {
  need join_order_bench
  $BIN/join_order_bench "$@"
}

suite_dna() {
  need dna_bench
  $BIN/dna_bench "$@"
}

suite_neuro() {
  need neuro_bench
  $BIN/neuro_bench "$@"
}

suite_quantum() {
  need quantum_bench
  $BIN/quantum_bench "$@"
}

suite_server() {
  bash bench/server_bench.sh "$@"
}

SUITES=(storage txn sql tpch optimizer server neuro dna quantum)
if [[ $# -gt 0 ]]; then
  suite=$1
  shift
  if ! declare -F "suite_$suite" >/dev/null; then
    echo "run_bench.sh: unknown suite '$suite' (suites: ${SUITES[*]})" >&2
    exit 2
  fi
  "suite_$suite" "$@"
  exit $?
fi
status=0
for suite in "${SUITES[@]}"; do
  echo "##### $suite"
  "suite_$suite" || status=$?
  echo
done
exit $status
