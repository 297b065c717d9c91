"""Encoding a cleaned image to JPEG or PNG without metadata, and writing it durably."""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from PIL import Image

OutputFormat = Literal["JPEG", "PNG"]

CONTENT_TYPES: dict[OutputFormat, str] = {"JPEG": "image/jpeg", "PNG": "image/png"}
SUFFIXES: dict[OutputFormat, str] = {"JPEG": ".jpg", "PNG": ".png"}


@dataclass(frozen=True, slots=True)
class ImageVariant:
    """One written rendition: where it is and what the blob store records about it."""

    path: Path
    content_type: str
    width: int
    height: int
    byte_count: int
    sha256: str
    """Hex digest of exactly the bytes at `path`."""


@dataclass(frozen=True, slots=True)
class Encoded:
    """An image encoded in memory, ready to be written."""

    data: bytes
    format: OutputFormat
    width: int
    height: int

    def variant_at(self, path: Path) -> ImageVariant:
        """Describe these bytes as written to `path`."""
        return ImageVariant(
            path=path,
            content_type=CONTENT_TYPES[self.format],
            width=self.width,
            height=self.height,
            byte_count=len(self.data),
            sha256=hashlib.sha256(self.data).hexdigest(),
        )


def encode(im: Image.Image, fmt: OutputFormat, *, jpeg_quality: int = 90) -> Encoded:
    """Encode `im` (L/RGB for JPEG; L/LA/RGB/RGBA for PNG) with no metadata at all."""
    # Only what is passed to save() should be written, but Pillow's savers fall back to
    # `im.info` for some blocks (the JPEG COM comment, PNG icc_profile and transparency...), so
    # the image is encoded with an empty info dict and exif/xmp/icc_profile never passed.
    im.info = {}
    buffer = io.BytesIO()
    if fmt == "JPEG":
        # optimize: Huffman tables fitted to the image, a few % smaller at the same quality.
        # Baseline rather than progressive: these files are downloaded whole, not streamed.
        im.save(buffer, "JPEG", quality=jpeg_quality, optimize=True)
    else:
        im.save(buffer, "PNG", compress_level=6)
    return Encoded(buffer.getvalue(), fmt, im.width, im.height)


def write_new_file(data: bytes, directory: Path, suffix: str) -> Path:
    """Write `data` to a new, uniquely named file in `directory` and fsync it."""
    fd, name = tempfile.mkstemp(dir=directory, prefix="genba-", suffix=suffix)
    path = Path(name)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            # The caller renames this file into the blob store and then commits the database
            # row: the bytes must be on disk before either, or a crash leaves an empty blob.
            os.fsync(out.fileno())
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return path


def replace_file(data: bytes, dest: Path) -> None:
    """Write `data` to `dest` atomically: readers see the old file or the whole new one."""
    tmp = write_new_file(data, dest.parent, suffix=".tmp")
    try:
        os.replace(tmp, dest)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
