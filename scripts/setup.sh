#!/usr/bin/env bash
# Installs what ailake needs to build and test on Debian 12, and nothing that is already there.
# Idempotent: a second run installs nothing and takes a second. Downloads only Debian packages
# (apt) and the npm packages pinned in tests/interop/package.json (the independent test oracles).
#
#   scripts/setup.sh            build + test dependencies
#   AILAKE_SETUP_SKIP_NPM=1     skip the npm oracles (building only)
set -euo pipefail

cd "$(dirname "$0")/.."

# Debian packages. Why each: see docs/DEPENDENCIES.md.
PACKAGES=(
  g++ cmake ninja-build ccache pkg-config make git
  libgtest-dev libgmock-dev
  libthrift-dev thrift-compiler libboost-dev
  libzstd-dev libsnappy-dev liblz4-dev zlib1g-dev
  nlohmann-json3-dev
  libsqlite3-dev
  libhnswlib-dev
  libcurl4-openssl-dev libcpp-httplib-dev libssl-dev libpq-dev postgresql-15
  python3 python3-avro
  python3-dev python3-pybind11 pybind11-dev python3-numpy python3-pandas python3-pytest python3-tqdm python3-distributed
  nodejs npm
  clang
  chromium
)

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "setup: not root and no sudo; install these Debian packages by hand: ${PACKAGES[*]}" >&2
    exit 1
  fi
fi

missing=()
for p in "${PACKAGES[@]}"; do
  # A package counts as present when dpkg says it is installed, or (nodejs/npm) when the command
  # exists: machines may carry a newer Node.js than Debian's.
  case "$p" in
    nodejs) command -v node >/dev/null 2>&1 && continue ;;
    npm) command -v npm >/dev/null 2>&1 && continue ;;
  esac
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "setup: Debian packages present"
fi

if [ "${AILAKE_SETUP_SKIP_NPM:-0}" != "1" ]; then
  stamp=tests/interop/node_modules/.ailake-installed
  if [ ! -f "$stamp" ] || [ tests/interop/package.json -nt "$stamp" ]; then
    echo "setup: installing npm test oracles (@duckdb/node-api, avsc) into tests/interop/node_modules"
    (cd tests/interop && npm install --no-audit --no-fund --loglevel=error)
    touch "$stamp"
  else
    echo "setup: npm test oracles present"
  fi
fi
