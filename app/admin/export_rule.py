"""Which stored variant of a photo may leave genba in an export: the one place that decides.

Today's rule: a `blur` submission leaves only as its blurred variant, and is "not ready" until
that variant exists; every other face choice leaves as the sanitised original. The media work
will bring its own rule (with the audited admin override for blur originals); the export
calls only `allowed_variant`, so pointing this function at that rule changes every export.
"""

from __future__ import annotations

from storage.models import Submission
from storage.states import MediaStatus
from storage.submissions import MediaRecord


def allowed_variant(submission: Submission, media: MediaRecord) -> str | None:
    """The variant name an export may contain for this photo, or None: "not exportable yet"."""
    if media.media.status != MediaStatus.READY:
        return None
    wanted = "blurred" if submission.face == "blur" else "original"
    return wanted if wanted in media.variants else None
