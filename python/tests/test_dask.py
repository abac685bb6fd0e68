"""ailake.dask.migrate on a LocalCluster of worker processes, one of which dies mid-task.

AILAKE_DASK_ROWS sets the table size (default 20000; the issue's figure is 200000)."""

import hashlib
import os
import sys

import numpy as np
import pytest

import ailake
import ailake.dask

import distributed  # noqa: E402
import cloudpickle  # noqa: E402

cloudpickle.register_pickle_by_value(sys.modules[__name__])

ROWS = int(os.environ.get("AILAKE_DASK_ROWS", "20000"))


class HashEmbedder:
    """Deterministic per-text vectors. With `kill_marker`, the first worker that embeds its third
    batch creates the marker and kills its own process (os._exit): a worker lost mid-task."""

    def __init__(self, dim, model, kill_marker=None):
        self.dim = dim
        self.model = model
        self.kill_marker = kill_marker
        self.calls = 0

    def __call__(self, texts):
        self.calls += 1
        if self.kill_marker and self.calls >= 3:
            try:
                distributed.get_worker()
                in_worker = True
            except ValueError:
                in_worker = False
            if in_worker:
                try:
                    fd = os.open(self.kill_marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
                    os.close(fd)
                    os._exit(17)
                except FileExistsError:
                    pass
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        for i, t in enumerate(texts):
            seed = int.from_bytes(hashlib.sha256((self.model + t).encode()).digest()[:8], "little")
            v = np.random.default_rng(seed).standard_normal(self.dim).astype(np.float32)
            out[i] = v / np.linalg.norm(v)
        return out


@pytest.fixture(scope="module")
def cluster():
    c = distributed.LocalCluster(n_workers=3, threads_per_worker=1, processes=True, dashboard_address=None)
    client = distributed.Client(c)
    yield client
    client.close()
    c.close()


def test_dask_migration_survives_a_lost_worker(tmp_path, cluster):
    wh = str(tmp_path / "wh")
    db = ailake.connect(wh)
    old = HashEmbedder(8, "h@1")
    tbl = db.create_table("docs", dim=8, model="h@1", target_file_rows=max(ROWS // 10, 100))
    batch = 5000
    for start in range(0, ROWS, batch):
        tbl.add([{"id": "r%d" % i, "text": "row %d" % i} for i in range(start, min(ROWS, start + batch))],
                embedder=old)
    marker = str(tmp_path / "killed")
    new = HashEmbedder(12, "h@2", kill_marker=marker)

    res = ailake.dask.migrate((wh, "default.docs"), new, "h@2", client=cluster, batch_size=max(ROWS // 100, 50))

    assert os.path.exists(marker), "no worker was killed: the test did not test a lost worker"
    assert res["cut_over"], res
    assert res["tasks"] >= 3
    tbl = ailake.connect(wh).open_table("docs")
    assert tbl.info()["model"]["id"] == "h@2"
    assert tbl.count_rows() == ROWS
    tbl.verify()
    probe = HashEmbedder(12, "h@2")
    hits = tbl.search("row 7", k=ROWS, exact=True, embedder=probe)
    ids = [h["id"] for h in hits]
    assert len(ids) == ROWS and len(set(ids)) == ROWS
    assert ids[0] == "r7"
