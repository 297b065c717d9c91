"""The one message a worker gets when a photo or video of theirs could not be used; pure.

The reason is the media row's stored code (`media.errors.Reason`, or a download outcome such as
`expired`); the worker is told what happened in plain words and what they can do about it.
"""

from __future__ import annotations

from flows.keys import Key
from flows.types import Reply

TOO_BIG = frozenset({"too_large", "too_long", "too_many_pixels", "too_complex"})
LOST = frozenset({"expired", "refused", "transcoding_failed"})


def media_notice(reason: str | None, *, code: str, max_minutes: int) -> Reply:
    """The notice for a media item that failed for `reason`, in submission `code`."""
    reason = reason or ""
    if reason in TOO_BIG:
        return Reply(Key.NOTICE_MEDIA_TOO_BIG, {"code": code, "minutes": max_minutes})
    if reason in LOST or reason.startswith("gave up"):
        return Reply(Key.NOTICE_MEDIA_LOST, {"code": code})
    return Reply(Key.NOTICE_MEDIA_UNREADABLE, {"code": code})
