"""ailake: a vector-native lakehouse table (Parquet + per-file vector index + Iceberg v2) from Python.

    import ailake, numpy as np
    db = ailake.connect("./warehouse")
    tbl = db.create_table("docs", dim=384, model="e5@v2", columns={"lang": "string"})
    tbl.add([{"id": "a", "chunk_text": "hello", "lang": "en", "embedding": np.ones(384)}])
    hits = tbl.search(np.ones(384), k=5, columns=["lang"])      # a list of row dicts
    hits.ids, hits.distances, hits.to_pandas()

docs/PYTHON.md is the guide. The library does the work in C++ with the GIL released; errors are
ailake.Error subclasses carrying the library's messages.
"""

import os as _os

from ._errors import (  # noqa: F401
    Aborted, AlreadyExists, CommitConflict, Corruption, Error, Internal, InvalidArgument, IOError, NotFound,
    NotSupported, OutOfRange, ResourceExhausted, Timeout, Unavailable,
)
from . import _ailake
from ._migration import Migration
from ._search import SearchResult, SearchResults
from ._table import Table

__version__ = _ailake.__version__

parse_instant_ms = _ailake.parse_instant_ms
manifest_cache_stats = _ailake.manifest_cache_stats  # {capacity_bytes, bytes, entries, hits, misses}
format_instant_ms = _ailake.format_instant_ms


def embedder(spec, model=None, dim=None):
    """A built-in embedder from a spec ("hash:dim=64", "command:...", "http:...", docs/EMBEDDERS.md), or a
    Python callable f(list[str]) -> (n, dim) array wrapped with its model identity "NAME@VERSION".

    The result is callable (``emb(["text"])`` -> float32 array) and can be passed wherever an
    embedder goes."""
    return _ailake.embedder(spec, model or "", dim or 0)


def _columns_arg(columns):
    if columns is None:
        return []
    if isinstance(columns, dict):
        return [(str(k), str(v)) for k, v in columns.items()]
    out = []
    for c in columns:
        if isinstance(c, str):
            name, sep, typ = c.partition(":")
            if not sep:
                raise InvalidArgument(f"column spec {c!r}: expected 'name:type' (or a dict name -> type)")
            out.append((name, typ))
        else:
            name, typ = c
            out.append((str(name), str(typ)))
    return out


class Connection:
    """A warehouse: a storage location plus the catalog of its tables. Thread-safe."""

    def __init__(self, native):
        self._native = native

    @property
    def uri(self):
        return self._native.uri

    def describe(self):
        return self._native.describe()

    def create_table(self, name, dim, model, metric="cosine", precision="f16", columns=None, vector_column=None,
                     text_column=None, exist_ok=False, index="auto", target_file_rows=None, hnsw_m=None,
                     hnsw_ef_construction=None, flat_threshold_rows=None):
        """Creates a table for vectors of model "NAME[@VERSION]" with ``dim`` dimensions.

        columns: extra typed columns beside id, doc_id, the text column and metadata, as a dict
        {"lang": "string", "year": "int"} or a list of "name:type" / (name, type); types: boolean, int,
        long, float, double, string, date, timestamptz. exist_ok=True opens an existing table
        instead of raising ailake.AlreadyExists.
        """
        native = self._native.create_table(
            name, model, int(dim), metric, precision, _columns_arg(columns), vector_column or "", text_column or "",
            exist_ok, index, target_file_rows, hnsw_m, hnsw_ef_construction, flat_threshold_rows)
        return Table(native, self)

    def open_table(self, name):
        """Opens a table (ailake.NotFound when it does not exist)."""
        return Table(self._native.open_table(name), self)

    def __getitem__(self, name):
        return self.open_table(name)

    def __contains__(self, name):
        full = name if "." in name else f"default.{name}"
        return full in self._native.list_tables("")

    def list_tables(self, namespace=None):
        """Table names "ns.table", sorted."""
        return self._native.list_tables(namespace or "")

    def table_names(self, namespace=None):
        """LanceDB's name for list_tables()."""
        return self.list_tables(namespace)

    def list_namespaces(self):
        return self._native.list_namespaces()

    def drop_table(self, name, purge=False):
        """Forgets the table; purge=True also deletes its files. Returns a dict."""
        return self._native.drop_table(name, purge)

    def alter_table(self, name, add_columns=None, rename=None):
        """Adds columns ({"name": "type"} or list) and renames columns ({"old": "new"})."""
        renames = list((rename or {}).items())
        return self._native.alter_table(name, _columns_arg(add_columns), renames)

    def __repr__(self):
        return f"ailake.connect({self._native.describe()!r})"


def connect(warehouse=None, catalog=None, create=True, cache_bytes=None, manifest_cache_bytes=None):
    """Opens a warehouse: a local folder (created when missing unless create=False) or an S3 location
    ("s3://bucket/prefix", credentials and endpoint from the AWS_* variables: docs/STORAGE.md) with the
    "fs" (default), "sqlite" (local only) or PostgreSQL ("postgresql://user@host:port/db") catalog.
    Defaults come from AILAKE_WAREHOUSE / AILAKE_CATALOG, else "./warehouse" and "fs". cache_bytes: each opened table's warm-search cache budget (default 2 GiB).
    manifest_cache_bytes: when given, the bound of the process-wide cache of decoded Iceberg manifests
    (64 MiB until set; shared by every connection; 0 turns it off). manifest_cache_stats() reports it."""
    if warehouse is None:
        warehouse = _os.environ.get("AILAKE_WAREHOUSE", "warehouse")
    if catalog is None:
        catalog = _os.environ.get("AILAKE_CATALOG", "fs")
    conn = Connection(_ailake._Warehouse.open(_os.fspath(warehouse), catalog, create, cache_bytes,
                                              manifest_cache_bytes))
    conn._catalog = catalog  # ailake.dask reopens the table on workers from (uri, catalog)
    return conn


__all__ = [
    "connect", "Connection", "Table", "SearchResult", "SearchResults", "Migration", "embedder",
    "parse_instant_ms", "format_instant_ms", "manifest_cache_stats",
    "Error", "InvalidArgument", "NotFound", "AlreadyExists", "Corruption", "IOError", "NotSupported",
    "OutOfRange", "CommitConflict", "Internal", "Unavailable", "Timeout", "Aborted", "ResourceExhausted",
]
