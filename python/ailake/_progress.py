"""Progress display for long operations: tqdm when importable, else one stderr line, or a callable."""

import sys
import time


def make(progress, desc, total_key="rows_total", done_key="rows_done"):
    """progress=True -> a display; False/None -> None; a callable -> itself (called with a dict)."""
    if progress is None or progress is False:
        return None
    if callable(progress):
        return progress
    try:
        import tqdm  # noqa: F401
        return _Tqdm(desc, total_key, done_key)
    except ImportError:
        return _Line(desc, total_key, done_key)


def close(p):
    if p is not None and hasattr(p, "close"):
        p.close()


class _Tqdm:
    def __init__(self, desc, total_key, done_key):
        self.desc, self.total_key, self.done_key = desc, total_key, done_key
        self.bar = None

    def __call__(self, p):
        from tqdm import tqdm

        total = p.get(self.total_key) or None
        if self.bar is None:
            self.bar = tqdm(total=total, desc=self.desc, unit="rows", file=sys.stderr, leave=True)
        if total and self.bar.total != total:
            self.bar.total = total
        self.bar.n = p.get(self.done_key, 0)
        self.bar.set_postfix_str(p.get("phase", ""), refresh=False)
        self.bar.refresh()

    def close(self):
        if self.bar is not None:
            self.bar.close()
            self.bar = None


class _Line:
    def __init__(self, desc, total_key, done_key):
        self.desc, self.total_key, self.done_key = desc, total_key, done_key
        self.last = 0.0
        self.shown = False

    def __call__(self, p):
        now = time.monotonic()
        if now - self.last < 0.5 and p.get("phase") != "done":
            return
        self.last = now
        total = p.get(self.total_key) or "?"
        sys.stderr.write(f"\r{self.desc}: {p.get('phase', '')} {p.get(self.done_key, 0)}/{total} rows")
        sys.stderr.flush()
        self.shown = True

    def close(self):
        if self.shown:
            sys.stderr.write("\n")
            sys.stderr.flush()
