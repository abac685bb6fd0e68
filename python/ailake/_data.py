"""Input data -> columns for the native add(): row dicts, a dict of columns, or a pandas DataFrame.

Keys: id, doc_id, the text column (or "text"), metadata (a dict becomes JSON text), extra columns, and
the vector column (or "vector") as a list / numpy array per row, or an (n, dim) float32 array for a
dict of columns. A row without a vector (None) is embedded from its text when an embedder is given.
"""

import datetime as _dt
import math

import numpy as np

from ._errors import InvalidArgument


def _is_dataframe(x):
    return type(x).__module__.split(".")[0] == "pandas" and hasattr(x, "columns") and hasattr(x, "iloc")


def _canonical(name, info, schema_names):
    """'vector' and 'text' name the table's vector and text columns unless the schema has them."""
    if name == "vector" and "vector" not in schema_names:
        return info["vector_column"]
    if name == "text" and "text" not in schema_names:
        return info["text_column"]
    return name


def stack_vectors(values, n, column):
    """Per-row vectors (None = no vector) or an (n, dim) array -> (n, dim) float32 with NaN rows."""
    if isinstance(values, np.ndarray) and values.dtype != object:
        arr = np.ascontiguousarray(values, dtype=np.float32)
        if arr.ndim != 2:
            raise InvalidArgument(f"column '{column}': vectors must be an (n, dim) array; got shape {arr.shape}")
        return arr
    values = list(values)
    if len(values) != n:
        raise InvalidArgument(f"column '{column}' has {len(values)} values; the other columns have {n}")
    dim = None
    for v in values:
        if v is not None:
            dim = len(v)
            break
    if dim is None:
        return None
    out = np.full((n, dim), np.nan, dtype=np.float32)
    for i, v in enumerate(values):
        if v is None:
            continue
        try:
            a = np.asarray(v, dtype=np.float32)
        except (TypeError, ValueError) as e:
            raise InvalidArgument(f"column '{column}' row {i}: the vector is not numeric ({e})") from None
        if a.shape != (dim,):
            raise InvalidArgument(f"column '{column}' row {i}: the vector has shape {a.shape}; row 0's has ({dim},)")
        out[i] = a
    return out


def _series_values(s):
    kind = s.dtype.kind
    if kind in "iub":
        return s.to_numpy()
    if kind == "f":
        if s.isna().any():  # pandas' missing values -> None (null)
            return [None if (isinstance(v, float) and math.isnan(v)) else v for v in s.tolist()]
        return s.to_numpy()
    if kind == "M" and getattr(s.dt, "tz", None) is None and not s.isna().any():
        return s.to_numpy()  # datetime64 values, converted in C++
    return s.astype(object).where(s.notna(), None).tolist()


def _ids_as_text(columns):
    ids = columns.get("id")
    if ids is None:
        return columns
    if isinstance(ids, np.ndarray) and ids.dtype.kind in "iu":
        columns["id"] = [str(int(v)) for v in ids]
    elif not isinstance(ids, np.ndarray) or ids.dtype == object:
        columns["id"] = [str(v) if isinstance(v, (int, np.integer)) and not isinstance(v, bool) else v
                         for v in ids]
    return columns


def to_columns(data, info):
    columns, vectors = _to_columns(data, info)
    return _ids_as_text(columns), vectors


def _to_columns(data, info):
    """Returns (columns: dict name -> values, vectors: (n, dim) float32 array or None)."""
    schema_names = {f["name"] for f in info["schema"]}
    vector_column = info["vector_column"]
    columns = {}
    vectors = None

    if _is_dataframe(data):
        n = len(data)
        for name in data.columns:
            key = _canonical(str(name), info, schema_names)
            s = data[name]
            if key == vector_column:
                vals = [None if (v is None or (isinstance(v, float) and math.isnan(v))) else v for v in s.tolist()]
                vectors = stack_vectors(vals, n, key)
            else:
                columns[key] = _series_values(s)
        return columns, vectors

    if isinstance(data, dict):
        lengths = {}
        for name, vals in data.items():
            key = _canonical(str(name), info, schema_names)
            if key == vector_column:
                continue
            if isinstance(vals, (str, bytes)) or not hasattr(vals, "__len__"):
                raise InvalidArgument(f"column '{key}': a dict of columns maps each name to a list or array of values")
            columns[key] = vals
            lengths[key] = len(vals)
        n = next(iter(lengths.values())) if lengths else None
        for name, vals in data.items():
            key = _canonical(str(name), info, schema_names)
            if key == vector_column:
                if n is None:
                    n = len(vals)
                vectors = stack_vectors(vals, n, key)
        return columns, vectors

    if isinstance(data, (list, tuple)):
        rows = list(data)
        keys = []
        seen = set()
        for i, row in enumerate(rows):
            if not isinstance(row, dict):
                raise InvalidArgument(f"row {i}: expected a dict of column values, got {type(row).__name__}")
            for k in row:
                if k not in seen:
                    seen.add(k)
                    keys.append(k)
        vector_values = None
        for k in keys:
            key = _canonical(str(k), info, schema_names)
            vals = [row.get(k) for row in rows]
            if key == vector_column:
                vector_values = vals
            else:
                columns[key] = vals
        if vector_values is not None:
            vectors = stack_vectors(vector_values, len(rows), vector_column)
        return columns, vectors

    raise InvalidArgument(
        f"add() takes a list of row dicts, a dict of columns or a pandas DataFrame; got {type(data).__name__}")


def to_ms(t, what="as_of"):
    """An instant (datetime, date, ISO-8601 string, or int ms since the epoch) -> ms since the epoch."""
    from . import _ailake

    if t is None:
        return None
    if isinstance(t, bool):
        raise InvalidArgument(f"{what}: expected a time, got bool")
    if isinstance(t, int):
        return t
    if isinstance(t, _dt.datetime):
        if t.tzinfo is None:
            t = t.replace(tzinfo=_dt.timezone.utc)
        return (t - _dt.datetime(1970, 1, 1, tzinfo=_dt.timezone.utc)) // _dt.timedelta(milliseconds=1)
    if isinstance(t, _dt.date):
        return (t.toordinal() - 719163) * 86400000
    if isinstance(t, str):
        if t == "now":
            return _ailake.now_ms()
        return _ailake.parse_instant_ms(t)
    raise InvalidArgument(f"{what}: expected a datetime, an ISO-8601 string or ms since the epoch; got {type(t).__name__}")
