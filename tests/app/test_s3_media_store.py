"""The S3 media store as the app uses it: chosen by MEDIA_STORE_URL, served by the admin API,
and its credentials never in a log line. moto's S3 server runs on 127.0.0.1."""

from __future__ import annotations

import io
import logging
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.admin.router import mount_admin_api
from app.errors import install_error_handlers
from app.logs import QUIET, configure_logging
from app.services import build_services
from app.settings import load_settings
from storage.blobs import BlobStoreError
from storage.s3_blobs import S3BlobStore, s3_client
from tests.app.conftest import bearer
from tests.s3_server import SECRET_ACCESS_KEY, Bucket

SESSION_TOKEN = "FwoGZXIvYXdzEGenbaSessionToken" + "q" * 40


@pytest.fixture
def blobs(s3_bucket: Bucket) -> Iterator[S3BlobStore]:
    """The admin tests' store, in a bucket (overrides the folder store of tests/app/conftest)."""
    store = S3BlobStore(s3_bucket.client, s3_bucket.name, "acme/media")  # type: ignore[arg-type]
    yield store
    store.close()


def test_build_services_stores_media_in_the_bucket_under_the_prefix(
    s3_bucket: Bucket, tmp_path: Path, database_url: str
) -> None:
    settings = load_settings(
        _env_file=None,
        LINE_CHANNEL_SECRET="s" * 32,
        LINE_CHANNEL_ACCESS_TOKEN="t" * 40,
        DATABASE_URL=database_url,
        GENBA_DATA_DIR=str(tmp_path),
        **s3_bucket.env(prefix="acme/media"),
    )
    services = build_services(settings)
    try:
        assert isinstance(services.blobs, S3BlobStore)
        services.blobs.put_stream("media/01JX/original", io.BytesIO(b"photo"))
        assert s3_bucket.object_keys() == ["acme/media/media/01JX/original"]
        assert settings.tmp_dir == tmp_path / "incoming"
    finally:
        services.close()


def test_the_admin_api_serves_a_photo_from_the_bucket(client, seed, as_role, s3_bucket) -> None:
    s = seed.submission(face="show")
    m = s.media[0]
    assert f"acme/media/media/{m.id}/original" in s3_bucket.object_keys()
    r = client.get(f"/api/v1/media/{m.id}/original", headers=as_role("viewer"))
    assert r.status_code == 200
    assert r.content == m.files["original"]
    assert r.headers["Content-Length"] == str(len(m.files["original"]))
    assert r.headers["Content-Type"] == "image/jpeg"


def test_a_photo_missing_from_the_bucket_is_404(client, seed, as_role, blobs) -> None:
    s = seed.submission()
    blobs.delete_prefix(f"media/{s.media[0].id}/")
    r = client.get(f"/api/v1/media/{s.media[0].id}/original", headers=as_role("viewer"))
    assert r.status_code == 404


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_an_unreachable_store_is_503_with_retry_after(db, seed, clock, role_tokens) -> None:
    s = seed.submission()
    away = S3BlobStore(
        s3_client(
            endpoint_url=f"http://127.0.0.1:{closed_port()}",
            region="us-east-1",
            access_key_id="AKIAEXAMPLE",
            secret_access_key=SECRET_ACCESS_KEY,
        ),
        "genba-media",
    )
    app = FastAPI()
    mount_admin_api(app, db=db, blobs=away, clock=clock)
    install_error_handlers(app)
    with TestClient(app) as c:
        r = c.get(f"/api/v1/media/{s.media[0].id}/original", headers=bearer(role_tokens["viewer"]))
    assert r.status_code == 503
    assert r.headers["Retry-After"]
    assert r.json() == {"detail": "the media store cannot be reached"}


@pytest.fixture
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    saved = (root.handlers[:], root.level, {n: logging.getLogger(n).level for n in QUIET})
    yield
    root.handlers[:], level, quiet = saved
    root.setLevel(level)
    for name, value in quiet.items():
        logging.getLogger(name).setLevel(value)


def test_aws_secrets_never_reach_the_log_even_at_debug(
    s3_bucket: Bucket, tmp_path: Path, capfd: pytest.CaptureFixture[str], restore_logging
) -> None:
    env = s3_bucket.env() | {"AWS_SESSION_TOKEN": SESSION_TOKEN}
    settings = load_settings(
        _env_file=None, GENBA_DATA_DIR=str(tmp_path), GENBA_LOG_LEVEL="DEBUG", **env
    )
    # As `genba serve` does, but with nothing to scrub: the log must be clean on its own.
    configure_logging(settings.log_level, secrets=[])
    services = build_services(settings, line=_NoLine())
    try:
        services.blobs.put_stream("media/01JX/original", io.BytesIO(b"photo"))
        blob = services.blobs.open("media/01JX/original")
        assert blob is not None
        assert blob.read() == b"photo"
        blob.close()
        wrong = S3BlobStore(services.blobs._client, "no-such-bucket-here")  # type: ignore[attr-defined]
        with pytest.raises(BlobStoreError) as err:
            wrong.put_stream("media/01JX/original", io.BytesIO(b"photo"))
        logging.getLogger("genba.test").exception("upload failed", exc_info=err.value)
    finally:
        services.close()
    logged = capfd.readouterr().err
    assert "NoSuchBucket" in logged  # the failure itself is told
    assert SECRET_ACCESS_KEY not in logged
    assert SESSION_TOKEN not in logged
    assert SECRET_ACCESS_KEY not in str(err.value) and SESSION_TOKEN not in str(err.value)


class _NoLine:
    def close(self) -> None:
        pass
