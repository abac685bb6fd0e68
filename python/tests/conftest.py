"""Shared fixtures: a fresh warehouse per test, a deterministic Python embedder, the CLI binary."""

import hashlib
import os
import pathlib
import subprocess

import numpy as np
import pytest

import ailake

SOURCE_DIR = pathlib.Path(os.environ.get("AILAKE_SOURCE_DIR", pathlib.Path(__file__).resolve().parents[2]))
BINARY_DIR = pathlib.Path(os.environ.get("AILAKE_BINARY_DIR", SOURCE_DIR / "build"))
CORPUS = SOURCE_DIR / "data" / "sample_corpus.jsonl"


@pytest.fixture
def warehouse(tmp_path):
    return tmp_path / "wh"


@pytest.fixture
def db(warehouse):
    return ailake.connect(warehouse)


class WordEmbedder:
    """Deterministic bag-of-words embedder: each word a fixed random unit vector (seeded by its hash),
    a text the normalised sum. Texts sharing words are close; identical texts identical."""

    def __init__(self, dim, model, salt=""):
        self.dim = dim
        self.model = model
        self.salt = salt
        self.calls = 0
        self.texts = 0

    def _word(self, w):
        seed = int.from_bytes(hashlib.sha256((self.salt + w).encode()).digest()[:8], "little")
        return np.random.default_rng(seed).standard_normal(self.dim).astype(np.float32)

    def __call__(self, texts):
        self.calls += 1
        self.texts += len(texts)
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, t in enumerate(texts):
            for w in t.lower().split():
                out[i] += self._word(w)
            n = np.linalg.norm(out[i])
            out[i] = out[i] / n if n > 0 else self._word("<empty>")
        return out


@pytest.fixture
def cli():
    """Runs build/ailake; returns (returncode, stdout, stderr)."""
    exe = BINARY_DIR / "ailake"
    assert exe.exists(), f"{exe} is missing: build the project first (make build)"

    def run(*args):
        p = subprocess.run([str(exe), *map(str, args)], capture_output=True, text=True)
        return p.returncode, p.stdout, p.stderr

    return run


def clustered(n, dim, clusters=8, seed=0):
    """n unit vectors around `clusters` centres (the search tests' data)."""
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((clusters, dim)).astype(np.float32)
    labels = rng.integers(0, clusters, n)
    x = centres[labels] + 0.35 * rng.standard_normal((n, dim)).astype(np.float32)
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    return x.astype(np.float32)
