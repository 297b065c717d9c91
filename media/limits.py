"""The resource ceilings an untrusted image must fit under before Pillow decodes it."""

from __future__ import annotations

from dataclasses import dataclass

MIB = 1024 * 1024


@dataclass(frozen=True, slots=True)
class ImageLimits:
    """Ceilings for one image; the defaults fit any phone photo (12-48 MP) with room to spare.

    `max_pixels` is also capped at Pillow's own `Image.MAX_IMAGE_PIXELS` (read, never changed):
    whatever Pillow would warn about as a possible decompression bomb is refused as well.
    """

    max_bytes: int = 50 * MIB
    """Largest file accepted, checked before a single byte is parsed."""
    max_pixels: int = 40_000_000
    """Largest declared width x height; 40 MP RGB is ~120 MB once decoded."""
    max_jpeg_scans: int = 100
    """Most scans accepted in a JPEG: each progressive scan is one more pass over the whole
    image, so a small file with thousands of scans is a CPU bomb. Real files have 1-15."""

    def __post_init__(self) -> None:
        for name in ("max_bytes", "max_pixels", "max_jpeg_scans"):
            if getattr(self, name) < 1:
                raise ValueError(f"ImageLimits.{name} must be positive")
