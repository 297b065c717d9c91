"""sanitize_image on good inputs: metadata gone, pixels upright, colours sRGB, figures exact."""

from __future__ import annotations

import io
import struct
from collections.abc import Callable
from pathlib import Path

import pytest
from media_samples import (
    BLUE,
    COMMENT,
    GREEN,
    IPTC_CAPTION,
    MAKER_NOTE,
    RED,
    WHITE,
    XMP_MARKER,
    assert_describes_file,
    encode,
    gps_exif,
    insert_png_chunks,
    jpeg_markers,
    marked_image,
    noise_image,
    phone_jpeg,
    png_chunk_types,
    raw_png,
    swapped_primaries_icc,
    text_chunks,
)
from PIL import Image, ImageCms

from media import SanitizedImage, sanitize_image

# What a clean baseline JPEG from Pillow contains: SOI, JFIF APP0, tables, frame, scan, EOI.
CLEAN_JPEG_MARKERS = {0xD8, 0xE0, 0xDB, 0xC4, 0xC0, 0xDA, 0xD9}
CLEAN_PNG_CHUNKS = {b"IHDR", b"PLTE", b"tRNS", b"IDAT", b"IEND"}
# Pillow's info keys for a JFIF header: layout, not metadata about the photo or the sender.
JFIF_INFO = {"jfif", "jfif_version", "jfif_unit", "jfif_density"}
LEAK_MARKERS = (
    b"Exif\x00",
    b"GenbaCam",
    MAKER_NOTE,
    XMP_MARKER,
    b"xmpmeta",
    b"Photoshop 3.0",
    b"8BIM",
    IPTC_CAPTION,
    COMMENT,
    b"GENBA-",
)

Sanitize = Callable[[bytes], SanitizedImage]


@pytest.fixture
def sanitize(write_input: Callable[[bytes], Path], dest_dir: Path) -> Sanitize:
    """Sanitise bytes with the default limits and check the returned figures against the file."""

    def run(data: bytes) -> SanitizedImage:
        result = sanitize_image(write_input(data), dest_dir)
        assert result.path.parent == dest_dir
        assert_describes_file(result)
        return result

    return run


def decoded(result: SanitizedImage) -> Image.Image:
    """The output file, decoded."""
    with Image.open(result.path) as im:
        im.load()
        return im.copy()


def assert_no_metadata(data: bytes) -> None:
    """No EXIF/XMP/IPTC/comment/ICC by Pillow's reading nor in the raw bytes."""
    with Image.open(io.BytesIO(data)) as im:
        assert len(im.getexif()) == 0
        if im.format == "JPEG":
            assert set(im.info) <= JFIF_INFO, im.info.keys()
            assert set(jpeg_markers(data)) <= CLEAN_JPEG_MARKERS
        else:
            assert im.info.keys() <= {"transparency"}, im.info.keys()
            assert set(png_chunk_types(data)) <= CLEAN_PNG_CHUNKS
    for marker in LEAK_MARKERS:
        assert marker not in data, marker


def alpha_at(im: Image.Image, xy: tuple[int, int]) -> int:
    """The alpha value of one pixel of an LA or RGBA image."""
    pixel = im.getpixel(xy)
    assert isinstance(pixel, tuple)
    return int(pixel[-1])


def near(actual: object, expected: tuple[int, ...], tolerance: int = 12) -> bool:
    """True when a pixel is within `tolerance` of `expected` on every band (JPEG is lossy)."""
    values = actual if isinstance(actual, tuple) else (actual,)
    return len(values) == len(expected) and all(
        abs(int(a) - e) <= tolerance for a, e in zip(values, expected, strict=True)
    )


# ---------------------------------------------------------------------------------------------
# A phone photo: every metadata block removed, orientation applied
# ---------------------------------------------------------------------------------------------


def test_phone_jpeg_fixture_really_carries_the_metadata() -> None:
    # Guard the test below: the source must hold everything the output must not.
    data = phone_jpeg()
    with Image.open(io.BytesIO(data)) as im:
        exif = im.getexif()
        assert exif[0x0112] == 6
        assert exif.get_ifd(0x8825)[2] == (35.0, 39.0, 30.0)
        assert exif.get_ifd(0x8769)[0x927C] == MAKER_NOTE
        assert {"xmp", "photoshop", "comment"} <= im.info.keys()
    assert {0xE1, 0xED, 0xFE} <= set(jpeg_markers(data))


def test_phone_jpeg_loses_all_metadata_and_is_rotated(sanitize: Sanitize) -> None:
    result = sanitize(phone_jpeg(orientation=6))

    data = result.path.read_bytes()
    assert_no_metadata(data)
    assert result.content_type == "image/jpeg"
    assert result.source_type == "image/jpeg"
    # Stored 64x48 with the red block top-left; orientation 6 displays it turned 90 degrees
    # clockwise: 48x64 with the block top-right.
    assert (result.width, result.height) == (48, 64)
    im = decoded(result)
    assert im.mode == "RGB"
    assert near(im.getpixel((40, 8)), RED)
    assert near(im.getpixel((8, 8)), BLUE)
    assert near(im.getpixel((8, 56)), BLUE)
    assert near(im.getpixel((40, 56)), BLUE)


@pytest.mark.parametrize(
    ("orientation", "size", "red_corner"),
    [
        (1, (64, 48), "top-left"),
        (2, (64, 48), "top-right"),
        (3, (64, 48), "bottom-right"),
        (4, (64, 48), "bottom-left"),
        (5, (48, 64), "top-left"),
        (6, (48, 64), "top-right"),
        (7, (48, 64), "bottom-right"),
        (8, (48, 64), "bottom-left"),
    ],
)
def test_every_exif_orientation(
    sanitize: Sanitize, orientation: int, size: tuple[int, int], red_corner: str
) -> None:
    exif = Image.Exif()
    exif[0x0112] = orientation
    result = sanitize(encode(marked_image(), "JPEG", quality=95, exif=exif.tobytes()))
    im = decoded(result)
    assert im.size == size
    w, h = size
    corners = {
        "top-left": (6, 6),
        "top-right": (w - 7, 6),
        "bottom-left": (6, h - 7),
        "bottom-right": (w - 7, h - 7),
    }
    for name, xy in corners.items():
        assert near(im.getpixel(xy), RED if name == red_corner else BLUE), (name, xy)


# EXIF whose GPS rational count is damaged: Pillow rotates the pixels, then raises TypeError
# while rewriting the block without its Orientation tag (found by mutating a valid block).
DAMAGED_EXIF = bytes.fromhex(
    "4578696600004d4d002a000000080002011200030000000100060000882500040000000100000026000000"
    "002401000200050000000300000038000000b3000000010000000100000002000000010000000300000001"
)


@pytest.mark.filterwarnings("ignore:Corrupt EXIF data")
@pytest.mark.parametrize(
    ("exif", "size"),
    [
        pytest.param(DAMAGED_EXIF, (48, 64), id="fails-while-rewriting"),
        pytest.param(
            b"Exif\x00\x00II*\x00\xff\xff\xff\x7f" + b"\x00" * 20, (64, 48), id="unreadable"
        ),
    ],
)
def test_exif_that_cannot_be_parsed_keeps_the_photo(
    sanitize: Sanitize, exif: bytes, size: tuple[int, int]
) -> None:
    result = sanitize(encode(marked_image(), "JPEG", exif=exif))
    assert (result.width, result.height) == size
    assert_no_metadata(result.path.read_bytes())


def test_multi_picture_jpeg_keeps_the_primary_image_only(sanitize: Sanitize) -> None:
    buffer = io.BytesIO()
    marked_image().save(buffer, "MPO", save_all=True, append_images=[noise_image((64, 48))])
    result = sanitize(buffer.getvalue())
    assert result.content_type == "image/jpeg"
    assert near(decoded(result).getpixel((6, 6)), RED)
    assert_no_metadata(result.path.read_bytes())  # no MPF APP2 either


# ---------------------------------------------------------------------------------------------
# PNG and WebP metadata
# ---------------------------------------------------------------------------------------------


def test_png_text_xmp_exif_and_time_chunks_are_removed(sanitize: Sanitize) -> None:
    # Real transparency, so the output stays PNG and its chunks can be inspected.
    source = Image.new("RGBA", (32, 32), (*RED, 255))
    source.paste((0, 0, 0, 0), (0, 0, 8, 8))
    data = insert_png_chunks(encode(source, "PNG"), text_chunks())
    with Image.open(io.BytesIO(data)) as opened:
        assert {"Author", "Comment", "xmp", "exif"} <= opened.info.keys()  # the fixture holds them

    result = sanitize(data)
    assert result.content_type == "image/png"
    assert_no_metadata(result.path.read_bytes())
    im = decoded(result)
    assert im.mode == "RGBA"
    assert alpha_at(im, (2, 2)) == 0
    assert im.getpixel((20, 20)) == (*RED, 255)


def test_opaque_png_with_gps_exif_becomes_a_clean_jpeg(sanitize: Sanitize) -> None:
    data = insert_png_chunks(encode(marked_image(), "PNG"), text_chunks())
    result = sanitize(data)
    assert result.content_type == "image/jpeg"
    assert result.source_type == "image/png"
    assert_no_metadata(result.path.read_bytes())


def test_webp_with_exif_and_xmp_becomes_a_jpeg_without_them(sanitize: Sanitize) -> None:
    data = encode(
        marked_image(), "WEBP", quality=95, exif=gps_exif(orientation=3).tobytes(), xmp=XMP_MARKER
    )
    with Image.open(io.BytesIO(data)) as opened:
        assert {"exif", "xmp"} <= opened.info.keys()
    result = sanitize(data)
    assert result.content_type == "image/jpeg"
    assert result.source_type == "image/webp"
    assert_no_metadata(result.path.read_bytes())
    im = decoded(result)
    assert near(im.getpixel((57, 41)), RED), "orientation 3 (180 degrees) applied"


def test_webp_with_alpha_becomes_png(sanitize: Sanitize) -> None:
    source = Image.new("RGBA", (20, 20), (*GREEN, 128))
    result = sanitize(encode(source, "WEBP", lossless=True))
    assert result.content_type == "image/png"
    assert decoded(result).getpixel((5, 5)) == (*GREEN, 128)
    assert_no_metadata(result.path.read_bytes())


def test_animated_png_keeps_its_first_frame(sanitize: Sanitize) -> None:
    frames = [Image.new("RGB", (16, 16), colour) for colour in (RED, GREEN, BLUE)]
    buffer = io.BytesIO()
    frames[0].save(buffer, "PNG", save_all=True, append_images=frames[1:])
    assert b"acTL" in buffer.getvalue()
    result = sanitize(buffer.getvalue())
    assert near(decoded(result).getpixel((8, 8)), RED)


# ---------------------------------------------------------------------------------------------
# Colour: every kind of input ends as 8-bit sRGB
# ---------------------------------------------------------------------------------------------


def test_cmyk_jpeg_becomes_rgb(sanitize: Sanitize) -> None:
    # C=0 M=255 Y=255 K=0 is red. Pillow writes CMYK JPEGs the Adobe way (inverted, APP14).
    data = encode(Image.new("CMYK", (32, 32), (0, 255, 255, 0)), "JPEG", quality=95)
    with Image.open(io.BytesIO(data)) as opened:
        assert opened.mode == "CMYK"
    result = sanitize(data)
    im = decoded(result)
    assert im.mode == "RGB"
    assert near(im.getpixel((16, 16)), RED)
    assert_no_metadata(result.path.read_bytes())  # no Adobe APP14 left either


def test_ycck_jpeg_becomes_rgb(sanitize: Sanitize) -> None:
    # Flip the Adobe APP14 transform flag of a CMYK JPEG from 0 (CMYK) to 2 (YCCK): libjpeg
    # now decodes the same four components as YCCK. No tool at hand writes YCCK, and the
    # colours of this relabelled file mean nothing, but it must decode to a clean RGB JPEG.
    cmyk = encode(Image.new("CMYK", (32, 32), (0, 255, 255, 0)), "JPEG", quality=95)
    adobe = cmyk.index(b"Adobe")
    assert cmyk[adobe + 11] == 0
    ycck = cmyk[: adobe + 11] + b"\x02" + cmyk[adobe + 12 :]
    result = sanitize(ycck)
    assert decoded(result).mode == "RGB"
    assert_no_metadata(result.path.read_bytes())


def test_jpeg_with_a_non_srgb_profile_is_converted(sanitize: Sanitize) -> None:
    # In the swapped profile, stored (255, 0, 0) means sRGB green.
    data = encode(
        Image.new("RGB", (32, 32), RED), "JPEG", quality=95, icc_profile=swapped_primaries_icc()
    )
    result = sanitize(data)
    im = decoded(result)
    assert near(im.getpixel((16, 16)), GREEN, tolerance=20), im.getpixel((16, 16))
    assert "icc_profile" not in im.info


def test_png_with_a_non_srgb_profile_and_alpha_keeps_its_alpha(sanitize: Sanitize) -> None:
    source = Image.new("RGBA", (16, 16), (*RED, 100))
    result = sanitize(encode(source, "PNG", icc_profile=swapped_primaries_icc()))
    im = decoded(result)
    assert result.content_type == "image/png"
    pixel = im.getpixel((4, 4))
    assert isinstance(pixel, tuple)
    assert near(pixel[:3], GREEN, tolerance=20)
    assert pixel[3] == 100


def test_srgb_profile_leaves_colours_alone(sanitize: Sanitize) -> None:
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    result = sanitize(encode(Image.new("RGB", (16, 16), (200, 120, 40)), "JPEG", icc_profile=srgb))
    assert near(decoded(result).getpixel((8, 8)), (200, 120, 40), tolerance=6)


@pytest.mark.parametrize(
    "icc",
    [
        pytest.param(b"not an ICC profile at all" * 4, id="garbage"),
        pytest.param(swapped_primaries_icc()[:100], id="truncated"),
    ],
)
def test_unusable_profile_is_ignored_not_fatal(sanitize: Sanitize, icc: bytes) -> None:
    result = sanitize(encode(Image.new("RGB", (16, 16), RED), "JPEG", quality=95, icc_profile=icc))
    assert near(decoded(result).getpixel((8, 8)), RED)


def test_profile_for_the_wrong_colour_space_is_ignored(sanitize: Sanitize) -> None:
    # An RGB profile on a greyscale JPEG does not describe its pixels.
    data = encode(Image.new("L", (16, 16), 90), "JPEG", icc_profile=swapped_primaries_icc())
    im = decoded(sanitize(data))
    assert im.mode == "L"
    assert near(im.getpixel((8, 8)), (90,), tolerance=3)


def test_greyscale_stays_greyscale_jpeg(sanitize: Sanitize) -> None:
    for fmt in ("JPEG", "PNG"):
        result = sanitize(encode(Image.new("L", (16, 16), 77), fmt))
        im = decoded(result)
        assert result.content_type == "image/jpeg"
        assert im.mode == "L"
        assert near(im.getpixel((8, 8)), (77,), tolerance=3)


def test_one_bit_png(sanitize: Sanitize) -> None:
    source = Image.new("1", (16, 16), 0)
    source.paste(1, (0, 0, 8, 16))
    im = decoded(sanitize(encode(source, "PNG")))
    assert im.mode == "L"
    assert near(im.getpixel((2, 2)), (255,), tolerance=8)
    assert near(im.getpixel((13, 2)), (0,), tolerance=8)


def test_sixteen_bit_grey_png_is_scaled_not_clipped(sanitize: Sanitize) -> None:
    # Pillow's own convert("L") would turn every value above 255 into white.
    values = (0x0000, 0x4000, 0x8000, 0xFFFF)
    rows = b"".join(b"\x00" + struct.pack(">4H", *values) for _ in range(4))
    data = raw_png(4, 4, rows, bit_depth=16, colour_type=0)
    with Image.open(io.BytesIO(data)) as opened:
        assert opened.mode.startswith("I")
    im = decoded(sanitize(data))
    assert im.mode == "L"
    row = [im.getpixel((x, 1)) for x in range(4)]
    assert [round(v / 257) for v in values] == pytest.approx(row, abs=6)


def test_sixteen_bit_rgb_and_rgba_png(sanitize: Sanitize) -> None:
    rgb_rows = b"".join(b"\x00" + struct.pack(">3H", 0xFFFF, 0x8000, 0x0000) * 4 for _ in range(4))
    im = decoded(sanitize(raw_png(4, 4, rgb_rows, bit_depth=16, colour_type=2)))
    assert near(im.getpixel((1, 1)), (255, 128, 0))

    rgba_rows = b"".join(b"\x00" + struct.pack(">4H", 0, 0, 0xFFFF, 0x8000) * 4 for _ in range(4))
    result = sanitize(raw_png(4, 4, rgba_rows, bit_depth=16, colour_type=6))
    assert result.content_type == "image/png"
    assert decoded(result).getpixel((1, 1)) == (0, 0, 255, 128)


def test_palette_png_with_transparency_becomes_rgba_png(sanitize: Sanitize) -> None:
    source = Image.new("P", (16, 16), 1)
    source.putpalette([*WHITE, *RED, *GREEN])
    source.paste(0, (0, 0, 8, 8))
    result = sanitize(encode(source, "PNG", transparency=0))
    im = decoded(result)
    assert result.content_type == "image/png"
    assert im.mode == "RGBA"
    assert alpha_at(im, (2, 2)) == 0
    assert im.getpixel((12, 12)) == (*RED, 255)


def test_palette_png_whose_transparent_entry_is_unused_becomes_jpeg(sanitize: Sanitize) -> None:
    source = Image.new("P", (16, 16), 1)
    source.putpalette([*WHITE, *RED])
    result = sanitize(encode(source, "PNG", transparency=0))
    assert result.content_type == "image/jpeg"
    assert near(decoded(result).getpixel((8, 8)), RED)


def test_colour_key_transparency_in_rgb_png(sanitize: Sanitize) -> None:
    source = Image.new("RGB", (16, 16), RED)
    source.paste(GREEN, (0, 0, 8, 8))
    result = sanitize(encode(source, "PNG", transparency=GREEN))
    im = decoded(result)
    assert result.content_type == "image/png"
    assert alpha_at(im, (2, 2)) == 0
    assert im.getpixel((12, 12)) == (*RED, 255)


def test_grey_with_alpha_png(sanitize: Sanitize) -> None:
    source = Image.new("LA", (16, 16), (100, 255))
    source.paste((0, 0), (0, 0, 4, 4))
    result = sanitize(encode(source, "PNG"))
    im = decoded(result)
    assert (result.content_type, im.mode) == ("image/png", "LA")
    assert alpha_at(im, (1, 1)) == 0


def test_opaque_alpha_band_is_dropped(sanitize: Sanitize) -> None:
    result = sanitize(encode(Image.new("RGBA", (16, 16), (*BLUE, 255)), "PNG"))
    assert result.content_type == "image/jpeg"
    assert decoded(result).mode == "RGB"


# ---------------------------------------------------------------------------------------------
# Output file and figures
# ---------------------------------------------------------------------------------------------


def test_figures_match_the_written_file(
    write_input: Callable[[bytes], Path], dest_dir: Path
) -> None:
    result = sanitize_image(write_input(encode(noise_image((300, 200)), "PNG")), dest_dir)
    assert result.path.parent == dest_dir
    assert result.path.suffix == ".jpg"
    assert list(dest_dir.iterdir()) == [result.path]
    im = assert_describes_file(result)
    assert im.size == (300, 200)


def test_each_call_writes_its_own_file(
    write_input: Callable[[bytes], Path], dest_dir: Path
) -> None:
    src = write_input(phone_jpeg())
    first = sanitize_image(src, dest_dir)
    second = sanitize_image(src, dest_dir)
    assert first.path != second.path
    assert first.sha256 == second.sha256  # deterministic encoding
    assert src.read_bytes() == phone_jpeg()  # the input is left alone


def test_missing_destination_is_an_os_error_not_a_rejection(
    write_input: Callable[[bytes], Path], tmp_path: Path
) -> None:
    # Disk trouble is worth a retry; a rejection is final. They must not be confused.
    with pytest.raises(FileNotFoundError):
        sanitize_image(write_input(phone_jpeg()), tmp_path / "missing")


def test_large_photo_round_trip(sanitize: Sanitize) -> None:
    result = sanitize(encode(noise_image((2000, 1500)), "JPEG", quality=92))
    assert (result.width, result.height) == (2000, 1500)
