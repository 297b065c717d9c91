"""Media jobs: fetch a photo from LINE, make it safe, store its variants; and purge files.

The download goes to a temporary file next to the media store; the variants (sanitised original,
thumbnail, and blurred ones where faces were found: app/worker/photo_variants.py) are stored
under keys derived from the media id, so a re-run after a crash replaces
the same files instead of leaving orphans. If the photo was withdrawn while it was being
fetched, the files just written are purged again.
"""

from __future__ import annotations

import contextlib
import logging
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

from app.services import Services
from app.worker.base import JobEnv, RetryLater
from app.worker.media_notice import finish_media
from app.worker.photo_variants import make_photo_files
from media.errors import MediaRejected
from media.limits import ImageLimits
from storage import jobs
from storage import media as media_repo
from storage.blobs import media_prefix
from storage.drafts import purge_payload
from storage.jobs import ClaimedJob, JobSpec
from storage.media import StoredVariant
from storage.private import make_folder
from storage.states import MediaStatus
from webhooks.line_api import ContentUnavailable

log = logging.getLogger("genba.media")

# What a refused download means for the media row.
FINAL_STATUS = {
    "expired": MediaStatus.EXPIRED,
    "deleted": MediaStatus.DELETED,
    "too_large": MediaStatus.FAILED,
    "refused": MediaStatus.FAILED,
}


def handle_media(job: ClaimedJob, env: JobEnv) -> None:
    """Fetch, sanitise and store one photo."""
    services = env.services
    media_id = str(job.payload["media_id"])
    with services.db.read() as session:
        row = media_repo.get(session, media_id)
    if row is None or row.status != MediaStatus.PENDING:
        return None  # withdrawn, discarded or already done: nothing to do
    assert services.line is not None, "the worker needs a LINE client"
    settings = services.settings
    limits = ImageLimits(max_bytes=settings.max_image_bytes, max_pixels=settings.max_image_pixels)
    with scratch_folder(settings.tmp_dir / media_id) as work:
        try:
            services.line.download(
                row.line_message_id,
                work / "download",
                max_bytes=limits.max_bytes,
                should_stop=env.should_stop,
            )
        except ContentUnavailable as exc:
            if exc.retryable:
                raise RetryLater(str(exc)) from None
            finish_media(
                env, media_id, FINAL_STATUS.get(exc.reason, MediaStatus.FAILED), exc.reason
            )
            return None
        assert services.faces is not None, "the worker needs the face detector"
        try:
            files = make_photo_files(work / "download", work, services.faces, limits=limits)
        except MediaRejected as exc:
            finish_media(env, media_id, MediaStatus.FAILED, exc.reason.value)
            log.warning("media %s rejected: %s", media_id, exc.detail)
            return None
        stored = []
        for name, variant in files.variants.items():
            key = f"{media_prefix(media_id)}{name}"
            services.blobs.put_file(key, variant.path)
            stored.append(
                StoredVariant(
                    name=name,
                    storage_key=key,
                    content_type=variant.content_type,
                    bytes=variant.byte_count,
                    width=variant.width,
                    height=variant.height,
                    sha256=variant.sha256,
                )
            )
    now = services.clock()
    with services.db.write() as session:
        ready = media_repo.mark_ready(session, media_id, stored, now=now, faces=files.found())
        if not ready:
            # Withdrawn while we were fetching it: the files we just wrote must go too.
            jobs.enqueue(
                session,
                JobSpec(kind=jobs.PURGE, payload=purge_payload([media_id])),
                now=now,
                max_attempts=settings.job_max_attempts,
            )
    if ready:
        log.info(
            "media %s ready (%d bytes, %d faces)",
            media_id,
            files.original.byte_count,
            len(files.faces),
        )
    else:
        services.doorbell.ring()
    return None


@contextmanager
def scratch_folder(folder: Path) -> Iterator[Path]:
    """An empty folder for one media job, removed afterwards.

    Named after the media id, so a run after a crash starts by removing what the crashed run
    left: the raw download still carries the sender's EXIF and location.
    """
    shutil.rmtree(folder, ignore_errors=True)
    make_folder(folder)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def sweep_scratch(services: Services, *, older_than: timedelta) -> int:
    """Remove scratch folders no live job can own any more (left by a crash); returns how many."""
    root = services.settings.tmp_dir
    if not root.is_dir():
        return 0
    cutoff = time.time() - older_than.total_seconds()
    removed = 0
    for entry in root.iterdir():
        with contextlib.suppress(OSError):
            if entry.stat().st_mtime >= cutoff:
                continue
            if entry.is_dir():
                shutil.rmtree(entry)
            else:
                entry.unlink()
            removed += 1
    return removed


def give_up_media(job: ClaimedJob, env: JobEnv, reason: str) -> None:
    """After the last attempt, show the PR team that this photo could not be fetched."""
    finish_media(env, str(job.payload["media_id"]), MediaStatus.FAILED, f"gave up: {reason}"[:200])


def handle_purge(job: ClaimedJob, env: JobEnv) -> None:
    """Delete every stored file of the given media items (idempotent)."""
    ids = [str(i) for i in job.payload["media_ids"]]
    removed = sum(env.services.blobs.delete_prefix(media_prefix(i)) for i in ids)
    log.info("purged %d files of %d media items", removed, len(ids))
    return None
