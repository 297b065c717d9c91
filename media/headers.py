"""What an image file declares about itself, read from its headers without decoding anything.

These checks run before Pillow opens the file. That matters for WebP: Pillow's WebP plugin
creates libwebp's animation decoder inside `Image.open()`, and that decoder allocates two
full-size RGBA canvases up front; Pillow only refuses sizes over 2 x MAX_IMAGE_PIXELS (~179 MP)
there, so a 30-byte WebP declaring 13000x13000 would cost ~1.3 GB before `im.size` could be
looked at. For PNG and JPEG it keeps Pillow from even emitting its
DecompressionBombWarning. Pillow's own `im.size` is checked again after opening: if these
parsers and Pillow ever disagree, the stricter answer wins.
"""

from __future__ import annotations

import io
import mmap
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import BinaryIO

_JPEG_SOF_MARKERS = frozenset(
    {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}
)
# Markers without a length field: TEM and the restart markers.
_JPEG_STANDALONE_MARKERS = frozenset({0x01, *range(0xD0, 0xD8)})
_JPEG_MAX_SEGMENTS = 10_000  # a camera JPEG has ~10-20 segments, a progressive one ~40
# Where entropy-coded data ends: an FF that is not stuffing (FF 00), a restart marker or fill.
_END_OF_SCAN_DATA = re.compile(rb"\xff(?=[^\x00\xd0-\xd7\xff])")


@dataclass(frozen=True, slots=True)
class JpegLayout:
    """What a walk over a JPEG's marker segments found."""

    size: tuple[int, int] | None
    """(width, height) from the first frame header, if one was reached."""
    scans: int
    """Scans (SOS segments) of the primary image, up to its EOI; stops counting past a limit."""


def declared_size(fp: BinaryIO, pillow_format: str) -> tuple[int, int] | None:
    """Return the (width, height) the file declares, or None when its header does not say."""
    fp.seek(0)
    if pillow_format == "PNG":
        return _png_size(fp.read(24))
    if pillow_format == "WEBP":
        return _webp_size(fp.read(30))
    if pillow_format == "JPEG":
        return jpeg_layout(fp, max_scans=0).size
    return None


def jpeg_layout(fp: BinaryIO, *, max_scans: int) -> JpegLayout:
    """Walk a JPEG's segments and scans up to its EOI, stopping once `max_scans` is exceeded.

    Only the primary image is walked: data after EOI (the MP4 of a Samsung or Google "motion
    photo", the other frames of an MPO) is not looked at.
    """
    with _readonly_view(fp) as data:
        return _walk_jpeg(data, max_scans)


@contextmanager
def _readonly_view(fp: BinaryIO) -> Iterator[bytes | mmap.mmap]:
    """The whole file as a buffer: memory-mapped when it is a real file, so nothing is copied."""
    try:
        fileno = fp.fileno()
    except (AttributeError, OSError, io.UnsupportedOperation):
        fp.seek(0)
        yield fp.read()  # an in-memory stream (tests); it is in memory already
        return
    fp.seek(0, io.SEEK_END)
    if fp.tell() == 0:  # mmap refuses empty files
        yield b""
        return
    with mmap.mmap(fileno, 0, access=mmap.ACCESS_READ) as view:
        yield view


def _walk_jpeg(data: bytes | mmap.mmap, max_scans: int) -> JpegLayout:
    size: tuple[int, int] | None = None
    scans = 0
    if data[:2] != b"\xff\xd8":
        return JpegLayout(None, 0)
    pos, end = 2, len(data)
    for _ in range(_JPEG_MAX_SEGMENTS):
        if pos >= end or data[pos] != 0xFF:
            break
        while pos < end and data[pos] == 0xFF:  # fill bytes may precede any marker
            pos += 1
        if pos + 3 > end:
            break
        code = data[pos]
        pos += 1
        if code in _JPEG_STANDALONE_MARKERS:
            continue
        if code == 0xD9:  # EOI
            break
        length = int.from_bytes(data[pos : pos + 2], "big")
        if length < 2:
            break
        if code in _JPEG_SOF_MARKERS and size is None and pos + 7 <= end:
            height = int.from_bytes(data[pos + 3 : pos + 5], "big")
            width = int.from_bytes(data[pos + 5 : pos + 7], "big")
            size = (width, height)
        pos += length
        if code == 0xDA:  # SOS: a scan header, then entropy-coded data up to the next marker
            scans += 1
            if scans > max_scans:
                break
            match = _END_OF_SCAN_DATA.search(data, pos)
            if match is None:
                break
            pos = match.start()
    return JpegLayout(size, scans)


def _png_size(head: bytes) -> tuple[int, int] | None:
    # Signature (8), then the IHDR chunk: length 13, type, width, height (big-endian).
    if len(head) < 24 or head[8:16] != b"\x00\x00\x00\x0dIHDR":
        return None
    return int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")


def _webp_size(head: bytes) -> tuple[int, int] | None:
    # Same layout Pillow's WebPImagePlugin._get_size reads (RIFF header, then the first chunk).
    chunk = head[12:16]
    if chunk == b"VP8 " and len(head) >= 30 and head[23:26] == b"\x9d\x01\x2a":
        width = int.from_bytes(head[26:28], "little") & 0x3FFF
        height = int.from_bytes(head[28:30], "little") & 0x3FFF
        return width, height
    if chunk == b"VP8X" and len(head) >= 30:
        return int.from_bytes(head[24:27], "little") + 1, int.from_bytes(head[27:30], "little") + 1
    if chunk == b"VP8L" and len(head) >= 25 and head[20] == 0x2F:
        bits = int.from_bytes(head[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    return None
