"""What only the S3 store has: a shared bucket, multipart uploads, and S3's own errors."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from storage.blobs import BlobStoreError
from storage.s3_blobs import S3BlobStore
from tests.s3_server import Bucket

MiB = 1024 * 1024


def store_in(bucket: Bucket, prefix: str = "tenant-a/media") -> S3BlobStore:
    return S3BlobStore(bucket.client, bucket.name, prefix)  # type: ignore[arg-type]


def put_raw(bucket: Bucket, key: str, data: bytes = b"theirs") -> None:
    bucket.client.put_object(Bucket=bucket.name, Key=key, Body=data)  # type: ignore[attr-defined]


def test_objects_beside_the_prefix_are_never_listed_or_deleted(s3_bucket: Bucket) -> None:
    store = store_in(s3_bucket)
    foreign = ["tenant-a/media-old/media/a/original", "tenant-b/media/media/a/original", "x"]
    for key in foreign:
        put_raw(s3_bucket, key)
    store.put_stream("media/a/original", io.BytesIO(b"ours"))
    assert [i.key for i in store.listing()] == ["media/a/original"]
    assert store.delete_prefix("media/a") == 1
    assert sorted(s3_bucket.object_keys()) == sorted(foreign)


def test_objects_in_the_prefix_that_genba_never_writes_are_not_listed(s3_bucket: Bucket) -> None:
    store = store_in(s3_bucket)
    put_raw(s3_bucket, "tenant-a/media/media/a/../../x")
    put_raw(s3_bucket, "tenant-a/media/media/a/with space")
    assert list(store.listing()) == []  # so the orphan sweep never deletes them either


def test_a_large_file_goes_up_in_parts_and_a_photo_in_one_put(
    s3_bucket: Bucket, tmp_path: Path
) -> None:
    store = store_in(s3_bucket)
    large, small = tmp_path / "large", tmp_path / "small"
    large.write_bytes(b"v" * (20 * MiB))
    small.write_bytes(b"p" * (5 * MiB))
    store.put_file("media/a/original", large)
    store.put_file("media/b/original", small)

    def etag(key: str) -> str:
        head = s3_bucket.client.head_object(Bucket=s3_bucket.name, Key=f"tenant-a/media/{key}")  # type: ignore[attr-defined]
        return str(head["ETag"]).strip('"')

    assert etag("media/a/original").endswith("-3")  # 8 + 8 + 4 MiB
    assert "-" not in etag("media/b/original")
    assert s3_bucket.unfinished_uploads() == []


def test_a_missing_bucket_is_an_error_not_a_missing_file(s3_bucket: Bucket) -> None:
    store = S3BlobStore(s3_bucket.client, "no-such-bucket-here")  # type: ignore[arg-type]
    for attempt in (
        lambda: store.put_stream("media/a/original", io.BytesIO(b"x")),
        lambda: store.open("media/a/original"),
        lambda: list(store.listing()),
        lambda: store.delete_prefix("media/a"),
    ):
        with pytest.raises(BlobStoreError, match="NoSuchBucket"):
            attempt()
