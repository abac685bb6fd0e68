#!/usr/bin/python3
"""Search benchmark through the Python package, with the CLI and LanceDB on the same vectors.

    nice /usr/bin/python3 bench/python_search_bench.py [--rows 100000] [--dim 384] [--files 10]
        [--layout ingested|clustered]

Builds a table of ROWS synthetic unit vectors in FILES files (--data lowrank, the default: bench/
gen_dataset's text-embedding-like vectors with their exact top-k; --data gaussian: isotropic blobs,
exact top-k with numpy) (--layout clustered then rewrites the table into FILES k-means region files with
compact(cluster=True)), picks the fastest setting reaching recall@10 >= 0.95 (for each nprobe, the
smallest ef that reaches it; the setting with the lowest p50 over the first 200 queries), then measures single-query latency (p50/p99,
one Python call per query), batch QPS (one call with every query), the CLI's per-call latency
(`ailake search --vector-file ... --format json`, a fresh process each time), and LanceDB
(@lancedb/lancedb in bench/lancedb/, IVF_HNSW_SQ, in-process; `npm install` there first). Not run by CI.
Needs the package built (PYTHONPATH=build/python, or installed by `make demo`).
"""

import argparse
import json
import os
import pathlib
import shutil
import struct
import subprocess
import sys
import time

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "build" / "python"))
import ailake  # noqa: E402


def clustered(n, dim, clusters, rng):
    centres = rng.standard_normal((clusters, dim)).astype(np.float32)
    labels = rng.integers(0, clusters, n)
    x = centres[labels] + 0.6 * rng.standard_normal((n, dim)).astype(np.float32)
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    return x.astype(np.float32)


def write_vecs(path, arr, fmt):
    with open(path, "wb") as f:
        for row in arr:
            f.write(struct.pack("<i", len(row)))
            f.write(row.astype("<f4" if fmt == "f" else "<i4").tobytes())


def read_vecs(path, dtype):
    raw = np.fromfile(path, dtype=np.int32)
    dim = int(raw[0])
    return raw.reshape(-1, dim + 1)[:, 1:].copy().view(dtype)


def gaussian_data(a, rng):
    base = clustered(a.rows, a.dim, 100, rng)
    queries = base[rng.choice(a.rows, a.queries, replace=False)] + (0.3 / np.sqrt(a.dim)) * rng.standard_normal(
        (a.queries, a.dim)).astype(np.float32)
    queries = (queries / np.linalg.norm(queries, axis=1, keepdims=True)).astype(np.float32)
    return base, queries, exact_topk(base, queries, a.k)


def exact_topk(base, queries, k):
    out = np.empty((len(queries), k), dtype=np.int64)
    for s in range(0, len(queries), 100):
        sims = queries[s:s + 100] @ base.T  # cosine on unit vectors
        idx = np.argpartition(-sims, k, axis=1)[:, :k]
        order = np.argsort(-np.take_along_axis(sims, idx, axis=1), axis=1)
        out[s:s + 100] = np.take_along_axis(idx, order, axis=1)
    return out


def recall(results, gt, k):
    hit = 0
    for res, truth in zip(results, gt):
        got = {int(i[1:]) for i in res.ids[:k]}
        hit += len(got & set(truth[:k].tolist()))
    return hit / (len(gt) * k)


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(p / 100 * len(xs)))]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--dim", type=int, default=384)
    ap.add_argument("--files", type=int, default=10)
    ap.add_argument("--queries", type=int, default=1000)
    ap.add_argument("--k", type=int, default=10)
    ap.add_argument("--work", default=str(ROOT / "build" / "bench-python"))
    ap.add_argument("--skip-lancedb", action="store_true")
    ap.add_argument("--layout", choices=("ingested", "clustered"), default="ingested")
    ap.add_argument("--data", choices=("lowrank", "gaussian"), default="lowrank",
                    help="lowrank: bench/gen_dataset --kind lowrank (text-embedding-like: low intrinsic "
                         "dimension, power-law clusters sharing a mean direction; exact ground truth); "
                         "gaussian: 100 isotropic blobs, queries = base points + noise of norm 0.3")
    a = ap.parse_args()

    work = pathlib.Path(a.work)
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    t = time.perf_counter()
    if a.data == "lowrank":
        data = work / "data"
        data.mkdir()
        subprocess.run([str(ROOT / "build" / "bench" / "gen_dataset"), "--kind", "lowrank", "--n", str(a.rows),
                        "--nq", str(a.queries), "--dim", str(a.dim), "--k", str(a.k), "--out", str(data)],
                       check=True, stdout=subprocess.DEVNULL)
        base = read_vecs(data / "base.fvecs", np.float32)
        queries = read_vecs(data / "query.fvecs", np.float32)
        gt = read_vecs(data / "groundtruth.ivecs", np.int32).astype(np.int64)
    else:
        base, queries, gt = gaussian_data(a, np.random.default_rng(42))
    print(f"data ({a.data}) and exact ground truth for {a.queries} queries: {time.perf_counter() - t:.1f}s",
          file=sys.stderr)

    # ---- ailake through Python ----
    db = ailake.connect(work / "wh")
    per = a.rows // a.files
    tbl = db.create_table("bench.vectors", dim=a.dim, model="synthetic@1", metric="cosine", precision="f16",
                          target_file_rows=per)
    t = time.perf_counter()
    for f in range(a.files):
        lo, hi = f * per, (f + 1) * per if f < a.files - 1 else a.rows
        tbl.add({"id": [f"r{i}" for i in range(lo, hi)], "chunk_text": [""] * (hi - lo), "embedding": base[lo:hi]},
                mode="append")
    load_s = time.perf_counter() - t
    info = tbl.info()
    print(f"ailake: {info['live_rows']} rows in {info['data_files']} files, built in {load_s:.1f}s", file=sys.stderr)

    if a.layout == "clustered":
        t = time.perf_counter()
        c = tbl.compact(cluster=True, cluster_files=a.files)
        cluster_s = time.perf_counter() - t
        load_s += cluster_s
        print(f"clustered into {c['files_added']} region files in {cluster_s:.1f}s", file=sys.stderr)

    # For each nprobe (0 = every file the exact bound cannot skip), the smallest ef reaching the recall
    # target; then the candidate with the lowest p50 on the first 200 queries wins.
    nprobes = [0] if a.layout == "ingested" else [1, 2, 3, 4, 6, 0]
    candidates = []
    for nprobe in nprobes:
        for ef in (16, 24, 32, 48, 64, 96, 128, 192, 256):
            res = tbl.search(queries, k=a.k, ef=ef, nprobe=nprobe)
            r = recall(res, gt, a.k)
            files = np.mean([x.stats()["files_searched"] for x in res])
            print(f"  nprobe {nprobe} ef {ef}: recall@{a.k} {r:.4f}, files searched {files:.2f}/query", file=sys.stderr)
            if r >= 0.95:
                candidates.append((nprobe, ef, r, files))
                break
    if not candidates:
        candidates.append((0, 256, r, files))

    def single_query_latency(nprobe, ef, qs):
        for q in qs[:50]:
            tbl.search(q, k=a.k, ef=ef, nprobe=nprobe)
        lat = []
        for q in qs:
            s = time.perf_counter()
            tbl.search(q, k=a.k, ef=ef, nprobe=nprobe)
            lat.append((time.perf_counter() - s) * 1000)
        return lat

    best = min(candidates, key=lambda c: pct(single_query_latency(c[0], c[1], queries[:200]), 50))
    nprobe, chosen, ail_recall, files_per_query = best
    lat = single_query_latency(nprobe, chosen, queries)
    s = time.perf_counter()
    tbl.search(queries, k=a.k, ef=chosen, nprobe=nprobe)
    ail_qps = len(queries) / (time.perf_counter() - s)
    index = f"{a.layout} {a.files} files, nprobe {nprobe}" if nprobe else f"{a.layout} {a.files} files"
    print(f"ailake: nprobe {nprobe} ef {chosen}: recall@{a.k} {ail_recall:.4f}, files searched "
          f"{files_per_query:.2f}/query", file=sys.stderr)
    rows = [("ailake (Python)", index, chosen, ail_recall, pct(lat, 50), pct(lat, 99), ail_qps, load_s)]

    # ---- the CLI: one process per query ----
    exe = ROOT / "build" / "ailake"
    if exe.exists():
        write_vecs(work / "q0.fvecs", queries[:1], "f")
        cli_lat = []
        for _ in range(6):
            s = time.perf_counter()
            p = subprocess.run([str(exe), "search", "bench.vectors", "--vector-file", str(work / "q0.fvecs"), "-k",
                                str(a.k), "--ef", str(chosen)] + (["--nprobe", str(nprobe)] if nprobe else []) + ["--format", "json", "--warehouse", str(work / "wh")],
                               capture_output=True, text=True)
            cli_lat.append((time.perf_counter() - s) * 1000)
            if p.returncode != 0:
                raise SystemExit(f"ailake search failed: {p.stderr}")
        cli_lat = cli_lat[1:]  # the first call warms the page cache
        rows.append(("ailake CLI (1 process/query)", "same table", chosen, float("nan"), pct(cli_lat, 50),
                     max(cli_lat), 1000 / np.mean(cli_lat), float("nan")))

    # ---- LanceDB ----
    lance_dir = ROOT / "bench" / "lancedb" / "node_modules" / "@lancedb" / "lancedb"
    if not a.skip_lancedb:
        if not lance_dir.exists():
            print("LanceDB: not installed (cd bench/lancedb && npm install)", file=sys.stderr)
        else:
            write_vecs(work / "base.fvecs", base, "f")
            write_vecs(work / "queries.fvecs", queries, "f")
            write_vecs(work / "gt.ivecs", gt.astype(np.int32), "i")
            p = subprocess.run(["node", str(ROOT / "bench" / "lancedb_bench.mjs"), str(work), str(a.k), "cosine",
                                "32,64,128,256"], capture_output=True, text=True)
            sys.stderr.write("".join(l + "\n" for l in p.stderr.splitlines() if l.startswith("lancedb ")))
            if p.returncode != 0:
                print(f"LanceDB failed: {p.stderr[-2000:]}", file=sys.stderr)
            else:
                lr = json.loads(p.stdout.strip().splitlines()[-1])
                rows.append((f"LanceDB {lr['version']} (Node)", f"IVF_HNSW_SQ, nprobes {lr['nprobes']}, refine {lr['refine']}", lr["ef"], lr["recall"], lr["p50_ms"],
                             lr["p99_ms"], lr["qps"], lr["load_s"] + lr["index_s"]))

    print(f"\n{a.rows} x {a.dim} cosine ({a.data} data), {a.queries} queries, k={a.k}; machine: {os.cpu_count()} cores, "
          f"load avg {os.getloadavg()[0]:.1f}")
    print(f"{'engine':32} {'index':28} {'ef':>4} {'recall@10':>9} {'p50 ms':>8} {'p99 ms':>8} {'QPS':>9} {'build s':>8}")
    for name, index, ef, rc, p50, p99, qps, build in rows:
        rc_s = "-" if rc != rc else f"{rc:.4f}"
        b_s = "-" if build != build else f"{build:.1f}"
        print(f"{name:32} {index:28} {ef:>4} {rc_s:>9} {p50:>8.2f} {p99:>8.2f} {qps:>9.0f} {b_s:>8}")
    if len(rows) > 1 and rows[1][0].startswith("ailake CLI"):
        print(f"in-process p50 is {rows[1][4] / rows[0][4]:.0f}x faster than one CLI call")
    print("QPS: ailake = one batch call with every query (threads = cores); CLI = 1000 / mean per-call ms; "
          "LanceDB = every query in flight at once")


if __name__ == "__main__":
    main()
