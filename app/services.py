"""The long-lived objects the app and the worker share, built once by the factory."""

from __future__ import annotations

from dataclasses import dataclass, field

from pydantic import SecretStr

from app.clock import Clock, system_clock
from app.doorbell import Doorbell
from app.folders import prepare_folders
from app.settings import MediaBucket, Settings
from media import FaceDetector
from storage.blobs import BlobStore, LocalBlobStore
from storage.db import Database
from storage.s3_blobs import S3BlobStore, s3_client
from webhooks.i18n import Catalogue, load_catalogue
from webhooks.line_api import LineApi, SdkLineApi


@dataclass
class Services:
    """Settings, database, LINE client, media store, clock, the bot's words, the face detector."""

    settings: Settings
    db: Database
    line: LineApi | None
    blobs: BlobStore
    catalogue: Catalogue
    clock: Clock = system_clock
    doorbell: Doorbell = field(default_factory=Doorbell)
    faces: FaceDetector | None = None
    """Built by `build_worker` for processes that run media jobs (app/worker/kinds.py)."""

    def close(self) -> None:
        """Release connections."""
        if self.line is not None:
            self.line.close()
        self.blobs.close()
        self.db.dispose()


def build_services(
    settings: Settings,
    *,
    line: LineApi | None = None,
    clock: Clock | None = None,
    blobs: BlobStore | None = None,
    faces: FaceDetector | None = None,
) -> Services:
    """Build the services from settings; fakes can be handed in instead of the real clients.

    `faces`: a face detector already loaded (the worker loads one otherwise, once per process).
    """
    if line is None:
        _, token = settings.require_line_credentials()
        line = SdkLineApi(
            token, base_url=settings.line_api_base_url, timeout=settings.line_timeout_seconds
        )
    db = Database(settings.effective_database_url, sqlite_synchronous=settings.sqlite_synchronous)
    prepare_folders(settings)
    return Services(
        settings=settings,
        db=db,
        line=line,
        blobs=blobs or media_store(settings),
        catalogue=load_catalogue(),
        clock=clock or system_clock,
        faces=faces,
    )


def media_store(settings: Settings) -> BlobStore:
    """The store MEDIA_STORE_URL names: a folder, or a bucket reached with the AWS_* settings."""
    where = settings.media_store
    if not isinstance(where, MediaBucket):
        return LocalBlobStore(where.path)
    client = s3_client(
        endpoint_url=settings.aws_endpoint_url,
        region=settings.aws_region,
        access_key_id=_secret(settings.aws_access_key_id),
        secret_access_key=_secret(settings.aws_secret_access_key),
        session_token=_secret(settings.aws_session_token),
    )
    return S3BlobStore(client, where.bucket, where.prefix)


def _secret(value: SecretStr | None) -> str | None:
    return None if value is None else value.get_secret_value()
