"""Phone-like JPEGs for end-to-end tests: location tags, an orientation, a maker note."""

from __future__ import annotations

import io

from PIL import Image

GPS_IFD = 0x8825
EXIF_IFD = 0x8769
ORIENTATION = 0x0112
MAKE = 0x010F
MAKER_NOTE = 0x927C


def phone_jpeg(colour: tuple[int, int, int] = (200, 80, 40), *, size=(64, 48)) -> bytes:
    """A JPEG carrying GPS coordinates, orientation 6 and a maker note, as phones write them."""
    im = Image.new("RGB", size, colour)
    im.putpixel((0, 0), (0, 0, 255))  # a marker corner, to see the rotation
    exif = Image.Exif()
    exif[MAKE] = "GenbaPhone"
    exif[ORIENTATION] = 6
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (35.0, 41.0, 22.0), 3: "E", 4: (139.0, 41.0, 30.0)})
    exif.get_ifd(EXIF_IFD)[MAKER_NOTE] = b"secret maker data"
    out = io.BytesIO()
    im.save(out, "JPEG", exif=exif.tobytes(), quality=90)
    return out.getvalue()


def has_location_or_exif(data: bytes) -> bool:
    """True when any EXIF (GPS included) or XMP survives in the bytes."""
    with Image.open(io.BytesIO(data)) as im:
        exif = im.getexif()
        return bool(exif) or bool(exif.get_ifd(GPS_IFD)) or "xmp" in im.info or b"Exif" in data
