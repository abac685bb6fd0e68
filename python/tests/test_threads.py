"""Threads: concurrent searches on one table give the serial results; the GIL is released while the
library searches; memory stays flat over 10,000 searches."""

import sys
import threading

import numpy as np
import pytest

import ailake
from conftest import clustered


@pytest.fixture(scope="module")
def big(tmp_path_factory):
    db = ailake.connect(tmp_path_factory.mktemp("wh"))
    x = clustered(12000, 48, clusters=12, seed=7)
    tbl = db.create_table("big", dim=48, model="m@1", target_file_rows=3000, columns={"n": "long"})
    tbl.add({"id": [f"r{i}" for i in range(len(x))], "chunk_text": [f"row {i}" for i in range(len(x))],
             "n": np.arange(len(x)), "embedding": x})
    return tbl, x


def test_concurrent_searches_equal_serial(big):
    tbl, x = big
    queries = x[::97][:64]
    serial = [tbl.search(q, k=10, columns=["n"]) for q in queries]
    results = [[None] * len(queries) for _ in range(8)]
    barrier = threading.Barrier(8)
    errors = []

    def worker(t):
        try:
            barrier.wait()
            order = list(range(len(queries)))
            if t % 2:
                order.reverse()
            for i in order:
                results[t][i] = tbl.search(queries[i], k=10, columns=["n"])
        except BaseException as e:  # reported below
            errors.append(e)

    threads = [threading.Thread(target=worker, args=(t,)) for t in range(8)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert not errors, errors
    for t in range(8):
        for i, r in enumerate(results[t]):
            assert list(r.ids) == list(serial[i].ids)
            np.testing.assert_array_equal(r.distances, serial[i].distances)
            assert [h["n"] for h in r] == [h["n"] for h in serial[i]]


def test_gil_released_during_search(big):
    """With a huge switch interval the GIL changes hands only when a thread gives it up (a blocking
    wait, or C code releasing it). Two helper threads ping-pong through Events, counting rounds. If the
    search held the GIL, no round could complete between reading the counter before the call and after
    it; released, the helpers run while the library searches."""
    tbl, x = big
    queries = np.repeat(x[:50], 8, axis=0)  # 400 exact queries: long enough for many rounds
    ping, pong = threading.Event(), threading.Event()
    stop = threading.Event()
    rounds = [0]

    def pinger():
        while not stop.is_set():
            ping.set()
            pong.wait()
            pong.clear()
            rounds[0] += 1

    def ponger():
        while not stop.is_set():
            ping.wait()
            ping.clear()
            pong.set()

    old = sys.getswitchinterval()
    helpers = [threading.Thread(target=pinger), threading.Thread(target=ponger)]
    for h in helpers:
        h.start()
    try:
        sys.setswitchinterval(1000.0)
        before = rounds[0]
        res = tbl.search(queries, k=10, exact=True)
        after = rounds[0]
    finally:
        sys.setswitchinterval(old)
        stop.set()
        ping.set()
        pong.set()
        for h in helpers:
            h.join()
    assert len(res) == len(queries)
    assert after > before, "no other Python thread ran while the search was in C++: the GIL was held"


def _rss_bytes():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096


def test_memory_flat_over_10000_searches(big):
    tbl, x = big
    queries = x[:100]

    def burst(n):
        for i in range(n):
            r = tbl.search(queries[i % 100], k=10, columns=["n", "chunk_text"])
            _ = (r.ids, r.distances, r[0]["n"])
            cap = r.__arrow_c_stream__()  # exported and dropped unconsumed: the capsule releases it
            del cap, r

    burst(2000)  # warm-up: caches filled, allocator settled
    start = _rss_bytes()
    burst(10000)
    grown = _rss_bytes() - start
    # A leak of even 1 KiB per search would show as ~10 MB; allow generous allocator noise.
    assert grown < 8 * 1024 * 1024, f"RSS grew by {grown / 1e6:.1f} MB over 10,000 searches"
