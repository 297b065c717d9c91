"""The media job with real photos (issue 9, points 2 and 9): variants, face counts and boxes,
what the review rules make of them, and no face left in what the job blurred.

The photos are the scikit-image ones in tests/media/photos (real faces, public domain / CC0) and
a 12 MP phone JPEG built from them: six faces, stored sideways (EXIF orientation 6), with GPS.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from sqlmodel import SQLModel

from app.admin.release import CheckState, allowed_variant, approval_blockers, rule_of
from app.services import Services
from app.settings import load_settings
from app.worker.base import JobEnv
from app.worker.media_jobs import handle_media
from media import FaceDetector
from storage import contributors, drafts, submissions
from storage import media as media_repo
from storage.blobs import LocalBlobStore
from storage.db import Database
from storage.jobs import ClaimedJob
from tests.e2e.photos import has_location_or_exif
from tests.media.face_photos import (
    PHOTOS,
    as_rect,
    face_photo,
    group_photo,
    matched,
    phone_group_jpeg,
    second_opinion,
)
from webhooks.i18n import load_catalogue
from webhooks.line_api import Download, Profile


class PhotoLine:
    """LINE's content endpoint, serving the bytes the test put under each message id."""

    def __init__(self) -> None:
        self.photos: dict[str, bytes] = {}

    def download(
        self, message_id: str, dest: Path, *, max_bytes: int, should_stop: Callable[[], bool]
    ) -> Download:
        data = self.photos[message_id]
        dest.write_bytes(data)
        return Download(path=dest, bytes=len(data), content_type="image/jpeg")

    def reply(self, reply_token: str, messages: Sequence[dict[str, Any]]) -> None:
        raise AssertionError("not used")

    def profile(self, user_id: str) -> Profile | None:
        return None

    def close(self) -> None:
        pass


@dataclass
class Processed:
    """A photo after its media job, and its submission once the worker chose `face`."""

    record: submissions.SubmissionRecord
    files: dict[str, bytes]

    @property
    def photo(self) -> submissions.MediaRecord:
        return self.record.media[0]

    def image(self, name: str) -> Image.Image:
        with Image.open(io.BytesIO(self.files[name])) as im:
            im.load()
            return im


@pytest.fixture
def run_photo(
    database_url: str, tmp_path: Path, face_detector: FaceDetector
) -> Iterator[Callable[[bytes, str], Processed]]:
    db = Database(database_url)
    SQLModel.metadata.create_all(db.engine)
    line = PhotoLine()
    blobs = LocalBlobStore(tmp_path / "media")
    services = Services(
        settings=load_settings(_env_file=None, GENBA_DATA_DIR=str(tmp_path)),
        db=db,
        line=line,
        blobs=blobs,
        catalogue=load_catalogue(),
        faces=face_detector,
    )
    env = JobEnv(services=services, worker_id="w", should_stop=lambda: False)
    count = iter(range(1, 1000))

    def run(data: bytes, face: str) -> Processed:
        n = next(count)
        now = services.clock()
        draft_id, message_id = f"01JDRAFT{n:04d}", f"m{n}"
        line.photos[message_id] = data
        with db.write() as s:
            row, _ = contributors.ensure(s, f"U{n:032x}", now=now)
            drafts.start(
                s, draft_id=draft_id, code=f"A{n}", kind="photo", contributor_id=row.id, now=now
            )
            media_id = drafts.attach_photo(
                s,
                draft_id=draft_id,
                contributor_id=row.id,
                message_id=message_id,
                image_set_id=None,
                index=1,
                now=now,
            )
        assert media_id is not None
        job = ClaimedJob(
            id=n,
            kind="media",
            payload={"media_id": media_id},
            attempts=1,
            max_attempts=2,
            ordering_key=None,
        )
        # The job runs before the worker has answered the face question, as it usually does.
        handle_media(job, env)
        with db.write() as s:
            drafts.set_face(s, draft_id=draft_id, contributor_id=row.id, face=face, now=now)
            assert drafts.submit(s, draft_id=draft_id, contributor_id=row.id, now=now)
        with db.read() as s:
            record = submissions.get(s, draft_id)
            assert record is not None
            stored = media_repo.variants(s, [media_id])[media_id]
        files = {}
        for v in stored:
            blob = blobs.open(v.storage_key)
            assert blob is not None
            with blob:
                files[v.name] = blob.read()
        return Processed(record=record, files=files)

    yield run
    db.dispose()


def jpeg(im: Image.Image) -> bytes:
    out = io.BytesIO()
    im.save(out, "JPEG", quality=90)
    return out.getvalue()


def assert_no_face_in(detector: FaceDetector, im: Image.Image, truths: list) -> None:
    """Neither our detector nor an independent one finds any of the true faces in `im`."""
    assert matched(truths, [as_rect(b) for b in detector.detect(im)])[0] == 0
    assert matched(truths, second_opinion(im))[0] == 0


def test_a_phone_photo_with_six_faces_gps_and_a_rotation(run_photo, face_detector) -> None:
    data, truths = phone_group_jpeg()  # 3000x4000 stored, orientation 6, GPS, XMP, IPTC

    done = run_photo(data, "blur")

    m = done.photo.media
    assert m.status == "ready"
    assert set(done.files) == {"original", "thumbnail", "blurred", "blurred_thumb"}
    # The original is sanitised: upright, and no location or any other metadata left.
    original = done.image("original")
    assert original.size == (4000, 3000) and (m.width, m.height) == (4000, 3000)
    for name in done.files:
        assert not has_location_or_exif(done.files[name]), name
        assert b"GenbaCam" not in done.files[name] and b"xap/1.0" not in done.files[name]
    # Six faces found and recorded where they are in the upright picture.
    boxes = media_repo.face_boxes(m)
    assert m.faces == len(boxes) == 6
    assert matched(truths, [(b["left"], b["top"], b["right"], b["bottom"]) for b in boxes]) == (
        6,
        0,
    )
    # The detector finds the faces in the original, and none in either blurred variant.
    assert matched(truths, [as_rect(b) for b in face_detector.detect(original)])[0] == 6
    assert_no_face_in(face_detector, done.image("blurred"), truths)
    thumb = done.image("blurred_thumb")
    scale = thumb.width / 4000
    small_truths = [tuple(v * scale for v in t) for t in truths]
    assert_no_face_in(face_detector, thumb, small_truths)
    # What the review rules make of it: blurred, waiting for a reviewer to confirm.
    rule = rule_of("blur", done.photo)
    assert rule.check is CheckState.TO_CONFIRM and rule.blurred_only
    assert allowed_variant("blur", done.photo) is None
    assert approval_blockers(done.record)


def test_one_real_face_is_counted_for_show_and_blurred_all_the_same(
    run_photo, face_detector
) -> None:
    im, box = face_photo("camera")

    done = run_photo(jpeg(im), "show")

    assert done.photo.media.faces == 1
    assert set(done.files) == {"original", "thumbnail", "blurred", "blurred_thumb"}
    assert_no_face_in(face_detector, done.image("blurred"), [box])
    # `show`: the original leaves, nothing to check.
    assert rule_of("show", done.photo).check is CheckState.NOT_NEEDED
    assert allowed_variant("show", done.photo) == "original"
    assert allowed_variant("show", done.photo, "thumbnail") == "thumbnail"
    assert approval_blockers(done.record) == []


def test_no_face_but_faces_found_is_flagged(run_photo, face_detector) -> None:
    im, truths = group_photo((1200, 800), 3, 2)

    done = run_photo(jpeg(im), "no_face")

    assert done.photo.media.faces == 6
    assert_no_face_in(face_detector, done.image("blurred"), truths)
    rule = rule_of("no_face", done.photo)
    assert rule.check is CheckState.NEEDS_HUMAN_CHECK and rule.can_confirm
    assert '"no faces" chosen, but 6 faces found' in approval_blockers(done.record)[0]


def test_a_blur_photo_without_a_face_found_gets_no_blurred_variant_and_a_human_check(
    run_photo,
) -> None:
    done = run_photo((PHOTOS / "coffee.jpg").read_bytes(), "blur")

    assert done.photo.media.faces == 0
    assert media_repo.face_boxes(done.photo.media) == []
    # A "blurred" file would be the unblurred picture under a name that promises a blur.
    assert set(done.files) == {"original", "thumbnail"}
    rule = rule_of("blur", done.photo)
    assert rule.check is CheckState.NEEDS_HUMAN_CHECK and not rule.can_confirm
    assert allowed_variant("blur", done.photo) is None
    assert "check by eye" in approval_blockers(done.record)[0]


def test_a_no_face_photo_without_faces_leaves_as_its_original(run_photo) -> None:
    done = run_photo((PHOTOS / "chelsea.jpg").read_bytes(), "no_face")

    assert done.photo.media.faces == 0
    assert rule_of("no_face", done.photo).check is CheckState.NOT_NEEDED
    assert allowed_variant("no_face", done.photo) == "original"


def test_the_worker_builds_the_checked_face_detector_when_it_is_built(
    database_url: str, tmp_path: Path
) -> None:
    from app.worker.kinds import build_worker

    db = Database(database_url)
    services = Services(
        settings=load_settings(_env_file=None, GENBA_DATA_DIR=str(tmp_path)),
        db=db,
        line=PhotoLine(),
        blobs=LocalBlobStore(tmp_path / "media"),
        catalogue=load_catalogue(),
    )
    assert services.faces is None
    build_worker(services)
    assert isinstance(services.faces, FaceDetector)
    db.dispose()
