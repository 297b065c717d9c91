"""Preview images for the content/preview endpoint, made safely from whatever was uploaded."""

from __future__ import annotations

import io

from PIL import Image, UnidentifiedImageError

PREVIEW_SIZE = (240, 240)
MAX_PIXELS = 40_000_000  # never decode a pixel bomb a test uploaded to attack the bot


def make_preview(data: bytes) -> bytes:
    """Return a small JPEG of data, or a plain grey one when it is not a decodable image."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
            if width * height > MAX_PIXELS:
                return _placeholder()
            image.draft("RGB", PREVIEW_SIZE)
            small = image.convert("RGB")
            small.thumbnail(PREVIEW_SIZE)
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        return _placeholder()
    return _jpeg(small)


def _placeholder() -> bytes:
    return _jpeg(Image.new("RGB", (240, 135), (200, 200, 200)))


def _jpeg(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    return out.getvalue()
