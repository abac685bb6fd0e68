#!/usr/bin/env bash
# Installs the built library into a temporary prefix, builds examples/quickstart.cc against it with
# CMake (shared and static) and with pkg-config, runs each and checks what it prints.
#   scripts/install_test.sh BUILD_DIR
set -euo pipefail
build=$(cd "${1:?usage: install_test.sh BUILD_DIR}" && pwd)
src=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ailake-install-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
prefix="$tmp/prefix"

# The library only: the Python component installs into the interpreter's own site directory.
cmake --install "$build" --prefix "$prefix" --component Unspecified >/dev/null
test -f "$prefix/include/ailake/ailake.h"
if find "$prefix/include" -name '*.h' | xargs grep -l '#include "\(core\|table\|catalog\|parquet\|iceberg\)/' ; then
  echo "FAIL: an installed header includes an internal one" >&2
  exit 1
fi

check() {  # check NAME BINARY
  local out
  out=$("$2" "$tmp/wh-$1")
  echo "$out" | grep -q '^ailake 0.2.0$' || { echo "FAIL($1): no version line"; echo "$out"; exit 1; } >&2
  echo "$out" | grep -q '^added 4 rows' || { echo "FAIL($1): rows not added"; echo "$out"; exit 1; } >&2
  echo "$out" | grep -q '^1\. doc-0 .*telescope found a new comet$' || { echo "FAIL($1): wrong top hit"; echo "$out"; exit 1; } >&2
  echo "$out" | grep -q '^table default.docs: 4 live rows, model quickstart-hash@1$' || { echo "FAIL($1): info"; echo "$out"; exit 1; } >&2
  # A second run upserts: still 4 live rows.
  out=$("$2" "$tmp/wh-$1")
  echo "$out" | grep -q '4 live rows' || { echo "FAIL($1): second run"; echo "$out"; exit 1; } >&2
  echo "ok: $1"
}

# CMake package.
cmake -S "$src/examples" -B "$tmp/ex" -G Ninja -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$tmp/ex" >/dev/null
LD_LIBRARY_PATH="$prefix/lib" check cmake-shared "$tmp/ex/quickstart"
check cmake-static "$tmp/ex/quickstart_static"

# pkg-config.
pcdir=$(dirname "$(find "$prefix" -name ailake.pc | head -1)")
flags=$(PKG_CONFIG_PATH="$pcdir" pkg-config --cflags --libs ailake)
c++ "$src/examples/quickstart.cc" $flags -o "$tmp/quickstart_pc"
LD_LIBRARY_PATH="$(PKG_CONFIG_PATH="$pcdir" pkg-config --variable=libdir ailake)" check pkg-config "$tmp/quickstart_pc"

# The shared library exports the public API only.
# The symbol list is read whole first: `nm | grep -q` under pipefail passed or failed by whether nm
# was killed by SIGPIPE. A symbol is internal when its own name is in an internal namespace (a
# public function taking an internal type, or a std template instantiated over one, is not).
lib=$(find "$prefix" -name 'libailake.so' | head -1)
syms=$(nm -DC --defined-only "$lib" | awk '$2 ~ /^[TW]$/ {$1 = ""; $2 = ""; sub(/^ +/, ""); print}')
internal=$(grep -E '^ailake::(core|vec|parquet|file|index|iceberg|catalog|store|embed|table|migrate)::' <<<"$syms" || true)
if [ -n "$internal" ]; then
  echo "FAIL: libailake.so exports internal symbols:" >&2
  head -20 <<<"$internal" >&2
  exit 1
fi
if ! grep -q '^ailake::Warehouse::Open' <<<"$syms"; then
  echo "FAIL: libailake.so does not export the public API (ailake::Warehouse::Open)" >&2
  exit 1
fi
echo "ok: install test"
