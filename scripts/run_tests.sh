#!/usr/bin/env bash
# Runs every test suite: the release build's tests (unit, fault, crash,
# fuzz), all of them again under ASan+UBSan, and the concurrency tests under
# TSan. The last line printed is the summary "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."

passed=0
failed=0
run_suite() {
  local name=$1 dir=$2
  shift 2
  echo "=== $name"
  local log
  log=$(mktemp)
  if ! ctest --test-dir "$dir" --output-on-failure -j 2 --timeout 900 "$@" >"$log" 2>&1; then
    tail -n 60 "$log"
  fi
  grep -E "tests passed, [0-9]+ tests failed out of|Total Test time" "$log"
  local line
  line=$(grep -E "tests passed, [0-9]+ tests failed out of" "$log" | tail -1)
  rm -f "$log"
  if [[ -z "$line" ]]; then
    echo "$name: no ctest summary"
    failed=$((failed + 1))
    return
  fi
  local total fails
  total=$(sed -E 's/.*out of ([0-9]+).*/\1/' <<<"$line")
  fails=$(sed -E 's/.* ([0-9]+) tests failed.*/\1/' <<<"$line")
  passed=$((passed + total - fails))
  failed=$((failed + fails))
}

run_suite "release" build/release
if [[ "${1:-}" != "--long" ]]; then
  ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 run_suite "asan+ubsan" build/asan
  run_suite "tsan (concurrency)" build/clang-tsan -R "Concurrent|GroupCommit|Prefetch|Crash.*Thread|Hermitage|TxnEngineTest|CommitHook|SqlTest.ConnectionsInThreads|ExplainTest.AutoAnalyze|SqlTest.CancelAndTimeout|SqlTest.IsolationBetweenConnections|TableLockTest|ChangeFeedTest|StreamingTest|server_e2e|server_security|server_limits|server_stream|server_websocket|RateLimiter|BackendTest"
  echo "=== libfuzzer (bounded)"
  fuzz_log=$(mktemp)
  if FUZZ_SECONDS=${FUZZ_SECONDS:-30} bash scripts/run_fuzz.sh fuzz_sql_parser fuzz_sql_exec fuzz_dna_decoder >"$fuzz_log" 2>&1; then
    :
  else
    tail -n 40 "$fuzz_log"
  fi
  fuzz_line=$(grep -E "^fuzz: [0-9]+ passed, [0-9]+ failed" "$fuzz_log" | tail -1)
  rm -f "$fuzz_log"
  echo "${fuzz_line:-fuzz: no summary}"
  if [[ -z "$fuzz_line" ]]; then
    failed=$((failed + 1))
  else
    passed=$((passed + $(sed -E 's/fuzz: ([0-9]+) passed.*/\1/' <<<"$fuzz_line")))
    failed=$((failed + $(sed -E 's/.* ([0-9]+) failed/\1/' <<<"$fuzz_line")))
  fi
fi

echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
