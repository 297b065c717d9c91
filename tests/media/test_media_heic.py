"""HEIC photos (an iPhone's default): accepted through pillow-heif, stored as a clean JPEG."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image

from media import ImageLimits, MediaRejected, Reason, make_thumbnail, sanitize_image

Input = Callable[[bytes], Path]

GPS_IFD = {1: "N", 2: (35.0, 41.0, 22.0), 3: "E", 4: (139.0, 41.0, 30.0)}


def phone_heic(*, orientation: int = 6) -> bytes:
    """A 64x48 HEIC with GPS, a camera model and an EXIF orientation, as a phone writes it.

    Pillow writes HEIF through the plugin that importing `media` registers (media/decode.py).
    """
    exif = Image.Exif()
    exif[0x0112] = orientation
    exif[0x0110] = "iPhone 15 Pro"
    exif[0x8825] = GPS_IFD
    left = Image.new("RGB", (32, 48), (220, 30, 30))
    im = Image.new("RGB", (64, 48), (30, 30, 220))
    im.paste(left, (0, 0))
    buf = io.BytesIO()
    im.save(buf, format="HEIF", exif=exif.tobytes(), quality=90)
    return buf.getvalue()


def test_a_phone_heic_becomes_an_upright_jpeg_without_gps(write_input: Input, dest_dir: Path):
    data = phone_heic()
    assert data[4:12] == b"ftypheic" and b"iPhone" in data
    out = sanitize_image(write_input(data), dest_dir)
    assert (out.source_type, out.content_type) == ("image/heic", "image/jpeg")
    assert (out.width, out.height) == (48, 64)  # orientation 6 applied once, not twice
    stored = out.path.read_bytes()
    assert b"iPhone" not in stored and b"Exif" not in stored
    with Image.open(out.path) as im:
        assert not im.getexif() and im.format == "JPEG"
        # The red half (left in the stored pixels) is on top once turned 90° clockwise.
        top = im.convert("RGB").getpixel((24, 4))
        assert isinstance(top, tuple) and top[0] > 150 and top[2] < 100
    thumb = make_thumbnail(out.path, dest_dir / "thumb.jpg")
    assert (thumb.width, thumb.height) == (48, 64)


@pytest.mark.parametrize("keep", [0.3, 0.6, 0.9])
def test_a_truncated_heic_is_refused(write_input: Input, dest_dir: Path, keep: float):
    data = phone_heic()
    with pytest.raises(MediaRejected) as caught:
        sanitize_image(write_input(data[: int(len(data) * keep)]), dest_dir)
    # Cut in its header libheif cannot read it; cut in its image data, libheif would decode it
    # padded with grey: the box sizes catch that first.
    assert caught.value.reason in (Reason.CORRUPT, Reason.TRUNCATED)


def test_a_heic_over_the_pixel_cap_is_refused_before_decoding(
    write_input: Input, dest_dir: Path, no_decoding: None
):
    with pytest.raises(MediaRejected) as caught:
        sanitize_image(write_input(phone_heic()), dest_dir, limits=ImageLimits(max_pixels=1000))
    assert caught.value.reason is Reason.TOO_MANY_PIXELS
