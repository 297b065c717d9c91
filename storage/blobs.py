"""The media store: its protocol, its key rules, and the store in a local folder.

Keys look like `media/<media id>/<variant>`: one prefix per media item, so withdrawing one item
never touches another's file and a sweep can list what no database row refers to. Every store
makes a write visible whole or not at all: the folder store writes a temporary file, flushes it
and renames it; the S3 store (storage/s3_blobs.py) relies on PUT and multipart completion being
atomic. tests/storage/test_blob_store_contract.py holds every store to the same rules.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Protocol

from storage.private import make_folder

# One path segment: starts with a letter or digit, so `.`, `..` and hidden temporary names
# (`.tmp-…`, `.incoming`) can never be keys.
SEGMENT = r"[A-Za-z0-9][A-Za-z0-9_.-]*"
KEY = re.compile(rf"^{SEGMENT}(/{SEGMENT})*$")
MAX_KEY_CHARS = 512
CHUNK_BYTES = 1024 * 1024


class InvalidKey(ValueError):
    """A key or prefix the store refuses: empty, absolute, `..`, or characters outside the rule."""


class BlobStoreError(Exception):
    """The store could not be reached or refused the request; the operation may be retried."""


def check_key(key: str) -> str:
    """The key itself, or InvalidKey: never a path that could leave the store."""
    if len(key) > MAX_KEY_CHARS or not KEY.match(key) or ".." in key:
        raise InvalidKey(f"invalid blob key {key[:80]!r}")
    return key


def check_prefix(prefix: str) -> str:
    """A folder-like prefix (`media/x/`), or "" for the whole store; InvalidKey otherwise."""
    if prefix == "":
        return ""
    return check_key(prefix.removesuffix("/")) + "/"


def media_prefix(media_id: str) -> str:
    """The key prefix that holds every file of one media item."""
    return check_prefix(f"media/{media_id}")


def media_id_of(key: str) -> str | None:
    """The media id a `media/<id>/...` key belongs to, or None for any other key."""
    parts = key.split("/")
    return parts[1] if len(parts) >= 3 and parts[0] == "media" else None


class Readable(Protocol):
    """Something bytes can be read from in pieces (an open file, an HTTP response body)."""

    def read(self, size: int = -1, /) -> bytes:
        """Up to `size` bytes; b"" at the end."""
        ...

    def close(self) -> None:
        """Release the file or connection."""
        ...


class OpenBlob:
    """A stored file opened for reading: its size, and its bytes read in chunks."""

    def __init__(self, size: int, body: Readable) -> None:
        self.size = size
        self._body = body

    def read(self, size: int = -1) -> bytes:
        """Up to `size` bytes (all that is left when -1)."""
        return self._body.read(size)

    def chunks(self, size: int = CHUNK_BYTES) -> Iterator[bytes]:
        """The remaining bytes in chunks of at most `size`; closes the blob at the end."""
        try:
            while data := self._body.read(size):
                yield data
        finally:
            self.close()

    def close(self) -> None:
        """Release the file or connection (idempotent)."""
        self._body.close()

    def __enter__(self) -> OpenBlob:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


@dataclass(frozen=True)
class BlobInfo:
    """One stored file as a listing shows it."""

    key: str
    size: int
    modified: datetime  # UTC; what an orphan sweep compares with its cut-off


class BlobStore(Protocol):
    """Where media files live. Every method refuses an invalid key with InvalidKey."""

    def put_file(self, key: str, source: Path) -> None:
        """Store the file at `source` under `key`; readers see the old file or the new, whole."""

    def put_stream(self, key: str, stream: Readable) -> None:
        """Store what `stream` yields under `key`; if reading fails, nothing of it is kept."""

    def open(self, key: str) -> OpenBlob | None:
        """The file for streaming, or None if there is none; the caller closes it."""

    def exists(self, key: str) -> bool:
        """True if a file is stored under `key`."""

    def delete(self, key: str) -> None:
        """Delete one file; a missing file is not an error."""

    def delete_prefix(self, prefix: str) -> int:
        """Delete every file under a (non-empty) prefix; returns how many went."""

    def listing(self, prefix: str = "") -> Iterator[BlobInfo]:
        """Every stored file under a prefix, in key order; never a write still in progress."""

    def close(self) -> None:
        """Release connections."""


class LocalBlobStore:
    """A BlobStore in a folder on this machine (folders 0700, files 0600)."""

    def __init__(self, root: Path) -> None:
        make_folder(root)
        self.root = root.resolve()

    def _path(self, key: str) -> Path:
        target = self.root / check_key(key)
        # The key rule already forbids `..`; this also refuses a symlink planted in the store.
        if not os.path.realpath(target).startswith(f"{self.root}{os.sep}"):
            raise InvalidKey(f"invalid blob key {key[:80]!r}")
        return target

    def put_file(self, key: str, source: Path) -> None:
        """Copy `source` to `key` through a temporary file and an atomic rename."""
        with open(source, "rb") as src:
            self.put_stream(key, src)

    def put_stream(self, key: str, stream: Readable) -> None:
        """Write to a hidden temporary file in the target's folder, fsync, then rename."""
        target = self._path(key)
        fd, tmp = self._temporary(target.parent)
        try:
            with os.fdopen(fd, "wb") as out:
                while data := stream.read(CHUNK_BYTES):
                    out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        _fsync_dir(target.parent)

    def _temporary(self, folder: Path) -> tuple[int, str]:
        for _ in range(3):
            _mkdirs(folder, self.root)
            try:
                return tempfile.mkstemp(dir=folder, prefix=".tmp-")
            except FileNotFoundError:
                continue  # a purge removed the folder just now: make it again
        raise BlobStoreError("the media folder keeps disappearing")

    def open(self, key: str) -> OpenBlob | None:
        """The open file, or None."""
        try:
            handle = open(self._path(key), "rb")  # noqa: SIM115  (the caller closes it)
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            return None
        return OpenBlob(os.fstat(handle.fileno()).st_size, handle)

    def exists(self, key: str) -> bool:
        """True if the file is there."""
        return self._path(key).is_file()

    def delete(self, key: str) -> None:
        """Unlink the file, then its folder if that is left empty."""
        target = self._path(key)
        try:
            target.unlink()
        except (FileNotFoundError, IsADirectoryError):
            return
        with contextlib.suppress(OSError):  # not empty, or already gone
            target.parent.rmdir()

    def delete_prefix(self, prefix: str) -> int:
        """Delete the files under a prefix (a folder per media item)."""
        if not prefix:
            raise InvalidKey("delete_prefix needs a non-empty prefix")
        folder = self._path(check_prefix(prefix).removesuffix("/"))
        if not folder.is_dir():
            return 0
        count = sum(1 for p in folder.rglob("*") if p.is_file() and KEY.match(p.name))
        shutil.rmtree(folder, ignore_errors=True)
        _fsync_dir(folder.parent)
        return count

    def listing(self, prefix: str = "") -> Iterator[BlobInfo]:
        """Walk the folder in key order, skipping hidden temporary files."""
        start = check_prefix(prefix)
        folder = self._path(start.removesuffix("/")) if start else self.root
        yield from self._walk(folder)

    def _walk(self, folder: Path) -> Iterator[BlobInfo]:
        try:
            entries = [e for e in os.scandir(folder) if KEY.match(e.name)]
        except (FileNotFoundError, NotADirectoryError):
            return  # no such prefix, or deleted while we walked
        # Sorting "name/" for folders gives the order of whole keys, as S3 lists them.
        for entry in sorted(entries, key=lambda e: e.name + ("/" if e.is_dir() else "")):
            if entry.is_dir(follow_symlinks=False):
                yield from self._walk(Path(entry.path))
            elif entry.is_file(follow_symlinks=False):
                try:
                    stat = entry.stat()
                except FileNotFoundError:
                    continue
                yield BlobInfo(
                    key=Path(entry.path).relative_to(self.root).as_posix(),
                    size=stat.st_size,
                    modified=datetime.fromtimestamp(stat.st_mtime, UTC),
                )

    def close(self) -> None:
        """Nothing to release."""


def _mkdirs(folder: Path, root: Path) -> None:
    # Each level 0700: Path.mkdir(parents=True) would give the parents the umask's mode.
    for level in reversed([folder, *folder.parents]):
        if level == root or root not in level.parents:
            continue
        with contextlib.suppress(FileExistsError):
            level.mkdir(mode=0o700)


def _fsync_dir(folder: Path) -> None:
    # The rename itself must reach the disk for the write to be durable.
    try:
        fd = os.open(folder, os.O_RDONLY)
    except FileNotFoundError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
