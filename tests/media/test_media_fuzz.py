"""Property: whatever the bytes, sanitize_image returns a valid clean image or MediaRejected."""

from __future__ import annotations

import io
import tempfile
from functools import cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from media_samples import (
    assert_describes_file,
    encode,
    gps_exif,
    insert_png_chunks,
    marked_image,
    noise_image,
    phone_jpeg,
    raw_png,
    swapped_primaries_icc,
    text_chunks,
)
from PIL import Image

from media import ImageLimits, MediaRejected, Reason, make_thumbnail, sanitize_image

# Small limits keep each example fast; they do not change which code paths run.
LIMITS = ImageLimits(max_bytes=256 * 1024, max_pixels=1_000_000, max_jpeg_scans=40)
FUZZ = settings(
    max_examples=300,
    deadline=None,  # no timing in tests
    suppress_health_check=[HealthCheck.too_slow],
)
# Pillow warns about some damage it tolerates (corrupt EXIF, malformed MPO); not our concern.
pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")


@cache
def seeds() -> tuple[bytes, ...]:
    """Valid files of every accepted type and shape, for mutation."""
    small = marked_image((40, 30))
    rgba = Image.new("RGBA", (24, 24), (10, 200, 30, 128))
    palette = Image.new("P", (24, 24), 1)
    palette.putpalette([255, 255, 255, 200, 0, 0])
    grey16 = b"".join(b"\x00" + bytes(range(2 * 12)) for _ in range(8))
    return (
        phone_jpeg(),
        encode(noise_image((48, 40)), "JPEG", progressive=True),
        encode(Image.new("CMYK", (24, 24), (0, 200, 200, 0)), "JPEG"),
        encode(small, "JPEG", icc_profile=swapped_primaries_icc()),
        encode(small, "PNG"),
        insert_png_chunks(encode(rgba, "PNG"), text_chunks()),
        encode(palette, "PNG", transparency=0),
        raw_png(12, 8, grey16, bit_depth=16, colour_type=0),
        encode(small.convert("L"), "PNG", optimize=True),
        encode(small, "WEBP"),
        encode(rgba, "WEBP", lossless=True),
        encode(small, "WEBP", exif=gps_exif(orientation=8).tobytes()),
    )


@st.composite
def mutated_images(draw: st.DrawFn) -> bytes:
    """A valid image with a few bytes flipped, overwritten, inserted, deleted or cut off."""
    data = bytearray(draw(st.sampled_from(seeds())))
    for _ in range(draw(st.integers(1, 6))):
        if not data:
            break
        op = draw(st.sampled_from(["flip", "set", "insert", "delete", "truncate", "duplicate"]))
        at = draw(st.integers(0, len(data) - 1))
        if op == "flip":
            data[at] ^= 1 << draw(st.integers(0, 7))
        elif op == "set":
            chunk = draw(st.binary(min_size=1, max_size=8))
            data[at : at + len(chunk)] = chunk
        elif op == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=64))
        elif op == "delete":
            del data[at : at + draw(st.integers(1, 64))]
        elif op == "truncate":
            del data[at:]
        else:
            span = bytes(data[at : at + draw(st.integers(1, 256))])
            data[at:at] = span * draw(st.integers(1, 4))
    return bytes(data)


MAGIC = (b"\xff\xd8\xff", b"\xff\xd8\xff\xe0", b"\x89PNG\r\n\x1a\n", b"RIFF\x00\x01\x00\x00WEBP")


def check_outcome(data: bytes) -> None:
    """sanitize_image either writes a valid, clean, described image or raises MediaRejected."""
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "download"
        src.write_bytes(data)
        out = Path(tmp) / "out"
        out.mkdir()
        try:
            result = sanitize_image(src, out, limits=LIMITS)
        except MediaRejected as rejected:
            assert isinstance(rejected.reason, Reason)
            assert rejected.detail
            assert list(out.iterdir()) == []
            return
        im = assert_describes_file(result)
        assert im.mode in ("L", "RGB", "LA", "RGBA")
        assert result.width * result.height <= LIMITS.max_pixels
        written = result.path.read_bytes()
        with Image.open(io.BytesIO(written)) as reread:
            assert len(reread.getexif()) == 0
            assert "icc_profile" not in reread.info
        thumb = make_thumbnail(result.path, out / "thumb.jpg", max_side=16, limits=LIMITS)
        assert max(thumb.width, thumb.height) <= 16
        assert_describes_file(thumb)


def test_seeds_are_all_accepted() -> None:
    # Guard the properties below: mutations start from files that really are valid.
    for data in seeds():
        with tempfile.TemporaryDirectory() as tmp:
            sanitize_image(_written(Path(tmp), data), Path(tmp), limits=LIMITS)


def _written(directory: Path, data: bytes) -> Path:
    path = directory / "seed"
    path.write_bytes(data)
    return path


@FUZZ
@given(st.binary(max_size=4096))
def test_arbitrary_bytes(data: bytes) -> None:
    check_outcome(data)


@FUZZ
@given(st.sampled_from(MAGIC), st.binary(max_size=4096))
def test_arbitrary_bytes_behind_accepted_magic(magic: bytes, rest: bytes) -> None:
    check_outcome(magic + rest)


@FUZZ
@given(mutated_images())
def test_mutated_valid_images(data: bytes) -> None:
    check_outcome(data)
