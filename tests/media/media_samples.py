"""Builders for the test images: every sample is made in code, nothing binary is committed.

Also small parsers (JPEG segments, PNG chunks) so the tests can check the output bytes
themselves instead of trusting Pillow's view of them.
"""

from __future__ import annotations

import hashlib
import io
import random
import struct
import zlib
from collections.abc import Iterable
from functools import cache

from PIL import Image, ImageDraw

from media import ImageVariant

RED = (255, 0, 0)
GREEN = (0, 255, 0)
BLUE = (0, 0, 255)
WHITE = (255, 255, 255)

MAKER_NOTE = b"GENBA-MAKERNOTE serial=CAM-0042 lens=wide"
XMP_MARKER = b"http://ns.adobe.com/xap/1.0/"
XMP_PACKET = (
    b'<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?>'
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF'
    b' xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description'
    b' xmlns:exif="http://ns.adobe.com/exif/1.0/" exif:GPSLatitude="35,39.5N"'
    b' exif:GPSLongitude="139,44.9E"/></rdf:RDF></x:xmpmeta><?xpacket end="w"?>'
)
IPTC_CAPTION = b"GENBA-IPTC caption: line 3, Kawasaki plant"
COMMENT = b"GENBA-COMMENT shot by Tanaka"

# ---------------------------------------------------------------------------------------------
# Pillow-made images
# ---------------------------------------------------------------------------------------------


def marked_image(size: tuple[int, int] = (64, 48), mode: str = "RGB") -> Image.Image:
    """A blue image with a red 16x16 block in its top-left corner, to check orientation."""
    im = Image.new("RGB", size, BLUE)
    im.paste(RED, (0, 0, 16, 16))
    return im.convert(mode) if mode != "RGB" else im


def noise_image(size: tuple[int, int], seed: int = 0) -> Image.Image:
    """A photo-like (incompressible) RGB image, so encoded files have real entropy data."""
    rng = random.Random(seed)
    return Image.frombytes("RGB", size, rng.randbytes(size[0] * size[1] * 3))


def encode(im: Image.Image, fmt: str, **params: object) -> bytes:
    """Encode with Pillow."""
    buffer = io.BytesIO()
    im.save(buffer, fmt, **params)
    return buffer.getvalue()


def gps_exif(orientation: int | None = None) -> Image.Exif:
    """EXIF with camera make/model, a GPS IFD, a maker note and optionally an orientation."""
    exif = Image.Exif()
    exif[0x010F] = "GenbaCam"  # Make
    exif[0x0110] = "Model 7"  # Model
    exif[0x0132] = "2025:06:01 09:30:00"  # DateTime
    if orientation is not None:
        exif[0x0112] = orientation
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"  # GPSLatitudeRef
    gps[2] = (35.0, 39.0, 30.0)  # GPSLatitude
    gps[3] = "E"
    gps[4] = (139.0, 44.0, 54.0)
    exif_ifd = exif.get_ifd(0x8769)
    exif_ifd[0x927C] = MAKER_NOTE  # MakerNote
    exif_ifd[0x9003] = "2025:06:01 09:30:00"  # DateTimeOriginal
    return exif


# ---------------------------------------------------------------------------------------------
# JPEG
# ---------------------------------------------------------------------------------------------


def jpeg_segment(marker: int, payload: bytes) -> bytes:
    """One JPEG marker segment (the length counts itself, not the marker)."""
    return bytes((0xFF, marker)) + struct.pack(">H", len(payload) + 2) + payload


def insert_after_soi(jpeg: bytes, segments: Iterable[bytes]) -> bytes:
    """Insert marker segments right after the SOI marker."""
    assert jpeg[:2] == b"\xff\xd8"
    return jpeg[:2] + b"".join(segments) + jpeg[2:]


def iptc_segment(caption: bytes = IPTC_CAPTION) -> bytes:
    """An APP13 Photoshop 3.0 block holding an IPTC-IIM caption (8BIM resource 0x0404)."""
    iim = b"\x1c\x02\x78" + struct.pack(">H", len(caption)) + caption  # 2:120 Caption
    resource = b"8BIM" + b"\x04\x04" + b"\x00\x00" + struct.pack(">I", len(iim)) + iim
    if len(iim) % 2:
        resource += b"\x00"
    return jpeg_segment(0xED, b"Photoshop 3.0\x00" + resource)


def phone_jpeg(orientation: int = 6) -> bytes:
    """A JPEG shaped like a phone photo: EXIF (orientation, GPS, maker note), XMP, IPTC, COM."""
    exif = gps_exif(orientation)
    base = encode(marked_image(), "JPEG", quality=95, exif=exif.tobytes())
    return insert_after_soi(
        base,
        [
            jpeg_segment(0xE1, XMP_MARKER + b"\x00" + XMP_PACKET),
            iptc_segment(),
            jpeg_segment(0xFE, COMMENT),
        ],
    )


def jpeg_markers(data: bytes) -> list[int]:
    """Every marker in a JPEG file, in order, walking through entropy-coded scan data."""
    assert data[:2] == b"\xff\xd8", "not a JPEG"
    markers = [0xD8]
    pos = 2
    while pos < len(data):
        assert data[pos] == 0xFF, f"expected a marker at {pos}"
        while data[pos] == 0xFF:
            pos += 1
        marker = data[pos]
        pos += 1
        markers.append(marker)
        if marker == 0xD9:
            break
        if marker == 0x01 or 0xD0 <= marker <= 0xD7:
            continue
        (length,) = struct.unpack(">H", data[pos : pos + 2])
        pos += length
        if marker == 0xDA:  # skip the entropy-coded data up to the next real marker
            while True:
                pos = data.index(b"\xff", pos)
                following = data[pos + 1]
                if following == 0x00 or 0xD0 <= following <= 0xD7:
                    pos += 2
                    continue
                break
    return markers


def with_declared_jpeg_size(jpeg: bytes, width: int, height: int) -> bytes:
    """The same JPEG with its SOF0 frame header claiming another size (the data stays small)."""
    sof = jpeg.index(b"\xff\xc0")
    return jpeg[: sof + 5] + struct.pack(">HH", height, width) + jpeg[sof + 9 :]


def huge_jpeg(width: int, height: int) -> bytes:
    """A tiny JPEG file whose frame header declares width x height."""
    return with_declared_jpeg_size(encode(marked_image((16, 16)), "JPEG"), width, height)


def with_extra_scans(jpeg: bytes, count: int) -> bytes:
    """The JPEG with `count` empty extra SOS segments before EOI (a scan-count CPU bomb)."""
    assert jpeg.endswith(b"\xff\xd9")
    scan = jpeg_segment(0xDA, b"\x01\x01\x00\x01\x01\x00") + b"\x00"
    return jpeg[:-2] + scan * count + b"\xff\xd9"


# ---------------------------------------------------------------------------------------------
# PNG
# ---------------------------------------------------------------------------------------------

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_chunk(kind: bytes, data: bytes) -> bytes:
    """One PNG chunk with its CRC."""
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_ihdr(width: int, height: int, bit_depth: int = 8, colour_type: int = 2) -> bytes:
    """An IHDR chunk (no interlace)."""
    return png_chunk(
        b"IHDR", struct.pack(">IIBBBBB", width, height, bit_depth, colour_type, 0, 0, 0)
    )


def raw_png(
    width: int,
    height: int,
    rows: bytes,
    *,
    bit_depth: int = 8,
    colour_type: int = 2,
    before_idat: Iterable[bytes] = (),
) -> bytes:
    """A PNG from raw filtered scanline bytes (each row must start with its filter byte)."""
    return (
        PNG_SIGNATURE
        + png_ihdr(width, height, bit_depth, colour_type)
        + b"".join(before_idat)
        + png_chunk(b"IDAT", zlib.compress(rows))
        + png_chunk(b"IEND", b"")
    )


def png_declaring(width: int, height: int) -> bytes:
    """A ~60-byte PNG whose IHDR declares width x height over a token IDAT."""
    return raw_png(width, height, b"\x00" * 16)


def png_chunk_types(data: bytes) -> list[bytes]:
    """The chunk types of a PNG file, in order."""
    assert data[:8] == PNG_SIGNATURE, "not a PNG"
    pos, kinds = 8, []
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kinds.append(data[pos + 4 : pos + 8])
        pos += 12 + length
    return kinds


def insert_png_chunks(png: bytes, chunks: Iterable[bytes]) -> bytes:
    """Insert chunks right after IHDR."""
    ihdr_end = 8 + 12 + 13
    return png[:ihdr_end] + b"".join(chunks) + png[ihdr_end:]


@cache
def ztxt_bomb_chunk(inflated_size: int = 100 * 1024 * 1024) -> bytes:
    """A zTXt chunk whose text inflates to `inflated_size` bytes (compressed ~0.1%)."""
    compressor = zlib.compressobj(9)
    block = b"\x00" * (1024 * 1024)
    parts = [compressor.compress(block) for _ in range(inflated_size // len(block))]
    parts.append(compressor.flush())
    return png_chunk(b"zTXt", b"Comment\x00\x00" + b"".join(parts))


def text_chunks() -> list[bytes]:
    """tEXt, zTXt, iTXt (with XMP), eXIf (with GPS) and tIME chunks, each holding a marker."""
    return [
        png_chunk(b"tEXt", b"Author\x00GENBA-TEXT Tanaka"),
        png_chunk(b"zTXt", b"Comment\x00\x00" + zlib.compress(b"GENBA-ZTXT secret")),
        png_chunk(b"iTXt", b"XML:com.adobe.xmp\x00\x00\x00\x00\x00" + XMP_PACKET),
        png_chunk(b"eXIf", gps_exif(orientation=1).tobytes()[6:]),  # without "Exif\0\0"
        png_chunk(b"tIME", struct.pack(">HBBBBB", 2025, 6, 1, 9, 30, 0)),
    ]


# ---------------------------------------------------------------------------------------------
# WebP
# ---------------------------------------------------------------------------------------------


def webp_declaring(width: int, height: int) -> bytes:
    """A WebP (lossless) header declaring width x height, followed by a little junk."""
    bits = (width - 1) | ((height - 1) << 14)
    payload = b"\x2f" + struct.pack("<I", bits) + b"\x00" * 16
    chunk = b"VP8L" + struct.pack("<I", len(payload)) + payload
    return b"RIFF" + struct.pack("<I", 4 + len(chunk)) + b"WEBP" + chunk


# ---------------------------------------------------------------------------------------------
# ICC profiles
# ---------------------------------------------------------------------------------------------

# sRGB's primaries adapted to D50, as an ICC profile stores them (the columns of its matrix).
_SRGB_RED = (0.4361, 0.2225, 0.0139)
_SRGB_GREEN = (0.3851, 0.7169, 0.0971)
_SRGB_BLUE = (0.1431, 0.0606, 0.7141)
_D50 = (0.9642, 1.0, 0.8249)


def _s15f16(values: tuple[float, float, float]) -> bytes:
    return b"".join(struct.pack(">i", round(v * 65536)) for v in values)


def swapped_primaries_icc() -> bytes:
    """A valid ICC v2 RGB display profile whose red and green primaries are swapped.

    An image tagged with it that stores pure red (255, 0, 0) *means* sRGB green, so a correct
    conversion to sRGB is easy to see in the pixels.
    """

    def xyz(values: tuple[float, float, float]) -> bytes:
        return b"XYZ " + b"\x00" * 4 + _s15f16(values)

    description = b"genba test: red/green swapped"
    desc = (
        b"desc"
        + b"\x00" * 4
        + struct.pack(">I", len(description) + 1)
        + description
        + b"\x00"
        + b"\x00" * (4 + 4 + 2 + 1 + 67)
    )
    curve = b"curv" + b"\x00" * 4 + struct.pack(">IH", 1, 0x0233) + b"\x00\x00"  # gamma 2.2
    tags = [
        (b"desc", desc),
        (b"wtpt", xyz(_D50)),
        (b"rXYZ", xyz(_SRGB_GREEN)),
        (b"gXYZ", xyz(_SRGB_RED)),
        (b"bXYZ", xyz(_SRGB_BLUE)),
        (b"rTRC", curve),
        (b"gTRC", curve),
        (b"bTRC", curve),
        (b"cprt", b"text" + b"\x00" * 4 + b"public domain\x00"),
    ]
    offset = 128 + 4 + 12 * len(tags)
    table, data = b"", b""
    for signature, body in tags:
        padded = body + b"\x00" * (-len(body) % 4)
        table += signature + struct.pack(">II", offset + len(data), len(body))
        data += padded
    size = offset + len(data)
    header = (
        struct.pack(">I", size)
        + b"\x00" * 4  # preferred CMM
        + b"\x02\x10\x00\x00"  # version 2.1
        + b"mntr"
        + b"RGB "
        + b"XYZ "
        + struct.pack(">6H", 2025, 6, 1, 0, 0, 0)
        + b"acsp"
        + b"\x00" * 24  # platform, flags, manufacturer, model, attributes
        + b"\x00" * 4  # rendering intent
        + _s15f16(_D50)
        + b"\x00" * 4  # creator
        + b"\x00" * 44  # profile id and reserved
    )
    assert len(header) == 128
    return header + struct.pack(">I", len(tags)) + table + data


# ---------------------------------------------------------------------------------------------
# Not images
# ---------------------------------------------------------------------------------------------

HTML_ERROR_PAGE = (
    b"<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head>"
    b"<body><h1>502 Bad Gateway</h1><p>nginx</p></body></html>\n"
)
SVG_TEXT = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" '
    b'width="10" height="10"><script>alert(1)</script><rect width="10" height="10"/></svg>\n'
)


def iso_media(major: bytes, *compatible: bytes) -> bytes:
    """The start of an ISO-BMFF file (MP4, MOV, HEIC, AVIF): an ftyp box and an empty mdat."""
    body = major + b"\x00\x00\x00\x00" + b"".join(compatible)
    return struct.pack(">I", 8 + len(body)) + b"ftyp" + body + b"\x00\x00\x00\x08mdat"


def draw_corners(im: Image.Image) -> Image.Image:
    """Mark each corner of `im` with its own colour (used by thumbnail checks)."""
    draw = ImageDraw.Draw(im)
    w, h = im.size
    draw.rectangle((0, 0, w // 4, h // 4), fill=RED)
    draw.rectangle((w - w // 4, h - h // 4, w, h), fill=GREEN)
    return im


def assert_describes_file(variant: ImageVariant) -> Image.Image:
    """Check the returned figures against the file itself; return the file decoded."""
    data = variant.path.read_bytes()
    assert variant.byte_count == len(data)
    assert variant.sha256 == hashlib.sha256(data).hexdigest()
    fmt = {"image/jpeg": "JPEG", "image/png": "PNG"}[variant.content_type]
    with Image.open(variant.path, formats=[fmt]) as im:
        im.load()
        assert im.format == fmt
        assert im.size == (variant.width, variant.height)
        return im.copy()
