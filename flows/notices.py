"""The one push a worker gets when photos or videos of theirs could not be used; pure.

Each reason is a media row's stored code (`media.errors.Reason`, or a download outcome such as
`expired`). Failures of one submission told together become one push: one message per kind of
trouble (too big, unreadable, lost), each with how many files it hit and what to do about it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from flows.keys import Key
from flows.types import Reply

TOO_BIG = frozenset({"too_large", "too_long", "too_many_pixels", "too_complex"})
LOST = frozenset({"expired", "refused", "transcoding_failed"})
_ORDER = (Key.NOTICE_MEDIA_TOO_BIG, Key.NOTICE_MEDIA_UNREADABLE, Key.NOTICE_MEDIA_LOST)


def notice_key(reason: str | None) -> Key:
    """Which kind of trouble a stored reason is, as the worker is told it."""
    reason = reason or ""
    if reason in TOO_BIG:
        return Key.NOTICE_MEDIA_TOO_BIG
    if reason in LOST or reason.startswith("gave up"):
        return Key.NOTICE_MEDIA_LOST
    return Key.NOTICE_MEDIA_UNREADABLE


def media_notices(
    reasons: Iterable[str | None], *, code: str, max_minutes: int
) -> tuple[Reply, ...]:
    """The messages of one push about the failed files of submission `code` (≤ 3 messages)."""
    counts = Counter(notice_key(r) for r in reasons)
    replies = []
    for key in _ORDER:
        if counts[key]:
            params: dict[str, str | int] = {"code": code, "count": counts[key]}
            if key is Key.NOTICE_MEDIA_TOO_BIG:
                params["minutes"] = max_minutes
            replies.append(Reply(key, params))
    return tuple(replies)
