#!/usr/bin/env bash
# Builds every libFuzzer target (fuzz/<name>.cc) with clang, warnings as errors, AddressSanitizer and
# UndefinedBehaviorSanitizer that halt on the first finding, then runs each for FUZZ_SECONDS (default
# 60 for the Parquet target, half that for the others) from its seed corpus (fuzz/corpus/<name
# without _fuzz>/, when present).
#
# Each target's whole output goes to $BUILD/fuzz-logs/<target>.log; a crashing input is kept there
# as crash-*/leak-*/timeout-*/oom-*. The script exits with the first failing fuzzer's status after
# printing that fuzzer's whole log, so any sanitizer finding fails the run (CI included).
#
# Without clang++: an error when CI=true (CI must fuzz), otherwise a notice and exit 0.
# Environment: FUZZ_SECONDS, FUZZ_BUILD_DIR (default build-fuzz), FUZZ_TARGETS (default: all).
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v clang++ >/dev/null 2>&1; then
  if [ "${CI:-}" = "true" ]; then
    echo "fuzz: ERROR: clang++ not found; CI must run the fuzzers (scripts/setup.sh installs clang)" >&2
    exit 1
  fi
  echo "fuzz: NOTICE: clang++ not found, so NO fuzzing was done (scripts/setup.sh installs clang)" >&2
  exit 0
fi
SECONDS_MAIN=${FUZZ_SECONDS:-60}
BUILD=${FUZZ_BUILD_DIR:-build-fuzz}
targets=${FUZZ_TARGETS:-$(cd fuzz && ls ./*.cc 2>/dev/null | sed 's|^\./||; s/\.cc$//')}
if [ -z "$targets" ]; then
  echo "fuzz: ERROR: no fuzz targets in fuzz/" >&2
  exit 1
fi
CC=clang CXX=clang++ cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DAILAKE_FUZZ=ON -DAILAKE_WERROR=ON -DAILAKE_BENCH=OFF >/dev/null
# shellcheck disable=SC2086
ninja -C "$BUILD" $targets

logs="$BUILD/fuzz-logs"
mkdir -p "$logs"
# Sanitizers stop at the first report (the build also has -fno-sanitize-recover=all).
export ASAN_OPTIONS="halt_on_error=1:abort_on_error=1:detect_leaks=1${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export UBSAN_OPTIONS="halt_on_error=1:abort_on_error=1:print_stacktrace=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"

status=0
failed=""
for t in $targets; do
  secs=$SECONDS_MAIN
  [ "$t" = parquet_fuzz ] || secs=$(( (SECONDS_MAIN + 1) / 2 ))
  corpus_seed="fuzz/corpus/${t%_fuzz}"
  work=$(mktemp -d)
  if [ -d "$corpus_seed" ]; then cp -r "$corpus_seed"/. "$work"/; fi
  log="$logs/$t.log"
  echo "fuzz: $t for ${secs}s (log: $log)"
  rc=0
  "$BUILD/fuzz/$t" -max_total_time="$secs" -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$logs/$t-" "$work" >"$log" 2>&1 || rc=$?
  rm -rf "$work"
  # A sanitizer report that somehow did not stop the fuzzer still fails the run.
  if [ "$rc" -eq 0 ] && grep -qE "runtime error:|ERROR: (Address|UndefinedBehavior|Leak)Sanitizer" "$log"; then
    rc=86
  fi
  if [ "$rc" -ne 0 ]; then
    echo "fuzz: $t FAILED (status $rc); its whole log follows" >&2
    cat "$log" >&2
    echo "fuzz: end of $t log; crashing inputs (if any): $(ls "$logs"/"$t"-* 2>/dev/null | tr '\n' ' ')" >&2
    [ "$status" -ne 0 ] || status=$rc
    failed="$failed $t"
  else
    grep -E "^(stat::|Done )" "$log" || true
  fi
done
if [ "$status" -ne 0 ]; then
  echo "fuzz: FAILED:$failed" >&2
  exit "$status"
fi
echo "fuzz: all targets ran without a finding"
