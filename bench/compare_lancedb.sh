#!/bin/sh
# ailake (ingested and clustered layouts) and LanceDB (IVF_HNSW_SQ, IVF_PQ) on the same vectors,
# queries and ground truth, in one run, one after the other (never at once: they would share the
# cores). Prints the machine and load, then every program's key=value lines.
#
#   bench/compare_lancedb.sh [BUILD_DIR] [OUT_DIR]
# Environment: N (100000), NQ (1000), DIM (384), FILES (10), EF (32,64,128,256), NPROBES (10,20,50),
# THREADS (2), KIND (lowrank: gen_dataset --kind), AILAKE_NPROBES (0,1,2,3,4: the clustered layout's
# nprobe sweep; 0 = exact file pruning only), SELECTIVITY (0.01,0.5: filtered-search shares; "" = none),
# LAYOUTS (ingested clustered), REFINE (0,2,5: LanceDB refineFactor sweep). Needs `npm install` in bench/lancedb first.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/../build}
out=${2:-/tmp/ailake_compare}
N=${N:-100000} NQ=${NQ:-1000} DIM=${DIM:-384} FILES=${FILES:-10} EF=${EF:-32,64,128,256}
NPROBES=${NPROBES:-10,20,50} THREADS=${THREADS:-2} KIND=${KIND:-lowrank}
AILAKE_NPROBES=${AILAKE_NPROBES:-0,1,2,3,4} SELECTIVITY=${SELECTIVITY-0.01,0.5} LAYOUTS=${LAYOUTS:-ingested clustered} REFINE=${REFINE:-0,2,5}
mkdir -p "$out/data"
echo "machine nproc=$(nproc) cpu=\"$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')\" mem_total_mb=$(($(grep MemTotal /proc/meminfo | awk '{print $2}') / 1024))"
echo "start $(date -u +%FT%TZ) loadavg=$(cut -d' ' -f1-3 /proc/loadavg)"
if [ ! -f "$out/data/base.fvecs" ]; then
  "$build/bench/gen_dataset" --kind "$KIND" --n "$N" --nq "$NQ" --dim "$DIM" --k 100 --out "$out/data" --threads "$THREADS"
fi
data="--base $out/data/base.fvecs --query $out/data/query.fvecs --gt $out/data/groundtruth.ivecs"
for layout in $LAYOUTS; do
  echo "== ailake $layout loadavg=$(cut -d' ' -f1-3 /proc/loadavg)"
  nprobes=0
  [ "$layout" = clustered ] && nprobes=$AILAKE_NPROBES
  filter=""
  [ -n "$SELECTIVITY" ] && filter="--selectivity-list $SELECTIVITY"
  # shellcheck disable=SC2086
  "$build/bench/table_bench" $data --queries "$NQ" --files "$FILES" --layout "$layout" --ef-list "$EF" \
    --nprobe-list "$nprobes" $filter --threads "$THREADS" --dir "$out/table_$layout"
  rm -rf "$out/table_$layout"
done
echo "== lancedb loadavg=$(cut -d' ' -f1-3 /proc/loadavg)"
# shellcheck disable=SC2086
node "$here/lancedb_compare.mjs" $data --queries "$NQ" --ef "$EF" --nprobes "$NPROBES" --refine "$REFINE" --dir "$out/lancedb"
rm -rf "$out/lancedb"
echo "end $(date -u +%FT%TZ) loadavg=$(cut -d' ' -f1-3 /proc/loadavg)"
