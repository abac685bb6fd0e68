"""The clustered layout from Python: compact(cluster=True) makes region files, search(nprobe=N)
reads only the N nearest regions' files, and nprobe = every file gives the exact pruning's results."""

import numpy as np

import ailake
from conftest import clustered


def test_cluster_compaction_and_nprobe(db):
    x = clustered(4000, 32, clusters=8, seed=3)
    tbl = db.create_table("c", dim=32, model="m@1", target_file_rows=1000)
    ids = [f"r{i}" for i in range(len(x))]
    tbl.add({"id": ids, "chunk_text": [f"row {i}" for i in range(len(x))], "embedding": x})
    queries = x[::211][:16]
    before = [tbl.search(q, k=10, exact=True) for q in queries]

    r = tbl.compact(cluster=True, cluster_files=4)
    assert r["files_added"] == 4 and r["rows_written"] == len(x)
    info = tbl.info()
    assert info["data_files"] == 4 and info["live_rows"] == len(x)

    for q, b in zip(queries, before):
        exact = tbl.search(q, k=10, exact=True)
        assert exact.ids.tolist() == b.ids.tolist()  # the layout changed, not the rows
        full = tbl.search(q, k=10, ef=64)
        all_probed = tbl.search(q, k=10, ef=64, nprobe=4)
        assert all_probed.ids.tolist() == full.ids.tolist()
        one = tbl.search(q, k=10, ef=64, nprobe=1)
        assert one.stats()["files_searched"] == 1
        assert len(one.ids) == 10
        # probe_patience reaches the native search: with every file a region, a query whose
        # neighbours are in its own region stops after the files that add nothing (one thread:
        # the first file, then one lane of the other three).
        patient = tbl.search(q, k=10, exact=True, prune=False, probe_patience=1, threads=1)
        assert patient.ids.tolist() == exact.ids.tolist()
        st = patient.stats()
        assert st["files_searched"] + st["files_pruned"] == 4
        assert st["files_searched"] < 4
        # adaptive_probe reaches the native search: at a factor near 0 only the region of nearest
        # centroid is searched; at one no bisector bound reaches, the answer is the exact one.
        nearest_only = tbl.search(q, k=10, exact=True, prune=False, adaptive_probe=1e-9)
        assert nearest_only.stats()["files_searched"] == 1
        loose = tbl.search(q, k=10, exact=True, prune=False, adaptive_probe=1e9)
        assert loose.ids.tolist() == exact.ids.tolist()
    try:
        tbl.search(queries[0], k=10, adaptive_probe=-1)
    except ailake.InvalidArgument as e:
        assert "adaptive probing" in str(e)
    else:
        raise AssertionError("a negative adaptive_probe was accepted")


def test_cluster_files_without_cluster_is_refused(db):
    tbl = db.create_table("c2", dim=8, model="m@1")
    try:
        tbl.compact(cluster_files=3)
    except ailake.InvalidArgument as e:
        assert "cluster=True" in str(e)
    else:
        raise AssertionError("cluster_files without cluster=True was accepted")
