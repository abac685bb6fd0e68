#!/usr/bin/env bash
# The tour `make demo` runs, on the embedded default: a local warehouse folder (./warehouse) with the
# filesystem catalog. Usage: scripts/demo.sh [path/to/ailake]
set -euo pipefail
cd "$(dirname "$0")/.."
AILAKE=${1:-build/ailake}
WAREHOUSE=${AILAKE_WAREHOUSE:-warehouse}
# A fresh tour every run (idempotent): only the demo's own table and file are replaced.
rm -rf "$WAREHOUSE/demo" "$WAREHOUSE/sample.parquet"
mkdir -p "$WAREHOUSE"

step() { printf '\n\033[1m== %s\033[0m\n$ %s\n' "$1" "$(printf '%q ' "${@:2}")"; "${@:2}"; }
W=(--warehouse "$WAREHOUSE")
EMB=hash:dim=256,seed=0

step "Create a table: 256-d cosine vectors stored as f16, model hash-256@seed0" \
  "$AILAKE" create demo.docs --dim 256 --model hash-256@seed0 --target-file-rows 1000 "${W[@]}"
step "Ingest the sample corpus (3000 chunks); vectors come from the built-in hash embedder" \
  "$AILAKE" insert demo.docs data/sample_corpus.jsonl --embedder "$EMB" "${W[@]}"
step "Search by text: files are pruned by their centroid/radius, survivors searched through their HNSW indexes" \
  "$AILAKE" search demo.docs --text "telescope observed a comet near the planet" --embedder "$EMB" -k 3 "${W[@]}"
step "Another search, with the metadata column" \
  "$AILAKE" search demo.docs --text "garlic butter roast in the oven" --embedder "$EMB" -k 3 --columns id,metadata "${W[@]}"
step "A query from another model is refused: search never mixes models" \
  "$AILAKE" search demo.docs --text "anything" --embedder hash:dim=256,seed=1 "${W[@]}" || true
step "Loading the same file again is refused: its ids are already in the table (nothing is duplicated)" \
  "$AILAKE" insert demo.docs data/sample_corpus.jsonl --embedder "$EMB" "${W[@]}" || true
step "Upsert it instead: every row replaced by id, old rows deleted and new ones added in one snapshot" \
  "$AILAKE" insert demo.docs data/sample_corpus.jsonl --embedder "$EMB" --mode upsert --target-file-rows 3000 "${W[@]}"
step "Table info" "$AILAKE" info demo.docs "${W[@]}"
step "History: every commit is an Iceberg snapshot" "$AILAKE" history demo.docs "${W[@]}"

step "Plan a migration to a new model: what it would cost (nothing is written)" \
  "$AILAKE" migrate demo.docs --embedder hash:dim=384,seed=0 --new-model hash-384@seed0 --new-metric dot --dry-run "${W[@]}"
BEFORE_MS=$(date +%s%3N)
step "Migrate the table from hash-256 (cosine) to hash-384 (dot): every file re-embedded, one atomic cutover" \
  "$AILAKE" migrate demo.docs --embedder hash:dim=384,seed=0 --new-model hash-384@seed0 --new-metric dot "${W[@]}"
step "Search again, with the new model" \
  "$AILAKE" search demo.docs --text "telescope observed a comet near the planet" --embedder hash:dim=384,seed=0 -k 3 "${W[@]}"
step "The old model is refused now: its vectors are gone from the live files (time travel still has them)" \
  "$AILAKE" search demo.docs --text "telescope observed a comet near the planet" --embedder "$EMB" -k 3 "${W[@]}" || true
step "Time travel: the snapshot before the migration still answers old-model queries" \
  "$AILAKE" search demo.docs --text "telescope observed a comet near the planet" --embedder "$EMB" -k 3 --as-of "$BEFORE_MS" "${W[@]}"
step "History: the migration's commits are ordinary Iceberg snapshots" "$AILAKE" history demo.docs "${W[@]}"
step "Reclaim the old model's files: expire every snapshot but the current one" \
  "$AILAKE" expire demo.docs --older-than now --retain-last 1 "${W[@]}"
step "The table is intact" "$AILAKE" verify demo.docs "${W[@]}"

step "One data file up close: an ordinary Parquet file plus an AILK section (the HNSW graph)" \
  "$AILAKE" inspect "$(find "$WAREHOUSE"/demo/docs/data -name '*.parquet' ! -name '*-deletes.parquet' | sort | head -n 1)"
step "Any Parquet reader sees the columns; ailake cat prints them as JSON Lines" \
  "$AILAKE" cat "$(find "$WAREHOUSE"/demo/docs/data -name '*.parquet' ! -name '*-deletes.parquet' | sort | head -n 1)" --columns id,doc_id,chunk_text --limit 2
printf '\nWarehouse: %s (Iceberg metadata under %s/demo/docs/metadata). Try: %s --help\n' "$WAREHOUSE" "$WAREHOUSE" "$AILAKE"
