#!/usr/bin/python3
"""A `command` embedder worker that logs every text it is asked to embed (for the CLI migrate tests,
src/cli/cli_migrate_test.cc and src/cli/cli_migrate_crash_test.cc). Standard library only.

Speaks the ailake command protocol: one JSON request per stdin line, {"id": N, "texts": [...]},
one JSON reply per stdout line, {"id": N, "embeddings": [[...], ...]}.

usage: logging_worker.py log=FILE [dim=N] [ms=N] [die-after=N] [hang-after=N fifo=PATH]

  log=FILE      before replying, appends every text of the request to FILE, one JSON string per
                line, with one write() on an O_APPEND descriptor (so the lines of concurrent workers
                never interleave and a killed caller cannot lose a line that was written)
  dim=N         vector dimension (default 16)
  ms=N          sleep N ms before each reply (a slow model)
  die-after=N   serve N requests, then on the next one write a message to stderr and exit 3
  hang-after=N  with fifo=PATH: serve N requests; on the next one, if PATH exists, open it for
                writing (the test holds it open, e.g. O_RDWR, and blocks reading it), remove it, write one byte,
                then stop replying and wait for stdin to close (exit 0 then). The FIFO is gone
                afterwards, so only one worker ever hangs and later runs of the job go through.

Vectors are deterministic in the text (the tests recompute them): h = FNV-1a 64 of the UTF-8
bytes; for j in 0..dim-1: h = h * 6364136223846793005 + 1442695040888963407 (mod 2^64),
v[j] = (h >> 40) / 2^23 - 1, so every value is exact in float32 and lies in [-1, 1).
"""
import json
import os
import sys
import time

MASK = (1 << 64) - 1


def vec(text, dim):
    h = 14695981039346656037
    for b in text.encode("utf-8", "surrogatepass"):
        h ^= b
        h = (h * 1099511628211) & MASK
    out = []
    for _ in range(dim):
        h = (h * 6364136223846793005 + 1442695040888963407) & MASK
        out.append((h >> 40) / float(1 << 23) - 1.0)
    return out


def main():
    opts = dict(a.split("=", 1) for a in sys.argv[1:])
    dim = int(opts.get("dim", "16"))
    sleep_s = int(opts.get("ms", "0")) / 1000.0
    die_after = int(opts["die-after"]) if "die-after" in opts else None
    hang_after = int(opts["hang-after"]) if "hang-after" in opts else None
    log_fd = os.open(opts["log"], os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    served = 0
    while True:
        line = sys.stdin.readline()
        if not line:
            break
        req = json.loads(line)
        rid, texts = req["id"], req["texts"]
        if die_after is not None and served >= die_after:
            sys.stderr.write("logging worker: dying on purpose after %d requests\n" % served)
            sys.stderr.flush()
            sys.exit(3)
        if texts:
            os.write(log_fd, "".join(json.dumps(t) + "\n" for t in texts).encode("utf-8"))
        if hang_after is not None and served >= hang_after and os.path.exists(opts["fifo"]):
            try:
                os.rename(opts["fifo"], opts["fifo"] + ".taken.%d" % os.getpid())  # one worker wins
                fd = os.open(opts["fifo"] + ".taken.%d" % os.getpid(), os.O_WRONLY)
                os.unlink(opts["fifo"] + ".taken.%d" % os.getpid())
            except FileNotFoundError:  # another worker got there first
                fd = None
            if fd is not None:
                os.write(fd, b"h")
                os.close(fd)
                sys.stdin.read()  # until the caller closes our stdin (or dies)
                return
        if sleep_s:
            time.sleep(sleep_s)
        reply = {"id": rid, "embeddings": [vec(t, dim) for t in texts]}
        try:
            sys.stdout.write(json.dumps(reply) + "\n")
            sys.stdout.flush()
        except BrokenPipeError:
            return
        served += 1


if __name__ == "__main__":
    main()
