"""The orphan sweep finds stored files no media row keeps, on every store and both databases."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from storage import contributors, drafts, media
from storage.blobs import BlobStore, LocalBlobStore, media_prefix
from storage.db import Database
from storage.orphans import find_orphans, sweep_orphans
from storage.s3_blobs import S3BlobStore

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


@pytest.fixture(params=["folder", "s3"])
def blobs(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[BlobStore]:
    if request.param == "folder":
        store: BlobStore = LocalBlobStore(tmp_path / "media")
    else:
        bucket = request.getfixturevalue("s3_bucket")
        store = S3BlobStore(bucket.client, bucket.name, "genba")
    yield store
    store.close()


def later() -> datetime:
    """A cut-off after every file written so far (stores keep wall-clock times)."""
    return datetime.now(UTC) + timedelta(minutes=1)


class Photos:
    """Media rows made by the bot's own storage functions, and files stored as the job does."""

    def __init__(self, db: Database, blobs: BlobStore) -> None:
        self.db, self.blobs = db, blobs
        with db.write() as s:
            row, _ = contributors.ensure(s, "U" + "0" * 32, now=NOW)
            self.contributor = row.id
        self.n = 0

    def attach(self) -> tuple[str, str]:
        """A draft with one photo still pending: (draft id, media id)."""
        self.n += 1
        draft_id = f"01JDRAFT{self.n:018d}"
        with self.db.write() as s:
            code = drafts.unused_code(s)
            drafts.start(
                s,
                draft_id=draft_id,
                code=code,
                kind="photo",
                contributor_id=self.contributor,
                now=NOW,
            )
            media_id = drafts.attach_photo(
                s,
                draft_id=draft_id,
                contributor_id=self.contributor,
                message_id=f"m{self.n}",
                image_set_id=None,
                index=1,
                now=NOW,
            )
        assert media_id is not None
        return draft_id, media_id

    def upload(self, media_id: str, names=("original", "thumbnail")) -> list[media.StoredVariant]:
        """What handle_media does before it records anything."""
        stored = []
        for name in names:
            data = f"{name} of {media_id}".encode()
            key = f"{media_prefix(media_id)}{name}"
            self.blobs.put_stream(key, io.BytesIO(data))
            stored.append(
                media.StoredVariant(
                    name=name,
                    storage_key=key,
                    content_type="image/jpeg",
                    bytes=len(data),
                    width=1,
                    height=1,
                    sha256=hashlib.sha256(data).hexdigest(),
                )
            )
        return stored

    def record(self, media_id: str, stored: list[media.StoredVariant]) -> None:
        with self.db.write() as s:
            assert media.mark_ready(s, media_id, stored, now=NOW)

    def keys(self) -> list[str]:
        return [i.key for i in self.blobs.listing()]


@pytest.fixture
def photos(db: Database, blobs: BlobStore) -> Photos:
    return Photos(db, blobs)


def test_an_upload_without_its_database_update_is_found_and_removed(
    db: Database, blobs: BlobStore, photos: Photos
) -> None:
    _, media_id = photos.attach()
    photos.upload(media_id)  # ... and the process dies before mark_ready
    # While the media is pending its job will run again and record the files: not orphans.
    assert find_orphans(db, blobs, before=later()) == []
    # The job gives up after its last attempt: now nothing will ever refer to the files.
    with db.write() as s:
        assert media.mark_status(s, media_id, "failed", error="gave up", now=NOW)
    orphans = find_orphans(db, blobs, before=later())
    assert orphans == [f"media/{media_id}/original", f"media/{media_id}/thumbnail"]
    assert sweep_orphans(db, blobs, before=later()) == 2
    assert photos.keys() == []
    assert sweep_orphans(db, blobs, before=later()) == 0


def test_files_of_a_draft_discarded_during_the_upload_are_orphans(
    db: Database, blobs: BlobStore, photos: Photos
) -> None:
    draft_id, media_id = photos.attach()
    stored = photos.upload(media_id)
    with db.write() as s:  # the worker cancelled while the photo was being fetched
        assert drafts.discard(s, draft_id=draft_id, contributor_id=photos.contributor)
        assert not media.mark_ready(s, media_id, stored, now=NOW)
    assert sweep_orphans(db, blobs, before=later()) == 2
    assert photos.keys() == []


def test_recorded_files_and_fetches_in_progress_are_kept(
    db: Database, blobs: BlobStore, photos: Photos
) -> None:
    _, ready = photos.attach()
    photos.record(ready, photos.upload(ready))
    stale = photos.upload(ready, names=("blurred",))  # written by an earlier run, never recorded
    _, fetching = photos.attach()
    photos.upload(fetching, names=("original",))
    _, withdrawn = photos.attach()
    photos.record(withdrawn, photos.upload(withdrawn))
    with db.write() as s:
        drafts.withdraw_photo(s, message_id="m3", contributor_id=photos.contributor, now=NOW)

    orphans = find_orphans(db, blobs, before=later())
    assert sorted(orphans) == sorted(
        [stale[0].storage_key, f"media/{withdrawn}/original", f"media/{withdrawn}/thumbnail"]
    )
    sweep_orphans(db, blobs, before=later())
    assert photos.keys() == sorted(
        [f"media/{ready}/original", f"media/{ready}/thumbnail", f"media/{fetching}/original"]
    )


def test_files_newer_than_the_cut_off_are_left_alone(
    db: Database, blobs: BlobStore, photos: Photos
) -> None:
    cut_off = datetime.now(UTC) - timedelta(hours=1)
    blobs.put_stream("media/01JNOROWATALL000000000000/original", io.BytesIO(b"x"))
    assert find_orphans(db, blobs, before=cut_off) == []
    assert sweep_orphans(db, blobs, before=cut_off) == 0
    assert photos.keys() == ["media/01JNOROWATALL000000000000/original"]
    assert find_orphans(db, blobs, before=later()) == ["media/01JNOROWATALL000000000000/original"]


def test_many_orphans_are_swept_in_batches(db: Database, blobs: BlobStore, photos: Photos) -> None:
    _, kept = photos.attach()
    photos.record(kept, photos.upload(kept))
    for i in range(11):
        blobs.put_stream(f"media/01JGONE{i:019d}/original", io.BytesIO(b""))
    # Batches of 4 keys: the kept files share a batch with orphans, and the last one is short.
    assert sweep_orphans(db, blobs, before=later(), batch_size=4) == 11
    assert photos.keys() == [f"media/{kept}/original", f"media/{kept}/thumbnail"]
