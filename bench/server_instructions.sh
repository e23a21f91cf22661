#!/usr/bin/env bash
# Instructions per GET /health request of `nqdb serve`, counted by
# callgrind: repeatable on a noisy machine where requests/s are not. Starts
# the server under valgrind twice (no requests, then N requests on one
# keep-alive connection) and prints (total(N) - total(0)) / N.
#   bench/server_instructions.sh [N] [path/to/nqdb]
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-3000}
NQDB=${2:-build/release/src/nqdb}
command -v valgrind >/dev/null || { echo "server_instructions.sh: valgrind not found" >&2; exit 1; }
[[ -x $NQDB ]] || { echo "server_instructions.sh: $NQDB not found; run make build" >&2; exit 1; }
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

instructions() {  # requests
  rm -rf "$WORK/data" "$WORK/out" "$WORK/cg.out"
  "$NQDB" init --data-dir "$WORK/data" >/dev/null
  valgrind --tool=callgrind --callgrind-out-file="$WORK/cg.out" "$NQDB" serve --data-dir "$WORK/data" --port 0 \
    --set log=warn --set rate_limit.per_address_per_minute=0 >"$WORK/out" 2>/dev/null &
  local pid=$!
  for _ in $(seq 300); do grep -q listening "$WORK/out" 2>/dev/null && break; sleep 0.1; done
  local port
  port=$(sed -nE 's/.*:([0-9]+)$/\1/p' "$WORK/out")
  python3 - "$port" "$1" <<'PY'
import http.client, sys
c = http.client.HTTPConnection("127.0.0.1", int(sys.argv[1]))
for _ in range(int(sys.argv[2])):
    c.request("GET", "/health"); r = c.getresponse(); r.read(); assert r.status == 200
PY
  kill -INT "$pid"
  wait "$pid" || true
  awk '/^(summary|totals):/ {print $2; exit}' "$WORK/cg.out"
}

base=$(instructions 0)
total=$(instructions "$N")
echo "instructions per GET /health: $(( (total - base) / N )) ($N requests; start-up $base)"
