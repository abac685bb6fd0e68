#!/usr/bin/python3
"""A fake `command` embedder worker for src/embed/command_embedder_test.cc.

Speaks the ailake command protocol (docs/EMBEDDERS.md): one JSON request per stdin line,
one JSON reply per stdout line. Standard library only.

usage: fake_worker.py MODE [dim=N] [ms=N] [n=N] [piddir=DIR] [meet=DIR]

MODE
  ok           deterministic vectors: v[0] = UTF-8 length, v[j] = j + (byte sum % 97) / 4
  sleep        ok after sleeping ms= per batch
  meet         ok once n= distinct workers are inside a request at the same time (each
               touches meet=DIR/<pid> and waits for n files; error reply after 10 s)
  wrong-count  one embedding too many
  wrong-dim    request k (from 0) gets vectors of dim + k
  ragged       the last vector of a batch has one value more
  nan          null where a number belongs; nan-string: the string "NaN"
  die-after    serves n= requests, then on the next one writes to stderr and exits with code 3
  garbage      replies with a line that is not JSON
  error        replies {"id": ..., "error": "model exploded"}
  wrong-id     replies with another id
  hang         reads the request and never replies
  noisy        writes 300 KB to stderr before every (ok) reply
  ignore-eof   ok, but keeps running after stdin closes (until killed)
piddir=DIR: touch DIR/<pid> at startup. Every reply carries an extra "pid" field.
"""
import json
import os
import sys
import time


def vec(text, dim):
    b = text.encode("utf-8", "replace")
    s = sum(b) % 97
    return [float(len(b))] + [j + s / 4.0 for j in range(1, dim)]


def main():
    mode = sys.argv[1]
    opts = dict(a.split("=", 1) for a in sys.argv[2:])
    dim = int(opts.get("dim", "8"))
    if "piddir" in opts:
        open(os.path.join(opts["piddir"], str(os.getpid())), "w").close()
    served = 0
    while True:
        line = sys.stdin.readline()
        if not line:
            break
        req = json.loads(line)
        rid, texts = req["id"], req["texts"]
        reply = {"id": rid, "pid": os.getpid()}
        embs = [vec(t, dim) for t in texts]
        if mode == "sleep":
            time.sleep(int(opts["ms"]) / 1000.0)
        elif mode == "meet":
            d, n = opts["meet"], int(opts["n"])
            open(os.path.join(d, str(os.getpid())), "w").close()
            deadline = time.monotonic() + 10
            while len(os.listdir(d)) < n and time.monotonic() < deadline:
                time.sleep(0.005)
            if len(os.listdir(d)) < n:
                reply["error"] = "meet: only %d of %d workers arrived" % (len(os.listdir(d)), n)
                embs = None
        elif mode == "die-after" and served >= int(opts["n"]):
            sys.stderr.write("fake worker: dying on purpose\n")
            sys.stderr.flush()
            sys.exit(3)
        elif mode == "hang":
            time.sleep(3600)
        elif mode == "garbage":
            embs = None
            reply = "this is not json"
        elif mode == "error":
            reply["error"] = "model exploded"
            embs = None
        elif mode == "wrong-count":
            embs.append(vec("extra", dim))
        elif mode == "wrong-dim":
            embs = [vec(t, dim + served) for t in texts]
        elif mode == "ragged":
            embs[-1].append(1.0)
        elif mode == "nan":
            embs[0][1] = None
        elif mode == "nan-string":
            embs[0][1] = "NaN"
        elif mode == "wrong-id":
            reply["id"] = rid + 1000
        elif mode == "noisy":
            for _ in range(300):
                sys.stderr.write("n" * 999 + "\n")
            sys.stderr.flush()
        if embs is not None:
            reply["embeddings"] = embs
        sys.stdout.write((reply if isinstance(reply, str) else json.dumps(reply)) + "\n")
        sys.stdout.flush()
        served += 1
    if mode == "ignore-eof":
        time.sleep(3600)


if __name__ == "__main__":
    main()
