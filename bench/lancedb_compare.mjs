// LanceDB on the same fvecs/ivecs files as bench/table_bench (run by bench/compare_lancedb.sh;
// never by CI). Loads the base vectors into an in-process LanceDB table (row id = base index),
// then for IVF_HNSW_SQ (per nprobes x ef x refine) and IVF_PQ (per nprobes x refine) measures recall@k against the ground
// truth, single-query latency (p50/p99, sequential awaits, after a warm-up) and QPS (1 / mean
// latency, the same definition as table_bench). Index build times are printed too.
//   node bench/lancedb_compare.mjs --base B.fvecs --query Q.fvecs --gt G.ivecs [--k 10] [--queries 1000]
//        [--metric cosine] [--ef 32,64,128,256] [--nprobes 10,20,50] [--refine 0,2,5] [--dir /tmp/lancedb_compare]
// --refine: LanceDB's refineFactor (re-rank refine x k candidates with the full-precision vectors;
// 0 = off, the default). Its 8-bit SQ / PQ distances alone cap recall below 0.95 on some data.
// One key=value line per measurement:
//   lancedb index=IVF_HNSW_SQ nprobes=20 ef=64 refine=0 recall10=... p50_ms=... p99_ms=... qps=... rss_mb=...
// The package (pinned @lancedb/lancedb) lives in bench/lancedb/ (npm install there), shared with
// the Python package's LanceDB baseline.
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
    const copy = new ArrayBuffer(4 * dim);
    new Uint8Array(copy).set(buf.subarray(off, off + 4 * dim));
    out.push(isInt ? new Int32Array(copy) : new Float32Array(copy));
    off += 4 * dim;
  }
  return out;
}

function args() {
  const a = { k: 10, queries: 1000, metric: "cosine", ef: "32,64,128,256", nprobes: "10,20,50", refine: "0", dir: "/tmp/lancedb_compare" };
  const argv = process.argv.slice(2);
  for (let i = 0; i + 1 < argv.length; i += 2) a[argv[i].replace(/^--/, "")] = argv[i + 1];
  if (!a.base || !a.query || !a.gt) throw new Error("--base, --query and --gt are required");
  return a;
}

const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
const rssMb = () => process.memoryUsage().rss / (1024 * 1024);

async function main() {
  const a = args();
  const k = Number(a.k);
  const base = readVecs(a.base, false);
  const queries = readVecs(a.query, false).slice(0, Number(a.queries));
  const gt = readVecs(a.gt, true);
  const dim = base[0].length;
  const version = JSON.parse(fs.readFileSync(path.join(here, "lancedb", "node_modules", "@lancedb", "lancedb", "package.json"))).version;
  console.log(`lancedb version=${version} rows=${base.length} dim=${dim} queries=${queries.length} metric=${a.metric}`);

  fs.rmSync(a.dir, { recursive: true, force: true });
  const db = await lancedb.connect(a.dir);
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
  console.log(`lancedb load_s=${((performance.now() - t0) / 1000).toFixed(2)}`);

  const measure = async (label, setting, search) => {
    for (let i = 0; i < Math.min(50, queries.length); i++) await search(queries[i]);  // warm-up
    let hit = 0;
    const lat = [];
    for (let i = 0; i < queries.length; i++) {
      const s = performance.now();
      const rows = await search(queries[i]);
      lat.push(performance.now() - s);
      const truth = new Set(Array.from(gt[i].slice(0, k)));
      for (const r of rows) if (truth.has(r.id)) hit++;
    }
    const mean = lat.reduce((x, y) => x + y, 0) / lat.length;
    lat.sort((x, y) => x - y);
    console.log(`lancedb index=${label} ${setting} recall10=${(hit / (queries.length * k)).toFixed(4)} ` +
                `p50_ms=${pct(lat, 50).toFixed(3)} p99_ms=${pct(lat, 99).toFixed(3)} qps=${(1000 / mean).toFixed(1)} ` +
                `rss_mb=${rssMb().toFixed(0)}`);
  };

  let t = performance.now();
  await table.createIndex("vector", { config: lancedb.Index.hnswSq({ distanceType: a.metric }) });
  console.log(`lancedb index=IVF_HNSW_SQ build_s=${((performance.now() - t) / 1000).toFixed(2)} (defaults)`);
  const refines = a.refine.split(",").map(Number);
  const query = (q, nprobes, refine) => {
    let s = table.vectorSearch(q).distanceType(a.metric).limit(k).nprobes(nprobes);
    if (refine > 0) s = s.refineFactor(refine);
    return s;
  };
  for (const refine of refines) {
    for (const nprobes of a.nprobes.split(",").map(Number)) {
      for (const ef of a.ef.split(",").map(Number)) {
        if (refine > 0 && ef < k * refine) continue;  // LanceDB: the HNSW list must hold refine x k candidates
        await measure("IVF_HNSW_SQ", `nprobes=${nprobes} ef=${ef} refine=${refine}`, (q) =>
          query(q, nprobes, refine).ef(ef).select(["id", "_distance"]).toArray());
      }
    }
  }

  t = performance.now();
  await table.createIndex("vector", { config: lancedb.Index.ivfPq({ distanceType: a.metric }), replace: true });
  console.log(`lancedb index=IVF_PQ build_s=${((performance.now() - t) / 1000).toFixed(2)} (defaults)`);
  for (const refine of refines) {
    for (const nprobes of a.nprobes.split(",").map(Number)) {
      await measure("IVF_PQ", `nprobes=${nprobes} refine=${refine}`, (q) =>
        query(q, nprobes, refine).select(["id", "_distance"]).toArray());
    }
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
