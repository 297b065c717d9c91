"""Type sniffing: decide what a file is from its first bytes, never from a declared type.

LINE's content endpoint declares `*/*` or whatever the sender's client claimed, and a failed
download can hand us an HTML or JSON error page; only the magic numbers are trusted. The result
also names the single Pillow decoder allowed to open the file, so a PNG can never reach, say,
the FITS or PSD parsers (GHSA-whj4-6x5x-4v2j was a bomb in a decoder nobody meant to use).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from media.errors import MediaRejected, Reason

SNIFF_BYTES = 512
"""How many leading bytes `sniff` looks at (enough for ISO-BMFF brand lists and XML prologs)."""


class MediaKind(StrEnum):
    """What a recognised file is for."""

    IMAGE = "image"
    VIDEO = "video"


@dataclass(frozen=True, slots=True)
class Sniffed:
    """An accepted type: its kind, its MIME type and, for images, the one Pillow format to use."""

    kind: MediaKind
    content_type: str
    pillow_format: str | None = None


JPEG = Sniffed(MediaKind.IMAGE, "image/jpeg", "JPEG")
PNG = Sniffed(MediaKind.IMAGE, "image/png", "PNG")
WEBP = Sniffed(MediaKind.IMAGE, "image/webp", "WEBP")
HEIF = Sniffed(MediaKind.IMAGE, "image/heic", "HEIF")
MP4 = Sniffed(MediaKind.VIDEO, "video/mp4")
QUICKTIME = Sniffed(MediaKind.VIDEO, "video/quicktime")
THREE_GPP = Sniffed(MediaKind.VIDEO, "video/3gpp")

ACCEPTED_IMAGE_TYPES = (JPEG, PNG, WEBP, HEIF)
_ACCEPTED_NAMES = "JPEG, PNG, WebP or HEIC"

# ISO base media file format (ftyp) brands. HEIF and AVIF share the container with MP4, so the
# brand, not the box structure, tells them apart.
_HEIF_BRANDS = frozenset(
    {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"hevm", b"hevs", b"mif1", b"msf1"}
)
_AVIF_BRANDS = frozenset({b"avif", b"avis"})
_MP4_BRANDS = frozenset(
    {b"isom", b"mp41", b"mp42", b"mp71", b"avc1", b"dash", b"M4V ", b"M4VH", b"M4VP", b"f4v ",
     b"mmp4", b"MSNV", b"NDAS", b"NDSC", b"NDSH", b"NDSM", b"NDSP", b"NDSS", b"NDXC", b"NDXH",
     b"NDXM", b"NDXP", b"NDXS", b"XAVC"}
)  # fmt: skip
# Top-level QuickTime atoms that can start an old .mov written without an ftyp box.
_QUICKTIME_ATOMS = frozenset({b"moov", b"mdat", b"wide", b"free", b"skip", b"pnot"})

# Recognised but refused, with the name the PR team will read in the rejection detail.
_REFUSED_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"GIF87a", "GIF"),
    (b"GIF89a", "GIF"),
    (b"II*\x00", "TIFF"),
    (b"MM\x00*", "TIFF"),
    (b"II+\x00", "BigTIFF"),
    (b"MM\x00+", "BigTIFF"),
    (b"BM", "BMP"),
    (b"8BPS", "Photoshop PSD"),
    (b"%PDF-", "PDF"),
    (b"\x00\x00\x01\x00", "ICO"),
    (b"\x00\x00\x02\x00", "CUR"),
    (b"\xff\x0a", "JPEG XL"),
    (b"\x00\x00\x00\x0cJXL \r\n\x87\n", "JPEG XL"),
    (b"\x00\x00\x00\x0cjP  \r\n\x87\n", "JPEG 2000"),
    (b"\xff\x4f\xff\x51", "JPEG 2000"),
    (b"SIMPLE  =", "FITS"),
    (b"PK\x03\x04", "ZIP archive"),
    (b"\x1f\x8b", "gzip archive"),
    (b"qoif", "QOI"),
    (b"\x76\x2f\x31\x01", "OpenEXR"),
    (b"#?RADIANCE", "Radiance HDR"),
)


def sniff(head: bytes) -> Sniffed:
    """Identify `head` (the file's first bytes) or raise MediaRejected(empty|unsupported_type)."""
    if not head:
        raise MediaRejected(Reason.EMPTY, "the file is empty")
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    if head[4:8] == b"ftyp":
        return _sniff_iso_media(head)
    if head[4:8] in _QUICKTIME_ATOMS and int.from_bytes(head[:4], "big") >= 8:
        return QUICKTIME
    for magic, name in _REFUSED_MAGIC:
        if head.startswith(magic):
            raise _refused(name)
    if head[:4] == b"RIFF":
        raise _refused(f"RIFF/{head[8:12].decode('ascii', 'replace')}")
    if (text := _text_kind(head)) is not None:
        raise MediaRejected(Reason.UNSUPPORTED_TYPE, f"{text}, not an image")
    raise MediaRejected(
        Reason.UNSUPPORTED_TYPE, f"unrecognised content starting with {head[:8].hex(' ')}"
    )


def sniff_file(path: Path) -> Sniffed:
    """Identify the file at `path` from its first SNIFF_BYTES bytes."""
    with path.open("rb") as fp:
        return sniff(fp.read(SNIFF_BYTES))


def _sniff_iso_media(head: bytes) -> Sniffed:
    box_end = min(max(int.from_bytes(head[:4], "big"), 16), len(head))
    major = head[8:12]
    brands = {major} | {head[i : i + 4] for i in range(16, box_end - 3, 4)}
    # Check images first: an AVIF or HEIC file often lists mp41/iso8 as compatible brands too.
    if major in _AVIF_BRANDS or (major in _HEIF_BRANDS and brands & _AVIF_BRANDS):
        raise _refused("AVIF")
    if major in _HEIF_BRANDS:
        return HEIF
    if major == b"qt  ":
        return QUICKTIME
    if major.startswith((b"3gp", b"3g2")):
        return THREE_GPP
    if major in _MP4_BRANDS or major.startswith(b"iso"):
        return MP4
    label = major.decode("ascii", "replace").strip()
    raise MediaRejected(Reason.UNSUPPORTED_TYPE, f"ISO media with brand {label!r}, not accepted")


def _refused(name: str) -> MediaRejected:
    return MediaRejected(
        Reason.UNSUPPORTED_TYPE, f"{name} is not an accepted type (send {_ACCEPTED_NAMES})"
    )


def _text_kind(head: bytes) -> str | None:
    """Name markup or other text (an error page, an SVG, a JSON error body), else None."""
    body = head.removeprefix(b"\xef\xbb\xbf").lstrip(b" \t\r\n\f").lower()
    if body.startswith(b"<"):
        if b"<svg" in body:
            return "SVG"
        if body.startswith((b"<!doctype html", b"<html")) or b"<head" in body or b"<body" in body:
            return "an HTML page"
        return "XML or markup"
    if body.startswith((b"{", b"[")):
        return "JSON or other text"
    try:
        decoded = head.decode("utf-8")
    except UnicodeDecodeError:
        # The cut at SNIFF_BYTES may split a multi-byte character: judge the rest.
        try:
            decoded = head[:-4].decode("utf-8")
        except UnicodeDecodeError:
            return None
    if decoded and all(ch.isprintable() or ch in "\t\r\n\f" for ch in decoded):
        return "plain text"
    return None
