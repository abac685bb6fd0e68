#!/usr/bin/env bash
# Mutation testing: plants each bug listed in scripts/mutants.txt into a scratch copy of the tree,
# builds only the test programs that should catch it, runs them, and reports caught / survived.
#
#   scripts/mutate.sh                 every mutant
#   scripts/mutate.sh NAME...         the mutants whose name contains one of the words
#   scripts/mutate.sh --list          names, files and test programs, nothing built
#
# A mutant is "caught" when a listed test program fails (or exceeds MUTATE_TIMEOUT); "survived"
# when they all pass: then the suite has a hole. Before the mutants, the unmutated tree must pass
# the same tests (a baseline), else the run stops. A mutant's pattern must match its file exactly
# once; otherwise (the code moved on) the run reports "pattern-error" and fails: update the mutant.
# Exit status: 0 every mutant caught, 1 some survived, 2 a pattern, build or baseline error.
#
# Run it before resolving an issue that touches the code it covers. Not part of CI (each mutant is
# a rebuild). Environment: MUTATE_DIR (scratch, default /tmp/ailake-mutate-$USER, kept between runs
# so ccache and ninja reuse the previous build), MUTATE_JOBS (default 2), MUTATE_TIMEOUT (seconds
# per test program, default 900), MUTATE_LIST (default scripts/mutants.txt).
set -euo pipefail
set -f  # test filters hold "*": never glob them
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SCRATCH=${MUTATE_DIR:-/tmp/ailake-mutate-${USER:-$(id -un)}}
JOBS=${MUTATE_JOBS:-2}
TIMEOUT=${MUTATE_TIMEOUT:-900}
LIST=${MUTATE_LIST:-$ROOT/scripts/mutants.txt}
PY=/usr/bin/python3

# The mutant list, read by one small Python helper:
#   mutants list          -> one line per mutant: name \t file \t tests
#   mutants apply NAME D  -> replaces NAME's find text (must occur exactly once) in D/<file>
mutants() {
  "$PY" - "$LIST" "$@" <<'EOF'
import sys
path, mode = sys.argv[1], sys.argv[2]
blocks, cur = [], {}
for raw in open(path, encoding="utf-8"):
    line = raw.rstrip("\n")
    if line.startswith("#"):
        continue
    if not line.strip():
        if cur: blocks.append(cur); cur = {}
        continue
    key, _, val = line.partition(":")
    key = key.strip()
    val = val[1:] if val.startswith(" ") else val
    if key not in ("mutant", "file", "tests", "find", "replace", "why"):
        sys.exit(f"mutants: unknown key {key!r} in line {line!r}")
    if key in cur and key not in ("find", "replace", "why"):
        sys.exit(f"mutants: {key}: given twice in {cur.get('mutant', '?')}")
    cur[key] = (cur[key] + "\n" + val) if key in cur else val
if cur: blocks.append(cur)
names = set()
for b in blocks:
    for k in ("mutant", "file", "tests", "find", "replace"):
        if k not in b: sys.exit(f"mutants: {b.get('mutant', '?')} has no {k}:")
    if b["mutant"] in names: sys.exit(f"mutants: duplicate name {b['mutant']}")
    names.add(b["mutant"])
if mode == "list":
    for b in blocks: print("\t".join([b["mutant"], b["file"], b["tests"]]))
    sys.exit(0)
name, root = sys.argv[3], sys.argv[4]
b = next(b for b in blocks if b["mutant"] == name)
target = f"{root}/{b['file']}"
text = open(target, encoding="utf-8").read()
n = text.count(b["find"])
if n != 1:
    sys.exit(f"pattern-error: {b['file']}: the find text occurs {n} times (must be exactly once):\n{b['find']}")
open(target, "w", encoding="utf-8").write(text.replace(b["find"], b["replace"]))
EOF
}

listing=$(mutants list) || exit 2
mapfile -t MUTANTS <<<"$listing"
if [ "${1:-}" = "--list" ]; then
  printf '%s\n' "${MUTANTS[@]}" | awk -F'\t' '{printf "%-40s %-36s %s\n", $1, $2, $3}'
  exit 0
fi
selected=()
for m in "${MUTANTS[@]}"; do
  name=${m%%$'\t'*}
  if [ $# -eq 0 ]; then selected+=("$m"); continue; fi
  for w in "$@"; do
    if [[ "$name" == *"$w"* ]]; then selected+=("$m"); break; fi
  done
done
[ ${#selected[@]} -gt 0 ] || { echo "mutate: no mutant matches: $*" >&2; exit 2; }

# The scratch tree: the working tree's files as they are (committed or not). A file is copied only
# when its content differs, with a fresh mtime, so ninja rebuilds exactly what changed.
mkdir -p "$SCRATCH/tree/tests/interop"
(cd "$ROOT" && git ls-files -co --exclude-standard) | while IFS= read -r f; do
  if [ -f "$ROOT/$f" ] && ! cmp -s "$ROOT/$f" "$SCRATCH/tree/$f"; then
    mkdir -p "$SCRATCH/tree/$(dirname "$f")"
    cp "$ROOT/$f" "$SCRATCH/tree/$f"
  fi
done
# The oracles' npm packages (ignored by git) are shared, not copied.
[ -e "$SCRATCH/tree/tests/interop/node_modules" ] || ln -s "$ROOT/tests/interop/node_modules" "$SCRATCH/tree/tests/interop/node_modules"
# The build folder sits inside the tree like a worktree's own, so compile commands match and ccache hits.
BUILD="$SCRATCH/tree/build"
cmake -S "$SCRATCH/tree" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release -DAILAKE_WERROR=ON -DAILAKE_BENCH=OFF >/dev/null
LOGS="$SCRATCH/logs"
rm -rf "$LOGS"
mkdir -p "$LOGS"

programs_of() { local t; for t in $1; do echo "${t%%:*}"; done | sort -u | tr '\n' ' '; }
# run_tests "prog[:filter] ..." LOG -> 0 all passed, else the first failure's status (124 timeout)
run_tests() {
  local t prog filter rc
  for t in $1; do
    prog=${t%%:*}
    filter='*'
    [ "$prog" = "$t" ] || filter=${t#*:}
    echo "== $prog --gtest_filter=$filter" >>"$2"
    rc=0
    (cd "$BUILD" && AILAKE_SOURCE_DIR="$SCRATCH/tree" AILAKE_BINARY_DIR="$BUILD" \
      timeout "$TIMEOUT" "./$prog" --gtest_filter="$filter" --gtest_brief=1) >>"$2" 2>&1 || rc=$?
    [ "$rc" -eq 0 ] || return "$rc"
  done
  return 0
}

# Back to the real file, with a fresh mtime so the next build recompiles it (ccache makes that cheap).
restore() { cp "$ROOT/$1" "$SCRATCH/tree/$1"; }

# Baseline: every test set the selected mutants use passes on the unmutated tree.
declare -A baseline_done=()
for m in "${selected[@]}"; do
  IFS=$'\t' read -r name file tests <<<"$m"
  [ -z "${baseline_done[$tests]:-}" ] || continue
  baseline_done[$tests]=1
  log="$LOGS/baseline-$(echo "$tests" | tr -c 'A-Za-z0-9_' '_' | cut -c1-80).log"
  # shellcheck disable=SC2046
  if ! ninja -C "$BUILD" -j "$JOBS" $(programs_of "$tests") >"$log" 2>&1; then
    echo "mutate: the unmutated tree does not build ($log)" >&2
    tail -n 30 "$log" >&2
    exit 2
  fi
  if ! run_tests "$tests" "$log"; then
    echo "mutate: baseline FAILED for [$tests]: fix the suite first ($log)" >&2
    tail -n 30 "$log" >&2
    exit 2
  fi
done

caught=0 survived=0 errors=0
report=()
start_all=$(date +%s)
for m in "${selected[@]}"; do
  IFS=$'\t' read -r name file tests <<<"$m"
  log="$LOGS/$name.log"
  t0=$(date +%s)
  if ! msg=$(mutants apply "$name" "$SCRATCH/tree" 2>&1); then
    result="pattern-error"
    echo "$msg" >"$log"
    errors=$((errors + 1))
  else
    # shellcheck disable=SC2046
    if ! ninja -C "$BUILD" -j "$JOBS" $(programs_of "$tests") >"$log" 2>&1; then
      # A mutant that does not compile proves nothing about the tests.
      result="build-error"
      errors=$((errors + 1))
    else
      rc=0
      run_tests "$tests" "$log" || rc=$?
      if [ "$rc" -eq 0 ]; then
        result="SURVIVED"
        survived=$((survived + 1))
      elif [ "$rc" -eq 124 ]; then
        result="caught (timeout)"
        caught=$((caught + 1))
      else
        result="caught"
        caught=$((caught + 1))
      fi
    fi
  fi
  restore "$file"
  line=$(printf '%-18s %-40s %-36s %4ss  %s' "$result" "$name" "$file" "$(( $(date +%s) - t0 ))" "$tests")
  echo "$line"
  report+=("$line")
done
# Leave the scratch build matching the real tree.
# shellcheck disable=SC2046
ninja -C "$BUILD" -j "$JOBS" $(for m in "${selected[@]}"; do IFS=$'\t' read -r _ _ t <<<"$m"; programs_of "$t"; done | tr ' ' '\n' | sort -u) >/dev/null 2>&1 || true

total=${#selected[@]}
echo
echo "mutate: $caught of $total caught, $survived survived, $errors errors ($(( $(date +%s) - start_all ))s; logs in $LOGS)"
if [ "$errors" -gt 0 ]; then exit 2; fi
if [ "$survived" -gt 0 ]; then exit 1; fi
exit 0
