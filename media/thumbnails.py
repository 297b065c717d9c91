"""Small JPEG previews for the PR team's gallery, made from the sanitised original."""

from __future__ import annotations

from pathlib import Path

from PIL import Image

from media.colour import superseding, to_srgb
from media.decode import decode, open_image, rejecting_bad_content
from media.encode import ImageVariant, encode, replace_file
from media.images import DEFAULT_LIMITS, apply_orientation, check_file
from media.limits import ImageLimits

THUMBNAIL_QUALITY = 85
_WHITE = (255, 255, 255)


def make_thumbnail(
    src: Path, dest: Path, *, max_side: int = 640, limits: ImageLimits = DEFAULT_LIMITS
) -> ImageVariant:
    """Write a JPEG no larger than max_side x max_side to `dest` (atomically) and describe it.

    Meant for the output of `sanitize_image`, but checks its input just as strictly, so a
    caller that passes anything else gets a MediaRejected rather than an unbounded decode.
    """
    if max_side < 1:
        raise ValueError("max_side must be positive")
    box = (max_side, max_side)
    with src.open("rb") as fp:
        im = open_image(fp, check_file(fp, limits), limits)
        try:
            # For a JPEG, draft() makes libjpeg decode at 1/2, 1/4 or 1/8 scale directly (a 40 MP
            # photo becomes a ~2.5 MP decode), keeping at least twice the box for resampling
            # quality, like Image.thumbnail(reducing_gap=2) would if called before load().
            im.draft(None, (2 * max_side, 2 * max_side))
            decode(im)
            with rejecting_bad_content("thumbnail"):
                apply_orientation(im)
                im = to_srgb(im)
                im.thumbnail(box, Image.Resampling.LANCZOS)
                im = _flatten(im)
                encoded = encode(im, "JPEG", jpeg_quality=THUMBNAIL_QUALITY)
        finally:
            im.close()
    replace_file(encoded.data, dest)
    return encoded.variant_at(dest)


def _flatten(im: Image.Image) -> Image.Image:
    """Composite any transparency onto white: JPEG has no alpha, and black would hide dark art."""
    if im.mode not in ("LA", "RGBA"):
        return im
    background = Image.new("RGB", im.size, _WHITE)
    background.paste(im.convert("RGB"), mask=im.getchannel("A"))
    return superseding(im, background)
