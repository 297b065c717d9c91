"""Faces in stored image files: counting them, and writing the `blurred` variant.

Both take the sanitised original (see `sanitize_image`) and check it as strictly as any input,
like `make_thumbnail` does; detection itself always runs on a copy of at most 1280x960 pixels.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from media.blur import blur_faces_in_place
from media.colour import to_srgb
from media.decode import decode, open_image, rejecting_bad_content
from media.encode import ImageVariant, encode, replace_file
from media.faces import FaceBox, FaceDetector
from media.images import DEFAULT_LIMITS, apply_orientation, check_file
from media.limits import ImageLimits


@dataclass(frozen=True, slots=True)
class BlurredImage:
    """The written `blurred` variant and the faces that were blurred in it."""

    variant: ImageVariant
    faces: tuple[FaceBox, ...]
    """Boxes in the variant's pixels (the same as the original's), largest first."""


def find_faces(
    src: Path, detector: FaceDetector, *, limits: ImageLimits = DEFAULT_LIMITS
) -> list[FaceBox]:
    """Faces in the image file `src`, as boxes in its full-size upright pixels.

    A JPEG is decoded at reduced scale (draft), so a 12 MP photo costs a quarter of a decode.
    """
    with src.open("rb") as fp:
        im = open_image(fp, check_file(fp, limits), limits)
        try:
            full_w, full_h = im.size
            longest = max(detector.canvas)
            # Both sides at least the canvas's long side, whichever way the photo turns out up.
            im.draft(None, (longest, longest))
            decode(im)
            with rejecting_bad_content("detect"):
                stored = im.size
                apply_orientation(im)
                if im.size != stored:  # turned by 90 degrees: so is the full-size image
                    full_w, full_h = full_h, full_w
                im = to_srgb(im)
                return detector.detect(im, original_size=(full_w, full_h))
        finally:
            im.close()


def make_blurred(
    src: Path, dest: Path, detector: FaceDetector, *, limits: ImageLimits = DEFAULT_LIMITS
) -> BlurredImage:
    """Write `src` with every face found pixelated and blurred to `dest` (atomically).

    Decodes `src` once at full size; the faces are found on a downscaled copy of those pixels.
    The output is a JPEG, or a PNG if `src` has real transparency, with no metadata at all.
    A photo in which no face was found is written unchanged (re-encoded): the caller decides
    what that means for the submission (see `BlurredImage.faces`).
    """
    return _blurred(src, dest, detector.detect, limits)


def write_blurred(
    src: Path, dest: Path, faces: Sequence[FaceBox], *, limits: ImageLimits = DEFAULT_LIMITS
) -> BlurredImage:
    """Like `make_blurred`, for faces already found in `src` (e.g. by `find_faces`)."""
    return _blurred(src, dest, lambda _im: list(faces), limits)


def _blurred(
    src: Path,
    dest: Path,
    detect: Callable[[Image.Image], list[FaceBox]],
    limits: ImageLimits,
) -> BlurredImage:
    with src.open("rb") as fp:
        im = open_image(fp, check_file(fp, limits), limits)
        try:
            decode(im)
            with rejecting_bad_content("blur"):
                apply_orientation(im)
                im = to_srgb(im)
                faces = tuple(detect(im))
                blur_faces_in_place(im, faces)
                encoded = encode(im, "PNG" if im.mode in ("LA", "RGBA") else "JPEG")
        finally:
            im.close()
    replace_file(encoded.data, dest)
    return BlurredImage(encoded.variant_at(dest), faces)
