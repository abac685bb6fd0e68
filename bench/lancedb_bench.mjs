// LanceDB baseline for bench/python_search_bench.py (run by it; never by CI). Builds an IVF_HNSW_SQ
// index over base.fvecs, then measures recall@k against gt.ivecs, single-query latency (p50/p99,
// sequential awaits) and throughput (all queries in flight at once), in-process.
//   node bench/lancedb_bench.mjs DIR K METRIC EF1,EF2,...   (DIR holds base.fvecs, queries.fvecs, gt.ivecs)
// Prints one JSON object on stdout.
import { createRequire } from "node:module";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, "lancedb", "package.json"));
const lancedb = require("@lancedb/lancedb");
const arrow = require("apache-arrow");

function readVecs(file, isInt) {
  const buf = fs.readFileSync(file);
  const out = [];
  let off = 0;
  while (off < buf.length) {
    const dim = buf.readInt32LE(off);
    off += 4;
    const bytes = buf.subarray(off, off + 4 * dim);
    const copy = new ArrayBuffer(4 * dim);
    new Uint8Array(copy).set(bytes);
    out.push(isInt ? new Int32Array(copy) : new Float32Array(copy));
    off += 4 * dim;
  }
  return out;
}

const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

async function main() {
  const [dir, kArg, metric, efsArg] = process.argv.slice(2);
  const k = Number(kArg);
  const efs = efsArg.split(",").map(Number);
  const base = readVecs(path.join(dir, "base.fvecs"), false);
  const queries = readVecs(path.join(dir, "queries.fvecs"), false);
  const gt = readVecs(path.join(dir, "gt.ivecs"), true);
  const dim = base[0].length;

  const dbDir = path.join(dir, "lancedb");
  fs.rmSync(dbDir, { recursive: true, force: true });
  const db = await lancedb.connect(dbDir);
  const schema = new arrow.Schema([
    new arrow.Field("id", new arrow.Int32(), false),
    new arrow.Field("vector", new arrow.FixedSizeList(dim, new arrow.Field("item", new arrow.Float32(), true)), false),
  ]);
  const t0 = performance.now();
  const flat = new Float32Array(base.length * dim);
  base.forEach((v, i) => flat.set(v, i * dim));
  const ids = Int32Array.from(base.map((_, i) => i));
  const vectorData = arrow.makeData({
    type: schema.fields[1].type, length: base.length, nullCount: 0,
    child: arrow.makeData({ type: new arrow.Float32(), length: flat.length, data: flat }),
  });
  const batch = new arrow.RecordBatch(schema, arrow.makeData({
    type: new arrow.Struct(schema.fields), length: base.length, nullCount: 0,
    children: [arrow.makeData({ type: new arrow.Int32(), length: ids.length, data: ids }), vectorData],
  }));
  const table = await db.createTable("vectors", new arrow.Table([batch]));
  const loadS = (performance.now() - t0) / 1000;
  const t1 = performance.now();
  await table.createIndex("vector", { config: lancedb.Index.hnswSq({ distanceType: metric }) });
  const indexS = (performance.now() - t1) / 1000;

  // IVF partitions probed x HNSW ef: the defaults (20 probes) cap recall, so both are swept.
  const search = (q, p) =>
    table.vectorSearch(q).distanceType(metric).limit(k).nprobes(p.nprobes).ef(p.ef).select(["id", "_distance"]).toArray();
  const recallAt = async (p) => {
    let hit = 0;
    for (let i = 0; i < queries.length; i++) {
      const rows = await search(queries[i], p);
      const truth = new Set(Array.from(gt[i].slice(0, k)));
      for (const r of rows) if (truth.has(r.id)) hit++;
    }
    return hit / (queries.length * k);
  };
  const sweep = [];
  let chosen = null;
  outer: for (const nprobes of [20, 50, 100, 200]) {
    for (const ef of efs) {
      const p = { nprobes, ef };
      const recall = await recallAt(p);
      sweep.push({ ...p, recall });
      console.error(`lancedb nprobes ${nprobes} ef ${ef}: recall ${recall.toFixed(4)}`);
      if (recall >= 0.95) {
        chosen = p;
        break outer;
      }
    }
  }
  if (chosen === null) chosen = sweep[sweep.length - 1];
  for (let i = 0; i < 50; i++) await search(queries[i], chosen);  // warm-up
  const lat = [];
  for (const q of queries) {
    const s = performance.now();
    await search(q, chosen);
    lat.push(performance.now() - s);
  }
  lat.sort((a, b) => a - b);
  const t2 = performance.now();
  await Promise.all(queries.map((q) => search(q, chosen)));
  const qps = queries.length / ((performance.now() - t2) / 1000);
  console.log(JSON.stringify({
    version: JSON.parse(fs.readFileSync(path.join(here, "lancedb", "node_modules", "@lancedb", "lancedb", "package.json"))).version, index: "IVF_HNSW_SQ (defaults)", load_s: loadS,
    index_s: indexS, ef: chosen.ef, nprobes: chosen.nprobes, recall: sweep[sweep.length - 1].recall, sweep, p50_ms: pct(lat, 50),
    p99_ms: pct(lat, 99), qps,
  }));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
