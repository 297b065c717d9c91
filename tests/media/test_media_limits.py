"""Hostile and broken inputs: bombs are refused before decoding, junk is refused by reason."""

from __future__ import annotations

import contextlib
import random
import subprocess
import sys
import tracemalloc
import warnings
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest
from media_samples import (
    HTML_ERROR_PAGE,
    SVG_TEXT,
    encode,
    huge_jpeg,
    insert_png_chunks,
    iso_media,
    marked_image,
    noise_image,
    png_chunk,
    png_declaring,
    webp_declaring,
    with_extra_scans,
    ztxt_bomb_chunk,
)
from PIL import Image, ImageFile, PngImagePlugin

import media.decode
from media import ImageLimits, MediaRejected, Reason, sanitize_image

Input = Callable[[bytes], Path]


def rejection(src: Path, dest_dir: Path, limits: ImageLimits | None = None) -> MediaRejected:
    """Run sanitize_image expecting a rejection; check nothing was left in dest_dir."""
    with pytest.raises(MediaRejected) as caught:
        sanitize_image(src, dest_dir, limits=limits or ImageLimits())
    assert list(dest_dir.iterdir()) == [], "a rejected file must leave no output behind"
    return caught.value


@pytest.fixture
def without_header_check(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the header pre-check say "unknown", so Pillow's own size check must do the job."""
    monkeypatch.setattr(media.decode, "declared_size", lambda fp, fmt: None)


# ---------------------------------------------------------------------------------------------
# Size and pixel limits
# ---------------------------------------------------------------------------------------------


def test_empty_file(write_input: Input, dest_dir: Path) -> None:
    assert rejection(write_input(b""), dest_dir).reason is Reason.EMPTY


def test_file_over_max_bytes_is_refused_before_parsing(
    write_input: Input, dest_dir: Path, no_pillow_open: None
) -> None:
    data = encode(noise_image((64, 64)), "PNG")
    limits = ImageLimits(max_bytes=len(data) - 1)
    assert rejection(write_input(data), dest_dir, limits).reason is Reason.TOO_LARGE


def test_file_of_exactly_max_bytes_is_accepted(write_input: Input, dest_dir: Path) -> None:
    data = encode(noise_image((64, 64)), "PNG")
    sanitize_image(write_input(data), dest_dir, limits=ImageLimits(max_bytes=len(data)))


def test_png_declaring_20000_squared_is_refused_without_decoding(
    write_input: Input, dest_dir: Path, no_decoding: None, no_pillow_open: None
) -> None:
    src = write_input(png_declaring(20000, 20000))
    assert src.stat().st_size < 100
    rejected = rejection(src, dest_dir)
    assert rejected.reason is Reason.TOO_MANY_PIXELS
    assert "20000x20000" in rejected.detail


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_pillow_size_check_backs_up_the_header_check(
    write_input: Input, dest_dir: Path, fmt: str, without_header_check: None, no_decoding: None
) -> None:
    # Even if the header parser were fooled, Pillow's im.size is checked before load().
    src = write_input(encode(noise_image((40, 30)), fmt))
    rejected = rejection(src, dest_dir, ImageLimits(max_pixels=40 * 30 - 1))
    assert rejected.reason is Reason.TOO_MANY_PIXELS
    assert "the image declares 40x30" in rejected.detail


def test_webp_canvas_is_checked_before_pillow_opens_it(
    write_input: Input, dest_dir: Path, no_pillow_open: None
) -> None:
    # Pillow's WebP plugin allocates the whole canvas inside Image.open(), and on its own only
    # refuses sizes over 2 x MAX_IMAGE_PIXELS there: 10000x10000 would cost ~800 MB.
    rejected = rejection(write_input(webp_declaring(10000, 10000)), dest_dir)
    assert rejected.reason is Reason.TOO_MANY_PIXELS


def test_200_megapixel_jpeg_is_refused(
    write_input: Input, dest_dir: Path, no_decoding: None
) -> None:
    assert rejection(write_input(huge_jpeg(20000, 10000)), dest_dir).reason is (
        Reason.TOO_MANY_PIXELS
    )


def test_pillow_decompression_bomb_error_becomes_a_rejection(
    write_input: Input, dest_dir: Path, without_header_check: None, no_decoding: None
) -> None:
    # 200 MP is over 2 x Image.MAX_IMAGE_PIXELS: Pillow itself raises inside Image.open().
    rejected = rejection(write_input(huge_jpeg(20000, 10000)), dest_dir)
    assert rejected.reason is Reason.TOO_MANY_PIXELS
    assert isinstance(rejected.__cause__, Image.DecompressionBombError)


def test_pillow_bomb_warning_raised_as_error_becomes_a_rejection(
    write_input: Input, dest_dir: Path, without_header_check: None, no_decoding: None
) -> None:
    # 100 MP: over Pillow's warning threshold, under its error threshold. In a process that
    # turns warnings into errors, the warning arrives as an exception.
    limits = ImageLimits(max_pixels=10**9)
    src = write_input(huge_jpeg(10000, 10000))
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        rejected = rejection(src, dest_dir, limits)
    assert rejected.reason is Reason.TOO_MANY_PIXELS
    assert isinstance(rejected.__cause__, Image.DecompressionBombWarning)


def test_pillow_bomb_warning_alone_still_means_rejection(
    write_input: Input, dest_dir: Path, without_header_check: None, no_decoding: None
) -> None:
    # Our limit is raised above Pillow's, but Pillow's warning threshold still caps it.
    limits = ImageLimits(max_pixels=10**9)
    with pytest.warns(Image.DecompressionBombWarning):
        rejected = rejection(write_input(huge_jpeg(10000, 10000)), dest_dir, limits)
    assert rejected.reason is Reason.TOO_MANY_PIXELS


def test_header_check_keeps_pillow_from_warning_at_all(write_input: Input, dest_dir: Path) -> None:
    limits = ImageLimits(max_pixels=10**9)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        rejected = rejection(write_input(huge_jpeg(10000, 10000)), dest_dir, limits)
    assert rejected.reason is Reason.TOO_MANY_PIXELS
    assert not [w for w in caught if issubclass(w.category, Image.DecompressionBombWarning)]


def test_custom_pixel_limit(write_input: Input, dest_dir: Path) -> None:
    data = encode(noise_image((100, 100)), "JPEG")
    assert rejection(write_input(data), dest_dir, ImageLimits(max_pixels=9999)).reason is (
        Reason.TOO_MANY_PIXELS
    )
    sanitize_image(write_input(data), dest_dir, limits=ImageLimits(max_pixels=10000))


def test_zero_sized_declaration_is_corrupt(write_input: Input, dest_dir: Path) -> None:
    assert rejection(write_input(png_declaring(0, 100)), dest_dir).reason is Reason.CORRUPT


def test_limits_must_be_positive() -> None:
    with pytest.raises(ValueError, match="max_pixels"):
        ImageLimits(max_pixels=0)


# ---------------------------------------------------------------------------------------------
# Compression bombs in metadata, CPU bombs
# ---------------------------------------------------------------------------------------------


def test_ztxt_bomb_is_refused_without_inflating_it(write_input: Input, dest_dir: Path) -> None:
    bomb = ztxt_bomb_chunk(100 * 1024 * 1024)
    src = write_input(insert_png_chunks(encode(marked_image(), "PNG"), [bomb]))
    assert src.stat().st_size < 1024 * 1024
    tracemalloc.start()
    try:
        rejected = rejection(src, dest_dir)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert rejected.reason is Reason.CORRUPT
    assert "MAX_TEXT_CHUNK" in rejected.detail
    # The text would be 100 MB; Pillow stops inflating at MAX_TEXT_CHUNK (1 MB).
    assert peak < 16 * 1024 * 1024, f"peak traced allocation {peak} bytes"


def test_many_text_chunks_hit_pillows_total_text_cap(write_input: Input, dest_dir: Path) -> None:
    # 70 chunks, each just under MAX_TEXT_CHUNK once inflated: over MAX_TEXT_MEMORY (64 MB).
    text = b"\x00" * (PngImagePlugin.MAX_TEXT_CHUNK - 1024)
    chunk = png_chunk(b"zTXt", b"Comment\x00\x00" + zlib.compress(text, 9))
    src = write_input(insert_png_chunks(encode(marked_image(), "PNG"), [chunk] * 70))
    assert rejection(src, dest_dir).reason is Reason.CORRUPT


def test_jpeg_with_hundreds_of_scans_is_refused_before_decoding(
    write_input: Input, dest_dir: Path, no_decoding: None
) -> None:
    data = with_extra_scans(encode(noise_image((64, 64)), "JPEG", progressive=True), 500)
    rejected = rejection(write_input(data), dest_dir)
    assert rejected.reason is Reason.TOO_COMPLEX
    assert "scan" in rejected.detail


def test_motion_photo_trailer_is_not_mistaken_for_scans(write_input: Input, dest_dir: Path) -> None:
    # Samsung and Google "motion photos" append an MP4 after the JPEG's EOI; its bytes contain
    # FF DA by chance. Only the photo is kept.
    trailer = iso_media(b"mp42", b"isom") + b"\xff\xda\x00\x10" * 5000
    data = encode(marked_image(), "JPEG") + trailer
    result = sanitize_image(write_input(data), dest_dir)
    assert b"ftyp" not in result.path.read_bytes()


def test_ordinary_progressive_jpeg_is_fine(write_input: Input, dest_dir: Path) -> None:
    data = encode(noise_image((256, 256)), "JPEG", progressive=True, quality=95)
    assert sanitize_image(write_input(data), dest_dir).content_type == "image/jpeg"


# ---------------------------------------------------------------------------------------------
# Junk, damage and other types
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        pytest.param(b"", Reason.EMPTY, id="zero-bytes"),
        pytest.param(random.Random(7).randbytes(4096), Reason.UNSUPPORTED_TYPE, id="random"),
        pytest.param(HTML_ERROR_PAGE, Reason.UNSUPPORTED_TYPE, id="html-error-page"),
        pytest.param(b'{"message":"Not found"}', Reason.UNSUPPORTED_TYPE, id="json-error"),
        pytest.param(SVG_TEXT, Reason.UNSUPPORTED_TYPE, id="svg"),
        pytest.param(encode(marked_image(), "GIF"), Reason.UNSUPPORTED_TYPE, id="gif"),
        pytest.param(encode(marked_image(), "TIFF"), Reason.UNSUPPORTED_TYPE, id="tiff"),
        pytest.param(encode(marked_image(), "BMP"), Reason.UNSUPPORTED_TYPE, id="bmp"),
        pytest.param(encode(marked_image(), "AVIF"), Reason.UNSUPPORTED_TYPE, id="avif"),
        pytest.param(iso_media(b"heic", b"mif1", b"heic"), Reason.CORRUPT, id="heic-box-only"),
        pytest.param(iso_media(b"isom", b"isom", b"avc1"), Reason.UNSUPPORTED_TYPE, id="mp4"),
        pytest.param(iso_media(b"qt  ", b"qt  "), Reason.UNSUPPORTED_TYPE, id="quicktime"),
        pytest.param(b"\xff\xd8\xff" + HTML_ERROR_PAGE, Reason.CORRUPT, id="jpeg-magic-then-html"),
        pytest.param(b"\x89PNG\r\n\x1a\n" + b"\x00" * 30, Reason.CORRUPT, id="png-magic-only"),
        pytest.param(webp_declaring(100, 100), Reason.CORRUPT, id="webp-header-only"),
    ],
)
def test_rejected_with_the_right_reason(
    write_input: Input, dest_dir: Path, data: bytes, reason: Reason
) -> None:
    assert rejection(write_input(data), dest_dir).reason is reason


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
@pytest.mark.parametrize("keep", [0.95, 0.5, 0.1])
def test_truncated_images_are_corrupt(
    write_input: Input, dest_dir: Path, fmt: str, keep: float
) -> None:
    data = encode(noise_image((200, 150)), fmt)
    rejected = rejection(write_input(data[: int(len(data) * keep)]), dest_dir)
    assert rejected.reason is Reason.CORRUPT


def test_truncated_images_stay_rejected_whatever_the_flag_default(
    write_input: Input, dest_dir: Path
) -> None:
    # Guard: nothing in the suite or the package flipped Pillow's process-wide switch.
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False


def test_video_is_recognised_but_not_processed(write_input: Input, dest_dir: Path) -> None:
    rejected = rejection(write_input(iso_media(b"mp42", b"isom")), dest_dir)
    assert "video" in rejected.detail


# ---------------------------------------------------------------------------------------------
# No global state
# ---------------------------------------------------------------------------------------------


def pillow_globals() -> tuple[object, ...]:
    return (
        Image.MAX_IMAGE_PIXELS,
        ImageFile.LOAD_TRUNCATED_IMAGES,
        PngImagePlugin.MAX_TEXT_CHUNK,
        PngImagePlugin.MAX_TEXT_MEMORY,
        list(warnings.filters),
    )


def test_sanitizing_changes_no_pillow_or_warning_settings(
    write_input: Input, dest_dir: Path
) -> None:
    before = pillow_globals()
    for data in (encode(noise_image((32, 32)), "JPEG"), png_declaring(20000, 20000), b"junk"):
        with contextlib.suppress(MediaRejected):
            sanitize_image(write_input(data), dest_dir)
    assert pillow_globals() == before


def test_importing_the_package_changes_nothing() -> None:
    script = (
        "import warnings\n"
        "from PIL import Image, ImageFile\n"
        "def state():\n"
        "    return Image.MAX_IMAGE_PIXELS, ImageFile.LOAD_TRUNCATED_IMAGES, warnings.filters[:]\n"
        "before = state()\n"
        "import media\n"
        "assert state() == before, (before, state())\n"
    )
    subprocess.run([sys.executable, "-c", script], check=True, cwd=Path(__file__).parents[2])
