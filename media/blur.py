"""Making faces unrecognisable: coarse pixelation plus a blur over each face and a margin.

A light blur is not enough: it can be partly undone by sharpening, and a detector still found
faces under a light pixelation. Here each face is averaged down to a few blocks (the detail is
gone, not hidden), then blurred as wide as a block.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from PIL import Image, ImageFilter

from media.faces import FaceBox

BLOCKS_ACROSS_FACE = 3
"""Blocks along the longer side of a face's own box (the margins add about two more). With 4 or
5, blurred and sharpened faces in group photos were still found by a detector (docs/faces.md)."""
MARGIN_SIDES = 0.3
"""Added to the left and to the right, as a fraction of the face's width (ears, a turned head)."""
MARGIN_ABOVE = 0.45
"""Added above, as a fraction of the face's height (hair, a hat: boxes stop at the brow)."""
MARGIN_BELOW = 0.35
"""Added below, as a fraction of the face's height (chin and neck)."""


def face_region(box: FaceBox, size: tuple[int, int]) -> tuple[int, int, int, int]:
    """The area blurred for `box`: the box plus its margins, clipped to an image of `size`."""
    width, height = size
    return (
        max(0, math.floor(box.left - MARGIN_SIDES * box.width)),
        max(0, math.floor(box.top - MARGIN_ABOVE * box.height)),
        min(width, math.ceil(box.right + MARGIN_SIDES * box.width)),
        min(height, math.ceil(box.bottom + MARGIN_BELOW * box.height)),
    )


def blur_faces(im: Image.Image, boxes: Iterable[FaceBox]) -> Image.Image:
    """A copy of `im` with every box (and its margin) pixelated and blurred beyond recognition."""
    out = im.copy()
    blur_faces_in_place(out, boxes)
    return out


def blur_faces_in_place(im: Image.Image, boxes: Iterable[FaceBox]) -> None:
    """Like `blur_faces`, without the copy (a 12 MP photo is 36 MB of pixels)."""
    for box in boxes:
        region = face_region(box, im.size)
        left, top, right, bottom = region
        if right <= left or bottom <= top:
            continue
        block = max(2, math.ceil(max(box.width, box.height) / BLOCKS_ACROSS_FACE))
        patch = im.crop(region)
        mosaic = patch.resize(
            (max(1, math.ceil(patch.width / block)), max(1, math.ceil(patch.height / block))),
            Image.Resampling.BOX,  # each block becomes the plain average of its pixels
        )
        patch = mosaic.resize(patch.size, Image.Resampling.NEAREST)
        # A blur as wide as a block melts the mosaic into a smooth blob: sharpening cannot bring
        # back edges that are not there, and no block edge suggests eyes or a mouth.
        patch = patch.filter(ImageFilter.GaussianBlur(block))
        im.paste(patch, (left, top))
