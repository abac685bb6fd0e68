#!/usr/bin/env python3
"""Independent reader for the tests: opens an Avro container with Debian's python3-avro and prints
JSON {"schema": <writer schema as JSON>, "meta": {key: value}, "records": [...]} (bytes as hex)."""
import json
import warnings
import sys

import avro.datafile
import avro.io

# Iceberg tags int-keyed maps with logicalType "map", which python3-avro does not know and warns about.
warnings.simplefilter("ignore")


def plain(v):
    if isinstance(v, bytes):
        return v.hex()
    if isinstance(v, dict):
        return {k: plain(x) for k, x in v.items()}
    if isinstance(v, list):
        return [plain(x) for x in v]
    return v


with open(sys.argv[1], "rb") as f:
    reader = avro.datafile.DataFileReader(f, avro.io.DatumReader())
    meta = {k: (v.decode("utf-8", "replace") if isinstance(v, bytes) else v) for k, v in reader.meta.items()}
    schema = json.loads(meta["avro.schema"])
    records = [plain(r) for r in reader]
    print(json.dumps({"schema": schema, "meta": meta, "records": records}))
