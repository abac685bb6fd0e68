"""moto's S3 server with every S3 request applied atomically (tests only).

Usage: <python with moto> atomic_moto_server.py [--lookup-delay=SECONDS] <moto.server arguments>

Why: moto (5.2.1 here) serves each connection on its own thread and answers a PUT with
`If-None-Match: *` by checking that the key is absent and then storing the object, two steps with
no lock between them. Two concurrent create-if-absent PUTs of one key can therefore both pass the
check and both get 200, which real S3 never allows. Our fs catalog claims each metadata version
with such a PUT, so a racy test server made `FsCatalogOnS3Test.CreateCommitConflictAndRaces` lose a
commit once in CI (both writers "won" version N). This wrapper takes one process-wide lock around
moto's handling of each S3 request, after the request body has been read, so conditional writes are
the atomic compare-and-set that the S3 API promises and the race tests test our code, not moto's.

`--lookup-delay` makes every object lookup of moto's S3 backend sleep that long after it answers,
which widens the gap between "is the key absent?" and "store it" from microseconds to the delay.
`MotoServerTest.ConditionalCreatesAreAtomicUnderRacingThreads` uses it so that a missing lock lets
several racers win in nearly every round instead of once in a few thousand.

If moto's internals move, this fails at start naming what it could not find, instead of running a
server that silently lets two writers win.
"""

import sys
import threading
import time


def main(argv):
    args = list(argv)
    lookup_delay = 0.0
    if args and args[0].startswith("--lookup-delay="):
        lookup_delay = float(args.pop(0).split("=", 1)[1])

    from moto.s3.models import S3Backend
    from moto.s3.responses import S3Response

    if lookup_delay > 0:
        lookup = S3Backend.get_object

        def slow_lookup(self, *a, **kw):
            found = lookup(self, *a, **kw)
            time.sleep(lookup_delay)
            return found

        S3Backend.get_object = slow_lookup

    lock = threading.RLock()  # re-entrant: a bucket-level handler may dispatch to the key-level one
    for name in ("_bucket_response", "_key_response"):
        handler = getattr(S3Response, name, None)
        if handler is None:
            import moto
            sys.exit("atomic_moto_server.py: moto %s has no S3Response.%s; update this wrapper so that "
                     "conditional writes stay atomic" % (moto.__version__, name))

        def locked(self, *a, _handler=handler, **kw):
            with lock:
                return _handler(self, *a, **kw)

        setattr(S3Response, name, locked)

    from moto.server import main as moto_main
    moto_main(args)


if __name__ == "__main__":
    main(sys.argv[1:])
