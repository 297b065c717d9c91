"""The one safe path from untrusted image bytes to a stored image: `sanitize_image`."""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from PIL import Image, ImageOps

from media.colour import drop_alpha, has_real_transparency, to_srgb
from media.decode import CONTENT_ERRORS, decode, open_image, rejecting_bad_content
from media.encode import SUFFIXES, Encoded, ImageVariant, encode, write_new_file
from media.errors import MediaRejected, Reason
from media.limits import ImageLimits
from media.sniff import SNIFF_BYTES, MediaKind, Sniffed, sniff

DEFAULT_LIMITS = ImageLimits()


@dataclass(frozen=True, slots=True)
class SanitizedImage(ImageVariant):
    """The sanitised original, plus the type the sender's bytes really had."""

    source_type: str
    """MIME type sniffed from the untrusted input, e.g. "image/webp"."""


def sanitize_image(
    src: Path, dest_dir: Path, *, limits: ImageLimits = DEFAULT_LIMITS
) -> SanitizedImage:
    """Turn an untrusted file into a metadata-free sRGB JPEG (or PNG) in `dest_dir`, or reject it.

    Raises MediaRejected for anything wrong with the content (final: the same bytes will never
    pass), and OSError when `src` cannot be opened or `dest_dir` written (worth a retry).
    """
    with src.open("rb") as fp:
        sniffed = check_file(fp, limits)
        im = open_image(fp, sniffed, limits)
        try:
            decode(im)
            with rejecting_bad_content("convert"):
                im = clean_pixels(im)
                encoded = encode(im, "PNG" if im.mode in ("LA", "RGBA") else "JPEG")
        finally:
            im.close()
    path = write_new_file(encoded.data, dest_dir, SUFFIXES[encoded.format])
    return _sanitized(encoded, path, sniffed)


def check_file(fp: BinaryIO, limits: ImageLimits) -> Sniffed:
    """Check an open file's size and sniffed type; return the type if it is an accepted image."""
    size = os.fstat(fp.fileno()).st_size
    if size == 0:
        raise MediaRejected(Reason.EMPTY, "the file is empty")
    if size > limits.max_bytes:
        raise MediaRejected(
            Reason.TOO_LARGE, f"{size} bytes; the limit is {limits.max_bytes} bytes"
        )
    fp.seek(0)
    sniffed = sniff(fp.read(SNIFF_BYTES))
    if sniffed.kind is not MediaKind.IMAGE:
        raise MediaRejected(
            Reason.UNSUPPORTED_TYPE, f"{sniffed.content_type} is a video, not an image"
        )
    return sniffed


def clean_pixels(im: Image.Image) -> Image.Image:
    """Upright, sRGB, 8-bit L/LA/RGB/RGBA pixels of a decoded image; `im` is consumed."""
    apply_orientation(im)
    im = to_srgb(im)
    if im.mode in ("LA", "RGBA") and not has_real_transparency(im):
        # An alpha band that is opaque everywhere (common in screenshots) would force a PNG
        # several times larger than the JPEG for no visible difference.
        im = drop_alpha(im)
    return im


def apply_orientation(im: Image.Image) -> None:
    """Rotate/flip a decoded image in place as its EXIF Orientation says, then forget the tag."""
    # A damaged EXIF block should not cost the worker their photo: keep the pixels as stored.
    with contextlib.suppress(*CONTENT_ERRORS):
        ImageOps.exif_transpose(im, in_place=True)


def _sanitized(encoded: Encoded, path: Path, sniffed: Sniffed) -> SanitizedImage:
    variant = encoded.variant_at(path)
    return SanitizedImage(
        path=variant.path,
        content_type=variant.content_type,
        width=variant.width,
        height=variant.height,
        byte_count=variant.byte_count,
        sha256=variant.sha256,
        source_type=sniffed.content_type,
    )
