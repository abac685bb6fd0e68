"""Dask migration rows/s, local folder vs S3 (3 worker processes). Env: N rows (20000), S3_PREFIX
(s3://bucket/prefix, bucket existing; AWS_* env for the endpoint and credentials). docs/BENCHMARKS.md."""
import os, sys, time, uuid, subprocess
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python", "tests"))
import test_dask as td, ailake, ailake.dask, distributed
N = int(os.environ.get("N", "20000"))
def main():
    c = distributed.LocalCluster(n_workers=3, threads_per_worker=1, processes=True, dashboard_address=None)
    cl = distributed.Client(c)
    for wh in ["/tmp/daskfig_" + uuid.uuid4().hex[:6], os.environ.get("S3_PREFIX", "s3://bkt/fig") + uuid.uuid4().hex[:6]]:
        db = ailake.connect(wh)
        t = db.create_table("docs", dim=8, model="h@1", target_file_rows=N // 10)
        t.add([{"id": "r%d" % i, "text": "row %d" % i} for i in range(N)], embedder=td.HashEmbedder(8, "h@1"))
        t0 = time.time()
        r = ailake.dask.migrate((wh, "default.docs"), td.HashEmbedder(12, "h@2"), "h@2", client=cl, batch_size=500)
        dt = time.time() - t0
        print(wh.split(":")[0] if "s3" in wh else "local", N, "rows", round(dt, 2), "s", round(N / dt), "rows/s", r["tasks"], "tasks", r["cut_over"], flush=True)
    cl.close(); c.close()
    
if __name__ == "__main__":
    main()
