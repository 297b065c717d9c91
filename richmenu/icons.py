"""The pictograms, drawn with plain shapes so the image needs no icon font or image files.

Each draws in `fg` on a disc already filled with `bg`, centred on (cx, cy); `u` is the disc's
radius, so every length below is a fraction of it. Holes are drawn in `bg`.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from PIL import ImageDraw

from richmenu.layout import Icon

Colour = tuple[int, int, int]
Painter = Callable[[ImageDraw.ImageDraw, float, float, float, Colour, Colour], None]


def _box(cx: float, cy: float, w: float, h: float) -> tuple[float, float, float, float]:
    return (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)


def _circle(cx: float, cy: float, r: float) -> tuple[float, float, float, float]:
    return (cx - r, cy - r, cx + r, cy + r)


def camera(d: ImageDraw.ImageDraw, cx: float, cy: float, u: float, fg: Colour, bg: Colour) -> None:
    """A camera: body, viewfinder bump and lens."""
    body_top = cy - 0.28 * u
    d.polygon(
        [
            (cx - 0.26 * u, body_top + 0.02 * u),
            (cx - 0.17 * u, cy - 0.44 * u),
            (cx + 0.17 * u, cy - 0.44 * u),
            (cx + 0.26 * u, body_top + 0.02 * u),
        ],
        fill=fg,
    )
    d.rounded_rectangle(
        (cx - 0.62 * u, body_top, cx + 0.62 * u, cy + 0.46 * u), radius=0.14 * u, fill=fg
    )
    d.ellipse(_circle(cx, cy + 0.08 * u, 0.29 * u), fill=bg)
    d.ellipse(_circle(cx, cy + 0.08 * u, 0.19 * u), fill=fg)
    d.ellipse(_circle(cx + 0.44 * u, cy - 0.15 * u, 0.055 * u), fill=bg)


def guideline(
    d: ImageDraw.ImageDraw, cx: float, cy: float, u: float, fg: Colour, bg: Colour
) -> None:
    """A sheet with three ticked lines: the rules to check."""
    d.rounded_rectangle(_box(cx, cy, 0.98 * u, 1.18 * u), radius=0.1 * u, fill=fg)
    stroke = max(2, round(0.07 * u))
    for row in (-0.32, 0.0, 0.32):
        y = cy + row * u
        x = cx - 0.33 * u
        d.line(
            [(x - 0.07 * u, y), (x, y + 0.07 * u), (x + 0.12 * u, y - 0.08 * u)],
            fill=bg,
            width=stroke,
            joint="curve",
        )
        d.rounded_rectangle(
            (cx - 0.12 * u, y - 0.04 * u, cx + 0.34 * u, y + 0.04 * u), radius=0.04 * u, fill=bg
        )


def _star(cx: float, cy: float, outer: float) -> list[tuple[float, float]]:
    points = []
    for i in range(10):
        radius = outer if i % 2 == 0 else outer * 0.45
        angle = -math.pi / 2 + i * math.pi / 5
        points.append((cx + radius * math.cos(angle), cy + radius * math.sin(angle)))
    return points


def calendar(
    d: ImageDraw.ImageDraw, cx: float, cy: float, u: float, fg: Colour, bg: Colour
) -> None:
    """A calendar page with a star: this month's theme."""
    top, bottom = cy - 0.42 * u, cy + 0.56 * u
    d.rounded_rectangle((cx - 0.58 * u, top, cx + 0.58 * u, bottom), radius=0.12 * u, fill=fg)
    d.rectangle((cx - 0.5 * u, top + 0.24 * u, cx + 0.5 * u, top + 0.29 * u), fill=bg)
    for dx in (-0.3, 0.3):
        d.rounded_rectangle(
            _box(cx + dx * u, top - 0.02 * u, 0.12 * u, 0.3 * u), radius=0.06 * u, fill=fg
        )
        d.ellipse(_circle(cx + dx * u, top + 0.1 * u, 0.035 * u), fill=bg)
    d.polygon(_star(cx, cy + 0.2 * u, 0.27 * u), fill=bg)


def gallery(d: ImageDraw.ImageDraw, cx: float, cy: float, u: float, fg: Colour, bg: Colour) -> None:
    """Two photos, one behind the other: examples to look at."""
    w, h = 0.98 * u, 0.76 * u
    back = _box(cx + 0.14 * u, cy - 0.14 * u, w, h)
    d.rounded_rectangle(back, radius=0.08 * u, outline=fg, width=max(2, round(0.07 * u)))
    front = _box(cx - 0.1 * u, cy + 0.12 * u, w, h)
    d.rounded_rectangle(front, radius=0.08 * u, fill=fg)
    left, top, right, bottom = front
    inset = 0.1 * u
    d.polygon(
        [
            (left + inset, bottom - inset),
            (left + 0.36 * u, top + 0.3 * u),
            (left + 0.56 * u, top + 0.5 * u),
            (left + 0.68 * u, top + 0.38 * u),
            (right - inset, bottom - inset),
        ],
        fill=bg,
    )
    d.ellipse(_circle(right - 0.22 * u, top + 0.2 * u, 0.08 * u), fill=bg)


def person(d: ImageDraw.ImageDraw, cx: float, cy: float, u: float, fg: Colour, bg: Colour) -> None:
    """A person with a list: what I sent."""
    px = cx - 0.16 * u
    d.ellipse(_circle(px, cy - 0.26 * u, 0.26 * u), fill=fg)
    d.chord(
        (px - 0.46 * u, cy + 0.08 * u, px + 0.46 * u, cy + 0.96 * u), start=180, end=360, fill=fg
    )
    d.rectangle((px - 0.46 * u, cy + 0.5 * u, px + 0.46 * u, cy + 0.52 * u), fill=bg)
    # The list beside the person.
    card = (cx + 0.22 * u, cy - 0.06 * u, cx + 0.7 * u, cy + 0.5 * u)
    d.rounded_rectangle(card, radius=0.06 * u, fill=fg, outline=bg, width=max(2, round(0.05 * u)))
    for row in (0.08, 0.21, 0.34):
        y = cy + row * u
        d.rectangle((cx + 0.32 * u, y, cx + 0.6 * u, y + 0.05 * u), fill=bg)


def gear(d: ImageDraw.ImageDraw, cx: float, cy: float, u: float, fg: Colour, bg: Colour) -> None:
    """A gear: help and settings."""
    teeth, outer, inner = 8, 0.62 * u, 0.47 * u
    points = []
    for i in range(teeth * 4):
        angle = 2 * math.pi * (i - 0.5) / (teeth * 4)
        radius = outer if i % 4 in (1, 2) else inner
        points.append((cx + radius * math.cos(angle), cy + radius * math.sin(angle)))
    d.polygon(points, fill=fg)
    d.ellipse(_circle(cx, cy, 0.24 * u), fill=bg)


PAINTERS: dict[Icon, Painter] = {
    Icon.CAMERA: camera,
    Icon.GUIDELINE: guideline,
    Icon.CALENDAR: calendar,
    Icon.GALLERY: gallery,
    Icon.PERSON: person,
    Icon.GEAR: gear,
}
