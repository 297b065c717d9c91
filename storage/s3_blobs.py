"""The media store in an S3-compatible bucket (AWS S3, MinIO, Ceph, R2 ...), through boto3.

Keys live under the configured prefix, one prefix per media item as in the folder store. A reader
never sees half a file: a PUT, and the completion of a multipart upload, make the whole object
visible at once, and boto3's transfer manager aborts a multipart upload that fails, so no parts
linger unseen. Files go up from disk part by part and come down in chunks, never whole in memory.
Credentials are handed to boto3 and never logged or put in an error message by this module.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import boto3
from boto3.exceptions import Boto3Error
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from storage.blobs import (
    KEY,
    BlobInfo,
    BlobStoreError,
    InvalidKey,
    OpenBlob,
    Readable,
    check_key,
    check_prefix,
)

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

MiB = 1024 * 1024
# Most phone photos (a few MB) go up in one PUT; larger files in 8 MiB parts (S3 allows parts of
# 5 MiB and up, 10,000 at most: 78 GiB), four at a time. A stream that is not a file holds at
# most four parts in memory.
TRANSFER = TransferConfig(
    multipart_threshold=16 * MiB,
    multipart_chunksize=8 * MiB,
    max_concurrency=4,
    use_threads=True,
)
DELETE_BATCH = 1000  # the most DeleteObjects takes at once
MISSING = frozenset({"404", "NoSuchKey", "NotFound"})


def s3_client(
    *,
    endpoint_url: str | None = None,
    region: str | None = None,
    access_key_id: str | None = None,
    secret_access_key: str | None = None,
    session_token: str | None = None,
) -> S3Client:
    """An S3 client; what is None comes from boto3's usual chain (environment, profile, role)."""
    session = boto3.session.Session(
        aws_access_key_id=access_key_id,
        aws_secret_access_key=secret_access_key,
        aws_session_token=session_token,
        region_name=region,
    )
    config = Config(
        retries={"mode": "standard", "max_attempts": 3},
        connect_timeout=5,
        read_timeout=60,
        # Two media threads with four parts each, plus the admin API's downloads.
        max_pool_connections=16,
        # Servers other than AWS (MinIO, Ceph, moto) seldom have a DNS name per bucket.
        s3={"addressing_style": "path"} if endpoint_url else None,
    )
    return session.client("s3", endpoint_url=endpoint_url, config=config)


class _Body:
    """botocore's streaming body, read the way a file is (-1 means everything)."""

    def __init__(self, body: Any) -> None:
        self._body = body

    def read(self, size: int = -1, /) -> bytes:
        with _translated("read"):
            return cast(bytes, self._body.read(None if size < 0 else size))

    def close(self) -> None:
        self._body.close()


class _FullReads:
    """A stream whose read(n) returns n bytes unless it ends: boto3 takes each read as a part,
    and a short read from a socket would make a part smaller than S3's 5 MiB minimum."""

    def __init__(self, stream: Readable) -> None:
        self._stream = stream

    def read(self, size: int = -1, /) -> bytes:
        if size < 0:
            return b"".join(iter(lambda: self._stream.read(1024 * 1024), b""))
        pieces, wanted = [], size
        while wanted > 0 and (piece := self._stream.read(wanted)):
            pieces.append(piece)
            wanted -= len(piece)
        return b"".join(pieces)


class S3BlobStore:
    """A BlobStore in a bucket, under a prefix (`s3://bucket/prefix`)."""

    def __init__(
        self,
        client: S3Client,
        bucket: str,
        prefix: str = "",
        *,
        transfer: TransferConfig = TRANSFER,
    ) -> None:
        self._client = client
        self.bucket = bucket
        self.prefix = check_prefix(prefix.strip("/"))
        self._transfer = transfer

    def _key(self, key: str) -> str:
        return self.prefix + check_key(key)

    def put_file(self, key: str, source: Path) -> None:
        """Upload a file: one PUT, or a multipart upload read from disk part by part."""
        target = self._key(key)
        with _translated("upload"):
            self._client.upload_file(str(source), self.bucket, target, Config=self._transfer)

    def put_stream(self, key: str, stream: Readable) -> None:
        """Upload what a stream yields; an error while reading it aborts the upload."""
        target = self._key(key)
        with _translated("upload"):
            self._client.upload_fileobj(
                cast(Any, _FullReads(stream)), self.bucket, target, Config=self._transfer
            )

    def open(self, key: str) -> OpenBlob | None:
        """GET the object; its body is read in chunks as the caller asks for them."""
        target = self._key(key)
        try:
            with _translated("download", missing_ok=True):
                found = self._client.get_object(Bucket=self.bucket, Key=target)
        except _Missing:
            return None
        return OpenBlob(int(found["ContentLength"]), _Body(found["Body"]))

    def exists(self, key: str) -> bool:
        """HEAD the object."""
        target = self._key(key)
        try:
            with _translated("look-up", missing_ok=True):
                self._client.head_object(Bucket=self.bucket, Key=target)
        except _Missing:
            return False
        return True

    def delete(self, key: str) -> None:
        """DELETE the object (S3 answers the same whether it existed or not)."""
        target = self._key(key)
        with _translated("delete"):
            self._client.delete_object(Bucket=self.bucket, Key=target)

    def delete_prefix(self, prefix: str) -> int:
        """Delete what a listing of the prefix shows, a thousand keys per request."""
        if not prefix:
            raise InvalidKey("delete_prefix needs a non-empty prefix")
        folder = self.prefix + check_prefix(prefix)
        removed = 0
        with _translated("delete"):
            for page in self._pages(folder):
                keys: list[Any] = [{"Key": item["Key"]} for item in page]
                for start in range(0, len(keys), DELETE_BATCH):
                    batch = keys[start : start + DELETE_BATCH]
                    answer = self._client.delete_objects(
                        Bucket=self.bucket, Delete={"Objects": batch, "Quiet": True}
                    )
                    if answer.get("Errors"):
                        codes = sorted({e.get("Code", "?") for e in answer["Errors"]})
                        raise BlobStoreError(f"media store: delete refused ({', '.join(codes)})")
                    removed += len(batch)
        return removed

    def listing(self, prefix: str = "") -> Iterator[BlobInfo]:
        """List the objects under a prefix (S3 lists in key order, a thousand per page)."""
        folder = self.prefix + check_prefix(prefix)
        with _translated("listing"):
            for page in self._pages(folder):
                for item in page:
                    key = item["Key"][len(self.prefix) :]
                    if not KEY.match(key) or ".." in key:
                        continue  # not written by genba: never touched
                    yield BlobInfo(
                        key=key,
                        size=int(item["Size"]),
                        modified=item["LastModified"].astimezone(UTC),
                    )

    def _pages(self, prefix: str) -> Iterator[list[Any]]:
        paginator = self._client.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=prefix):
            yield list(page.get("Contents", []))

    def close(self) -> None:
        """Close the client's connections."""
        self._client.close()


class _Missing(Exception):
    """The object does not exist (a 404 from S3)."""


@contextmanager
def _translated(operation: str, *, missing_ok: bool = False) -> Iterator[None]:
    """S3 failures as BlobStoreError naming the operation and S3's error code, nothing more."""
    try:
        yield
    except ClientError as exc:
        code = str(exc.response.get("Error", {}).get("Code", "?"))
        if missing_ok and code in MISSING:
            raise _Missing from None
        raise BlobStoreError(f"media store: {operation} failed ({code})") from exc
    except (BotoCoreError, Boto3Error) as exc:
        # boto3 wraps an upload's ClientError in S3UploadFailedError: keep only S3's code.
        found = re.search(r"An error occurred \((\w+)\)", str(exc))
        reason = found.group(1) if found else type(exc).__name__
        raise BlobStoreError(f"media store: {operation} failed ({reason})") from exc
