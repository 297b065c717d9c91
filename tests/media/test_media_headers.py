"""Declared sizes and scan counts, read from headers without decoding."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from media_samples import (
    encode,
    huge_jpeg,
    insert_after_soi,
    jpeg_segment,
    marked_image,
    noise_image,
    png_declaring,
    webp_declaring,
    with_extra_scans,
)

from media.headers import declared_size, jpeg_layout


@pytest.mark.parametrize(
    ("fmt", "params"),
    [
        ("JPEG", {}),
        ("JPEG", {"progressive": True}),
        ("PNG", {}),
        ("WEBP", {}),
        ("WEBP", {"lossless": True}),
        ("WEBP", {"exif": b"Exif\x00\x00II*\x00\x08\x00\x00\x00\x00\x00"}),  # VP8X
    ],
)
def test_declared_size_agrees_with_pillow(fmt: str, params: dict[str, object]) -> None:
    data = encode(noise_image((123, 45)), fmt, **params)
    assert declared_size(io.BytesIO(data), fmt) == (123, 45)


def test_declared_size_of_crafted_headers() -> None:
    assert declared_size(io.BytesIO(png_declaring(20000, 20000)), "PNG") == (20000, 20000)
    assert declared_size(io.BytesIO(webp_declaring(16383, 16383)), "WEBP") == (16383, 16383)
    assert declared_size(io.BytesIO(huge_jpeg(20000, 10000)), "JPEG") == (20000, 10000)


def test_jpeg_walk_skips_app_segments_that_contain_a_thumbnail() -> None:
    # An EXIF thumbnail is a whole JPEG inside APP1; its SOF must not be taken for the image's.
    thumbnail = encode(marked_image((8, 8)), "JPEG")
    data = insert_after_soi(
        encode(marked_image((300, 200)), "JPEG"), [jpeg_segment(0xE1, b"Exif\0\0" + thumbnail)]
    )
    assert declared_size(io.BytesIO(data), "JPEG") == (300, 200)


@pytest.mark.parametrize(
    "data",
    [b"", b"\xff\xd8", b"\xff\xd8\xff\xd9", b"\xff\xd8\xff\xda\x00\x02", b"\xff\xd8\x00\x00"],
)
def test_jpeg_without_a_frame_header_declares_nothing(data: bytes) -> None:
    assert declared_size(io.BytesIO(data), "JPEG") is None


def test_png_and_webp_without_headers_declare_nothing() -> None:
    assert declared_size(io.BytesIO(b"\x89PNG\r\n\x1a\n"), "PNG") is None
    assert declared_size(io.BytesIO(b"RIFF\x00\x00\x00\x00WEBPVP8 "), "WEBP") is None


def test_endless_jpeg_segments_stop_the_walk() -> None:
    data = b"\xff\xd8" + jpeg_segment(0xE5, b"x") * 20_000 + huge_jpeg(10, 10)[2:]
    assert declared_size(io.BytesIO(data), "JPEG") is None


def scans(data: bytes, max_scans: int = 1000) -> int:
    return jpeg_layout(io.BytesIO(data), max_scans=max_scans).scans


def test_scan_count_of_baseline_and_progressive_files() -> None:
    baseline = encode(noise_image((64, 64)), "JPEG")
    progressive = encode(noise_image((64, 64)), "JPEG", progressive=True)
    assert scans(baseline) == 1
    assert 2 <= scans(progressive) <= 15
    assert scans(with_extra_scans(baseline, 500)) == 501


def test_scan_count_stops_just_past_the_limit() -> None:
    data = with_extra_scans(encode(noise_image((64, 64)), "JPEG"), 500)
    assert scans(data, max_scans=100) == 101


def test_scan_count_ignores_marker_bytes_in_segments_and_after_eoi() -> None:
    # FF DA inside an APP segment is payload, and a "motion photo" appends an MP4 after EOI.
    trailer = bytes(noise_image((256, 256), seed=3).tobytes()) + b"\xff\xda" * 300
    app = jpeg_segment(0xE9, b"\xff\xda" * 100)
    data = insert_after_soi(encode(noise_image((64, 64)), "JPEG"), [app]) + trailer
    assert scans(data) == 1
    assert declared_size(io.BytesIO(data), "JPEG") == (64, 64)


def test_layout_of_files_on_disk(tmp_path: Path) -> None:
    path = tmp_path / "photo.jpg"
    path.write_bytes(encode(noise_image((300, 200)), "JPEG", progressive=True))
    with path.open("rb") as fp:
        layout = jpeg_layout(fp, max_scans=100)
    assert layout.size == (300, 200)
    assert 2 <= layout.scans <= 15
    empty = tmp_path / "empty"
    empty.write_bytes(b"")
    with empty.open("rb") as fp:
        assert jpeg_layout(fp, max_scans=100).size is None
