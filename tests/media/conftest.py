"""Fixtures for the media tests: input files written on demand, and a tripwire on decoding."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image, ImageFile

from media import FaceDetector, load_face_detector


@pytest.fixture
def dest_dir(tmp_path: Path) -> Path:
    """An empty directory for sanitised output."""
    out = tmp_path / "out"
    out.mkdir()
    return out


@pytest.fixture
def write_input(tmp_path: Path) -> Callable[[bytes], Path]:
    """Write bytes to a fresh input file (as the worker's download would) and return its path."""
    counter = iter(range(1_000_000))

    def write(data: bytes) -> Path:
        path = tmp_path / f"download-{next(counter)}.bin"
        path.write_bytes(data)
        return path

    return write


@pytest.fixture
def no_decoding(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail the test if any image data gets decoded (ImageFile.load is where Pillow decodes)."""

    def tripwire(self: ImageFile.ImageFile) -> None:
        raise AssertionError(f"decoded a {self.format} image of {self.size} pixels")

    monkeypatch.setattr(ImageFile.ImageFile, "load", tripwire)


@pytest.fixture
def no_pillow_open(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail the test if Pillow is even asked to open the file."""

    def tripwire(*args: object, **kwargs: object) -> None:
        raise AssertionError("Image.open was called")

    monkeypatch.setattr(Image, "open", tripwire)


@pytest.fixture(scope="session")
def detector() -> FaceDetector:
    """The face detector as the service builds it: the installed model, hash-checked."""
    return load_face_detector()
