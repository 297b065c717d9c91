"""The item page's "Upload a corrected blurred image" form: the API's upload, in a browser."""

from __future__ import annotations

import hashlib
import html
import io
import json
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import update

from app.workspace.form_upload import WRAPPING
from storage import audit, submissions
from storage.models import Media
from tests.app.conftest import FakeClock, Seeder, Served, seeder_for, serve, services_for_test
from tests.app.test_body_limits import chunks, exchange
from tests.app.test_face_checks import PHOTOS, jpeg, png_bomb
from tests.app.workspace_kit import person, signed_in
from tests.e2e.photos import has_location_or_exif, phone_jpeg

BLURRED = ("original", "thumbnail", "blurred", "blurred_thumb")
LABEL = "Upload a corrected blurred image of photo 1"
FORM = '<input type="file"'


def upload(
    web: TestClient,
    submission_id: str,
    media_id: str,
    data: bytes,
    token: str | None,
    name: str = "fixed.jpg",
):
    """Send the form as a browser does (multipart, the file in the `image` field)."""
    fields = {} if token is None else {"csrf_token": token}
    return web.post(
        f"/admin/items/{submission_id}/media/{media_id}/blurred",
        data=fields,
        files={"image": (name, data, "image/jpeg")},
        follow_redirects=False,
    )


def check_of(served: Served, submission_id: str) -> tuple[str | None, str | None]:
    with served.db.read() as s:
        record = submissions.get(s, submission_id)
        assert record is not None
        m = record.media[0].media
        return m.face_check, m.face_checked_by


def stored_files(served: Served) -> list[str]:
    return sorted(b.key for b in served.services.blobs.listing())


def form_of(token: str, file: Iterable[bytes]) -> Iterator[bytes]:
    """A streamed form as a browser sends it (boundary `xyz`): the token, then a file's bytes."""
    yield (
        b'--xyz\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n'
        + token.encode()
        + b'\r\n--xyz\r\nContent-Disposition: form-data; name="image"; filename="a.jpg"\r\n'
        b"Content-Type: image/jpeg\r\n\r\n"
    )
    yield from file
    yield b"\r\n--xyz--\r\n"


def alert(html: str) -> str:
    found = re.search(r'<p class="problem" role="alert" id="error">(.*?)</p>', html, re.S)
    assert found, "the page shows no error"
    return found.group(1)


def test_a_reviewer_uploads_a_corrected_blurred_image_and_can_then_approve(
    served: Served, web: TestClient, seed_served: Seeder
) -> None:
    item = seed_served.submission(face="blur", faces=0)  # no face found: only an upload will do
    media_id = item.media[0].id
    email = person(served.db, served.clock, "reviewer")
    token = signed_in(web, email)
    page = web.get(f"/admin/items/{item.id}").text
    assert LABEL in page and 'enctype="multipart/form-data"' in page
    assert 'type="file" id="blurred-1" name="image" accept="image/*"' in page
    refused = web.post(
        f"/admin/items/{item.id}/review", data={"csrf_token": token, "action": "approve"}
    )
    assert "check by eye" in refused.text  # the face check is not done yet

    answer = upload(web, item.id, media_id, phone_jpeg(size=(400, 300)), token)

    assert answer.status_code == 303
    assert answer.headers["location"] == f"/admin/items/{item.id}?saved={media_id}"
    page = web.get(answer.headers["location"]).text
    assert "Photo 1: corrected blurred image saved" in page and "the face check is done" in page
    assert "Face check: done" in page and "Not ready to approve" not in page
    assert check_of(served, item.id) == ("corrected", email)
    served_image = web.get(f"/admin/media/{media_id}/blurred")
    assert served_image.status_code == 200
    assert served_image.headers["content-type"] == "image/jpeg"
    assert not has_location_or_exif(served_image.content)  # GPS and the maker note are gone
    with Image.open(io.BytesIO(served_image.content)) as im:
        assert im.size == (300, 400)  # the uploaded picture, turned upright
    with served.db.read() as s:
        entries = [e for e in audit.for_target(s, "media", media_id) if e.action == "face_check"]
    assert len(entries) == 1 and entries[0].actor == email
    detail = json.loads(entries[0].detail)
    assert detail["check"] == "corrected" and detail["submission"] == item.id
    assert detail["sha256"] == hashlib.sha256(served_image.content).hexdigest()
    approved = web.post(
        f"/admin/items/{item.id}/review",
        data={"csrf_token": token, "action": "approve"},
        follow_redirects=False,
    )
    assert approved.status_code == 303
    with served.db.read() as s:
        assert submissions.get(s, item.id).submission.status == "approved"  # type: ignore[union-attr]


def test_an_upload_replaces_the_detectors_blur(
    served: Served, web: TestClient, seed_served: Seeder
) -> None:
    item = seed_served.submission(face="blur", variants=BLURRED, faces=2)
    token = signed_in(web, person(served.db, served.clock, "admin"))
    assert LABEL in web.get(f"/admin/items/{item.id}").text  # beside "The blur covers every face"
    answer = upload(web, item.id, item.media[0].id, jpeg(colour=(0, 200, 0)), token)
    assert answer.status_code == 303
    shown = web.get(f"/admin/media/{item.media[0].id}/blurred").content
    assert shown != item.media[0].files["blurred"]
    with Image.open(io.BytesIO(shown)) as im:
        red, green, _ = im.convert("RGB").getpixel((5, 5))
    assert green > 150 and red < 50
    assert check_of(served, item.id)[0] == "corrected"


def test_a_viewer_sees_no_upload_form_and_may_not_post_one(
    served: Served, web: TestClient, seed_served: Seeder
) -> None:
    item = seed_served.submission(face="blur", variants=BLURRED)
    before = stored_files(served)
    token = signed_in(web, person(served.db, served.clock, "viewer"))
    assert FORM not in web.get(f"/admin/items/{item.id}").text
    answer = upload(web, item.id, item.media[0].id, jpeg(), token)
    assert answer.status_code == 403 and "reviewer" in answer.text
    assert stored_files(served) == before and check_of(served, item.id) == (None, None)


def test_without_the_forms_token_nothing_is_stored(
    served: Served, web: TestClient, seed_served: Seeder
) -> None:
    item = seed_served.submission(face="blur", variants=BLURRED)
    before = stored_files(served)
    signed_in(web, person(served.db, served.clock, "reviewer"))
    for token in (None, "not-the-sessions-token"):
        answer = upload(web, item.id, item.media[0].id, jpeg(), token)
        assert answer.status_code == 403 and "reload the page" in answer.text
    assert stored_files(served) == before and check_of(served, item.id) == (None, None)
    assert (
        web.get(f"/admin/media/{item.media[0].id}/blurred").content
        == (item.media[0].files["blurred"])
    )


@pytest.mark.parametrize(
    ("name", "data", "status", "reason", "words"),
    [
        (
            "page.jpg",
            b"<!doctype html><script>alert(1)</script>",
            415,
            "unsupported_type",
            "not a photo",
        ),
        ("noise.jpg", bytes(range(256)) * 40, 415, "unsupported_type", "not a photo"),
        ("cut.jpg", (PHOTOS / "astronaut.jpg").read_bytes()[:5000], 422, "corrupt", "damaged"),
        ("bomb.png", png_bomb(30_000, 30_000), 422, "too_many_pixels", "too many pixels"),
        ("empty.jpg", b"", 422, "empty", "the file is empty"),
    ],
)
def test_a_hostile_or_broken_file_is_refused_with_its_reason_and_changes_nothing(
    served: Served,
    web: TestClient,
    seed_served: Seeder,
    name: str,
    data: bytes,
    status: int,
    reason: str,
    words: str,
) -> None:
    item = seed_served.submission(face="blur", variants=BLURRED)
    media_id = item.media[0].id
    before = stored_files(served)
    token = signed_in(web, person(served.db, served.clock, "reviewer"))

    answer = upload(web, item.id, media_id, data, token, name=name)

    assert answer.status_code == status
    message = alert(answer.text)
    assert message.startswith("Photo 1: the corrected blurred image was not saved")
    assert words in message and f"({reason}:" not in message  # plain words, no internal code
    assert "the previous blurred image (if any) is kept" in message
    assert LABEL in answer.text  # the form is right there to try again
    assert stored_files(served) == before and check_of(served, item.id) == (None, None)
    assert web.get(f"/admin/media/{media_id}/blurred").content == item.media[0].files["blurred"]


def test_a_form_without_a_file_asks_for_one(
    served: Served, web: TestClient, seed_served: Seeder
) -> None:
    item = seed_served.submission(face="blur", variants=BLURRED)
    token = signed_in(web, person(served.db, served.clock, "reviewer"))
    answer = upload(web, item.id, item.media[0].id, b"", token, name="")
    assert answer.status_code == 422 and "choose an image file first" in alert(answer.text)
    urlencoded = web.post(
        f"/admin/items/{item.id}/media/{item.media[0].id}/blurred", data={"csrf_token": token}
    )
    assert urlencoded.status_code == 400 and "not sent as a file upload" in alert(urlencoded.text)
    assert check_of(served, item.id) == (None, None)


def test_a_video_is_refused_with_a_message(
    served: Served, web: TestClient, seed_served: Seeder
) -> None:
    item = seed_served.submission(face="blur", variants=("original", "thumbnail"), faces=None)
    with served.db.write() as s:
        s.execute(update(Media).where(Media.id == item.media[0].id).values(kind="video"))  # type: ignore[arg-type]
    before = stored_files(served)
    token = signed_in(web, person(served.db, served.clock, "reviewer"))
    assert FORM not in web.get(f"/admin/items/{item.id}").text
    answer = upload(web, item.id, item.media[0].id, jpeg(), token)
    assert answer.status_code == 409
    assert "a video cannot be replaced by an image" in alert(answer.text)
    assert stored_files(served) == before


def test_a_show_photo_has_no_form_and_takes_no_upload(
    served: Served, web: TestClient, seed_served: Seeder
) -> None:
    item = seed_served.submission(face="show", variants=BLURRED, faces=2)
    token = signed_in(web, person(served.db, served.clock, "reviewer"))
    assert FORM not in web.get(f"/admin/items/{item.id}").text
    answer = upload(web, item.id, item.media[0].id, jpeg(), token)
    assert answer.status_code == 409 and "nothing to blur" in alert(answer.text)


def test_a_photo_of_another_submission_is_not_found(
    served: Served, web: TestClient, seed_served: Seeder
) -> None:
    mine = seed_served.submission(face="blur", variants=BLURRED)
    other = seed_served.submission(face="blur", variants=BLURRED)
    before = stored_files(served)
    token = signed_in(web, person(served.db, served.clock, "reviewer"))
    for submission_id, media_id in (
        (mine.id, other.media[0].id),
        (mine.id, "01JD0000000000000000000000"),
        ("01JD0000000000000000000000", mine.media[0].id),
        ("bad id!", mine.media[0].id),
    ):
        answer = upload(web, submission_id, media_id, jpeg(), token)
        assert answer.status_code == 404, (submission_id, media_id)
        assert answer.headers["content-type"].startswith("text/html")
    assert stored_files(served) == before
    assert check_of(served, mine.id) == (None, None) and check_of(served, other.id) == (None, None)
    # The photo with its own submission is taken: the 404s above were about the pairing.
    assert upload(web, mine.id, mine.media[0].id, jpeg(), token).status_code == 303
    assert check_of(served, other.id) == (None, None)


@pytest.fixture
def small_served(database_url: str, tmp_path: Path, clock: FakeClock) -> Iterator[Served]:
    """create_app() as `genba serve` builds it, with a 100 kB media limit."""
    services = services_for_test(database_url, tmp_path, clock, GENBA_MAX_IMAGE_BYTES="100000")
    yield serve(services, clock)
    services.close()


class TestTooLarge:
    def test_a_file_over_the_media_limit_gets_a_413_page_and_nothing_is_kept(
        self, small_served: Served, tmp_path: Path
    ) -> None:
        seed = seeder_for(small_served, tmp_path)
        item = seed.submission(face="blur", variants=BLURRED)
        media_id = item.media[0].id
        before = stored_files(small_served)
        scratch = small_served.services.settings.tmp_dir
        with TestClient(small_served.app, raise_server_exceptions=False) as web:
            token = signed_in(web, person(small_served.db, small_served.clock, "reviewer"))
            # Far over: refused by the body cap before a byte is read; just over: by the
            # sanitiser (the cap leaves room for the form around the file).
            for extra, words in ((300_000, "larger than 100 kB"), (10, "the file is too large")):
                big = jpeg(size=(400, 300)) + b"\x00" * (100_000 + extra)
                answer = upload(web, item.id, media_id, big[: 100_000 + extra], token)
                assert answer.status_code == 413, extra
                assert answer.headers["content-type"].startswith("text/html")
                message = alert(answer.text)
                assert message.startswith("Photo 1: the corrected blurred image was not saved")
                assert words in message, message
                assert "the previous blurred image (if any) is kept" in message
            # The same refusal for a body sent without a length (chunked), counted as it comes.
            answer = web.post(
                f"/admin/items/{item.id}/media/{media_id}/blurred",
                content=form_of(token, [b"\x00" * 50_000] * 10),
                headers={"Content-Type": "multipart/form-data; boundary=xyz"},
            )
            assert answer.status_code == 413 and "larger than 100 kB" in alert(answer.text)
            # A viewer still gets their 403 first, whatever the size.
            web.post("/admin/sign-out", data={"csrf_token": token})
            viewer = signed_in(web, person(small_served.db, small_served.clock, "viewer"))
            huge = upload(web, item.id, media_id, b"\x00" * 500_000, viewer)
            assert huge.status_code == 403
        assert stored_files(small_served) == before
        assert not scratch.exists() or list(scratch.iterdir()) == []  # no upload left behind
        with small_served.db.read() as s:
            assert submissions.get(s, item.id).media[0].media.face_check is None  # type: ignore[union-attr]

    def test_the_form_states_the_limit_its_script_checks_with_the_413_pages_words(
        self, small_served: Served, tmp_path: Path
    ) -> None:
        item = seeder_for(small_served, tmp_path).submission(face="blur", variants=BLURRED)
        with TestClient(small_served.app, raise_server_exceptions=False) as web:
            token = signed_in(web, person(small_served.db, small_served.clock, "reviewer"))
            answer = web.get(f"/admin/items/{item.id}")
            page = answer.text
            # The script is the project's own file, allowed by the page's policy (no inline).
            script = web.get("/admin/static/upload-check.js")
            big = jpeg(size=(400, 300)) + b"\x00" * 400_000
            refused = upload(web, item.id, item.media[0].id, big, token)
        assert "of at most 100 kB" in page  # said without JavaScript, too
        assert 'data-max-bytes="100000"' in page
        assert '<script src="/admin/static/upload-check.js" defer></script>' in page
        assert "script-src" not in answer.headers["content-security-policy"]
        assert "default-src 'self'" in answer.headers["content-security-policy"]
        assert script.status_code == 200 and "javascript" in script.headers["content-type"]
        assert 'data-message="blurred-size-1"' in page and 'id="blurred-size-1"' in page
        said = re.search(r'data-too-large="([^"]*)"', page)
        assert said is not None and refused.status_code == 413
        assert html.unescape(said.group(1)) == html.unescape(alert(refused.text))

    def test_other_forms_keep_the_small_cap(self, small_served: Served) -> None:
        with TestClient(small_served.app, raise_server_exceptions=False) as web:
            answer = web.post("/admin/sign-in", content=b"x" * 40_000)
            assert answer.status_code == 413


class TestBodyCap:
    """What the server reads of an oversized page upload (the app as served, 100 kB limit)."""

    def cookie(self, served: Served) -> str:
        with TestClient(served.app) as web:
            signed_in(web, person(served.db, served.clock, "reviewer"))
            value = web.cookies.get("genba_session")
        assert value
        return f"genba_session={value}"

    async def test_a_declared_oversized_form_gets_the_413_page_unread(
        self, small_served: Served, tmp_path: Path
    ) -> None:
        item = seeder_for(small_served, tmp_path).submission(face="blur", variants=BLURRED)
        path = f"/admin/items/{item.id}/media/{item.media[0].id}/blurred"
        size = 200 * 1024 * 1024
        headers = {
            "cookie": self.cookie(small_served),
            "content-type": "multipart/form-data; boundary=xyz",
            "content-length": str(size),
        }
        r = await exchange(small_served.app, "POST", path, body=chunks(size), headers=headers)
        assert r.status == 413 and r.consumed == 0
        assert r.headers["content-type"].startswith("text/html")
        assert "larger than 100 kB" in r.body.decode()
        # Without a session: the sign-in page, and still not a byte read.
        del headers["cookie"]
        r = await exchange(small_served.app, "POST", path, body=chunks(size), headers=headers)
        assert r.status == 303 and r.consumed == 0

    async def test_a_streamed_form_is_cut_off_near_the_cap(
        self, small_served: Served, tmp_path: Path
    ) -> None:
        item = seeder_for(small_served, tmp_path).submission(face="blur", variants=BLURRED)
        headers = {
            "cookie": self.cookie(small_served),
            "content-type": "multipart/form-data; boundary=xyz",
        }
        r = await exchange(
            small_served.app,
            "POST",
            f"/admin/items/{item.id}/media/{item.media[0].id}/blurred",
            body=form_of("t", chunks(200 * 1024 * 1024, 4096)),
            headers=headers,
        )
        assert r.status == 413 and "larger than 100 kB" in r.body.decode()
        assert r.consumed <= 100_000 + WRAPPING + 4096
