"""The long-lived objects the app and the worker share, built once by the factory."""

from __future__ import annotations

from dataclasses import dataclass, field

from app.clock import Clock, system_clock
from app.doorbell import Doorbell
from app.folders import prepare_folders
from app.settings import Settings
from storage.blobs import BlobStore, LocalBlobStore
from storage.db import Database
from webhooks.i18n import Catalogue, load_catalogue
from webhooks.line_api import LineApi, SdkLineApi


@dataclass
class Services:
    """Settings, database, LINE client, media store, clock and the bot's words."""

    settings: Settings
    db: Database
    line: LineApi | None
    blobs: BlobStore
    catalogue: Catalogue
    clock: Clock = system_clock
    doorbell: Doorbell = field(default_factory=Doorbell)

    def close(self) -> None:
        """Release connections."""
        if self.line is not None:
            self.line.close()
        self.db.dispose()


def build_services(
    settings: Settings,
    *,
    line: LineApi | None = None,
    clock: Clock | None = None,
) -> Services:
    """Build the services from settings; fakes can be handed in instead of the real clients."""
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
        blobs=LocalBlobStore(settings.media_dir),
        catalogue=load_catalogue(),
        clock=clock or system_clock,
    )
