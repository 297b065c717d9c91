"""A media job that dies between storing its files and recording them leaves nothing behind."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, SQLModel

from app.services import Services
from app.settings import load_settings
from app.worker.base import JobEnv
from app.worker.kinds import build_worker, sweep_at_start
from app.worker.media_jobs import give_up_media, handle_media
from media import FaceDetector
from storage import contributors, drafts
from storage import media as media_repo
from storage.blobs import BlobStore, LocalBlobStore
from storage.db import Database
from storage.jobs import ClaimedJob
from storage.s3_blobs import S3BlobStore
from tests.e2e.photos import phone_jpeg
from webhooks.i18n import load_catalogue
from webhooks.line_api import Download, Profile


class Died(BaseException):
    """The process stopped here (BaseException: no handler may take it for a job failure)."""


class MortalDatabase(Database):
    """A database whose next write transaction never happens, as if the process died first."""

    die_at_next_write = False

    @contextmanager
    def write(self) -> Iterator[Session]:
        if self.die_at_next_write:
            self.die_at_next_write = False
            raise Died
        with super().write() as session:
            yield session


class PhotoLine:
    """LINE's content endpoint, serving a phone photo for every message id."""

    def download(
        self, message_id: str, dest: Path, *, max_bytes: int, should_stop: Callable[[], bool]
    ) -> Download:
        data = phone_jpeg()
        dest.write_bytes(data)
        return Download(path=dest, bytes=len(data), content_type="image/jpeg")

    def reply(self, reply_token: str, messages: Sequence[dict[str, Any]]) -> None:
        raise AssertionError("not used")

    def profile(self, user_id: str) -> Profile | None:
        return None

    def close(self) -> None:
        pass


@pytest.fixture(params=["folder", "s3"])
def blobs(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[BlobStore]:
    if request.param == "folder":
        store: BlobStore = LocalBlobStore(tmp_path / "media")
    else:
        bucket = request.getfixturevalue("s3_bucket")
        store = S3BlobStore(bucket.client, bucket.name, "genba")
    yield store
    store.close()


@pytest.fixture
def env(
    database_url: str, tmp_path: Path, blobs: BlobStore, face_detector: FaceDetector
) -> Iterator[JobEnv]:
    db = MortalDatabase(database_url)
    SQLModel.metadata.create_all(db.engine)
    services = Services(
        settings=load_settings(_env_file=None, GENBA_DATA_DIR=str(tmp_path)),
        db=db,
        line=PhotoLine(),
        blobs=blobs,
        catalogue=load_catalogue(),
        faces=face_detector,
    )
    yield JobEnv(services=services, worker_id="w", should_stop=lambda: False)
    db.dispose()


def pending_photo(services: Services) -> ClaimedJob:
    """A photo attached to a draft, and the media job that fetches it."""
    now = services.clock()
    with services.db.write() as s:
        row, _ = contributors.ensure(s, "U" + "1" * 32, now=now)
        drafts.start(
            s, draft_id="01JDRAFT", code="A1", kind="photo", contributor_id=row.id, now=now
        )
        media_id = drafts.attach_photo(
            s,
            draft_id="01JDRAFT",
            contributor_id=row.id,
            message_id="m1",
            image_set_id=None,
            index=1,
            now=now,
        )
    assert media_id is not None
    return ClaimedJob(
        id=1,
        kind="media",
        payload={"media_id": media_id},
        attempts=1,
        max_attempts=2,
        ordering_key=None,
    )


def stored_keys(blobs: BlobStore) -> list[str]:
    return [i.key for i in blobs.listing()]


def die_between_upload_and_record(env: JobEnv) -> tuple[ClaimedJob, str]:
    job = pending_photo(env.services)
    media_id = str(job.payload["media_id"])
    env.services.db.die_at_next_write = True  # type: ignore[attr-defined]
    with pytest.raises(Died):
        handle_media(job, env)
    assert stored_keys(env.services.blobs) == [
        f"media/{media_id}/original",
        f"media/{media_id}/thumbnail",
    ]
    return job, media_id


# A cut-off a minute ahead: every file written so far is old enough to be judged.
ANY_AGE = -timedelta(minutes=1)


def test_files_of_a_job_that_will_run_again_are_kept_and_then_recorded(env: JobEnv) -> None:
    services = env.services
    job, media_id = die_between_upload_and_record(env)
    sweep_at_start(services, older_than=ANY_AGE)  # the restart
    assert len(stored_keys(services.blobs)) == 2  # still pending: its job runs again
    handle_media(job, env)
    with services.db.read() as s:
        assert media_repo.get(s, media_id).status == "ready"  # type: ignore[union-attr]
        recorded = {v.storage_key for v in media_repo.variants(s, [media_id])[media_id]}
    assert recorded == set(stored_keys(services.blobs))
    sweep_at_start(services, older_than=ANY_AGE)
    assert set(stored_keys(services.blobs)) == recorded


def test_files_of_a_job_that_gave_up_are_swept_at_the_next_start(env: JobEnv) -> None:
    services = env.services
    job, media_id = die_between_upload_and_record(env)
    give_up_media(job, env, "LINE kept failing")
    with services.db.read() as s:
        assert media_repo.get(s, media_id).status == "failed"  # type: ignore[union-attr]
    sweep_at_start(services, older_than=ANY_AGE)
    assert stored_keys(services.blobs) == []


def test_the_worker_sweeps_old_orphans_when_it_starts(
    database_url: str, tmp_path: Path, face_detector: FaceDetector
) -> None:
    db = Database(database_url)
    SQLModel.metadata.create_all(db.engine)
    store = LocalBlobStore(tmp_path / "media")
    services = Services(
        settings=load_settings(
            _env_file=None, GENBA_DATA_DIR=str(tmp_path), GENBA_JOB_LEASE_SECONDS="60"
        ),
        db=db,
        line=None,
        blobs=store,
        catalogue=load_catalogue(),
        faces=face_detector,
    )
    source = tmp_path / "f"
    source.write_bytes(b"x")
    store.put_file("media/01JOLD/original", source)
    store.put_file("media/01JNEW/original", source)
    hour_ago = time.time() - 3600
    os.utime(tmp_path / "media" / "media" / "01JOLD" / "original", (hour_ago, hour_ago))
    worker = build_worker(services)
    assert worker.on_start is not None
    worker.on_start()
    # Two leases (two minutes) is the cut-off: the fresh file may still be a job's.
    assert stored_keys(store) == ["media/01JNEW/original"]
    db.dispose()
