"""Opening untrusted image bytes with Pillow under limits, turning every failure into a rejection.

Nothing here changes Pillow's process-wide settings (`MAX_IMAGE_PIXELS`,
`LOAD_TRUNCATED_IMAGES`, the warning filters): other code in the process uses Pillow, and the
worker may decode several images on different threads.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import BinaryIO

import pillow_heif
from PIL import Image, ImageCms

from media.errors import MediaRejected, Reason
from media.headers import declared_size, jpeg_layout
from media.iso_boxes import top_level_boxes
from media.limits import ImageLimits
from media.sniff import JPEG, Sniffed

# What Pillow and its C decoders raise on hostile or damaged input. Deliberately not
# `Exception`: an AttributeError or NameError is a bug in this package and must surface.
CONTENT_ERRORS: tuple[type[BaseException], ...] = (
    OSError,  # includes UnidentifiedImageError and "image file is truncated"
    ValueError,  # includes PNG text chunks that inflate past MAX_TEXT_CHUNK/MAX_TEXT_MEMORY
    SyntaxError,  # Pillow's traditional "not a valid file of this format"
    struct.error,
    EOFError,
    IndexError,
    KeyError,
    TypeError,
    ZeroDivisionError,
    OverflowError,
    zlib.error,
    ImageCms.PyCMSError,
)

# Adds Pillow's HEIF plugin (once, idempotent). Only a file sniffed as HEIF is ever opened with
# it (`formats=[...]` below); libheif applies the file's rotation itself and resets the EXIF
# orientation, so `apply_orientation` does not turn it twice. No thumbnails: only the primary.
pillow_heif.register_heif_opener(thumbnails=False)

# Pillow decoders that may produce each sniffed type. The JPEG factory returns an MpoImageFile
# for phone "multi-picture" JPEGs; its first frame is an ordinary JPEG.
_EXPECTED_FORMATS = {"JPEG": frozenset({"JPEG", "MPO"})}


@contextmanager
def rejecting_bad_content(stage: str) -> Iterator[None]:
    """Turn whatever Pillow raises on hostile or damaged bytes into a MediaRejected."""
    try:
        yield
    except MediaRejected:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        # The warning arrives as an exception only when the process runs with warnings as
        # errors; either way the image is over Pillow's own ceiling.
        raise MediaRejected(Reason.TOO_MANY_PIXELS, f"{stage}: {exc}") from exc
    except MemoryError as exc:
        raise MediaRejected(Reason.TOO_COMPLEX, f"{stage}: out of memory while decoding") from exc
    except CONTENT_ERRORS as exc:
        raise MediaRejected(Reason.CORRUPT, f"{stage}: {type(exc).__name__}: {exc}") from exc


def pixel_ceiling(limits: ImageLimits) -> int:
    """The effective pixel limit: ours, or Pillow's warning threshold if that is lower."""
    pillow_limit = Image.MAX_IMAGE_PIXELS
    if pillow_limit is None:
        return limits.max_pixels
    return min(limits.max_pixels, pillow_limit)


def check_pixels(size: tuple[int, int], limits: ImageLimits, *, source: str) -> None:
    """Reject a declared size that is empty or over the pixel ceiling."""
    width, height = size
    if width < 1 or height < 1:
        raise MediaRejected(Reason.CORRUPT, f"{source} declares an empty size {width}x{height}")
    ceiling = pixel_ceiling(limits)
    if width * height > ceiling:
        raise MediaRejected(
            Reason.TOO_MANY_PIXELS,
            f"{source} declares {width}x{height} = {width * height / 1e6:.1f} MP;"
            f" the limit is {ceiling / 1e6:.1f} MP",
        )


def open_image(fp: BinaryIO, sniffed: Sniffed, limits: ImageLimits) -> Image.Image:
    """Open (not decode) `fp` with the one Pillow plugin for its sniffed type, within limits."""
    fmt = sniffed.pillow_format
    if fmt is None:
        raise MediaRejected(Reason.UNSUPPORTED_TYPE, f"{sniffed.content_type} is not an image type")
    if fmt == "HEIF":
        top_level_boxes(fp)  # a HEIC cut short decodes without an error (media/iso_boxes.py)
    if (size := declared_size(fp, fmt)) is not None:
        check_pixels(size, limits, source="the header")
    if sniffed == JPEG and jpeg_layout(fp, max_scans=limits.max_jpeg_scans).scans > (
        limits.max_jpeg_scans
    ):
        # Each progressive scan is one more pass over the whole image in libjpeg.
        raise MediaRejected(Reason.TOO_COMPLEX, f"the JPEG has over {limits.max_jpeg_scans} scans")
    fp.seek(0)
    with rejecting_bad_content("open"):
        im = Image.open(fp, formats=[fmt])
    try:
        if im.format not in _EXPECTED_FORMATS.get(fmt, {fmt}):
            raise MediaRejected(
                Reason.CORRUPT, f"sniffed as {fmt} but Pillow opened it as {im.format}"
            )
        check_pixels(im.size, limits, source="the image")
    except BaseException:
        im.close()
        raise
    return im


def decode(im: Image.Image) -> None:
    """Decode the pixels of an opened image; truncated or damaged data is rejected."""
    # ImageFile.LOAD_TRUNCATED_IMAGES is left at its default (False), so a short file raises
    # OSError here instead of being padded with grey.
    with rejecting_bad_content("decode"):
        im.load()
