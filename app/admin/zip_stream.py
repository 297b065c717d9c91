"""A ZIP archive written as a stream of byte chunks, one file at a time, never whole in memory.

The standard library's zipfile writes to any object with `write()`: given one that cannot
seek, it puts each file's CRC and sizes in a data descriptor after its bytes, so nothing has to
be rewritten. That is all streaming needs, so no third-party ZIP library is used. Photos are
stored as they are (JPEG and WebP are compressed already); text files are deflated.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime

FLUSH_BYTES = 256 * 1024  # hand bytes on once this much is buffered


@dataclass(frozen=True)
class ZipMember:
    """One file of the archive: its name, its bytes in chunks, and its size when known."""

    name: str
    chunks: Iterable[bytes]
    modified: datetime
    size: int | None = None
    compress: bool = False


class _Pipe:
    """The write end zipfile sees: it only collects bytes until the generator takes them."""

    def __init__(self) -> None:
        self._buffer = bytearray()

    def write(self, data: bytes) -> int:
        self._buffer += data
        return len(data)

    def flush(self) -> None:
        return None

    def close(self) -> None:
        return None

    def __len__(self) -> int:
        return len(self._buffer)

    def take(self) -> bytes:
        out = bytes(self._buffer)
        self._buffer.clear()
        return out


def zip_stream(members: Iterable[ZipMember]) -> Iterator[bytes]:
    """The archive's bytes, in chunks, while `members` is read one at a time."""
    pipe = _Pipe()
    with zipfile.ZipFile(pipe, "w", allowZip64=True) as archive:
        for member in members:
            info = zipfile.ZipInfo(member.name, date_time=member.modified.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED if member.compress else zipfile.ZIP_STORED
            info.external_attr = 0o600 << 16
            large = member.size is None or member.size > zipfile.ZIP64_LIMIT
            with archive.open(info, "w", force_zip64=large) as out:
                for chunk in member.chunks:
                    out.write(chunk)
                    if len(pipe) >= FLUSH_BYTES:
                        yield pipe.take()
            if len(pipe):
                yield pipe.take()
    if len(pipe):
        yield pipe.take()
