"""The README tour's Python part (`make demo` runs it after the CLI tour, on the installed package).

Reads the CLI tour's table, then builds a table of its own with a Python callable as the embedder,
searches it, migrates it to another model and dimension, and searches again.
"""

import hashlib
import json
import os
import sys

import numpy as np

import ailake

WAREHOUSE = os.environ.get("AILAKE_WAREHOUSE", "warehouse")
CORPUS = os.path.join(os.path.dirname(__file__), "..", "..", "data", "sample_corpus.jsonl")


def step(title):
    print(f"\n\033[1m== python: {title}\033[0m")


class Words:
    """A toy embedder: each word a fixed random vector, a text the normalised sum (lexical, like hash)."""

    def __init__(self, dim, model):
        self.dim, self.model = dim, model

    def __call__(self, texts):
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, t in enumerate(texts):
            for w in t.lower().split():
                seed = int.from_bytes(hashlib.blake2b(w.encode(), digest_size=8).digest(), "little")
                out[i] += np.random.default_rng(seed).standard_normal(self.dim)
            out[i] /= max(np.linalg.norm(out[i]), 1e-9)
        return out


db = ailake.connect(WAREHOUSE)
step(f"ailake {ailake.__version__} from {os.path.dirname(ailake.__file__)}; tables: {db.list_tables()}")
if "demo.docs" in db.list_tables():
    docs = db.open_table("demo.docs")
    hits = docs.search("telescope observed a comet near the planet", k=3, columns=["doc_id"],
                       embedder=f"hash:dim={docs.info()['model']['dim']},seed=0")
    print(hits.to_pandas().to_string(index=False))

step("a table of our own, embedded by a Python callable")
if "demo.py_docs" in db.list_tables():
    db.drop_table("demo.py_docs", purge=True)
tbl = db.create_table("demo.py_docs", dim=64, model="words@1", columns={"topic": "string"})
with open(CORPUS, encoding="utf-8") as f:
    rows = [json.loads(line) for line in f][:1000]
res = tbl.add([{"id": str(r["id"]), "doc_id": r["doc_id"], "text": r["chunk_text"], "topic": r["topic"]} for r in rows],
              embedder=Words(64, "words@1"))
print(f"added {res['rows']} rows ({res['embedded']} embedded) in snapshot {res['snapshot_id']}")
hits = tbl.search("telescope observed a comet", embedder=Words(64, "words@1"), k=3, columns=["topic"])
print(hits.to_pandas().to_string(index=False))

step("migrate to another model and dimension (words@2, 96-d), the table stays live")
res = tbl.migrate(Words(96, "words@2"), "words@2", progress=sys.stderr.isatty())
print(f"cut over: {res['rows']} rows re-embedded in {res['seconds']:.2f}s; model now {tbl.info()['model']['id']}")
hits = tbl.search("telescope observed a comet", embedder=Words(96, "words@2"), k=3, columns=["topic"])
print(hits.to_pandas().to_string(index=False))
print(f"history: {[h['operation'] for h in tbl.history()]}")
