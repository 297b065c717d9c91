"""Type sniffing from magic bytes: accepted images, recognised videos, everything else refused."""

from __future__ import annotations

import pickle
import random
from collections.abc import Callable
from pathlib import Path

import pytest
from media_samples import (
    HTML_ERROR_PAGE,
    SVG_TEXT,
    encode,
    iso_media,
    marked_image,
    webp_declaring,
)

from media import MediaKind, MediaRejected, Reason, sniff, sniff_file
from media.sniff import HEIF, JPEG, MP4, PNG, QUICKTIME, SNIFF_BYTES, THREE_GPP, WEBP


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        pytest.param(encode(marked_image(), "JPEG"), JPEG, id="jpeg"),
        pytest.param(encode(marked_image(), "PNG"), PNG, id="png"),
        pytest.param(encode(marked_image(), "WEBP"), WEBP, id="webp-lossy"),
        pytest.param(encode(marked_image(), "WEBP", lossless=True), WEBP, id="webp-lossless"),
        pytest.param(iso_media(b"isom", b"isom", b"iso2", b"avc1", b"mp41"), MP4, id="mp4"),
        pytest.param(iso_media(b"mp42", b"mp42", b"isom"), MP4, id="mp4-mp42"),
        pytest.param(iso_media(b"qt  ", b"qt  "), QUICKTIME, id="quicktime"),
        pytest.param(iso_media(b"heic", b"mif1", b"heic"), HEIF, id="heic"),
        pytest.param(iso_media(b"mif1", b"mif1", b"heic"), HEIF, id="heif-mif1"),
        pytest.param(b"\x00\x00\x00\x08wide\x00\x00\x00\x10mdat", QUICKTIME, id="quicktime-old"),
        pytest.param(iso_media(b"3gp4", b"3gp4", b"isom"), THREE_GPP, id="3gpp"),
    ],
)
def test_recognises_accepted_types(data: bytes, expected: object) -> None:
    assert sniff(data[:SNIFF_BYTES]) == expected


def test_images_name_their_single_pillow_decoder() -> None:
    assert (JPEG.pillow_format, PNG.pillow_format, WEBP.pillow_format) == ("JPEG", "PNG", "WEBP")
    assert (HEIF.pillow_format, HEIF.kind) == ("HEIF", MediaKind.IMAGE)
    assert {JPEG.kind, PNG.kind, WEBP.kind} == {MediaKind.IMAGE}
    assert {MP4.kind, QUICKTIME.kind} == {MediaKind.VIDEO}
    assert MP4.pillow_format is None


def test_empty_input_is_its_own_reason() -> None:
    with pytest.raises(MediaRejected) as caught:
        sniff(b"")
    assert caught.value.reason is Reason.EMPTY


@pytest.mark.parametrize(
    ("data", "named"),
    [
        pytest.param(encode(marked_image(), "GIF"), "GIF", id="gif"),
        pytest.param(encode(marked_image(), "TIFF"), "TIFF", id="tiff"),
        pytest.param(b"MM\x00*\x00\x00\x00\x08" + b"\x00" * 40, "TIFF", id="tiff-big-endian"),
        pytest.param(encode(marked_image(), "BMP"), "BMP", id="bmp"),
        pytest.param(encode(marked_image(), "AVIF"), "AVIF", id="avif-pillow"),
        pytest.param(iso_media(b"mif1", b"mif1", b"avif", b"miaf"), "AVIF", id="avif-mif1"),
        pytest.param(encode(marked_image(), "ICO"), "ICO", id="ico"),
        pytest.param(encode(marked_image(), "JPEG2000"), "JPEG 2000", id="jpeg2000"),
        pytest.param(b"8BPS\x00\x01" + b"\x00" * 40, "PSD", id="psd"),
        pytest.param(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "PDF", id="pdf"),
        pytest.param(b"SIMPLE  =                    T" + b" " * 50, "FITS", id="fits"),
        pytest.param(b"PK\x03\x04" + b"\x00" * 30, "ZIP", id="zip"),
        pytest.param(SVG_TEXT, "SVG", id="svg"),
        pytest.param(b"<svg xmlns='http://www.w3.org/2000/svg'/>", "SVG", id="svg-bare"),
        pytest.param(HTML_ERROR_PAGE, "HTML", id="html-error-page"),
        pytest.param(b"\xef\xbb\xbf  \n<html><body>oops</body></html>", "HTML", id="html-bom"),
        pytest.param(b'{"message":"Not found"}', "JSON", id="json-error-body"),
        pytest.param("認証エラーが発生しました\n".encode(), "text", id="plain-text"),
        pytest.param(b"RIFF\x10\x00\x00\x00WAVEfmt ", "RIFF/WAVE", id="wav"),
        pytest.param(iso_media(b"M4A ", b"M4A ", b"mp42"), "brand 'M4A'", id="m4a-audio"),
    ],
)
def test_refuses_other_types_with_a_named_reason(data: bytes, named: str) -> None:
    with pytest.raises(MediaRejected) as caught:
        sniff(data[:SNIFF_BYTES])
    assert caught.value.reason is Reason.UNSUPPORTED_TYPE
    assert named.lower() in caught.value.detail.lower()


def test_random_bytes_are_unrecognised() -> None:
    noise = random.Random(1234).randbytes(SNIFF_BYTES)
    with pytest.raises(MediaRejected) as caught:
        sniff(noise)
    assert caught.value.reason is Reason.UNSUPPORTED_TYPE
    assert "unrecognised" in caught.value.detail


def test_only_magic_counts_not_names(write_input: Callable[[bytes], Path], tmp_path: Path) -> None:
    # A PNG named .jpg is a PNG; an HTML page named .jpg is refused.
    png_named_jpg = tmp_path / "photo.jpg"
    png_named_jpg.write_bytes(encode(marked_image(), "PNG"))
    assert sniff_file(png_named_jpg) == PNG
    page = tmp_path / "photo2.jpg"
    page.write_bytes(HTML_ERROR_PAGE)
    with pytest.raises(MediaRejected):
        sniff_file(page)


def test_short_headers_do_not_crash() -> None:
    for data in (b"\xff", b"\xff\xd8", b"\x89PNG", b"RIFF", b"\x00\x00\x00\x08ftyp", b"<"):
        try:
            sniff(data)
        except MediaRejected as rejected:
            assert rejected.reason is Reason.UNSUPPORTED_TYPE


def test_webp_header_alone_is_still_webp() -> None:
    assert sniff(webp_declaring(100, 100)) == WEBP


def test_rejection_carries_its_fields_and_survives_pickling() -> None:
    rejected = MediaRejected(Reason.CORRUPT, "truncated")
    assert str(rejected) == "corrupt: truncated"
    assert f"{Reason.TOO_MANY_PIXELS}" == "too_many_pixels"
    copy = pickle.loads(pickle.dumps(rejected))
    assert (copy.reason, copy.detail) == (Reason.CORRUPT, "truncated")
    assert isinstance(Reason.TOO_MANY_PIXELS, str)  # stored as the plain string
