"""Python callables as embedders: create -> add (embedded) -> search by text -> migrate to another model and
dimension -> search with the new model; validation of what the callable returns; its exceptions."""

import numpy as np
import pytest

import ailake
from conftest import WordEmbedder

WORDS = ("comet planet orbit telescope galaxy recipe garlic butter oven flour goal referee stadium "
         "penalty guitar chord melody tempo").split()


def texts(n, seed=0):
    rng = np.random.default_rng(seed)
    return [" ".join(rng.choice(WORDS, 6)) + f" w{i}" for i in range(n)]


def test_callable_embedder_create_add_migrate_search(db):
    e16 = WordEmbedder(16, "words@1")
    tbl = db.create_table("docs", dim=16, model="words@1", target_file_rows=150)
    rows = texts(400)
    r = tbl.add([{"id": f"r{i}", "text": t} for i, t in enumerate(rows)], embedder=e16, batch_size=64)
    assert r["rows"] == 400 and r["embedded"] == 400 and r["files"] >= 2
    assert e16.texts == 400 and e16.calls >= 400 // 64  # batched, each text once

    # Searching a row's own text finds that row first, at distance ~0.
    for i in (0, 17, 399):
        hits = tbl.search(rows[i], embedder=e16, k=3)
        assert hits[0]["id"] == f"r{i}" and hits[0]["_distance"] < 1e-3
    many = tbl.search([rows[1], rows[2]], embedder=e16, k=1)
    assert [h.ids[0] for h in many] == ["r1", "r2"]

    # Migrate to a 24-d model with a different callable; progress through a Python callback.
    e24 = WordEmbedder(24, "words@2", salt="v2")
    seen = []
    res = tbl.migrate(e24, "words@2", progress=seen.append, batch_size=50, concurrency=3)
    assert res["cut_over"] and res["rows"] == 400
    assert e24.texts >= 400
    assert seen and all("phase" in p and "rows_done" in p for p in seen)
    info = tbl.info()
    assert info["model"]["id"] == "words@2" and info["model"]["dim"] == 24

    for i in (3, 250):
        hits = tbl.search(rows[i], embedder=e24, k=2)
        assert hits[0]["id"] == f"r{i}"
    with pytest.raises(ailake.Error):  # the old model's query is refused: search never mixes models
        tbl.search(rows[0], embedder=e16, k=2)

    # Rows added after the migration are embedded by the new model.
    r = tbl.add([{"id": "new", "text": "garlic butter comet"}], embedder=e24)
    assert r["embedded"] == 1
    assert tbl.search("garlic butter comet", embedder=e24, k=1)[0]["id"] == "new"


def test_builtin_embedder_object(db):
    emb = ailake.embedder("hash:dim=32,seed=0")
    assert emb.dim == 32 and emb.model.startswith("hash-32")
    v = emb(["a b c", "a b c", "x"])
    assert v.shape == (3, 32) and v.dtype == np.float32
    np.testing.assert_array_equal(v[0], v[1])
    tbl = db.create_table("h", dim=32, model=emb.model)
    tbl.add([{"id": "1", "text": "a b c"}, {"id": "2", "text": "x y"}], embedder=emb)
    assert tbl.search("a b c", embedder=emb, k=1)[0]["id"] == "1"
    wrapped = ailake.embedder(WordEmbedder(8, "w@1"))
    assert wrapped.model == "w@1" and wrapped(["q"]).shape == (1, 8)


class Broken:
    def __init__(self, dim, model, mode):
        self.dim, self.model, self.mode = dim, model, mode

    def __call__(self, texts):
        if self.mode == "raise":
            raise RuntimeError("model server is down")
        if self.mode == "rows":
            return np.zeros((len(texts) + 1, self.dim), dtype=np.float32)
        if self.mode == "dim":
            return np.ones((len(texts), self.dim + 1), dtype=np.float32)
        if self.mode == "nan":
            out = np.ones((len(texts), self.dim), dtype=np.float32)
            out[0, 0] = np.nan
            return out
        if self.mode == "strings":
            return [["x"] * self.dim for _ in texts]
        raise AssertionError(self.mode)


@pytest.mark.parametrize("mode", ["raise", "rows", "dim", "nan", "strings"])
def test_bad_embedder_output_is_refused(db, mode):
    tbl = db.create_table("bad", dim=8, model="b@1")
    with pytest.raises(Exception) as e:
        tbl.add([{"id": "1", "text": "hello"}], embedder=Broken(8, "b@1", mode))
    if mode == "raise":
        assert type(e.value) is RuntimeError and "model server is down" in str(e.value)
        assert any("ailake:" in n for n in getattr(e.value, "__notes__", []))
    elif mode == "strings":
        assert isinstance(e.value, ValueError)
    elif mode == "nan":  # the library's output validation: a non-finite value is reported as Corruption
        assert isinstance(e.value, ailake.Error) and "non-finite" in str(e.value), repr(e.value)
    else:
        assert isinstance(e.value, ailake.InvalidArgument), repr(e.value)
    assert len(tbl) == 0  # nothing written


def test_embedder_needs_a_model_identity(db):
    tbl = db.create_table("m", dim=4, model="m@1")
    with pytest.raises(ailake.InvalidArgument, match="model"):
        ailake.embedder(lambda t: np.zeros((len(t), 4)))
    # A callable of another model than the table's is refused by the library.
    with pytest.raises(ailake.Error):
        tbl.add([{"id": "1", "text": "x"}], embedder=WordEmbedder(4, "other@1"))
    # Without a model attribute, add() takes the table's model.
    assert tbl.add([{"id": "1", "text": "x"}], embedder=lambda t: np.ones((len(t), 4)))["embedded"] == 1


def test_migration_plan_run_task_commit_and_resume(db):
    e8 = WordEmbedder(8, "w@1")
    tbl = db.create_table("dist", dim=8, model="w@1", target_file_rows=100)
    rows = texts(300, seed=3)
    tbl.add([{"id": str(i), "text": t} for i, t in enumerate(rows)], embedder=e8)
    e12 = WordEmbedder(12, "w@2", salt="b")
    job = tbl.migration_plan(e12, "w@2")
    assert isinstance(job, ailake.Migration)
    tasks = job.tasks()
    assert len(tasks) >= 3 and all(t["state"] == "pending" for t in tasks)
    assert tbl.migration_status()["running"]

    # Another "worker" loads the job and runs one task; this one runs the rest; then commit.
    other = ailake.connect(db.uri).open_table("dist").migration(embedder=e12)
    done = other.run_task(tasks[0]["task_id"])
    assert done["rows"] > 0
    for t in tasks[1:]:
        job.run_task(t["task_id"])
    # Both workers' embedding calls, read back from the task records.
    stats = tbl.migration_status()["embed_stats"]
    assert stats["texts"] == 300 and stats["calls"] >= len(tasks) and stats["errors"] == 0
    assert stats["mean_ms"] > 0 and stats["max_ms"] >= stats["mean_ms"] and stats["last_error"] == ""
    res = job.commit()
    assert res["cut_over"]
    assert tbl.info()["model"]["id"] == "w@2"
    assert tbl.search(rows[5], embedder=e12, k=1)[0]["id"] == "5"
    assert tbl.migrations()[-1]["state"] == "finished"

    # A stopped job resumes with the embedder given again.
    e16 = WordEmbedder(16, "w@3", salt="c")
    job2 = tbl.migration_plan(e16, "w@3")
    job2.run_task(job2.tasks()[0]["task_id"])
    job2.stop_for_later()
    res = tbl.migration_resume(embedder=e16, progress=False)
    assert res["cut_over"] and tbl.info()["model"]["id"] == "w@3"

    # Abort with rollback restores the base snapshot.
    base = tbl.version
    job3 = tbl.migration_plan(WordEmbedder(4, "w@4"), "w@4")
    job3.run_task(job3.tasks()[0]["task_id"])
    job3.commit()
    tbl.migration_abort(rollback=True)
    tbl.refresh()
    assert tbl.info()["model"]["id"] == "w@3" and tbl.version == base
    with pytest.raises(ailake.NotFound):
        tbl.migration()
