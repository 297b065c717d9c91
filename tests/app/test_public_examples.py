"""Example thumbnails at signed, expiring public addresses: only no_face/show examples, ever."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.factory import create_app
from app.public_media import Signer, signer_for
from app.worker.views import example_picture
from storage import media, submissions
from storage.blobs import LocalBlobStore
from storage.states import FaceCheck
from tests.app.conftest import FakeClock, Seeder, services_for_test


@dataclass
class Public:
    client: TestClient
    seed: Seeder
    signer: Signer
    clock: FakeClock


@pytest.fixture
def public(database_url: str, tmp_path: Path, clock: FakeClock) -> Iterator[Public]:
    services = services_for_test(
        database_url, tmp_path, clock, GENBA_PUBLIC_URL="https://bot.example.jp"
    )
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    blobs = services.blobs
    assert isinstance(blobs, LocalBlobStore)
    seed = Seeder(db=services.db, blobs=blobs, clock=clock, scratch=scratch)
    with TestClient(create_app(services, run_worker=False)) as client:
        yield Public(client, seed, signer_for(services.settings), clock)
    services.close()


def example(public: Public, face: str, *, status: str = "approved") -> str:
    made = public.seed.submission(face=face, theme=None, status=status)
    with public.seed.db.write() as s:
        submissions.set_example(s, made.id, example=True, actor="t", now=public.clock())
    return made.media[0].id


def path_of(url: str | None) -> str:
    assert url is not None and url.startswith("https://bot.example.jp/")
    return url.removeprefix("https://bot.example.jp")


def test_a_no_face_example_thumbnail_is_served_without_a_token(public: Public) -> None:
    media_id = example(public, "no_face")
    r = public.client.get(path_of(public.signer.url(media_id, public.clock())))
    assert r.status_code == 200
    assert r.content.startswith(b"thumbnail of") and r.headers["content-type"] == "image/webp"


def test_a_blur_example_is_never_served_even_with_a_valid_signature(public: Public) -> None:
    media_id = example(public, "blur")
    r = public.client.get(path_of(public.signer.url(media_id, public.clock())))
    assert r.status_code == 404


def test_an_address_stops_working_when_it_expires(public: Public) -> None:
    media_id = example(public, "show")
    url = path_of(public.signer.url(media_id, public.clock()))
    assert public.client.get(url).status_code == 200
    public.clock.advance(days=32)
    assert public.client.get(url).status_code == 404


def test_a_guessed_or_altered_address_is_404(public: Public) -> None:
    media_id = example(public, "show")
    url = path_of(public.signer.url(media_id, public.clock()))
    assert public.client.get(url[:-1] + ("0" if url[-1] != "0" else "1")).status_code == 404
    expires = url.split("e=")[1].split("&")[0]
    longer = url.replace(f"e={expires}", f"e={int(expires) + 86400}")
    assert public.client.get(longer).status_code == 404
    assert public.client.get(f"/public/examples/{media_id}.jpg").status_code == 404


def test_unmarking_an_example_takes_the_image_down(public: Public) -> None:
    media_id = example(public, "show")
    url = path_of(public.signer.url(media_id, public.clock()))
    with public.seed.db.write() as s:
        (sid,) = [
            r.submission.id
            for r in submissions.list_page(s, submissions.SubmissionFilter(), limit=5, cursor=None)[
                0
            ]
        ]
        submissions.set_example(s, sid, example=False, actor="t", now=public.clock())
    assert public.client.get(url).status_code == 404


def test_a_not_example_photo_is_404(public: Public) -> None:
    made = public.seed.submission(face="show", theme=None)
    url = path_of(public.signer.url(made.media[0].id, public.clock()))
    assert public.client.get(url).status_code == 404


def test_a_no_face_photo_with_faces_found_is_served_only_blurred_after_its_check(
    public: Public,
) -> None:
    made = public.seed.submission(
        face="no_face",
        theme=None,
        status="approved",
        variants=("original", "thumbnail", "blurred", "blurred_thumb"),
        faces=2,
    )
    media_id = made.media[0].id
    with public.seed.db.write() as s:
        submissions.set_example(s, made.id, example=True, actor="t", now=public.clock())
    address = path_of(public.signer.url(media_id, public.clock()))
    # "No face", yet the detector found two: nothing leaves until a person checked the blur.
    assert public.client.get(address).status_code == 404
    with public.seed.db.read() as s:
        assert example_picture(s, made.id) is None  # the card is text only
    with public.seed.db.write() as s:
        assert media.record_face_check(
            s, media_id, FaceCheck.CONFIRMED, actor="reviewer", now=public.clock()
        )
    r = public.client.get(address)
    assert r.status_code == 200 and r.content == made.media[0].files["blurred_thumb"]
    with public.seed.db.read() as s:
        assert example_picture(s, made.id) == media_id
