"""genba's own folders on this machine, private to the service's user (0700) from the start."""

from __future__ import annotations

from pathlib import Path

from app.settings import MediaFolder, Settings
from storage.private import close_up, make_folder


def own_folders(settings: Settings) -> list[Path]:
    """The folders genba owns: the data folder (when used), the media store, its scratch space."""
    store = settings.media_store
    local_media = isinstance(store, MediaFolder)
    folders = (
        [store.path, settings.tmp_dir] if isinstance(store, MediaFolder) else [settings.tmp_dir]
    )
    # The data folder holds the embedded database, the default media folder, and the scratch
    # space of an S3 store.
    if settings.database_url is None or settings.media_store_url is None or not local_media:
        folders.insert(0, settings.data_dir)
    return folders


def prepare_folders(settings: Settings) -> None:
    """Create genba's folders private, and close up any that an older version left open."""
    for folder in own_folders(settings):
        make_folder(folder)
        close_up(folder)
