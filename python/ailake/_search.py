"""Search results: a list of row dicts with numpy, pandas and Arrow views."""

from . import _ailake


class SearchResult(list):
    """One query's hits, closest first: a list of row dicts ``{"id", "_distance", <columns>}``.

    ``ids`` (numpy object array of str) and ``distances`` (read-only float32 numpy view, no copy)
    give the same hits column-wise; ``to_pandas()`` a DataFrame; ``__arrow_c_stream__`` the Arrow
    PyCapsule stream (a struct array: id utf8, _distance float32, the requested columns).
    """

    __slots__ = ("_native",)

    def __init__(self, native):
        super().__init__(native.rows())
        self._native = native

    @property
    def ids(self):
        return self._native.ids

    @property
    def distances(self):
        return self._native.distances

    @property
    def snapshot_id(self):
        """The snapshot the search read."""
        return self._native.snapshot_id

    @property
    def files(self):
        """Per hit, the data file it came from."""
        return self._native.files

    @property
    def positions(self):
        """Per hit, its row within the data file."""
        return self._native.positions

    def stats(self):
        """Files searched/pruned/skipped for another model, row groups skipped by the predicate."""
        return self._native.stats()

    def to_list(self):
        return list(self)

    def to_pandas(self):
        """A pandas DataFrame: id, _distance, then the requested columns (timestamptz in UTC)."""
        import pandas as pd

        data = {"id": self.ids, "_distance": self.distances}
        types = self._native.column_types()
        data.update(self._native.columns())
        df = pd.DataFrame(data)
        for name, typ in types.items():
            if typ == "timestamptz" and df[name].dtype.kind == "M" and getattr(df[name].dt, "tz", None) is None:
                df[name] = df[name].dt.tz_localize("UTC")
        return df

    def __arrow_c_stream__(self, requested_schema=None):
        """Arrow PyCapsule interface: a capsule named "arrow_array_stream" holding one batch.

        ``requested_schema`` is accepted and ignored (the interface lets a producer keep its own types).
        """
        return self._native.arrow_c_stream(requested_schema)

    def __repr__(self):
        return f"SearchResult({list.__repr__(self)})"


class SearchResults(list):
    """One SearchResult per query (a batch search or several texts)."""

    def to_pandas(self):
        """All hits in one DataFrame with a leading ``query`` column (the query's index)."""
        import pandas as pd

        frames = []
        for i, r in enumerate(self):
            df = r.to_pandas()
            df.insert(0, "query", i)
            frames.append(df)
        if not frames:
            return pd.DataFrame({"query": [], "id": [], "_distance": []})
        return pd.concat(frames, ignore_index=True)


def wrap(native):
    return SearchResult(native)


def wrap_all(natives):
    return SearchResults(SearchResult(n) for n in natives)


_ = _ailake  # the native module must be importable here (SearchResult wraps its objects)
