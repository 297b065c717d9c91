"""The media pipeline on 12 MP phone JPEGs, against plain Pillow decode+encode of the same files.

Every variant runs in a fresh process over the same files (written once, in this run, by another
process), so its peak RSS is its own: VmHWM from /proc/self/status, the interpreter, libraries
and the face model included. (Not ru_maxrss: Linux carries that over exec from the parent,
whose high-water mark it then reports for a small child.)

- `floor`: Pillow's `Image.open` + `load` + `save` as JPEG (quality 90) into memory; nothing else.
- `sanitise+thumb`: `sanitize_image` (decode, orient, sRGB, strip, encode, write, fsync) and
  `make_thumbnail` of the result: what a photo cost before face detection.
- `count faces`: that plus `find_faces` (reduced-size decode + detection), for `show`/`no_face`.
- `blur`: that plus `make_blurred` (full decode, detection, blur, encode, write) and a thumbnail
  of the blurred file, for `blur` submissions.
- `media job`: what the worker's media job does to every photo (`make_photo_files`,
  app/worker/photo_variants.py): sanitise, thumbnail, `find_faces`, and only where faces were
  found the blurred variant (full decode, blur with the boxes found, encode) and its thumbnail.

The detector is built once per process before the clock starts (the service does it at start).
Images/s is over all files and rounds (wall time); "x floor" is the floor's images/s over the
variant's. "CPU x floor" compares CPU seconds per image (user+system, all threads): on a shared
machine whose other jobs take cores away, wall time punishes OpenCV's two threads more than
Pillow's one, so both are printed.

    python -m bench.media_pipeline                 # 4 photos x 3 rounds (~2 min)
    python -m bench.media_pipeline --photos 8 --rounds 2
"""

from __future__ import annotations

import argparse
import io
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

# Only what every variant needs is imported here: the floor's process must not pay for OpenCV.
from PIL import Image

from bench import machine

VARIANTS = ("floor", "sanitise+thumb", "count faces", "blur", "media job")
AIM_RATIO = 3.0
AIM_PEAK_MB = 400


def phone_photos(directory: Path, count: int) -> list[Path]:
    """`count` 4000x3000 JPEGs made like a phone's: sensor noise, EXIF turn and GPS, ~q92."""
    import numpy as np

    from bench.face_recall import fp

    scenes = [
        lambda: fp.group_photo((4000, 3000), 3, 2)[0],
        lambda: fp.close_up("astronaut", 0.4, 0.45)[0],
        lambda: fp.group_photo((4000, 3000), 8, 6)[0],
        lambda: fp.photo("coffee").resize((4000, 3000), Image.Resampling.BICUBIC),
    ]
    rng = np.random.default_rng(7)
    paths = []
    for i in range(count):
        upright = scenes[i % len(scenes)]()
        # Upscaled photos are far smoother than a real sensor's; noise brings the files to a
        # phone's 3-5 MB, and the decoder and encoder their real amount of work.
        pixels = np.asarray(upright, dtype=np.int16)
        noisy = np.clip(pixels + rng.normal(0, 6, pixels.shape), 0, 255).astype(np.uint8)
        stored = Image.fromarray(noisy).transpose(Image.Transpose.ROTATE_90)
        path = directory / f"phone-{i}.jpg"
        stored.save(path, "JPEG", quality=92, exif=fp.gps_exif(orientation=6).tobytes())
        paths.append(path)
    return paths


def peak_rss_mb() -> float:
    """This process's peak resident set size (VmHWM), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


def run_variant(variant: str, paths: list[Path], rounds: int, out: Path) -> dict[str, float]:
    """Run one variant over every file `rounds` times in this process; return its figures."""
    detector = None
    if variant in ("count faces", "blur", "media job"):
        from media import load_face_detector

        detector = load_face_detector()
    start, cpu_start = time.perf_counter(), time.process_time()
    faces = 0
    for _ in range(rounds):
        for path in paths:
            faces += _one(variant, path, out, detector)
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    return {
        "images_per_s": rounds * len(paths) / elapsed,
        "cpu_s_per_image": cpu / (rounds * len(paths)),
        "peak_mb": peak_rss_mb(),
        "faces": faces / rounds,
    }


def _one(variant: str, path: Path, out: Path, detector: Any) -> int:
    if variant == "floor":
        with Image.open(path) as im:
            im.load()
            im.save(io.BytesIO(), "JPEG", quality=90)
        return 0
    from media import ImageLimits, find_faces, make_blurred, make_thumbnail, sanitize_image

    if variant == "media job":
        from app.worker.photo_variants import make_photo_files

        files = make_photo_files(path, out, detector, limits=ImageLimits())
        files.original.path.unlink()
        return len(files.faces)
    original = sanitize_image(path, out)
    make_thumbnail(original.path, out / "thumb.jpg")
    faces = 0
    if variant == "count faces":
        faces = len(find_faces(original.path, detector))
    if variant == "blur":
        blurred = make_blurred(original.path, out / "blurred.jpg", detector)
        make_thumbnail(blurred.variant.path, out / "blurred-thumb.jpg")
        faces = len(blurred.faces)
    original.path.unlink()
    return faces


def main() -> None:
    """Write the photos, run each variant in a subprocess, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--dir", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child == "make-photos":
        phone_photos(args.dir, args.photos)
        return
    if args.child:
        paths = sorted(args.dir.glob("phone-*.jpg"))
        out = args.dir / "out"
        out.mkdir(exist_ok=True)
        print(json.dumps(run_variant(args.child, paths, args.rounds, out)))
        return
    print(machine.describe())
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        make = [sys.executable, "-m", "bench.media_pipeline", "--child", "make-photos"]
        subprocess.run([*make, "--dir", tmp, "--photos", str(args.photos)], check=True)
        paths = sorted(directory.glob("phone-*.jpg"))
        sizes = [p.stat().st_size / 1e6 for p in paths]
        print(
            f"{len(paths)} photos 4000x3000 (stored 3000x4000, EXIF orientation 6),"
            f" {min(sizes):.1f}-{max(sizes):.1f} MB; {args.rounds} rounds each"
        )
        results = {}
        for variant in VARIANTS:
            command = [sys.executable, "-m", "bench.media_pipeline", "--child", variant]
            command += ["--dir", str(directory), "--rounds", str(args.rounds)]
            run = subprocess.run(command, check=True, capture_output=True, text=True)
            results[variant] = json.loads(run.stdout.strip().splitlines()[-1])
    floor, floor_cpu = results["floor"]["images_per_s"], results["floor"]["cpu_s_per_image"]
    print(
        f"{'variant':<16} {'images/s':>8} {'x floor':>8} {'CPU s/img':>9} {'CPU x floor':>11}"
        f" {'peak MB':>8} {'faces/round':>11}  aim"
    )
    for variant, r in results.items():
        ratio = floor / r["images_per_s"]
        ok = ratio <= AIM_RATIO and r["peak_mb"] < AIM_PEAK_MB
        aim = "" if variant == "floor" else ("ok" if ok else "MISSED")
        print(
            f"{variant:<16} {r['images_per_s']:>8.2f} {ratio:>8.2f} {r['cpu_s_per_image']:>9.2f}"
            f" {r['cpu_s_per_image'] / floor_cpu:>11.2f} {r['peak_mb']:>8.0f}"
            f" {r['faces']:>11.0f}  {aim}"
        )
    print(f"aim: within {AIM_RATIO:.0f}x the floor's time per image and under {AIM_PEAK_MB} MB")


if __name__ == "__main__":
    main()
