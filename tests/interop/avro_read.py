#!/usr/bin/python3
"""Reads an Avro object container file with Apache Avro's Python library (Debian python3-avro), an
implementation independent of ailake's, and prints one JSON document:
  {"schema": <writer schema as the library parsed it>, "codec": ..., "metadata": {key: text},
   "records": [...]}
Values use ailake's JSON convention (AvroValueToJson): bytes/fixed as lowercase hex, NaN/Infinity
as strings, unions as the branch value, logical types as their stored numbers.
Usage: avro_read.py FILE"""
import datetime
import json
import math
import sys
import warnings

import avro.datafile
import avro.io

EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
EPOCH_DATE = datetime.date(1970, 1, 1)


def logical(v, s):
    """The library turns logical types (dates, timestamps) into Python objects; turn them back into
    the stored integers, since ailake does not interpret logical types."""
    lt = s.get_prop("logicalType")
    if isinstance(v, datetime.datetime):
        if v.tzinfo is None:
            v = v.replace(tzinfo=datetime.timezone.utc)
        unit = datetime.timedelta(milliseconds=1) if lt == "timestamp-millis" else datetime.timedelta(microseconds=1)
        return (v - EPOCH) // unit
    if isinstance(v, datetime.date):
        return (v - EPOCH_DATE).days
    if isinstance(v, datetime.time):
        micros = ((v.hour * 60 + v.minute) * 60 + v.second) * 1000000 + v.microsecond
        return micros // 1000 if lt == "time-millis" else micros
    return v


def conv(v, s):
    """Renders value v of schema s in ailake's JSON convention."""
    t = s.type
    if t == "union":
        if v is None:
            return None
        for b in s.schemas:
            if b.type != "null" and avro.io.validate(b, v):
                return conv(v, b)
        raise ValueError("value fits no union branch")
    v = logical(v, s)
    if t in ("record", "error"):
        return {f.name: conv(v[f.name], f.type) for f in s.fields}
    if t == "array":
        return [conv(x, s.items) for x in v]
    if t == "map":
        return {k: conv(x, s.values) for k, x in v.items()}
    if isinstance(v, (bytes, bytearray)):
        return v.hex()
    if isinstance(v, float):
        if math.isnan(v):
            return "NaN"
        if math.isinf(v):
            return "Infinity" if v > 0 else "-Infinity"
    return v


def main():
    # Iceberg tags int-keyed maps as arrays with logicalType "map", unknown to Avro libraries: the
    # library warns and reads them as arrays, which is what they are.
    warnings.simplefilter("ignore")
    with open(sys.argv[1], "rb") as f:
        reader = avro.datafile.DataFileReader(f, avro.io.DatumReader())
        meta = {}
        for k, v in reader.meta.items():
            try:
                meta[k] = v.decode("utf-8")
            except UnicodeDecodeError:
                meta[k] = v.hex()
        schema = reader.datum_reader.writers_schema
        out = {
            "schema": schema.to_json(),
            "codec": reader.codec,
            "metadata": meta,
            "records": [conv(r, schema) for r in reader],
        }
        reader.close()
    json.dump(out, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
