"""The face choice, enforced: which variant of a photo may be shown, and which may leave.

The one place that decides, for the media route, the /admin pages, the review service (approve
and publish) and every later way out (exports): they call `allowed_variant` for what may leave
the PR team's hands and `shown_variants` for what the team may look at without the admin's
audited override. docs/faces.md explains the rules.

- `show` (and comment-only): everything may be shown and leave; the face count is information.
- `blur`: only `blurred` / `blurred_thumb`, and they leave only once the check is done: the
  detector found faces and a reviewer confirmed the blur, or a reviewer uploaded a corrected
  blurred image. A photo with no face found (or not counted) needs a human check: it has no
  blurred variant, so the check is done only by an uploaded one.
- `no_face` with faces found (or not counted) is treated like `blur`: "no_face, but 2 faces
  found" needs the same check before anything of it leaves.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

from flows.types import Face
from storage.models import Media
from storage.states import FaceCheck, MediaStatus
from storage.submissions import MediaRecord, SubmissionRecord

BLURRED = "blurred"
BLURRED_THUMB = "blurred_thumb"
Size = Literal["full", "thumbnail"]


class CheckState(StrEnum):
    """Where a photo's face check stands (shown by the API and the pages)."""

    NOT_NEEDED = "not_needed"
    """`show`, or `no_face` with no face found: the original may leave."""
    PENDING = "pending"
    """The photo is not processed yet: faces not counted."""
    TO_CONFIRM = "to_confirm"
    """`blur`, faces found and blurred: a reviewer must confirm the blur covers every face."""
    NEEDS_HUMAN_CHECK = "needs_human_check"
    """`blur` with no face found, or `no_face` with faces found (or either not counted)."""
    DONE = "done"
    """A reviewer confirmed the blur or uploaded a corrected blurred image."""
    GONE = "gone"
    """Failed, expired or deleted: no file of it exists, nothing can leave."""


@dataclass(frozen=True)
class PhotoRule:
    """What the face choice means for one photo."""

    blurred_only: bool
    """Only the blurred variants may be shown or leave; the others need the audited override."""
    check: CheckState
    variants: frozenset[str]

    @property
    def cleared(self) -> bool:
        """Whether this photo lets its submission be approved or published."""
        return self.check in (CheckState.NOT_NEEDED, CheckState.DONE, CheckState.GONE)

    @property
    def can_confirm(self) -> bool:
        """Whether a reviewer may confirm the detector's blur (it exists and found faces)."""
        return self.check in (CheckState.TO_CONFIRM, CheckState.NEEDS_HUMAN_CHECK) and (
            BLURRED in self.variants
        )


def photo_rule(face: str | None, media: Media, variants: Collection[str]) -> PhotoRule:
    """The rule for one photo of a submission whose face choice is `face`."""
    names = frozenset(variants)
    count = media.faces
    blurred_only = face == Face.BLUR or (face == Face.NO_FACE and count != 0)
    if media.status == MediaStatus.PENDING:
        return PhotoRule(blurred_only, CheckState.PENDING, names)
    if media.status != MediaStatus.READY:
        return PhotoRule(blurred_only, CheckState.GONE, names)
    if not blurred_only:
        return PhotoRule(False, CheckState.NOT_NEEDED, names)
    checked = media.face_check in (FaceCheck.CONFIRMED, FaceCheck.CORRECTED)
    if checked and BLURRED in names:
        return PhotoRule(True, CheckState.DONE, names)
    if face == Face.BLUR and count and BLURRED in names:
        return PhotoRule(True, CheckState.TO_CONFIRM, names)
    return PhotoRule(True, CheckState.NEEDS_HUMAN_CHECK, names)


def rule_of(face: str | None, record: MediaRecord) -> PhotoRule:
    """`photo_rule` for a media record as storage.submissions returns it."""
    return photo_rule(face, record.media, record.variants)


def upload_refusal(face: str | None, record: MediaRecord) -> str | None:
    """Why no corrected blurred image may be uploaded for this photo (None: one may)."""
    if record.media.kind == "video":
        # genba does not blur videos: a still image must never stand in for one. A `blur` video
        # is edited outside genba and never leaves it from here (docs/video.md).
        return "a video cannot be replaced by an image: edit it elsewhere"
    rule = rule_of(face, record)
    if rule.check in (CheckState.PENDING, CheckState.GONE):
        return "the photo has no stored file to replace"
    if not rule.blurred_only:
        return "this photo may be published as it is: nothing to blur"
    return None


def shown_variants(face: str | None, record: MediaRecord) -> frozenset[str]:
    """Variants the PR team may look at without the override (the blur before its check, too)."""
    rule = rule_of(face, record)
    if rule.blurred_only:
        return rule.variants & {BLURRED, BLURRED_THUMB}
    return rule.variants


def allowed_variant(face: str | None, record: MediaRecord, size: Size = "full") -> str | None:
    """The one variant of this photo that may leave the PR team's hands, or None (not yet).

    The exports and anything else that hands a photo on must call this: a `blur` photo leaves
    only blurred and only after its check; `size` picks the full image or its thumbnail.
    """
    rule = rule_of(face, record)
    if not rule.cleared or rule.check is CheckState.GONE:
        return None
    if rule.blurred_only:
        wanted = BLURRED if size == "full" else BLURRED_THUMB
    else:
        wanted = "original" if size == "full" else "thumbnail"
    return wanted if wanted in rule.variants else None


def approval_blockers(record: SubmissionRecord) -> list[str]:
    """Why this submission may not be approved or published yet ([] when it may)."""
    face = record.submission.face
    return [
        f"photo {number}: {explain(face, media)}"
        for number, media in enumerate(record.media, start=1)
        if not rule_of(face, media).cleared
    ]


def explain(face: str | None, record: MediaRecord) -> str:
    """The check state of one photo in words, with what a reviewer can do about it."""
    rule = rule_of(face, record)
    count = record.media.faces
    found = "faces not counted" if count is None else faces_found(count)
    match rule.check:
        case CheckState.NOT_NEEDED:
            return f"no check needed ({found})"
        case CheckState.GONE:
            return "no file: nothing of it can leave"
        case CheckState.DONE:
            return f"checked ({record.media.face_check}) by {record.media.face_checked_by}"
        case CheckState.PENDING:
            return "still being processed: faces not counted yet"
        case CheckState.TO_CONFIRM:
            return f"{found} and blurred: confirm the blur covers every face, or upload your own"
    if face == Face.BLUR:
        return (
            f'"blur the faces" chosen, {found}: check by eye, and upload a blurred image'
            " (an admin sees the original with a reason)"
        )
    if rule.can_confirm:
        return f'"no faces" chosen, but {found}: confirm the blur, or upload a corrected one'
    return f'"no faces" chosen, {found}: check by eye, and upload a blurred image'


def faces_found(count: int) -> str:
    """ "no face found", "1 face found", "2 faces found"."""
    if count == 0:
        return "no face found"
    return f"{count} face{'' if count == 1 else 's'} found"
