"""Table: one ailake table (Iceberg v2 metadata + AI-Lake Parquet files)."""

import numpy as np

from . import _ailake, _data, _progress, _search
from ._errors import InvalidArgument
from ._migration import Migration


def _embedder_identity(embedder, model, dim, info):
    """The model/dim a callable embedder stands for: the arguments, else its attributes, else the table's."""
    if embedder is None or isinstance(embedder, str) or not callable(embedder) and not hasattr(embedder, "embed"):
        return model or "", dim or 0
    if isinstance(embedder, _ailake._Embedder):
        return "", 0
    if not model:
        attr = getattr(embedder, "model", None)
        model = attr if isinstance(attr, str) else info["model"]["id"]
    if not dim:
        attr = getattr(embedder, "dim", None)
        dim = attr if isinstance(attr, int) else 0
    return model, dim or 0


class Table:
    """An ailake table. Safe to use from several threads at once (the GIL is released while the
    library works). Reads see the snapshot this handle last loaded; ``refresh()`` loads the latest."""

    def __init__(self, native, connection=None):
        self._native = native
        self._connection = connection

    # ---- description -----------------------------------------------------------------------------
    @property
    def name(self):
        return self._native.name

    def info(self):
        """A dict: model, vector/text columns, schema, snapshot, files, rows, live_rows, properties..."""
        return self._native.info()

    @property
    def schema(self):
        return self._native.info()["schema"]

    @property
    def version(self):
        """The current snapshot id (0 before the first commit)."""
        return self._native.info()["snapshot_id"]

    def count_rows(self):
        """Rows a full scan returns (deleted rows excluded)."""
        return self._native.info()["live_rows"]

    def __len__(self):
        return self.count_rows()

    def history(self):
        """Commits and rollbacks, oldest first (dicts)."""
        return self._native.history()

    def files(self):
        """The live files of the current snapshot (dicts): data files first (``kind`` "data",
        ``path``, ``bytes``, ``rows``, ``deleted_rows``, ``live_rows``, ``model``), then position-delete
        files (``kind`` "deletes", ``target``: the data file they name). An engine reading the files
        directly must read exactly these: the data files' rows minus the (file_path, pos) pairs of the
        delete files. Other files under data/ belong to older snapshots (``ailake files``)."""
        return self._native.files()

    def refresh(self):
        """Loads the latest snapshot from the catalog."""
        self._native.refresh()
        return self

    # ---- writing ---------------------------------------------------------------------------------
    def add(self, data, mode="error-on-duplicate", embedder=None, model=None, dim=None, generate_ids=False,
            batch_size=256, concurrency=1, progress=False):
        """Adds rows (list of row dicts, dict of columns, or a pandas DataFrame) in one snapshot.

        mode: "error-on-duplicate" (default: nothing is written when an id is already live),
        "append" (ids not checked), "insert-new" (live ids skipped), "upsert" (live ids replaced).
        Rows without a vector are embedded from their text by ``embedder`` (a callable
        f(list[str]) -> (n, dim) array, an ailake.embedder(...) or a spec string).
        Returns a dict: rows, embedded, skipped, replaced, files, snapshot_id, ...
        """
        info = self._native.info()
        columns, vectors = _data.to_columns(data, info)
        emb_model, emb_dim = _embedder_identity(embedder, model, dim, info)
        p = _progress.make(progress, "add", total_key="rows_total")
        try:
            return self._native.add(columns, vectors, mode, embedder, emb_model, emb_dim, generate_ids,
                                    batch_size, concurrency, p)
        finally:
            _progress.close(p)

    def add_file(self, path, mode="error-on-duplicate", embedder=None, model=None, dim=None, generate_ids=False,
                 input_format=None, text_field=None, batch_size=256, concurrency=1, progress=False):
        """Adds the rows of a JSON Lines, CSV or Parquet file (every field lands in the table or the
        call fails naming the row and field)."""
        import os

        info = self._native.info() if embedder is not None else None
        emb_model, emb_dim = _embedder_identity(embedder, model, dim, info) if info else (model or "", dim or 0)
        p = _progress.make(progress, "add", total_key="rows_total")
        try:
            return self._native.add_file(os.fspath(path), mode, embedder, emb_model, emb_dim, generate_ids,
                                         input_format or "", text_field or "", batch_size, concurrency, p)
        finally:
            _progress.close(p)

    def delete(self, where):
        """Deletes the rows matching a predicate (docs/CLI.md#where). Returns a dict (rows_deleted, ...)."""
        return self._native.delete(where)

    def delete_ids(self, ids):
        """Deletes rows by id; ``unknown_ids`` in the result lists ids with no live row."""
        if isinstance(ids, str):
            ids = [ids]
        return self._native.delete_ids([str(i) for i in ids])

    # ---- search ----------------------------------------------------------------------------------
    def search(self, query, k=10, where=None, columns=None, ef=64, exact=False, embedder=None, model=None,
               snapshot_id=None, as_of=None, threads=0, prune=True, nprobe=0, probe_patience=0,
               adaptive_probe=0.0):
        """Nearest rows to ``query``.

        query: a 1-D vector -> SearchResult; a 2-D (n, dim) matrix -> SearchResults (one per row);
        a str -> SearchResult, a list of str -> SearchResults (both need ``embedder``).
        where: predicate over data columns; columns: data columns to return per hit;
        snapshot_id / as_of (datetime, ISO string or ms): time travel; model: the query vectors'
        model "NAME@VERSION" (default: the table's); exact: brute force; nprobe: search only the
        nprobe files whose regions are nearest the query (a clustered table, see compact(cluster=True);
        0 = every file the exact bound cannot skip); probe_patience: stop early once P files in a row
        (per lane, after the first file per thread) add no hit to the k best (approximate; 0 = never);
        adaptive_probe: search the nearest region's file first, then another only while the query
        lies within adaptive_probe x the k-th best distance of the boundary between the two regions
        (approximate, cosine or euclidean; 0.02-0.05 is a good start; 0 = off).
        """
        opts = dict(k=k, ef=ef, exact=exact, snapshot_id=snapshot_id, as_of_ms=_data.to_ms(as_of),
                    columns=list(columns or []), where=where or "", model=model or "", threads=threads,
                    prune=prune, nprobe=nprobe, probe_patience=probe_patience,
                    adaptive_probe=float(adaptive_probe))
        texts = None
        if isinstance(query, str):
            texts = [query]
        elif isinstance(query, (list, tuple)) and query and all(isinstance(q, str) for q in query):
            texts = list(query)
        if texts is not None:
            if embedder is None:
                raise InvalidArgument("a text query needs an embedder (embedder=callable, spec string or "
                                      "ailake.embedder(...))")
            emb_model, emb_dim = _embedder_identity(embedder, model, None, self._native.info()) \
                if callable(embedder) and not isinstance(embedder, str) else ("", 0)
            res = _search.wrap_all(self._native.search_text(texts, embedder, emb_model, emb_dim, **opts))
            return res[0] if isinstance(query, str) else res
        if embedder is not None:
            raise InvalidArgument("embedder= is for text queries; this query is a vector")
        try:
            q = np.asarray(query, dtype=np.float32)
        except (TypeError, ValueError) as e:
            raise InvalidArgument(f"query must be a vector, a matrix of vectors, a str or a list of str ({e})") \
                from None
        if q.ndim == 1:
            return _search.wrap(self._native.search(q, **opts))
        if q.ndim == 2:
            return _search.wrap_all(self._native.search_batch(q, **opts))
        raise InvalidArgument(f"query must be 1-D (one vector) or 2-D (a batch); got {q.ndim}-D")

    # ---- maintenance -----------------------------------------------------------------------------
    def rollback(self, snapshot_id):
        """Makes an ancestor snapshot current again (schema and vector-column properties too)."""
        self._native.rollback(int(snapshot_id))
        return self

    def compact(self, target_file_rows=0, target_file_bytes=0, where=None, dry_run=False, progress=None,
                cluster=False, cluster_files=0):
        """Rewrites small files and files carrying deletes. Returns a dict.

        cluster=True rewrites every live file into the clustered layout: k-means regions of the
        vector space, one file per region (``cluster_files`` regions; 0 = live rows / target file
        rows), so that search(..., nprobe=N) reads only the N nearest regions' files and later
        adds are routed to their nearest region (docs/ARCHITECTURE.md "Clustered layout")."""
        if cluster_files and not cluster:
            raise InvalidArgument("cluster_files needs cluster=True")
        return self._native.compact(target_file_rows, target_file_bytes, where or "", dry_run,
                                    progress if callable(progress) else None, bool(cluster), int(cluster_files))

    def expire(self, older_than=None, retain_last=1, orphans_older_than=None, dry_run=False, progress=None):
        """Expires snapshots older than ``older_than`` (default now - 5 days; "now" allowed) keeping
        ``retain_last``, and deletes files no retained snapshot needs. Returns a dict."""
        return self._native.expire(_data.to_ms(older_than, "older_than"), retain_last,
                                   _data.to_ms(orphans_older_than, "orphans_older_than"), dry_run,
                                   progress if callable(progress) else None)

    def verify(self, deep=False):
        """Checks the table (deep: decodes every page, checks every vector). A dict; ``ok`` is True
        when ``problems`` is empty."""
        return self._native.verify(deep)

    def cache_bytes(self):
        return self._native.cache_bytes()

    # ---- migration -------------------------------------------------------------------------------
    def migrate(self, embedder, new_model, new_dim=None, new_metric=None, new_precision=None,
                strategy="atomic-replace", keep_old_column=False, new_column=None, text_column=None,
                batch_size=256, concurrency=4, file_parallelism=2, null_text="skip", progress=True,
                dry_run=False):
        """Re-embeds every row with a new model and switches the table to it (the whole job: plan, run,
        catch up with concurrent appends, cut over). Returns the run's dict (or the dry run's)."""
        kw = dict(new_dim=new_dim, new_metric=new_metric, new_precision=new_precision, strategy=strategy,
                  keep_old_column=keep_old_column, new_column=new_column, text_column=text_column,
                  batch_size=batch_size, concurrency=concurrency, file_parallelism=file_parallelism,
                  null_text=null_text)
        if dry_run:
            return Migration.dry_run(self, embedder, new_model, **kw)
        return Migration.plan(self, embedder, new_model, **kw).run(progress=progress)

    def migration_plan(self, embedder, new_model, **kw):
        """Plans a job without running it (``ailake.Migration``: run_task / commit for distributed runs)."""
        return Migration.plan(self, embedder, new_model, **kw)

    def migration(self, embedder=None, dim=None):
        """The running job (ailake.NotFound when none)."""
        return Migration.load(self, embedder=embedder, dim=dim)

    def migration_status(self):
        """The running job's status, else the most recent job's (ailake.NotFound when none)."""
        return Migration.load_latest(self).status()

    def migration_resume(self, embedder=None, dim=None, progress=True):
        """Finishes the running job (after a crash or stop_for_later); user embedders must be given again."""
        return Migration.load(self, embedder=embedder, dim=dim).run(progress=progress)

    def migration_abort(self, rollback=False, finish_later=False):
        """Aborts the running job (deletes staged files; rollback=True restores its base snapshot), or
        with finish_later=True only marks it stopped."""
        m = Migration.load(self)
        if finish_later:
            m.stop_for_later()
        else:
            m.abort(rollback=rollback)

    def migrations(self):
        """Every migration job of the table, oldest first."""
        return Migration.list(self)

    def __repr__(self):
        return f"ailake.Table({self.name!r})"
