"""The face choice enforced (issue 9, points 6 and 7): check states, confirming, uploading a
corrected blurred image, and what approve, publish and the media route let out."""

from __future__ import annotations

import io
import json
import struct
import zlib
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import update

from app.admin.face_checks import Uploads
from app.admin.router import mount_admin_api
from app.errors import install_error_handlers
from media import ImageLimits
from storage import audit, tokens
from storage.models import Media
from tests.e2e.photos import has_location_or_exif, phone_jpeg

PUBLICATION = {"platform": "instagram", "url": "https://www.instagram.com/p/abc123/"}
BLURRED = ("original", "thumbnail", "blurred", "blurred_thumb")
PHOTOS = Path(__file__).parent.parent / "media" / "photos"


def submission(client, headers, sid: str) -> dict:
    r = client.get(f"/api/v1/submissions/{sid}", headers=headers)
    assert r.status_code == 200
    return r.json()


def move(client, headers, sid: str, status: str):
    extra = PUBLICATION if status == "published" else {}
    return client.patch(
        f"/api/v1/submissions/{sid}", json={"status": status, **extra}, headers=headers
    )


def check(client, headers, media_id: str):
    return client.post(f"/api/v1/media/{media_id}/check", headers=headers)


def upload(client, headers, media_id: str, data: bytes, content_type: str = "image/jpeg"):
    return client.put(
        f"/api/v1/media/{media_id}/blurred",
        content=data,
        headers={**headers, "Content-Type": content_type},
    )


def jpeg(size=(320, 240), colour=(30, 120, 200), **params) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "JPEG", **params)
    return out.getvalue()


def png_bomb(width: int, height: int) -> bytes:
    """A tiny PNG whose header declares width x height pixels."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


class TestCheckStates:
    def test_a_blur_photo_with_faces_is_to_confirm_and_leaves_only_blurred_after(
        self, client, seed, as_role
    ) -> None:
        s = seed.submission(face="blur", variants=BLURRED, faces=2)
        m = submission(client, as_role("viewer"), s.id)["media"][0]
        assert (m["faces"], m["face_check"], m["leaves_as"]) == (2, "to_confirm", None)
        assert m["face_boxes"][0] == {
            "left": 10,
            "top": 10,
            "right": 60,
            "bottom": 70,
            "score": 0.9,
        }

        r = check(client, as_role("reviewer"), s.media[0].id)

        assert r.status_code == 200
        m = r.json()["media"][0]
        assert (m["face_check"], m["leaves_as"], m["face_checked_by"]) == (
            "done",
            "blurred",
            "reviewer-alice",
        )
        assert r.json()["approval_blockers"] == []

    def test_show_photos_need_no_check_and_leave_as_the_original(self, client, seed, as_role):
        s = seed.submission(face="show", variants=BLURRED, faces=3)
        body = submission(client, as_role("viewer"), s.id)
        m = body["media"][0]
        assert (m["faces"], m["face_check"], m["leaves_as"]) == (3, "not_needed", "original")
        assert check(client, as_role("reviewer"), s.media[0].id).status_code == 409
        assert move(client, as_role("reviewer"), s.id, "approved").status_code == 200

    def test_a_no_face_photo_without_faces_needs_nothing(self, client, seed, as_role) -> None:
        s = seed.submission(face="no_face")
        m = submission(client, as_role("viewer"), s.id)["media"][0]
        assert (m["faces"], m["face_check"], m["leaves_as"]) == (0, "not_needed", "original")
        assert move(client, as_role("reviewer"), s.id, "approved").status_code == 200

    def test_no_face_but_faces_found_is_flagged_and_blocked_until_confirmed(
        self, client, seed, as_role, db
    ) -> None:
        s = seed.submission(face="no_face", variants=BLURRED, faces=2)
        reviewer = as_role("reviewer")
        body = submission(client, reviewer, s.id)
        assert body["media"][0]["face_check"] == "needs_human_check"
        assert '"no faces" chosen, but 2 faces found' in body["approval_blockers"][0]
        # Its unblurred images are now behind the admin's override, like a blur photo's.
        r = client.get(f"/api/v1/media/{s.media[0].id}/original", headers=reviewer)
        assert r.status_code == 403
        r = move(client, reviewer, s.id, "approved")
        assert r.status_code == 409 and '"no faces" chosen' in r.json()["detail"]

        assert check(client, reviewer, s.media[0].id).status_code == 200

        assert move(client, reviewer, s.id, "approved").status_code == 200
        assert submission(client, reviewer, s.id)["media"][0]["leaves_as"] == "blurred"

    def test_a_blur_photo_with_no_face_found_cannot_just_be_confirmed(
        self, client, seed, as_role
    ) -> None:
        s = seed.submission(face="blur", faces=0)
        r = check(client, as_role("reviewer"), s.media[0].id)
        assert r.status_code == 409
        assert "upload a blurred image" in r.json()["detail"]

    def test_every_photo_must_be_checked(self, client, seed, as_role) -> None:
        s = seed.submission(face="blur", variants=BLURRED, photos=2)
        reviewer = as_role("reviewer")
        check(client, reviewer, s.media[0].id)
        r = move(client, reviewer, s.id, "approved")
        assert r.status_code == 409
        assert "photo 2" in r.json()["detail"] and "photo 1" not in r.json()["detail"]
        check(client, reviewer, s.media[1].id)
        assert move(client, reviewer, s.id, "approved").status_code == 200
        assert move(client, reviewer, s.id, "published").status_code == 200

    def test_a_photo_not_processed_yet_blocks_a_blur_submission(
        self, client, seed, as_role
    ) -> None:
        s = seed.submission(face="blur", variants=())  # the media job has not run
        r = move(client, as_role("reviewer"), s.id, "approved")
        assert r.status_code == 409 and "still being processed" in r.json()["detail"]

    def test_confirming_twice_changes_nothing_and_is_audited_once(
        self, client, seed, as_role, db
    ) -> None:
        s = seed.submission(face="blur", variants=BLURRED)
        for _ in range(2):
            assert check(client, as_role("reviewer"), s.media[0].id).status_code == 200
        with db.read() as session:
            entries = audit.for_target(session, "media", s.media[0].id)
        assert [(e.action, json.loads(e.detail)["check"]) for e in entries] == [
            ("face_check", "confirmed")
        ]

    def test_a_viewer_cannot_confirm(self, client, seed, as_role) -> None:
        s = seed.submission(face="blur", variants=BLURRED)
        assert check(client, as_role("viewer"), s.media[0].id).status_code == 403

    @pytest.mark.parametrize("media_id", ["01JD0000000000000000000000", "bad id!", "x" * 65])
    def test_unknown_or_hostile_ids_are_404(self, client, seed, as_role, media_id) -> None:
        assert check(client, as_role("reviewer"), media_id).status_code == 404
        assert upload(client, as_role("reviewer"), media_id, jpeg()).status_code == 404

    def test_a_withdrawn_submission_cannot_be_checked(self, client, seed, as_role) -> None:
        s = seed.submission(face="blur", variants=BLURRED, status="withdrawn")
        assert check(client, as_role("reviewer"), s.media[0].id).status_code == 404
        assert upload(client, as_role("reviewer"), s.media[0].id, jpeg()).status_code == 404


def test_the_needs_check_filter_agrees_with_the_approval_rule(client, seed, as_role) -> None:
    """The list's SQL filter and release.py's rule pick the same submissions."""
    reviewer = as_role("reviewer")
    made = [
        seed.submission(face="show", variants=BLURRED, faces=2),
        seed.submission(face="no_face"),
        seed.submission(face="no_face", variants=BLURRED, faces=1),
        seed.submission(face="no_face", faces=None),  # not counted
        seed.submission(face="blur", variants=BLURRED),
        seed.submission(face="blur", faces=0),
        seed.submission(face="blur", variants=()),  # not processed yet
        seed.submission(face="blur", variants=BLURRED, photos=2),
        seed.submission(photos=0, face=None),
    ]
    confirmed_flagged = seed.submission(face="no_face", variants=BLURRED, faces=1)
    confirmed_blur = seed.submission(face="blur", variants=BLURRED)
    half_checked = made[7]
    for photo in (*confirmed_flagged.media, *confirmed_blur.media, half_checked.media[0]):
        assert check(client, reviewer, photo.id).status_code == 200
    blocked = {
        s["id"]
        for s in client.get("/api/v1/submissions", params={"limit": 100}, headers=reviewer).json()[
            "items"
        ]
        if s["approval_blockers"]
    }
    r = client.get("/api/v1/submissions", params={"needs_check": "true"}, headers=reviewer)
    assert {s["id"] for s in r.json()["items"]} == blocked
    assert blocked == {made[i].id for i in (2, 3, 4, 5, 6, 7)}


class TestMediaRoute:
    def test_the_blurred_thumbnail_is_served_without_a_reason(self, client, seed, as_role):
        s = seed.submission(face="blur", variants=BLURRED)
        m = s.media[0]
        r = client.get(f"/api/v1/media/{m.id}/blurred_thumb", headers=as_role("viewer"))
        assert r.status_code == 200 and r.content == m.files["blurred_thumb"]
        r = client.get(f"/api/v1/media/{m.id}/thumbnail", headers=as_role("reviewer"))
        assert r.status_code == 403

    def test_a_checked_blur_photo_still_keeps_its_original_behind_the_override(
        self, client, seed, as_role
    ) -> None:
        s = seed.submission(face="blur", variants=BLURRED)
        check(client, as_role("reviewer"), s.media[0].id)
        r = client.get(f"/api/v1/media/{s.media[0].id}/original", headers=as_role("reviewer"))
        assert r.status_code == 403


class TestUpload:
    def test_a_corrected_image_is_sanitised_stored_and_done(
        self, client, seed, as_role, db, blobs
    ) -> None:
        s = seed.submission(face="blur", faces=0)  # no face found: only an upload will do
        reviewer = as_role("reviewer")
        data = phone_jpeg(size=(400, 300))  # GPS, a maker note, orientation 6

        r = upload(client, reviewer, s.media[0].id, data, content_type="text/html")

        assert r.status_code == 200, r.text
        m = r.json()["media"][0]
        assert (m["face_check"], m["leaves_as"]) == ("done", "blurred")
        assert set(m["variants"]) == {"original", "thumbnail", "blurred", "blurred_thumb"}
        stored = client.get(f"/api/v1/media/{s.media[0].id}/blurred", headers=reviewer)
        assert stored.headers["Content-Type"] == "image/jpeg"
        assert not has_location_or_exif(stored.content)
        with Image.open(io.BytesIO(stored.content)) as im:
            assert im.size == (300, 400)  # turned upright
        thumb = client.get(f"/api/v1/media/{s.media[0].id}/blurred_thumb", headers=reviewer)
        assert thumb.status_code == 200 and not has_location_or_exif(thumb.content)
        assert move(client, reviewer, s.id, "approved").status_code == 200
        with db.read() as session:
            entries = audit.for_target(session, "media", s.media[0].id)
        assert json.loads(entries[-1].detail)["check"] == "corrected"

    def test_a_second_upload_replaces_the_first(self, client, seed, as_role) -> None:
        s = seed.submission(face="blur", variants=BLURRED)
        reviewer = as_role("reviewer")
        upload(client, reviewer, s.media[0].id, jpeg(colour=(200, 0, 0)))
        upload(client, reviewer, s.media[0].id, jpeg(colour=(0, 200, 0)))
        stored = client.get(f"/api/v1/media/{s.media[0].id}/blurred", headers=reviewer)
        with Image.open(io.BytesIO(stored.content)) as im:
            red, green, _ = im.convert("RGB").getpixel((5, 5))
        assert green > 150 and red < 50

    def test_a_show_photo_takes_no_blurred_upload(self, client, seed, as_role) -> None:
        s = seed.submission(face="show")
        r = upload(client, as_role("reviewer"), s.media[0].id, jpeg())
        assert r.status_code == 409

    @pytest.mark.parametrize(
        ("name", "data", "status", "reason"),
        [
            ("empty", b"", 422, "empty"),
            ("html named jpeg", b"<!doctype html><script>alert(1)</script>", 415, "unsupported"),
            ("random bytes", bytes(range(256)) * 40, 415, "unsupported"),
            ("truncated jpeg", (PHOTOS / "astronaut.jpg").read_bytes()[:5000], 422, "corrupt"),
            ("pixel bomb", png_bomb(30_000, 30_000), 422, "too_many_pixels"),
            ("gif", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", 415, "unsupported"),
        ],
    )
    def test_hostile_or_broken_uploads_get_a_clear_4xx_and_change_nothing(
        self, client, seed, as_role, blobs, name, data, status, reason
    ) -> None:
        s = seed.submission(face="blur", variants=BLURRED)
        before = sorted(i.key for i in blobs.listing())

        r = upload(client, as_role("reviewer"), s.media[0].id, data)

        assert r.status_code == status, (name, r.text)
        assert r.json()["detail"].startswith(reason)
        assert sorted(i.key for i in blobs.listing()) == before
        m = submission(client, as_role("viewer"), s.id)["media"][0]
        assert m["face_check"] == "to_confirm"


@pytest.fixture
def small_limits_client(db, blobs, clock, tmp_path):
    """The admin API with a 100 kB, 1 MP media limit and its own scratch folder."""
    scratch = tmp_path / "scratch-uploads"
    scratch.mkdir()
    app = FastAPI()
    limits = ImageLimits(max_bytes=100_000, max_pixels=1_000_000)
    mount_admin_api(app, db=db, blobs=blobs, clock=clock, uploads=Uploads(limits, scratch))
    install_error_handlers(app)
    with TestClient(app) as c:
        yield c, scratch


class TestUploadLimits:
    def test_an_upload_over_the_byte_limit_is_413(self, small_limits_client, seed, as_role):
        client, scratch = small_limits_client
        s = seed.submission(face="blur", variants=BLURRED)
        big = jpeg(size=(2000, 1500), quality=100) + b"\x00" * 200_000
        r = upload(client, as_role("reviewer"), s.media[0].id, big)
        assert r.status_code == 413
        assert list(scratch.iterdir()) == []  # nothing of it is kept

    def test_an_upload_over_the_pixel_limit_is_422(self, small_limits_client, seed, as_role):
        client, scratch = small_limits_client
        s = seed.submission(face="blur", variants=BLURRED)
        r = upload(client, as_role("reviewer"), s.media[0].id, jpeg(size=(1600, 1200)))
        assert r.status_code == 422 and "too_many_pixels" in r.json()["detail"]
        assert list(scratch.iterdir()) == []

    def test_a_real_photo_within_the_limits_passes(self, small_limits_client, seed, as_role):
        client, scratch = small_limits_client
        s = seed.submission(face="blur", variants=BLURRED)
        data = (PHOTOS / "coffee.jpg").read_bytes()
        r = upload(client, as_role("reviewer"), s.media[0].id, data)
        assert r.status_code == 200, r.text
        assert list(scratch.iterdir()) == []


def test_the_served_app_takes_an_image_larger_than_the_json_cap_only_there(served) -> None:
    """The 32 KiB body cap stays for every other route; the upload route has the media limit."""
    with served.db.write() as s:
        token = tokens.create(s, name="reviewer-bob", role="reviewer", now=served.clock())
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "image/jpeg"}
    big = (PHOTOS / "astronaut.jpg").read_bytes()
    assert len(big) > 32 * 1024
    with TestClient(served.app) as client:
        r = client.put(
            "/api/v1/media/01JD0000000000000000000000/blurred", content=big, headers=headers
        )
        assert r.status_code == 404  # past the cap, into the route: no such media
        r = client.patch(
            "/api/v1/submissions/01JD0000000000000000000000", content=big, headers=headers
        )
        assert r.status_code == 413


def test_a_blur_video_cannot_be_replaced_by_an_image_nor_leave(client, seed, as_role) -> None:
    s = seed.submission(face="blur", variants=("original", "thumbnail"), faces=None)
    with seed.db.write() as session:
        session.execute(update(Media).where(Media.id == s.media[0].id).values(kind="video"))  # type: ignore[arg-type]
    reviewer = as_role("reviewer")
    r = upload(client, reviewer, s.media[0].id, jpeg())
    assert r.status_code == 409 and "video" in r.json()["detail"]
    m = submission(client, reviewer, s.id)["media"][0]
    assert m["needs_editing"] is True and m["leaves_as"] is None
    assert move(client, reviewer, s.id, "approved").status_code == 409
