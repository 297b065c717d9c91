"""Which handler runs which kind of job."""

from __future__ import annotations

from datetime import timedelta

from app.clock import system_clock
from app.pushes import monthly
from app.pushes.policy import PushPolicy
from app.pushes.shared_media import MediaLinks
from app.services import Services
from app.worker.conversation import give_up_event, handle_event
from app.worker.media_jobs import give_up_media, handle_purge, sweep_scratch
from app.worker.media_notice import handle_notice
from app.worker.profiles import handle_profile
from app.worker.pushes import give_up_push, handle_push
from app.worker.replies import give_up_reply, handle_reply
from app.worker.runner import Chore, Worker
from app.worker.video_jobs import handle_any_media
from media import load_face_detector
from storage import jobs, retention
from storage.orphans import sweep_orphans


def build_worker(services: Services, *, name: str | None = None) -> Worker:
    """A worker wired with every job kind's handler; builds the face detector if not given."""
    if services.faces is None:
        # Once per process, when it starts (create_app's lifespan, `genba worker`): a missing or
        # altered model file stops the start with a FaceModelError saying how to reinstall it.
        services.faces = load_face_detector()
    lease = timedelta(seconds=services.settings.job_lease_seconds)
    return Worker(
        services,
        {
            jobs.EVENT: handle_event,
            jobs.REPLY: handle_reply,
            jobs.PROFILE: handle_profile,
            jobs.MEDIA: handle_any_media,
            jobs.PURGE: handle_purge,
            jobs.NOTICE: handle_notice,
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
        chores=[Chore("monthly digest", lambda: monthly_digest(services), monthly.CHECK_EVERY)],
    )


def monthly_digest(services: Services) -> str | None:
    """Queue last month's digest if GENBA_DIGEST_DAY says it is due (app/pushes/monthly.py)."""
    settings = services.settings
    return monthly.queue_monthly_digest(
        services.db,
        catalogue=services.catalogue,
        policy=PushPolicy.from_settings(settings),
        links=MediaLinks.for_settings(settings),
        now=services.clock(),
    )


def sweep_at_start(services: Services, *, older_than: timedelta) -> None:
    """Remove what a crash left: scratch folders, and stored files no media row keeps."""
    # Older than two leases: no live job can own them any more.
    sweep_scratch(services, older_than=older_than)
    # Stored files carry the store's wall-clock times, whatever clock the app was given.
    sweep_orphans(services.db, services.blobs, before=system_clock() - older_than)
    days = services.settings.retention_days
    if days is not None:
        # The retention setting also applies at each worker start, not only from cron.
        retention.purge_expired(
            services.db, services.blobs, days=days, now=services.clock(), actor="retention setting"
        )
