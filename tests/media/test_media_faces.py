"""Face detection: the model file is checked, and faces are found in real photos, none elsewhere."""

from __future__ import annotations

import hashlib
import shutil
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from face_photos import (
    FACE_PHOTOS,
    NO_FACE_PHOTOS,
    Rect,
    as_rect,
    close_up,
    face_photo,
    group_photo,
    matched,
    no_face_montage,
    occluded,
    phone_group_jpeg,
    photo,
    rotated,
    small_face,
)
from PIL import Image

from media import (
    FaceDetector,
    FaceModelError,
    face_model_path,
    find_faces,
    load_face_detector,
    read_face_model,
    sanitize_image,
)
from media.faces import MODEL_SHA256

Input = Callable[[bytes], Path]


def found(detector: FaceDetector, im: Image.Image) -> list[Rect]:
    return [as_rect(box) for box in detector.detect(im)]


# ---------------------------------------------------------------------------------------------
# The model file
# ---------------------------------------------------------------------------------------------


def test_the_installed_model_is_the_expected_file() -> None:
    path = face_model_path()
    assert path.name == "centerface.onnx"
    assert hashlib.sha256(path.read_bytes()).hexdigest() == MODEL_SHA256
    assert read_face_model() == path.read_bytes()


def test_a_missing_model_is_a_clear_error(tmp_path: Path) -> None:
    missing = tmp_path / "centerface.onnx"
    with pytest.raises(FaceModelError) as caught:
        load_face_detector(missing)
    message = str(caught.value)
    assert str(missing) in message
    assert "requirements-face-model.txt" in message


def test_an_altered_model_is_refused(tmp_path: Path) -> None:
    altered = tmp_path / "centerface.onnx"
    shutil.copyfile(face_model_path(), altered)
    data = bytearray(altered.read_bytes())
    data[len(data) // 2] ^= 0x01
    altered.write_bytes(bytes(data))

    with pytest.raises(FaceModelError) as caught:
        load_face_detector(altered)
    assert "altered" in str(caught.value)
    assert MODEL_SHA256 in str(caught.value)


# ---------------------------------------------------------------------------------------------
# Real faces found, in the image's own pixels
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(FACE_PHOTOS))
@pytest.mark.parametrize("mirrored", [False, True])
def test_the_face_in_a_portrait_is_found(detector: FaceDetector, name: str, mirrored: bool) -> None:
    im, truth = face_photo(name, mirrored=mirrored)
    boxes = detector.detect(im)
    assert matched([truth], [as_rect(box) for box in boxes]) == (1, 0)
    assert all(0.3 <= box.score <= 1 for box in boxes)


@pytest.mark.parametrize(
    ("size", "cols", "rows"),
    [((1200, 800), 3, 2), ((1000, 750), 4, 3), ((800, 1200), 2, 3)],
    ids=["6-faces", "12-faces", "6-faces-portrait"],
)
def test_every_face_in_a_group_photo_is_found(
    detector: FaceDetector, size: tuple[int, int], cols: int, rows: int
) -> None:
    im, truths = group_photo(size, cols, rows)
    assert matched(truths, found(detector, im)) == (len(truths), 0)


@pytest.mark.parametrize(
    "make",
    [
        lambda: small_face(96),
        lambda: small_face(160),
        lambda: group_photo((480, 320), 3, 2),
        lambda: group_photo((300, 200), 3, 2),
    ],
    ids=["20px-face", "35px-face", "6-faces-480px", "6-faces-300px"],
)
def test_small_faces_are_found(
    detector: FaceDetector, make: Callable[[], tuple[Image.Image, list[Rect]]]
) -> None:
    im, truths = make()
    assert matched(truths, found(detector, im)) == (len(truths), 0)


@pytest.mark.parametrize("name", sorted(FACE_PHOTOS))
@pytest.mark.parametrize("kind", ["mask", "bar"])
def test_half_hidden_faces_are_found(detector: FaceDetector, name: str, kind: str) -> None:
    im, truths = occluded(name, kind)
    assert matched(truths, found(detector, im)) == (1, 0)


@pytest.mark.parametrize(
    ("name", "degrees"), [("astronaut", 15), ("astronaut", 30), ("camera", -30)]
)
def test_tilted_faces_are_found(detector: FaceDetector, name: str, degrees: int) -> None:
    im, truths = rotated(name, degrees)
    assert matched(truths, found(detector, im)) == (1, 0)


@pytest.mark.parametrize(
    ("name", "share", "centre"),
    [("camera", 0.5, 0.5), ("astronaut", 0.75, 0.5), ("astronaut", 0.5, 0.6)],
)
def test_a_large_face_across_the_detectors_seam_is_one_face(
    detector: FaceDetector, name: str, share: float, centre: float
) -> None:
    # The canvas is searched in two overlapping bands; a face larger than their overlap is
    # seen in part by each, and must come out as one box covering both parts.
    im, truths = close_up(name, share, centre)
    (box,) = detector.detect(im)
    assert matched(truths, [as_rect(box)]) == (1, 0)
    truth = truths[0]
    assert box.height >= 0.7 * (truth[3] - truth[1])  # both halves, not one


@pytest.mark.parametrize("name", NO_FACE_PHOTOS)
def test_no_face_is_found_where_there_is_none(detector: FaceDetector, name: str) -> None:
    assert detector.detect(photo(name)) == []


def test_no_face_in_a_montage_of_a_cat_and_a_coffee(detector: FaceDetector) -> None:
    assert detector.detect(no_face_montage()) == []


def test_boxes_of_a_reduced_copy_are_given_in_the_original_size(detector: FaceDetector) -> None:
    im, truths = group_photo((2000, 1500), 3, 2)
    half = im.resize((1000, 750))

    boxes = detector.detect(half, original_size=(2000, 1500))

    assert matched(truths, [as_rect(box) for box in boxes]) == (6, 0)
    assert all(box.right <= 2000 and box.bottom <= 1500 for box in boxes)


def test_one_detector_stays_right_across_sizes_and_threads(detector: FaceDetector) -> None:
    # One OpenCV network fed inputs of different sizes once returned hundreds of false faces:
    # mix sizes and shapes on the shared detector, from two threads at once.
    inputs = [
        group_photo((1000, 750), 4, 3),
        group_photo((800, 1200), 2, 3),
        (photo("coins"), []),
        small_face(96),
        (photo("hubble_deep_field"), []),
        (photo("rocket"), []),
        (photo("camera"), [FACE_PHOTOS["camera"]]),
    ]
    results: dict[int, tuple[int, int]] = {}

    def run(offset: int) -> None:
        for i in range(len(inputs)):
            k = (i + offset) % len(inputs)
            im, truths = inputs[k]
            hits = matched(truths, found(detector, im))
            assert hits == (len(truths), 0), (k, hits)
            results[k] = hits

    threads = [threading.Thread(target=run, args=(offset,)) for offset in (0, 3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == len(inputs)


def test_face_boxes_are_plain_json() -> None:
    from media import FaceBox

    box = FaceBox(left=1, top=2, right=11, bottom=22, score=0.87654)
    assert (box.width, box.height) == (10, 20)
    assert box.as_dict() == {"left": 1, "top": 2, "right": 11, "bottom": 22, "score": 0.877}


# ---------------------------------------------------------------------------------------------
# Files: a 12 MP phone photo, turned by its EXIF, with GPS
# ---------------------------------------------------------------------------------------------


def test_faces_in_a_sideways_phone_photo_are_found_upright(
    detector: FaceDetector, write_input: Input, dest_dir: Path
) -> None:
    data, truths = phone_group_jpeg()
    src = write_input(data)
    with Image.open(src) as stored:
        assert stored.size == (3000, 4000)  # stored sideways; EXIF turns it to 4000x3000

    direct = find_faces(src, detector)
    original = sanitize_image(src, dest_dir)
    from_original = find_faces(original.path, detector)

    assert (original.width, original.height) == (4000, 3000)
    assert matched(truths, [as_rect(box) for box in direct]) == (6, 0)
    assert matched(truths, [as_rect(box) for box in from_original]) == (6, 0)
