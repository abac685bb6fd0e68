#!/usr/bin/env bash
# Builds the libFuzzer targets with clang and runs each for FUZZ_SECONDS (default 60 for the Parquet
# target, half that for the others) from its seed corpus. Skips with a notice when clang is absent.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v clang++ >/dev/null 2>&1; then
  echo "fuzz: clang++ not found; skipping the fuzz run (scripts/setup.sh installs it)"
  exit 0
fi
SECONDS_MAIN=${FUZZ_SECONDS:-60}
BUILD=${FUZZ_BUILD_DIR:-build-fuzz}
CC=clang CXX=clang++ cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DAILAKE_FUZZ=ON -DAILAKE_BENCH=OFF >/dev/null
targets=$(cd fuzz && ls *.cc 2>/dev/null | sed 's/\.cc$//')
[ -n "$targets" ] || { echo "fuzz: no targets"; exit 0; }
ninja -C "$BUILD" $targets
for t in $targets; do
  secs=$SECONDS_MAIN
  [ "$t" = parquet_fuzz ] || secs=$(( (SECONDS_MAIN + 1) / 2 ))
  name=${t%_fuzz}
  corpus_seed="fuzz/corpus/$name"
  work=$(mktemp -d)
  [ -d "$corpus_seed" ] && cp -r "$corpus_seed"/. "$work"/ 2>/dev/null || true
  echo "fuzz: $t for ${secs}s"
  "$BUILD/fuzz/$t" -max_total_time="$secs" -rss_limit_mb=2048 -print_final_stats=1 "$work" 2>&1 | tail -n 12
  rm -rf "$work"
done
echo "fuzz: all targets ran without a crash"
