#!/usr/bin/env bash
# Runs libFuzzer targets of the clang-fuzz build, each for FUZZ_SECONDS
# (default 30), starting from a fresh corpus directory. Prints a crash's
# reproducer path and a last line "fuzz: N passed, N failed".
#   scripts/run_fuzz.sh fuzz_sql_parser fuzz_sql_exec
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=build/clang-fuzz/tests
seconds=${FUZZ_SECONDS:-30}
passed=0
failed=0
for target in "$@"; do
  if [[ ! -x $BIN/$target ]]; then
    echo "$target: not built (make build-fuzz)"
    failed=$((failed + 1))
    continue
  fi
  work=$(mktemp -d)
  mkdir -p "$work/corpus"
  if (cd "$work" && ASAN_OPTIONS=detect_leaks=1 "$OLDPWD/$BIN/$target" -max_total_time="$seconds" \
        -rss_limit_mb=2048 -timeout=20 -print_final_stats=1 corpus >log 2>&1); then
    echo "$target: ok ($(grep -E '^stat::number_of_executed_units' "$work/log" | awk '{print $2}') runs in ${seconds}s)"
    passed=$((passed + 1))
    rm -rf "$work"
  else
    echo "$target: FAILED; log and reproducer kept in $work"
    tail -n 30 "$work/log"
    failed=$((failed + 1))
  fi
done
echo "fuzz: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
