"""Shared fixtures: a fresh warehouse per test, a deterministic Python embedder, the CLI binary, and
real servers started on loopback by the tests (moto for S3, PostgreSQL 15 for the catalog), the way
the C++ tests start them (src/store/moto_test_server.h, src/catalog/pg_test_server.h)."""

import hashlib
import os
import pathlib
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request

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


# ---- real servers on loopback ------------------------------------------------------------------------

def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _log_tail(path, n=2000):
    try:
        with open(path, "rb") as f:
            return f.read()[-n:].decode(errors="replace")
    except OSError as e:
        return "(no log: %s)" % e


def _wait_ready(proc, ready, what, log, deadline_s=60):
    """Polls `ready()` until it holds, failing when `proc` exits first or the deadline passes."""
    deadline = time.monotonic() + deadline_s
    while not ready():
        if proc.poll() is not None:
            pytest.fail("%s exited (code %s) before serving; log: %s" % (what, proc.returncode, _log_tail(log)))
        if time.monotonic() > deadline:
            pytest.fail("%s did not become ready within %d s; log: %s" % (what, deadline_s, _log_tail(log)))
        time.sleep(0.05)  # polling an observable condition with a deadline, not synchronisation by sleeping


def _stop(proc, sig, grace_s=10):
    """Stops a server started in its own session: `sig` to its pid, then SIGKILL to its group."""
    if proc.poll() is None:
        proc.send_signal(sig)
        try:
            proc.wait(timeout=grace_s)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def _port_accepts(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


def moto_python():
    """The python that has moto: $AILAKE_TEST_PYTHON, else the image's pyenv python, else python3."""
    p = os.environ.get("AILAKE_TEST_PYTHON")
    if p:
        return p
    return "/root/.pyenv/shims/python3" if os.access("/root/.pyenv/shims/python3", os.X_OK) else "python3"


_AWS_VARS = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_REGION", "AWS_ENDPOINT_URL_S3")


@pytest.fixture(scope="module")
def moto():
    """A moto S3 server on loopback for this module; yields its endpoint. It runs through
    src/testing/atomic_moto_server.py, which applies each S3 request under one lock (moto alone lets
    two racing create-if-absent PUTs both win). Its endpoint and test
    credentials are put in the environment (AWS_*) for the module, so ailake in this process and any
    child process (Dask workers) reach it. Fails (never skips) when moto is missing or cannot start."""
    python = moto_python()
    check = subprocess.run([python, "-c", "import moto.server"], capture_output=True, text=True)
    if check.returncode != 0:
        pytest.fail("moto (the S3 test server) is needed: install it with '%s -m pip install \"moto[server]\"' "
                    "or set AILAKE_TEST_PYTHON to a python that has it (import failed: %s)"
                    % (python, check.stderr[-400:]))
    port = _free_port()
    logdir = tempfile.mkdtemp(prefix="ailake-py-moto-")
    logpath = os.path.join(logdir, "moto.log")
    with open(logpath, "wb") as log:
        proc = subprocess.Popen([python, str(SOURCE_DIR / "src" / "testing" / "atomic_moto_server.py"),
                                 "-H", "127.0.0.1", "-p", str(port)],
                                stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        _wait_ready(proc, lambda: _port_accepts(port), "moto", logpath)
        saved = {k: os.environ.get(k) for k in _AWS_VARS}
        endpoint = "http://127.0.0.1:%d" % port
        os.environ.update({"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                           "AWS_REGION": "us-east-1", "AWS_ENDPOINT_URL_S3": endpoint})
        try:
            yield endpoint
        finally:
            for k, v in saved.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v
    finally:
        _stop(proc, signal.SIGTERM)
        shutil.rmtree(logdir, ignore_errors=True)


def create_bucket(endpoint, bucket):
    """Creates a bucket on the moto server at `endpoint` (moto accepts an unsigned PUT)."""
    urllib.request.urlopen(urllib.request.Request("%s/%s" % (endpoint, bucket), method="PUT"), timeout=30).close()


class PgServer:
    """A throwaway PostgreSQL 15 server (see the `pg` fixture). User "ailake", trust authentication."""

    def __init__(self, bin_dir, port):
        self.bin_dir = bin_dir
        self.port = port

    def uri(self, db):
        return "postgresql://ailake@127.0.0.1:%d/%s" % (self.port, db)

    def psql(self, db, sql):
        """Runs SQL through psql (as another tool would); returns the rows as lists of strings."""
        p = subprocess.run([os.path.join(self.bin_dir, "psql"), "-X", "-A", "-t", "-F", "\t", "-v", "ON_ERROR_STOP=1",
                            "-d", self.uri(db), "-c", sql], capture_output=True, text=True, timeout=60)
        assert p.returncode == 0, "psql %r failed: %s" % (sql, p.stderr)
        return [line.split("\t") for line in p.stdout.splitlines() if line]

    def create_database(self, db):
        self.psql("postgres", "CREATE DATABASE %s" % db)


@pytest.fixture(scope="module")
def pg():
    """A PostgreSQL 15 server on 127.0.0.1:<free port> for this module (binaries: $AILAKE_PG_BIN or
    /usr/lib/postgresql/15/bin). As root, its files and processes belong to `nobody` (initdb refuses
    root). fsync off: a test server. Fails (never skips) when the binaries are missing. Stopped at the
    end (SIGINT: fast shutdown; SIGKILL to its process group if it lingers) and its folder removed."""
    bin_dir = os.environ.get("AILAKE_PG_BIN") or "/usr/lib/postgresql/15/bin"
    for b in ("initdb", "postgres", "pg_isready", "psql"):
        if not os.access(os.path.join(bin_dir, b), os.X_OK):
            pytest.fail("PostgreSQL server binaries not found in %s (%s is missing): install them "
                        "(Debian: apt-get install postgresql-15) or set AILAKE_PG_BIN" % (bin_dir, b))
    root = tempfile.mkdtemp(prefix="ailake-py-pg-")
    as_user = {}
    if os.geteuid() == 0:
        import pwd
        try:
            nobody = pwd.getpwnam("nobody")
        except KeyError:
            pytest.fail("running as root needs the user 'nobody' to run PostgreSQL")
        os.chown(root, nobody.pw_uid, nobody.pw_gid)
        as_user = dict(user=nobody.pw_uid, group=nobody.pw_gid, extra_groups=[])
    logpath = os.path.join(root, "server.log")
    data = os.path.join(root, "data")
    proc = None
    try:
        with open(logpath, "wb") as log:
            init = subprocess.run([os.path.join(bin_dir, "initdb"), "-D", data, "-U", "ailake", "-A", "trust",
                                   "-E", "UTF8", "--locale=C", "--no-sync"],
                                  stdout=log, stderr=subprocess.STDOUT, cwd=root, timeout=120, **as_user)
        if init.returncode != 0:
            pytest.fail("initdb failed; log: %s" % _log_tail(logpath))
        port = _free_port()
        with open(logpath, "ab") as log:
            proc = subprocess.Popen([os.path.join(bin_dir, "postgres"), "-D", data, "-p", str(port), "-k", root,
                                     "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off",
                                     "-c", "synchronous_commit=off", "-c", "full_page_writes=off"],
                                    stdout=log, stderr=subprocess.STDOUT, cwd=root, start_new_session=True,
                                    **as_user)
        server = PgServer(bin_dir, port)

        def ready():
            return subprocess.run([os.path.join(bin_dir, "pg_isready"), "-q", "-h", "127.0.0.1", "-p", str(port),
                                   "-U", "ailake", "-d", "postgres", "-t", "2"]).returncode == 0

        _wait_ready(proc, ready, "postgres", logpath)
        yield server
    finally:
        if proc is not None:
            _stop(proc, signal.SIGINT)
        shutil.rmtree(root, ignore_errors=True)
