"""Which handler runs which kind of job."""

from __future__ import annotations

from datetime import timedelta

from app.clock import system_clock
from app.services import Services
from app.worker.conversation import give_up_event, handle_event
from app.worker.media_jobs import give_up_media, handle_media, handle_purge, sweep_scratch
from app.worker.profiles import handle_profile
from app.worker.pushes import give_up_push, handle_push
from app.worker.replies import give_up_reply, handle_reply
from app.worker.runner import Worker
from storage import jobs
from storage.orphans import sweep_orphans


def build_worker(services: Services, *, name: str | None = None) -> Worker:
    """A worker wired with every job kind's handler."""
    lease = timedelta(seconds=services.settings.job_lease_seconds)
    return Worker(
        services,
        {
            jobs.EVENT: handle_event,
            jobs.REPLY: handle_reply,
            jobs.PROFILE: handle_profile,
            jobs.MEDIA: handle_media,
            jobs.PURGE: handle_purge,
            jobs.PUSH: handle_push,
        },
        give_up={
            jobs.EVENT: give_up_event,
            jobs.MEDIA: give_up_media,
            jobs.REPLY: give_up_reply,
            jobs.PUSH: give_up_push,
        },
        name=name,
        on_start=lambda: sweep_at_start(services, older_than=2 * lease),
    )


def sweep_at_start(services: Services, *, older_than: timedelta) -> None:
    """Remove what a crash left: scratch folders, and stored files no media row keeps."""
    # Older than two leases: no live job can own them any more.
    sweep_scratch(services, older_than=older_than)
    # Stored files carry the store's wall-clock times, whatever clock the app was given.
    sweep_orphans(services.db, services.blobs, before=system_clock() - older_than)
