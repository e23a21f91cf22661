#!/usr/bin/env bash
# Installs the Debian 12 packages NeuroQuantumDB needs to build, test and
# benchmark. Idempotent: packages already present are not touched, and apt is
# only consulted when something is missing.
set -euo pipefail

PACKAGES=(
  # toolchain
  build-essential cmake ninja-build ccache pkg-config git
  clang-14 lld-14 libclang-rt-14-dev
  # libraries
  libcli11-dev libspdlog-dev libfmt-dev libtomlplusplus-dev libxxhash-dev
  libedit-dev
  # server: HTTP (Boost.Beast/Asio), JSON, OpenSSL
  libboost-dev nlohmann-json3-dev libssl-dev
  # algorithm libraries: DNA codec (SIMD, Reed-Solomon), neural networks
  libhwy-dev libfec-dev libeigen3-dev zlib1g-dev
  # tests and benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev
  liblmdb-dev libsqlite3-dev sqlite3
  xz-utils zstd bzip2 python3-sklearn
  # server tests and benchmark: WebSocket client, HTTP load generator, the nginx baseline
  python3 python3-websockets wrk nginx-light
  # server hardening: shared rate limits (Redis), TLS test certificates
  libhiredis-dev redis-server openssl
)

missing=()
for pkg in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done

# Front-end assets from the npm registry (the API documentation page).
# Optional: without npm the server runs and says the page is not installed.
install_web_assets() {
  local web
  web="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/web"
  if [ -f "$web/node_modules/swagger-ui-dist/swagger-ui-bundle.js" ]; then return 0; fi
  if ! command -v npm >/dev/null 2>&1; then
    echo "bootstrap: npm not found; the API documentation page (/api-docs/) will be missing"
    return 0
  fi
  echo "bootstrap: installing web assets (npm ci)"
  (cd "$web" && npm ci --no-audit --no-fund --ignore-scripts >/dev/null) ||
    echo "bootstrap: npm ci failed; the API documentation page (/api-docs/) will be missing"
}

if [ ${#missing[@]} -eq 0 ]; then
  install_web_assets
  exit 0
fi

echo "bootstrap: installing ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "bootstrap: done"
install_web_assets
