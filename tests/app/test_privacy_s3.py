"""Export and deletion with the S3 media store (moto's S3 server on 127.0.0.1)."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterator

import pytest
from sqlalchemy import text

from storage import erasure
from storage.s3_blobs import S3BlobStore, s3_client
from tests.app.test_s3_media_store import closed_port
from tests.s3_server import SECRET_ACCESS_KEY, Bucket


@pytest.fixture
def blobs(s3_bucket: Bucket) -> Iterator[S3BlobStore]:
    """The admin tests' store, in a bucket (overrides the folder store of tests/app/conftest)."""
    store = S3BlobStore(s3_bucket.client, s3_bucket.name, "acme/media")  # type: ignore[arg-type]
    yield store
    store.close()


def keys(blobs: S3BlobStore) -> list[str]:
    return [b.key for b in blobs.listing()]


def test_an_export_streams_photos_from_the_bucket(client, seed, as_role) -> None:
    s = seed.submission(status="approved", photos=2)
    r = client.post("/api/v1/exports", json={"ids": [s.id]}, headers=as_role("reviewer"))
    assert r.status_code == 200
    z = zipfile.ZipFile(io.BytesIO(r.content))
    assert z.read(f"{s.code}/{s.code}-2-original.jpg") == s.media[1].files["original"]


def test_a_deletion_removes_the_objects_from_the_bucket(db, blobs, clock, seed) -> None:
    gone = seed.submission(status="approved", photos=2)
    kept = seed.submission(status="approved")
    done = erasure.erase_worker(db, blobs, gone.contributor_id, actor="admin", now=clock())
    assert done.files == 4
    left = keys(blobs)
    assert not [k for k in left if any(m.id in k for m in gone.media)]
    assert set(kept.media[0].keys.values()) <= set(left)


def test_with_the_store_unreachable_the_rows_go_and_a_purge_job_keeps_the_files_in_mind(
    db, blobs, clock, seed
) -> None:
    gone = seed.submission(status="approved")
    away = S3BlobStore(
        s3_client(
            endpoint_url=f"http://127.0.0.1:{closed_port()}",
            region="us-east-1",
            access_key_id="AKIAEXAMPLE",
            secret_access_key=SECRET_ACCESS_KEY,
        ),
        "genba-media",
    )
    done = erasure.erase_worker(db, away, gone.contributor_id, actor="admin", now=clock())
    away.close()
    assert done.found and done.files == 0
    with db.read() as s:
        payloads = s.execute(text("SELECT payload FROM job WHERE kind = 'purge'")).scalars().all()
        assert s.execute(text("SELECT count(*) FROM submission")).scalar() == 0
    (payload,) = payloads
    assert json.loads(payload)["media_ids"] == [gone.media[0].id]
