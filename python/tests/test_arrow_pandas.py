"""Search results as Arrow (PyCapsule stream read by our own ctypes consumer of the C structs, no
pyarrow) and as pandas DataFrames; both must equal the row dicts, nulls included."""

import ctypes
import datetime as dt
import struct

import numpy as np
import pytest


COLUMNS = {"lang": "string", "year": "int", "big": "long", "score": "double", "f": "float", "ok": "boolean",
           "day": "date", "ts": "timestamptz"}  # binary columns: not in the table format (create refuses)
UTC = dt.timezone.utc


class ArrowSchema(ctypes.Structure):
    pass


ArrowSchema._fields_ = [
    ("format", ctypes.c_char_p), ("name", ctypes.c_char_p), ("metadata", ctypes.c_void_p),
    ("flags", ctypes.c_int64), ("n_children", ctypes.c_int64),
    ("children", ctypes.POINTER(ctypes.POINTER(ArrowSchema))), ("dictionary", ctypes.c_void_p),
    ("release", ctypes.CFUNCTYPE(None, ctypes.POINTER(ArrowSchema))), ("private_data", ctypes.c_void_p),
]


class ArrowArray(ctypes.Structure):
    pass


ArrowArray._fields_ = [
    ("length", ctypes.c_int64), ("null_count", ctypes.c_int64), ("offset", ctypes.c_int64),
    ("n_buffers", ctypes.c_int64), ("n_children", ctypes.c_int64),
    ("buffers", ctypes.POINTER(ctypes.c_void_p)), ("children", ctypes.POINTER(ctypes.POINTER(ArrowArray))),
    ("dictionary", ctypes.c_void_p), ("release", ctypes.CFUNCTYPE(None, ctypes.POINTER(ArrowArray))),
    ("private_data", ctypes.c_void_p),
]


class ArrowArrayStream(ctypes.Structure):
    pass


ArrowArrayStream._fields_ = [
    ("get_schema", ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ArrowArrayStream), ctypes.POINTER(ArrowSchema))),
    ("get_next", ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ArrowArrayStream), ctypes.POINTER(ArrowArray))),
    ("get_last_error", ctypes.CFUNCTYPE(ctypes.c_char_p, ctypes.POINTER(ArrowArrayStream))),
    ("release", ctypes.CFUNCTYPE(None, ctypes.POINTER(ArrowArrayStream))),
    ("private_data", ctypes.c_void_p),
]

_get_pointer = ctypes.pythonapi.PyCapsule_GetPointer
_get_pointer.restype = ctypes.c_void_p
_get_pointer.argtypes = [ctypes.py_object, ctypes.c_char_p]
_get_name = ctypes.pythonapi.PyCapsule_GetName
_get_name.restype = ctypes.c_char_p
_get_name.argtypes = [ctypes.py_object]


def _bytes(ptr, n):
    return ctypes.string_at(ptr, n) if n else b""


def _valid(arr, i):
    bitmap = arr.buffers[0]
    if not bitmap:
        return True
    byte = ctypes.string_at(bitmap + (i >> 3), 1)[0]
    return bool(byte >> (i & 7) & 1)


def decode(fmt, arr):
    """One child array -> list of Python values (None for nulls), for the formats we export."""
    n = arr.length
    assert arr.offset == 0
    out = []
    if fmt in ("u", "z"):
        offs = struct.unpack(f"<{n + 1}i", _bytes(arr.buffers[1], 4 * (n + 1)))
        data = _bytes(arr.buffers[2], offs[-1])
        for i in range(n):
            v = data[offs[i]:offs[i + 1]]
            out.append(v.decode() if fmt == "u" else v)
    elif fmt == "b":
        bits = _bytes(arr.buffers[1], (n + 7) // 8)
        out = [bool(bits[i >> 3] >> (i & 7) & 1) for i in range(n)]
    else:
        code, size = {"f": ("f", 4), "g": ("d", 8), "i": ("i", 4), "l": ("q", 8), "tdD": ("i", 4),
                      "tsu:UTC": ("q", 8)}[fmt]
        out = list(struct.unpack(f"<{n}{code}", _bytes(arr.buffers[1], size * n)))
        if fmt == "tdD":
            out = [dt.date(1970, 1, 1) + dt.timedelta(days=v) for v in out]
        if fmt == "tsu:UTC":
            out = [dt.datetime(1970, 1, 1, tzinfo=UTC) + dt.timedelta(microseconds=v) for v in out]
    nulls = 0
    for i in range(n):
        if not _valid(arr, i):
            out[i] = None
            nulls += 1
    assert nulls == arr.null_count
    return out


def consume(obj):
    """Reads an object's __arrow_c_stream__ like an Arrow consumer: moves the stream out of the capsule,
    reads the schema and every batch, releases everything. Returns (fields, rows)."""
    capsule = obj.__arrow_c_stream__()
    assert _get_name(capsule) == b"arrow_array_stream"
    src = ArrowArrayStream.from_address(_get_pointer(capsule, b"arrow_array_stream"))
    stream = ArrowArrayStream()
    ctypes.memmove(ctypes.byref(stream), ctypes.byref(src), ctypes.sizeof(stream))
    src.release = ctypes.cast(None, type(src.release))  # moved: the capsule must not release it now
    del capsule

    schema = ArrowSchema()
    assert stream.get_schema(ctypes.byref(stream), ctypes.byref(schema)) == 0
    assert schema.format == b"+s"
    fields = []
    for i in range(schema.n_children):
        c = schema.children[i].contents
        fields.append((c.name.decode(), c.format.decode(), c.flags))
    rows = []
    batches = 0
    while True:
        arr = ArrowArray()
        assert stream.get_next(ctypes.byref(stream), ctypes.byref(arr)) == 0
        if not arr.release:
            break
        batches += 1
        assert arr.n_children == len(fields) and arr.n_buffers == 1
        cols = [decode(fields[j][1], arr.children[j].contents) for j in range(arr.n_children)]
        for j in range(arr.n_children):
            assert arr.children[j].contents.length == arr.length
        rows.extend(dict(zip([f[0] for f in fields], vals)) for vals in zip(*cols))
        arr.release(ctypes.byref(arr))
        assert not arr.release  # release marks the struct released
    assert batches == 1
    schema.release(ctypes.byref(schema))
    assert not schema.release
    stream.release(ctypes.byref(stream))
    assert not stream.release
    return fields, rows


@pytest.fixture
def typed(db):
    tbl = db.create_table("typed", dim=4, model="m@1", columns=COLUMNS)
    tbl.add([
        {"id": "a", "text": "alpha", "lang": "en", "year": 2020, "big": 2**40, "score": 0.25, "f": 1.5, "ok": True,
         "day": dt.date(2024, 2, 29), "ts": dt.datetime(2024, 1, 2, 3, 4, 5, 678901, tzinfo=UTC),
         "vector": [1, 0, 0, 0]},
        {"id": "b", "text": "beta", "lang": None, "year": None, "big": None, "score": None, "f": None, "ok": None,
         "day": None, "ts": None, "vector": [0.9, 0.1, 0, 0]},
        {"id": "c", "text": None, "lang": "fr", "year": -5, "big": -1, "score": -2.5, "f": 0.0, "ok": False,
         "day": "1969-12-31", "ts": "1970-01-01T00:00:00.001Z", "vector": [0.5, 0.5, 0, 0]},
    ])
    return tbl


def test_arrow_stream_matches_rows(typed):
    cols = ["chunk_text"] + list(COLUMNS)
    hits = typed.search([1, 0, 0, 0], k=3, columns=cols)
    assert [h["id"] for h in hits] == ["a", "b", "c"]
    fields, rows = consume(hits)
    assert fields[0] == ("id", "u", 0) and fields[1] == ("_distance", "f", 0)
    fmt = {name: f for name, f, _ in fields}
    assert fmt == {"id": "u", "_distance": "f", "chunk_text": "u", "lang": "u", "year": "i", "big": "l",
                   "score": "g", "f": "f", "ok": "b", "day": "tdD", "ts": "tsu:UTC"}
    assert all(flags == 2 for name, _, flags in fields[2:])  # nullable
    assert len(rows) == len(hits)
    for got, want in zip(rows, hits):
        assert got["_distance"] == pytest.approx(want["_distance"], rel=1e-6)
        assert {k: v for k, v in got.items() if k != "_distance"} == \
            {k: v for k, v in want.items() if k != "_distance"}
    a = hits[0]
    assert a["day"] == dt.date(2024, 2, 29) and a["ts"] == dt.datetime(2024, 1, 2, 3, 4, 5, 678901, tzinfo=UTC)
    assert a["big"] == 2**40 and a["ok"] is True
    b = hits[1]
    assert all(b[c] is None for c in COLUMNS)
    c = hits[2]
    assert c["chunk_text"] is None and c["day"] == dt.date(1969, 12, 31) and c["ok"] is False


def test_arrow_stream_empty_and_unconsumed(typed):
    hits = typed.search([1, 0, 0, 0], k=3, where="lang = 'none'", columns=["lang"])
    assert len(hits) == 0
    fields, rows = consume(hits)
    assert [f[0] for f in fields] == ["id", "_distance", "lang"] and rows == []
    # A capsule dropped without a consumer releases its stream (no leak, no crash), twice over.
    for _ in range(2):
        cap = typed.search([1, 0, 0, 0], k=2).__arrow_c_stream__(requested_schema=None)
        del cap


def test_numpy_views(typed):
    hits = typed.search([1, 0, 0, 0], k=3)
    assert hits.ids.dtype == object and list(hits.ids) == ["a", "b", "c"]
    assert hits.distances.dtype == np.float32 and hits.distances.shape == (3,)
    assert not hits.distances.flags.writeable
    assert list(hits.distances) == [h["_distance"] for h in hits]


def test_to_pandas(typed):
    import pandas as pd

    hits = typed.search([1, 0, 0, 0], k=3, columns=["chunk_text"] + list(COLUMNS))
    df = hits.to_pandas()
    assert isinstance(df, pd.DataFrame)
    assert list(df.columns) == ["id", "_distance", "chunk_text"] + list(COLUMNS)
    assert list(df["id"]) == ["a", "b", "c"]
    assert df["_distance"].dtype == np.float32
    assert str(df["ts"].dt.tz) == "UTC"
    assert df["ts"][0] == pd.Timestamp("2024-01-02T03:04:05.678901Z")
    assert pd.isna(df["ts"][1]) and pd.isna(df["lang"][1]) and pd.isna(df["year"][1])
    assert df["lang"][2] == "fr" and df["year"][2] == -5

    # A DataFrame goes back in: the same rows, new ids.
    back = df.drop(columns=["_distance"]).assign(id=["a2", "b2", "c2"])
    back["embedding"] = [np.array([0, 0, 1, 0]), np.array([0, 0, 0.9, 0.1]), np.array([0, 0, 0.5, 0.5])]
    assert typed.add(back)["rows"] == 3
    again = typed.search([0, 0, 1, 0], k=3, columns=list(COLUMNS))
    assert [h["id"] for h in again] == ["a2", "b2", "c2"]
    for x, y in zip(again, hits):
        assert {k: v for k, v in x.items() if k not in ("id", "_distance")} == \
            {k: v for k, v in y.items() if k in COLUMNS}
