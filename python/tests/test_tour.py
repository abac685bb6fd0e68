"""The README tour in Python: create, add, search, re-add refused, upsert, delete, history, time travel,
migrate to a new model and dimension, search with the new model, expire, verify."""

import json

import numpy as np
import pytest

import ailake
from conftest import CORPUS

EMB256 = "hash:dim=256,seed=0"
EMB384 = "hash:dim=384,seed=0"
QUERY = "telescope observed a comet near the planet"


def corpus_rows():
    with open(CORPUS, encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def test_readme_tour(db, warehouse, cli):
    tbl = db.create_table("demo.docs", dim=256, model="hash-256@seed0", target_file_rows=1000)
    assert db.list_tables() == ["demo.docs"]
    assert db.table_names() == ["demo.docs"]
    assert len(tbl) == 0

    r = tbl.add_file(CORPUS, embedder=EMB256)
    n = len(corpus_rows())
    assert r["rows"] == n and r["embedded"] == n and r["files"] >= 3
    assert len(tbl) == n

    hits = tbl.search(QUERY, embedder=EMB256, k=3, columns=["chunk_text"])
    assert isinstance(hits, ailake.SearchResult) and len(hits) == 3
    assert all(set(h) == {"id", "_distance", "chunk_text"} for h in hits)
    assert list(hits.distances) == sorted(hits.distances)
    assert list(hits.ids) == [h["id"] for h in hits]
    # The same search through the CLI on the same warehouse finds the same rows at the same distances.
    rc, out, err = cli("search", "demo.docs", "--text", QUERY, "--embedder", EMB256, "-k", "3",
                       "--warehouse", warehouse, "--format", "json")
    assert rc == 0, err
    cli_hits = json.loads(out)["results"]
    assert [str(h["id"]) for h in cli_hits] == list(hits.ids)
    np.testing.assert_allclose([h["distance"] for h in cli_hits], hits.distances, rtol=1e-5, atol=1e-6)

    # Loading the same rows again is refused (ids already live) and changes nothing.
    before = tbl.version
    with pytest.raises(ailake.Error) as e:
        tbl.add_file(CORPUS, embedder=EMB256)
    assert "already" in str(e.value)
    assert tbl.version == before and len(tbl) == n

    # Upsert replaces every row in one snapshot.
    r = tbl.add_file(CORPUS, embedder=EMB256, mode="upsert")
    assert r["replaced"] == n and len(tbl) == n

    d = tbl.delete("doc_id = 'doc-00000'")
    assert d["rows_deleted"] > 0
    assert len(tbl) == n - d["rows_deleted"]
    after_delete = tbl.version

    hist = tbl.history()
    assert len(hist) >= 3 and hist[-1]["is_current"] and hist[-1]["snapshot_id"] == after_delete
    assert hist[-1]["total_live_rows"] == len(tbl)

    files = tbl.files()
    data = [f for f in files if f["kind"] == "data"]
    deletes = [f for f in files if f["kind"] == "deletes"]
    assert files == data + deletes and deletes  # data files first; the delete above wrote some
    assert sum(f["live_rows"] for f in data) == len(tbl)
    assert {f["target"] for f in deletes} <= {f["path"] for f in data}
    info = tbl.info()
    assert len(data) == info["data_files"] and len(deletes) == info["delete_files"]
    assert sum(f["deleted_rows"] for f in data) == info["deleted_rows"] >= d["rows_deleted"]

    dry = tbl.migrate(EMB384, "hash-384@seed0", new_metric="dot", dry_run=True)
    assert dry["rows"] >= len(tbl) and dry["new_dim"] == 384
    assert tbl.version == after_delete  # a dry run writes nothing

    res = tbl.migrate(EMB384, "hash-384@seed0", new_metric="dot", progress=False)
    assert res["cut_over"] and res["rows"] == len(tbl)
    info = tbl.info()
    assert info["model"]["id"] == "hash-384@seed0" and info["model"]["dim"] == 384
    assert info["model"]["metric"] == "dot"
    assert [m["state"] for m in tbl.migrations()] == ["finished"]

    new_hits = tbl.search(QUERY, embedder=EMB384, k=3)
    assert len(new_hits) == 3
    # The old model is refused now, but time travel still reads its vectors.
    with pytest.raises(ailake.Error):
        tbl.search(QUERY, embedder=EMB256, k=3)
    old = tbl.search(QUERY, embedder=EMB256, k=3, snapshot_id=after_delete, columns=["doc_id"])
    assert len(old) == 3 and all(h["doc_id"] != "doc-00000" for h in old)

    tbl.expire(older_than="now")
    v = tbl.verify(deep=True)
    assert v["ok"], v["problems"]
    assert len(tbl) == n - d["rows_deleted"]


def test_rows_columns_and_dataframe_inputs(db):
    import pandas as pd

    tbl = db.create_table("t", dim=4, model="m@1", columns={"lang": "string", "year": "int"})
    r = tbl.add([
        {"id": "a", "doc_id": "d1", "text": "alpha", "lang": "en", "year": 2020, "metadata": {"k": 1},
         "vector": [1, 0, 0, 0]},
        {"id": "b", "doc_id": "d1", "text": "beta", "lang": None, "year": 2021, "vector": np.array([0, 1, 0, 0])},
    ])
    assert r["rows"] == 2
    r = tbl.add({"id": ["c", "d"], "doc_id": ["d2", "d2"], "chunk_text": ["gamma", "delta"], "lang": ["fr", "de"],
                 "year": np.array([1999, 2001]), "embedding": np.eye(4, dtype=np.float32)[2:]})
    assert r["rows"] == 2
    df = pd.DataFrame({"id": ["e"], "doc_id": ["d3"], "chunk_text": ["eps"], "lang": ["it"], "year": [2005],
                       "embedding": [np.array([0.5, 0.5, 0.5, 0.5], dtype=np.float32)]})
    assert tbl.add(df)["rows"] == 1
    assert len(tbl) == 5

    hits = tbl.search([1, 0, 0, 0], k=5, columns=["lang", "year", "metadata", "chunk_text"])
    top = hits[0]
    assert top["id"] == "a" and top["lang"] == "en" and top["year"] == 2020 and top["chunk_text"] == "alpha"
    assert json.loads(top["metadata"]) == {"k": 1}
    b = next(h for h in hits if h["id"] == "b")
    assert b["lang"] is None
    assert sorted(hits.ids) == ["a", "b", "c", "d", "e"]

    # where + delete_ids + rollback
    fr = tbl.search([0, 0, 1, 0], k=5, where="lang = 'fr'", columns=["lang"])
    assert [h["id"] for h in fr] == ["c"]
    v = tbl.version
    d = tbl.delete_ids(["a", "zzz"])
    assert d["rows_deleted"] == 1 and d["unknown_ids"] == ["zzz"]
    assert len(tbl) == 4
    tbl.rollback(v)
    assert len(tbl) == 5


def test_batch_search_matches_single(db):
    from conftest import clustered

    x = clustered(3000, 32, seed=1)
    tbl = db.create_table("b", dim=32, model="m@1", precision="f32", target_file_rows=1000)
    tbl.add({"id": [f"r{i}" for i in range(len(x))], "chunk_text": ["t"] * len(x), "embedding": x})
    q = x[:20]
    batch = tbl.search(q, k=5)
    assert isinstance(batch, ailake.SearchResults) and len(batch) == 20
    for i, res in enumerate(batch):
        single = tbl.search(q[i], k=5)
        assert list(res.ids) == list(single.ids)
        np.testing.assert_array_equal(res.distances, single.distances)
        assert res.ids[0] == f"r{i}"  # the query row itself is its own nearest neighbour
    exact = tbl.search(q, k=5, exact=True)
    assert [r.ids[0] for r in exact] == [f"r{i}" for i in range(20)]
    df = batch.to_pandas()
    assert list(df.columns[:3]) == ["query", "id", "_distance"] and len(df) == 100


def test_manifest_cache_bound(warehouse):
    """connect(manifest_cache_bytes=) resizes the process-wide manifest cache; stats show its use."""
    initial = ailake.manifest_cache_stats()["capacity_bytes"]
    try:
        db = ailake.connect(warehouse, manifest_cache_bytes=0)
        assert ailake.manifest_cache_stats()["capacity_bytes"] == 0
        tbl = db.create_table("t", dim=4, model="m@1")
        for i in range(3):  # three commits: a plan reads three manifests
            tbl.add([{"id": str(i), "chunk_text": "x", "embedding": np.eye(4, dtype=np.float32)[i]}])
        before = ailake.manifest_cache_stats()
        assert db.open_table("t").search([1, 0, 0, 0], k=1).ids == ["0"]
        off = ailake.manifest_cache_stats()
        assert off["entries"] == 0 and off["hits"] == before["hits"] and off["misses"] >= before["misses"] + 3

        db = ailake.connect(warehouse, manifest_cache_bytes=1 << 20)
        for _ in range(2):
            assert db.open_table("t").search([0, 1, 0, 0], k=1).ids == ["1"]
        on = ailake.manifest_cache_stats()
        assert on["capacity_bytes"] == 1 << 20 and on["entries"] >= 3 and 0 < on["bytes"] <= 1 << 20
        assert on["hits"] >= off["hits"] + 3

        with pytest.raises(TypeError):
            ailake.connect(warehouse, manifest_cache_bytes=-1)
        assert ailake.manifest_cache_stats()["capacity_bytes"] == 1 << 20
    finally:
        ailake.connect(warehouse, manifest_cache_bytes=initial)
