"""ailake's exceptions: one class per library status code, all under ailake.Error.

str(exc) is the library's message, word for word what the CLI prints after "error: ".
exc.code is the status code's name ("InvalidArgument", "NotFound", ...).
Where a builtin exception means the same thing, the class also derives from it, so
``except ValueError`` / ``except LookupError`` / ``except OSError`` keep working.
"""

import builtins as _builtins


class Error(Exception):
    """Base class of every error ailake raises."""

    code = "Error"


class InvalidArgument(Error, ValueError):
    """The caller passed something wrong (bad option, wrong dimension, NaN)."""

    code = "InvalidArgument"


class NotFound(Error, LookupError):
    """A table, file, column, snapshot or job does not exist."""

    code = "NotFound"


class AlreadyExists(Error):
    """A table (or job) that is already there."""

    code = "AlreadyExists"


class Corruption(Error):
    """Bytes read from storage are not what the format says."""

    code = "Corruption"


class IOError(Error, _builtins.OSError):  # noqa: A001 - ailake.IOError, deliberately
    """The OS or the object store failed."""

    code = "IOError"


class NotSupported(Error):
    """Valid input ailake does not handle."""

    code = "NotSupported"


class OutOfRange(Error, ValueError):
    """An offset or size beyond a limit."""

    code = "OutOfRange"


class CommitConflict(Error):
    """A concurrent commit made this change invalid; plan again."""

    code = "CommitConflict"


class Internal(Error):
    """A bug in ailake."""

    code = "Internal"


class Unavailable(Error, ConnectionError):
    """A server did not answer; may succeed later."""

    code = "Unavailable"


class Timeout(Error, TimeoutError):
    """An operation ran out of time."""

    code = "Timeout"


class Aborted(Error):
    """The job was aborted (or stopped) by the user."""

    code = "Aborted"


class ResourceExhausted(Error, MemoryError):
    """A configured memory or size cap was hit."""

    code = "ResourceExhausted"


__all__ = [
    "Error", "InvalidArgument", "NotFound", "AlreadyExists", "Corruption", "IOError", "NotSupported",
    "OutOfRange", "CommitConflict", "Internal", "Unavailable", "Timeout", "Aborted", "ResourceExhausted",
]
