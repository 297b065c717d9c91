"""Images of chosen sizes, formats and file sizes, for LINE's image rules."""

from __future__ import annotations

import functools
import io

from PIL import Image, PngImagePlugin


@functools.cache
def png(width: int, height: int, *, padding: int = 0) -> bytes:
    """A flat PNG of this size; `padding` bytes of uncompressed text make the file larger."""
    info = PngImagePlugin.PngInfo()
    if padding:
        info.add_text("padding", "x" * padding)
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 220, 240)).save(out, "PNG", pnginfo=info)
    return out.getvalue()


@functools.cache
def jpeg(width: int, height: int) -> bytes:
    """A flat JPEG of this size."""
    out = io.BytesIO()
    Image.new("RGB", (width, height), (240, 220, 200)).save(out, "JPEG")
    return out.getvalue()
