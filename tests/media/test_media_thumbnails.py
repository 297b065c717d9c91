"""make_thumbnail: small clean JPEGs, decoded at reduced scale where JPEG allows it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from media_samples import (
    GREEN,
    RED,
    WHITE,
    assert_describes_file,
    draw_corners,
    encode,
    jpeg_markers,
    noise_image,
    phone_jpeg,
    png_declaring,
)
from PIL import Image, JpegImagePlugin

from media import MediaRejected, Reason, make_thumbnail, sanitize_image

Input = Callable[[bytes], Path]


def near(pixel: object, expected: tuple[int, int, int], tolerance: int = 24) -> bool:
    assert isinstance(pixel, tuple)
    return all(abs(a - e) <= tolerance for a, e in zip(pixel, expected, strict=True))


def test_thumbnail_of_a_sanitised_photo(write_input: Input, dest_dir: Path, tmp_path: Path) -> None:
    original = sanitize_image(
        write_input(encode(draw_corners(noise_image((1600, 1200))), "JPEG")), dest_dir
    )
    thumb = make_thumbnail(original.path, tmp_path / "thumb.jpg")

    assert thumb.path == tmp_path / "thumb.jpg"
    assert thumb.content_type == "image/jpeg"
    assert (thumb.width, thumb.height) == (640, 480)
    im = assert_describes_file(thumb)
    assert near(im.getpixel((10, 10)), RED)
    assert near(im.getpixel((630, 470)), GREEN)
    assert set(jpeg_markers(thumb.path.read_bytes())) <= {0xD8, 0xE0, 0xDB, 0xC4, 0xC0, 0xDA, 0xD9}


def test_large_jpeg_is_decoded_at_reduced_scale(
    write_input: Input, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scales: list[tuple[int, int]] = []
    original_draft = JpegImagePlugin.JpegImageFile.draft

    def spy(self: JpegImagePlugin.JpegImageFile, mode: str | None, size: tuple[int, int] | None):  # type: ignore[no-untyped-def]
        result = original_draft(self, mode, size)
        scales.append(self.size)
        return result

    monkeypatch.setattr(JpegImagePlugin.JpegImageFile, "draft", spy)
    thumb = make_thumbnail(
        write_input(encode(noise_image((4000, 3000)), "JPEG")), tmp_path / "t.jpg"
    )
    assert (thumb.width, thumb.height) == (640, 480)
    # libjpeg decoded at 1/2 scale (2000x1500: still at least twice the 640 box), not 12 MP.
    # (Image.thumbnail() calls draft() again after loading; that call changes nothing.)
    assert scales[0] == (2000, 1500)


def test_small_images_are_not_enlarged(write_input: Input, tmp_path: Path) -> None:
    thumb = make_thumbnail(write_input(encode(noise_image((300, 100)), "PNG")), tmp_path / "t.jpg")
    assert (thumb.width, thumb.height) == (300, 100)


def test_portrait_and_custom_size(write_input: Input, tmp_path: Path) -> None:
    src = write_input(encode(noise_image((900, 1800)), "JPEG"))
    thumb = make_thumbnail(src, tmp_path / "t.jpg", max_side=200)
    assert (thumb.width, thumb.height) == (100, 200)


def test_transparency_is_flattened_onto_white(write_input: Input, tmp_path: Path) -> None:
    source = Image.new("RGBA", (800, 800), (0, 0, 0, 0))
    source.paste((*RED, 255), (400, 0, 800, 800))
    thumb = make_thumbnail(write_input(encode(source, "PNG")), tmp_path / "t.jpg", max_side=100)
    im = assert_describes_file(thumb)
    assert im.mode == "RGB"
    assert near(im.getpixel((10, 50)), WHITE)
    assert near(im.getpixel((90, 50)), RED)


def test_thumbnail_of_unsanitised_input_is_still_clean_and_upright(
    write_input: Input, tmp_path: Path
) -> None:
    thumb = make_thumbnail(write_input(phone_jpeg(orientation=6)), tmp_path / "t.jpg", max_side=32)
    assert (thumb.width, thumb.height) == (24, 32)
    data = thumb.path.read_bytes()
    assert b"Exif" not in data
    assert b"GENBA-" not in data


def test_existing_thumbnail_is_replaced(write_input: Input, tmp_path: Path) -> None:
    dest = tmp_path / "t.jpg"
    dest.write_bytes(b"old")
    thumb = make_thumbnail(write_input(encode(noise_image((50, 50)), "PNG")), dest)
    assert dest.read_bytes() != b"old"
    assert_describes_file(thumb)
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix == ".tmp") == []


def test_hostile_input_is_rejected_and_leaves_no_file(
    write_input: Input, tmp_path: Path, no_decoding: None
) -> None:
    dest = tmp_path / "t.jpg"
    with pytest.raises(MediaRejected) as caught:
        make_thumbnail(write_input(png_declaring(30000, 30000)), dest)
    assert caught.value.reason is Reason.TOO_MANY_PIXELS
    assert not dest.exists()


def test_max_side_must_be_positive(write_input: Input, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="max_side"):
        make_thumbnail(write_input(b"irrelevant"), tmp_path / "t.jpg", max_side=0)
