"""The Python flow on an S3 warehouse (moto) with the PostgreSQL catalog (PostgreSQL 15), both started
on loopback by conftest's fixtures: create, add (append), add(mode="upsert"), search (vector and
text, Python callable embedders), delete(where), migrate atomic-replace (new model and dimension),
migrate dual-write-then-cutover (a third model), expire, compact, verify(deep=True). After every step
the exact live ids are checked, a fresh connection (another process's view) sees the same snapshot
and ids, and the PostgreSQL catalog holds the table at the snapshot's metadata (psql and `ailake
list`). The S3 twin of cli_s3_test's EveryCommandOnS3WithThePostgresCatalog."""

import json
import subprocess
import uuid

import pytest

import ailake
from conftest import BINARY_DIR, WordEmbedder, create_bucket


def _text(i, word="alpha"):
    return "%s row %d" % (word, i)


def _live_ids(tbl, emb):
    """Every live id, with repeats, by an exact search with k above the row count."""
    n = tbl.count_rows()
    hits = tbl.search("row", k=n + 10, exact=True, embedder=emb)
    return [h["id"] for h in hits]


class Flow:
    def __init__(self, wh, catalog, pg, db):
        self.wh, self.catalog, self.pg, self.db = wh, catalog, pg, db
        self.conn = ailake.connect(wh, catalog=catalog)
        self.tbl = None

    def check(self, expected, emb, step):
        """The handle, a fresh connection and the catalog all agree on the live ids and snapshot."""
        expected = set(expected)
        ids = _live_ids(self.tbl, emb)
        assert len(ids) == len(set(ids)), "%s: an id is live twice: %s" % (step, sorted(ids))
        assert set(ids) == expected, "%s: missing %s, unexpected %s" % (
            step, sorted(expected - set(ids)), sorted(set(ids) - expected))
        assert self.tbl.count_rows() == len(expected), step
        info = self.tbl.info()

        other = ailake.connect(self.wh, catalog=self.catalog).open_table("docs")
        oinfo = other.info()
        assert oinfo["snapshot_id"] == info["snapshot_id"], step
        assert oinfo["model"] == info["model"], step
        oids = _live_ids(other, emb)
        assert sorted(oids) == sorted(ids), step

        rows = self.pg.psql(self.db, "SELECT table_namespace, table_name, metadata_location FROM iceberg_tables")
        assert len(rows) == 1 and rows[0][:2] == ["default", "docs"], "%s: iceberg_tables holds %s" % (step, rows)
        assert rows[0][2] == info["metadata_location"], step
        assert rows[0][2].startswith(self.wh + "/"), "%s: metadata outside the S3 warehouse: %s" % (step, rows[0][2])
        return info


def test_python_flow_on_s3_with_the_postgresql_catalog(moto, pg):
    suffix = uuid.uuid4().hex[:10]
    bucket, db = "pys3-" + suffix, "d" + suffix
    create_bucket(moto, bucket)
    pg.create_database(db)
    wh, catalog = "s3://%s/lake" % bucket, pg.uri(db)
    f = Flow(wh, catalog, pg, db)

    # create + two appends: more than one file per commit (target_file_rows=25).
    e1 = WordEmbedder(16, "words@1")
    f.tbl = f.conn.create_table("docs", dim=16, model="words@1", target_file_rows=25)
    assert f.conn.table_names() == ["default.docs"]
    r = f.tbl.add([{"id": "r%d" % i, "text": _text(i)} for i in range(40)], mode="append", embedder=e1)
    assert r["rows"] == 40 and r["embedded"] == 40 and r["files"] >= 2, r
    r = f.tbl.add([{"id": "r%d" % i, "text": _text(i)} for i in range(40, 60)], mode="append", embedder=e1)
    assert r["rows"] == 20, r
    live = {"r%d" % i for i in range(60)}
    f.check(live, e1, "append")

    # upsert: r0..r9 get new texts (replaced in the same snapshot), r60..r64 are new.
    r = f.tbl.add([{"id": "r%d" % i, "text": _text(i, "beta")} for i in list(range(10)) + list(range(60, 65))],
                  mode="upsert", embedder=e1)
    assert r["replaced"] == 10 and r["rows"] == 15, r
    live |= {"r%d" % i for i in range(60, 65)}
    f.check(live, e1, "upsert")

    # search by text and by vector: the upserted text is found at distance ~0, the old one is gone.
    hits = f.tbl.search(_text(3, "beta"), embedder=e1, k=3)
    assert hits[0]["id"] == "r3" and hits[0]["_distance"] < 1e-3, list(hits)
    vec = e1([_text(42)])[0]
    hits = f.tbl.search(vec, k=3)
    assert hits[0]["id"] == "r42" and hits[0]["_distance"] < 1e-3, list(hits)
    exact = f.tbl.search(_text(3), embedder=e1, k=len(live), exact=True)
    assert all(h["_distance"] > 1e-3 for h in exact), "the replaced text of r3 is still live"

    # delete(where)
    d = f.tbl.delete("id IN ('r50', 'r51') OR id = 'r62'")
    assert d["rows_deleted"] == 3, d
    live -= {"r50", "r51", "r62"}
    f.check(live, e1, "delete")

    # atomic-replace migration to a new model and dimension.
    e2 = WordEmbedder(24, "words@2", salt="v2")
    m = f.tbl.migrate(e2, "words@2", strategy="atomic-replace", progress=False, batch_size=16)
    assert m["cut_over"] and m["rows"] == len(live), m
    info = f.check(live, e2, "migrate atomic-replace")
    assert info["model"]["id"] == "words@2" and info["model"]["dim"] == 24, info["model"]
    hits = f.tbl.search(_text(17), embedder=e2, k=1)
    assert hits[0]["id"] == "r17" and hits[0]["_distance"] < 1e-3, list(hits)
    with pytest.raises(ailake.Error):  # search never mixes models
        f.tbl.search(_text(17), embedder=e1, k=1)

    # dual-write-then-cutover migration to a third model.
    e3 = WordEmbedder(12, "words@3", salt="v3")
    m = f.tbl.migrate(e3, "words@3", strategy="dual-write-then-cutover", progress=False, batch_size=16)
    assert m["cut_over"] and m["rows"] == len(live), m
    info = f.check(live, e3, "migrate dual-write")
    assert info["model"]["id"] == "words@3" and info["model"]["dim"] == 12, info["model"]
    hits = f.tbl.search(_text(9, "beta"), embedder=e3, k=1)
    assert hits[0]["id"] == "r9" and hits[0]["_distance"] < 1e-3, list(hits)
    assert [j["strategy"] for j in f.tbl.migrations()] == ["atomic-replace", "dual-write-then-cutover"]

    # expire everything but the current snapshot: the old models' files and the replaced rows' files go.
    x = f.tbl.expire(older_than="now")
    assert x["expired_snapshots"] and x["data_files_deleted"] > 0 and x["bytes_freed"] > 0, x
    f.check(live, e3, "expire")
    kept = {h["snapshot_id"] for h in f.tbl.history()}
    assert not kept & set(x["expired_snapshots"]), (kept, x)

    # compact: the small files and those with deletes are rewritten, the rows stay.
    files_before = f.tbl.info()["data_files"]
    c = f.tbl.compact()
    assert c["files_removed"] > c["files_added"] and c["rows_written"] == len(live), c
    info = f.check(live, e3, "compact")
    assert info["data_files"] < files_before, (files_before, info["data_files"])

    v = f.tbl.verify(deep=True)
    assert v["ok"] and not v["problems"], v
    assert ailake.connect(wh, catalog=catalog).open_table("docs").verify(deep=True)["ok"]

    # The CLI, another process, sees the table and its state through the same catalog.
    exe = BINARY_DIR / "ailake"
    assert exe.exists(), f"{exe} is missing: build the project first (make build)"

    def cli(*args):
        p = subprocess.run([str(exe), "--warehouse", wh, "--catalog", catalog, *args], capture_output=True,
                           text=True, timeout=60)
        assert p.returncode == 0, (args, p.stderr)
        return p.stdout

    assert cli("list").split() == ["default.docs"]
    cinfo = json.loads(cli("info", "docs", "--format", "json"))
    assert cinfo["current_snapshot_id"] == info["snapshot_id"] and cinfo["live_rows"] == len(live), cinfo
    assert cinfo["metadata"] == info["metadata_location"] and cinfo["model"] == "words@3", cinfo
