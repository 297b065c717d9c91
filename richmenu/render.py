"""Draw the menu's image: one card per area, a large pictogram, the Japanese label, English below.

Sized for a phone: LINE shows the 2500-pixel-wide image about 375 points wide, so the Japanese
label (about 125 px) reads at ~19 pt and the English line (about 72 px) at ~11 pt. Everything is
drawn at twice the size and scaled down once, which smooths the shapes' edges. The result is
a 256-colour PNG of about 110 kB, well under LINE's 1 MB.
"""

from __future__ import annotations

import io

from PIL import Image, ImageDraw, ImageFont

from richmenu.fonts import Fonts
from richmenu.icons import PAINTERS, Colour
from richmenu.layout import Area, Icon, Layout

SCALE = 2
BACKGROUND: Colour = (226, 231, 237)
CARD: Colour = (255, 255, 255)
TITLE: Colour = (17, 24, 39)
SUBTITLE: Colour = (75, 85, 99)
PRIMARY: Colour = (6, 117, 74)  # white on it: contrast 5.6:1
PRIMARY_SUBTITLE: Colour = (222, 244, 232)
ICON_DISCS: dict[Icon, Colour] = {
    Icon.CAMERA: (255, 255, 255),
    Icon.GUIDELINE: (30, 90, 168),
    Icon.CALENDAR: (194, 65, 12),
    Icon.GALLERY: (124, 58, 237),
    Icon.PERSON: (15, 118, 110),
    Icon.GEAR: (71, 85, 105),
}
GUTTER = 14  # half the gap between cards, in image pixels
RADIUS = 44
SIDE_MARGIN = 56  # the least space between a label and its card's edges
DISC = 190  # pictogram disc radius
TITLE_SIZE = 126
SUBTITLE_SIZE = 72


def _fit(fonts: Fonts, texts: list[str], size: int, width: float, *, bold: bool) -> int:
    """Return the largest size up to `size` at which every text fits `width` (one size for all)."""
    while size > 10:
        face = fonts.bold_at(size) if bold else fonts.regular_at(size)
        if all(face.getlength(t) <= width for t in texts):
            return size
        size -= 2
    return size


def _card(
    draw: ImageDraw.ImageDraw,
    area: Area,
    title_face: ImageFont.FreeTypeFont,
    subtitle_face: ImageFont.FreeTypeFont,
) -> None:
    s = SCALE
    b = area.bounds
    box = (
        (b.x + GUTTER) * s,
        (b.y + GUTTER) * s,
        (b.x + b.width - GUTTER) * s,
        (b.y + b.height - GUTTER) * s,
    )
    draw.rounded_rectangle(box, radius=RADIUS * s, fill=PRIMARY if area.primary else CARD)
    cx = (box[0] + box[2]) / 2
    # Disc, title and subtitle form one block, centred vertically in the card.
    gap_after_disc, gap_after_title = 56 * s, 40 * s
    title_h, subtitle_h = title_face.size, subtitle_face.size
    block = 2 * DISC * s + gap_after_disc + title_h + gap_after_title + subtitle_h
    top = (box[1] + box[3]) / 2 - block / 2
    cy = top + DISC * s
    disc = ICON_DISCS[area.icon]
    draw.ellipse((cx - DISC * s, cy - DISC * s, cx + DISC * s, cy + DISC * s), fill=disc)
    # The pictogram takes the card's colour, so the primary card's shows green on white.
    PAINTERS[area.icon](draw, cx, cy, DISC * s * 0.95, PRIMARY if area.primary else CARD, disc)
    title_y = top + 2 * DISC * s + gap_after_disc
    fg = CARD if area.primary else TITLE
    draw.text((cx, title_y), area.title, font=title_face, fill=fg, anchor="mt")
    sub = PRIMARY_SUBTITLE if area.primary else SUBTITLE
    draw.text(
        (cx, title_y + title_h + gap_after_title),
        area.subtitle,
        font=subtitle_face,
        fill=sub,
        anchor="mt",
    )


def render(layout: Layout, fonts: Fonts) -> bytes:
    """Return the menu's image as PNG bytes, exactly layout.width × layout.height."""
    s = SCALE
    image = Image.new("RGB", (layout.width * s, layout.height * s), BACKGROUND)
    draw = ImageDraw.Draw(image)
    inner = min(a.bounds.width for a in layout.areas) - 2 * GUTTER - 2 * SIDE_MARGIN
    title_size = _fit(fonts, [a.title for a in layout.areas], TITLE_SIZE, inner, bold=True)
    sub_size = _fit(fonts, [a.subtitle for a in layout.areas], SUBTITLE_SIZE, inner, bold=False)
    title_face = fonts.bold_at(title_size * s)
    subtitle_face = fonts.regular_at(sub_size * s)
    for area in layout.areas:
        _card(draw, area, title_face, subtitle_face)
    # Averaging each 2×2 block smooths the edges; the flat colours then fit a 256-colour
    # palette without visible loss, which makes the PNG about a quarter of its RGB size.
    final = image.reduce(SCALE).quantize(256, method=Image.Quantize.FASTOCTREE)
    out = io.BytesIO()
    final.save(out, "PNG")
    return out.getvalue()
