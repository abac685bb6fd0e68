"""Errors: one exception class per status code, the library's messages word for word, bad input refused."""

import numpy as np
import pytest

import ailake


@pytest.fixture
def tbl(db):
    t = db.create_table("e", dim=4, model="m@1", columns={"year": "int"})
    t.add([{"id": "a", "text": "x", "year": 1, "vector": [1, 0, 0, 0]}])
    return t


def test_hierarchy():
    assert issubclass(ailake.InvalidArgument, ailake.Error) and issubclass(ailake.InvalidArgument, ValueError)
    assert issubclass(ailake.NotFound, LookupError)
    assert issubclass(ailake.IOError, OSError)
    for name in ("AlreadyExists", "Corruption", "CommitConflict", "NotSupported", "Internal", "Aborted"):
        assert issubclass(getattr(ailake, name), ailake.Error)


def test_messages_are_the_clis(db, warehouse, cli):
    with pytest.raises(ailake.NotFound) as e:
        db.open_table("nope.missing")
    assert e.value.code == "NotFound"
    rc, _, err = cli("info", "nope.missing", "--warehouse", warehouse)
    assert rc != 0 and err.strip() == f"error: {e.value}"

    db.create_table("dup", dim=4, model="m@1")
    with pytest.raises(ailake.AlreadyExists) as e:
        db.create_table("dup", dim=4, model="m@1")
    rc, _, err = cli("create", "dup", "--dim", "4", "--model", "m@1", "--warehouse", warehouse)
    assert rc != 0 and err.strip() == f"error: {e.value}"
    assert db.create_table("dup", dim=4, model="m@1", exist_ok=True).name == "default.dup"

    with pytest.raises(ailake.InvalidArgument) as e:
        db.open_table("dup").delete("year >= ")
    rc, _, err = cli("delete", "dup", "--where", "year >= ", "--warehouse", warehouse)
    assert rc != 0 and err.strip() == f"error: {e.value}"


def test_connect_without_create(tmp_path):
    with pytest.raises(ailake.NotFound):
        ailake.connect(tmp_path / "absent", create=False)


def test_bad_create_options(db):
    with pytest.raises(ailake.InvalidArgument, match="metric"):
        db.create_table("x", dim=4, model="m@1", metric="manhattan")
    with pytest.raises(ailake.InvalidArgument):
        db.create_table("x", dim=4, model="m@1", precision="f64")
    with pytest.raises(ailake.InvalidArgument):
        db.create_table("x", dim=4, model="m@1", columns={"c": "decimal"})
    with pytest.raises(ailake.InvalidArgument):
        db.create_table("bad name!", dim=4, model="m@1")
    with pytest.raises(ailake.InvalidArgument):
        db.create_table("x", dim=0, model="m@1")
    assert db.list_tables() == []


def test_bad_search_input(tbl):
    with pytest.raises(ailake.InvalidArgument):
        tbl.search([1, 0, 0], k=1)  # wrong dimension
    with pytest.raises(ailake.InvalidArgument, match="non-finite"):
        tbl.search([1, np.nan, 0, 0], k=1)
    with pytest.raises(ailake.InvalidArgument, match="non-finite"):
        tbl.search(np.array([[1, 0, 0, 0], [0, np.inf, 0, 0]]), k=1)
    with pytest.raises(ailake.InvalidArgument, match="3-D"):
        tbl.search(np.zeros((1, 1, 4)), k=1)
    with pytest.raises(ailake.InvalidArgument):
        tbl.search(["not", 1.0], k=1)
    with pytest.raises(ailake.InvalidArgument, match="embedder"):
        tbl.search("text without an embedder")
    with pytest.raises(ailake.InvalidArgument):
        tbl.search([1, 0, 0, 0], where="year >=")
    with pytest.raises(ailake.Error):
        tbl.search([1, 0, 0, 0], columns=["no_such_column"])
    with pytest.raises(ailake.NotFound):
        tbl.search([1, 0, 0, 0], snapshot_id=12345)
    with pytest.raises(ailake.InvalidArgument):
        tbl.search([1, 0, 0, 0], as_of="2023-02-31")


def test_bad_add_input(tbl):
    n = len(tbl)
    with pytest.raises(ailake.InvalidArgument, match="mode"):
        tbl.add([{"id": "b", "text": "y", "vector": [0, 1, 0, 0]}], mode="overwrite")
    with pytest.raises(ailake.InvalidArgument):
        tbl.add([{"id": "b", "text": "y", "vector": [0, 1, 0]}])  # wrong dimension
    with pytest.raises(ailake.InvalidArgument):
        tbl.add([{"id": "b", "text": "y", "vector": [0, np.nan, 0, 0]}])
    with pytest.raises(ailake.InvalidArgument, match="row 1"):
        tbl.add([{"id": "b", "text": "y", "vector": [0, 1, 0, 0]}, {"id": "c", "text": "z", "vector": [1, 2]}])
    with pytest.raises(ailake.InvalidArgument, match="'year' row 0: expected int"):
        tbl.add([{"id": "b", "text": "y", "year": "2020", "vector": [0, 1, 0, 0]}])
    with pytest.raises(ailake.InvalidArgument, match="32-bit"):
        tbl.add([{"id": "b", "text": "y", "year": 2**40, "vector": [0, 1, 0, 0]}])
    with pytest.raises(ailake.InvalidArgument):
        tbl.add({"id": ["b", "c"], "chunk_text": ["y"], "embedding": np.zeros((2, 4))})
    with pytest.raises(ailake.InvalidArgument):
        tbl.add({"id": ["b"], "chunk_text": ["y"], "embedding": np.zeros((2, 4))})
    with pytest.raises(ailake.InvalidArgument):
        tbl.add("not rows")
    with pytest.raises(ailake.Error):
        tbl.add([{"id": "a", "text": "again", "vector": [0, 1, 0, 0]}])  # id already live
    with pytest.raises(ailake.Error):
        tbl.add([{"text": "no id", "vector": [0, 1, 0, 0]}])
    assert len(tbl) == n
    r = tbl.add([{"text": "no id", "vector": [0, 1, 0, 0]}], generate_ids=True)
    assert r["rows"] == 1 and len(tbl) == n + 1
    r = tbl.add([{"id": "a", "text": "again", "vector": [0, 1, 0, 0]}], mode="insert-new")
    assert r["skipped"] == 1 and r["rows"] == 0


def test_migration_errors(tbl):
    with pytest.raises(ailake.InvalidArgument):
        tbl.migrate("hash:dim=8", "h@1", strategy="big-bang", progress=False)
    with pytest.raises(ailake.InvalidArgument):
        tbl.migrate(None, "h@1", progress=False)
    with pytest.raises(ailake.NotFound):
        tbl.migration_status()
    with pytest.raises(ailake.NotFound):
        tbl.migration_abort()
