"""The one error storage raises for "the database cannot take this now, try again later"."""

from __future__ import annotations


class StorageUnavailable(Exception):
    """The database is unreachable, too slow to answer, or the writer is stopped: retry later."""
