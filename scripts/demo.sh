#!/usr/bin/env bash
# The tour `make demo` runs, on the embedded default: a local warehouse folder (./warehouse).
# Usage: scripts/demo.sh [path/to/ailake]
set -euo pipefail
cd "$(dirname "$0")/.."
AILAKE=${1:-build/ailake}
WAREHOUSE=${AILAKE_WAREHOUSE:-warehouse}
mkdir -p "$WAREHOUSE"
FILE="$WAREHOUSE/sample.parquet"
rm -f "$FILE"

step() { printf '\n\033[1m== %s\033[0m\n$ %s\n' "$1" "${*:2}"; "${@:2}"; }

step "Write a sample AI-Lake file: 5000 text chunks + 256-d hash embeddings (f16, HNSW index)" \
  "$AILAKE" sample "$FILE" --rows 5000 --dim 256 --index hnsw
step "Inspect it: Parquet schema, row groups, statistics, key/value metadata, and the AILK section" \
  "$AILAKE" inspect "$FILE"
step "Read rows as JSON Lines (any Parquet reader sees the same columns)" \
  "$AILAKE" cat "$FILE" --columns id,doc_id,topic,chunk_text --limit 3
step "Nearest neighbours of row 42's vector, through the file's own HNSW index" \
  "$AILAKE" knn "$FILE" --row 42 -k 5 --columns id,topic
step "Search by text (embedded with the same hash model the file records)" \
  "$AILAKE" knn "$FILE" --text "telescope observed a comet near the planet" --embedder hash:dim=256,seed=0 -k 5 --columns id,topic,chunk_text
printf '\nThe file is %s; try: %s --help\n' "$FILE" "$AILAKE"
