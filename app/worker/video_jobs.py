"""Video jobs: wait for LINE to prepare the video, fetch it, remux it clean, store it.

A video goes through the same media job as a photo (one row, one job): `handle_any_media` sends
videos here and photos to `media_jobs.handle_media`. LINE prepares a video before it can be
downloaded; while its transcoding status is `processing` the job comes back later.
"""

from __future__ import annotations

import logging

from app.worker.base import JobEnv, RetryLater
from app.worker.media_jobs import FINAL_STATUS, handle_media, scratch_folder
from app.worker.media_notice import finish_media
from media.errors import MediaRejected, Reason
from media.limits import ImageLimits
from media.thumbnails import make_thumbnail
from media.video import VideoLimits, sanitize_video
from storage import jobs
from storage import media as media_repo
from storage import media_outcomes as outcomes
from storage.blobs import media_prefix
from storage.drafts import purge_payload
from storage.jobs import ClaimedJob, JobSpec
from storage.media import StoredVariant
from storage.states import MediaStatus
from webhooks.line_api import ContentUnavailable

log = logging.getLogger("genba.media")


def handle_any_media(job: ClaimedJob, env: JobEnv) -> None:
    """Run the media job of a photo or of a video."""
    with env.services.db.read() as session:
        row = media_repo.get(session, str(job.payload["media_id"]))
    if row is not None and row.kind == "video":
        return handle_video(job, env)
    return handle_media(job, env)


def handle_video(job: ClaimedJob, env: JobEnv) -> None:
    """Fetch, check, remux and store one video with a poster-frame thumbnail."""
    services = env.services
    media_id = str(job.payload["media_id"])
    with services.db.read() as session:
        row = media_repo.get(session, media_id)
    if row is None or row.status != MediaStatus.PENDING:
        return None
    assert services.line is not None, "the worker needs a LINE client"
    settings = services.settings
    limits = VideoLimits(
        max_bytes=settings.max_video_bytes,
        max_seconds=float(settings.max_video_seconds),
        max_pixels=settings.max_image_pixels,
    )
    image_limits = ImageLimits(max_pixels=settings.max_image_pixels)
    try:
        state = services.line.transcoding(row.line_message_id)
        if state == "processing":
            # The queue's backoff: a long video may take LINE minutes, and each try counts.
            raise RetryLater("LINE is still preparing the video")
        if state == "failed":
            finish_media(env, media_id, MediaStatus.FAILED, Reason.TRANSCODING_FAILED.value)
            return None
        with scratch_folder(settings.tmp_dir / media_id) as work:
            services.line.download(
                row.line_message_id,
                work / "download",
                max_bytes=limits.max_bytes,
                should_stop=env.should_stop,
            )
            try:
                video = sanitize_video(work / "download", work, limits=limits)
                thumb = make_thumbnail(video.poster, work / "thumbnail.jpg", limits=image_limits)
            except MediaRejected as exc:
                finish_media(env, media_id, MediaStatus.FAILED, exc.reason.value)
                log.warning("video %s rejected: %s", media_id, exc.detail)
                return None
            stored = []
            for name, path, ctype, size, width, height, sha in (
                ("original", video.path, video.content_type, video.byte_count, video.width,
                 video.height, video.sha256),
                ("thumbnail", thumb.path, thumb.content_type, thumb.byte_count, thumb.width,
                 thumb.height, thumb.sha256),
            ):  # fmt: skip
                key = f"{media_prefix(media_id)}{name}"
                services.blobs.put_file(key, path)
                stored.append(StoredVariant(name, key, ctype, size, width, height, sha))
    except ContentUnavailable as exc:
        if exc.retryable:
            raise RetryLater(str(exc)) from None
        finish_media(env, media_id, FINAL_STATUS.get(exc.reason, MediaStatus.FAILED), exc.reason)
        return None
    now = services.clock()
    with services.db.write() as session:
        ready = media_repo.mark_ready(session, media_id, stored, now=now)
        if ready:
            outcomes.set_duration(session, media_id, video.duration_ms)
        else:
            jobs.enqueue(
                session,
                JobSpec(kind=jobs.PURGE, payload=purge_payload([media_id])),
                now=now,
                max_attempts=settings.job_max_attempts,
            )
    if ready:
        log.info("video %s ready (%d bytes, %d ms)", media_id, video.byte_count, video.duration_ms)
    else:
        services.doorbell.ring()
    return None
