"""The media store: files per media item in a local folder, written atomically.

Keys look like `media/<media id>/<variant>`; a file is written to a temporary name in the same
folder, flushed to disk and renamed, so a crash never leaves half a file under a real key, and a
re-run of the same job simply replaces the same key.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path
from typing import Protocol

from storage.private import make_folder

KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*(/[A-Za-z0-9][A-Za-z0-9_.-]*)*$")


class BlobStore(Protocol):
    """Where media files live."""

    def put_file(self, key: str, source: Path) -> None:
        """Store the file at `source` under `key`, replacing any earlier file atomically."""

    def path(self, key: str) -> Path | None:
        """A local path to read the file from, or None if it does not exist."""

    def delete_prefix(self, prefix: str) -> int:
        """Delete every file under `prefix`; returns how many went."""


def media_prefix(media_id: str) -> str:
    """The key prefix that holds every file of one media item."""
    return f"media/{media_id}/"


class LocalBlobStore:
    """A BlobStore in a folder on this machine."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        make_folder(self.root)

    def _resolve(self, key: str) -> Path:
        if not KEY.match(key.rstrip("/")) or ".." in key:
            raise ValueError(f"invalid blob key {key!r}")
        return self.root / key

    def put_file(self, key: str, source: Path) -> None:
        """Copy `source` to `key` through a temporary file and an atomic rename."""
        target = self._resolve(key)
        make_folder(target.parent)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")  # made 0600
        try:
            with os.fdopen(fd, "wb") as out, open(source, "rb") as src:
                shutil.copyfileobj(src, out, 1024 * 1024)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        _fsync_dir(target.parent)

    def path(self, key: str) -> Path | None:
        """The file's path, or None."""
        target = self._resolve(key)
        return target if target.is_file() else None

    def delete_prefix(self, prefix: str) -> int:
        """Delete the files under a prefix (a folder per media item)."""
        folder = self._resolve(prefix.rstrip("/"))
        if not folder.exists():
            return 0
        count = sum(1 for p in folder.rglob("*") if p.is_file())
        shutil.rmtree(folder)
        _fsync_dir(folder.parent)
        return count


def _fsync_dir(folder: Path) -> None:
    # The rename itself must reach the disk for the write to be durable.
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
