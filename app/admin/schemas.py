"""What the admin API reads and writes (design.md §7). Response models, never table models.

The LINE user id is not a field of any model here, so it cannot leak through a response.
"""

from __future__ import annotations

import json
import re
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictBool, model_validator

from app.admin.fields import ListedStatus, SafeText, UtcTime
from app.admin.release import CheckState, allowed_variant, approval_blockers, explain, rule_of
from flows.types import Face, SubmissionStatus
from storage import credits
from storage.media import face_boxes
from storage.models import Job, Theme
from storage.states import JobState, MediaStatus
from storage.submissions import MediaRecord, SubmissionRecord


class ErrorRead(BaseModel):
    """Every error body: `{"detail": ...}`."""

    detail: str | list[dict[str, object]]


# ---------------------------------------------------------------------------------------------
# Themes
# ---------------------------------------------------------------------------------------------


class ThemeRead(BaseModel):
    """A theme the PR team asks for."""

    slug: str
    title: str
    translations: dict[str, str] = Field(description='Other languages\' titles, e.g. {"en": ...}')
    description: str
    month: str | None = Field(description='"YYYY-MM" when this is the theme of that month')
    active: bool
    descriptions: dict[str, str] = Field({}, description="What to send, in other languages")
    examples: dict[str, str] = Field({}, description="An example, per language")
    starts_on: str | None = Field(None, description="First day offered (company time zone)")
    ends_on: str | None = Field(None, description="Last day offered (company time zone)")
    sort_order: int = 0


class ThemeList(BaseModel):
    """All themes in display order."""

    items: list[ThemeRead]


def _translations(raw: str) -> dict[str, str]:
    # Stored as JSON text; a damaged value shows as no translations rather than a 500.
    try:
        value = json.loads(raw)
    except ValueError:
        return {}
    if not isinstance(value, dict):
        return {}
    return {str(k): str(v) for k, v in value.items()}


def theme_read(theme: Theme) -> ThemeRead:
    """The API view of a theme row."""
    return ThemeRead(
        slug=theme.slug,
        title=theme.title,
        translations=_translations(theme.translations),
        description=theme.description,
        month=theme.month,
        active=theme.active,
        descriptions=_translations(theme.descriptions),
        examples=_translations(theme.examples),
        starts_on=theme.starts_on,
        ends_on=theme.ends_on,
        sort_order=theme.sort_order,
    )


# ---------------------------------------------------------------------------------------------
# Submissions
# ---------------------------------------------------------------------------------------------


class ContributorRead(BaseModel):
    """Who sent it: our id (never the LINE user id) and the LINE display name."""

    id: str
    display_name: str | None


class FaceBoxRead(BaseModel):
    """A face the detector found: a rectangle (right and bottom exclusive) and its score."""

    left: int
    top: int
    right: int
    bottom: int
    score: float


class MediaRead(BaseModel):
    """One photo or video; size and hash describe the sanitised original."""

    id: str
    kind: Literal["image", "video"]
    status: MediaStatus
    content_type: str | None
    width: int | None
    height: int | None
    bytes: int | None
    sha256: str | None
    faces: int | None = Field(description="Faces detected, or null when not counted")
    face_boxes: list[FaceBoxRead] = Field(
        description="Where the faces are, in the sanitised original's pixels, largest first"
    )
    face_check: CheckState = Field(
        description="not_needed, pending, to_confirm, needs_human_check, done or gone"
        " (app/admin/release.py); approve and publish need every photo not_needed, done or gone"
    )
    face_check_note: str = Field(description="The check state in words, with what to do")
    face_checked_by: str | None = Field(description="Who confirmed the blur or uploaded one")
    face_checked_at: UtcTime | None
    variants: list[str] = Field(description="Names of the stored variants, e.g. original")
    leaves_as: str | None = Field(
        description="The variant that may leave the PR team (export, publication), or null"
    )
    reason: str | None = Field(
        None,
        description="Why a failed or expired item could not be used, e.g. too_long, truncated, "
        "unsupported_type, expired (see docs/video.md)",
    )
    duration_ms: int | None = Field(None, description="A video's running time")
    needs_editing: bool = Field(
        False,
        description="A video in a `blur` submission: faces are not blurred in videos, so PR "
        "must edit it before any use",
    )
    notice_sent_at: UtcTime | None = Field(
        None, description="When the worker was told that this item could not be used"
    )


class GuidelineConsentRead(BaseModel):
    """Whether the worker agreed to the photo guideline: the version and when, or not yet."""

    agreed: bool
    version: int | None = Field(description="The guideline version agreed to; null: not yet")
    agreed_at: UtcTime | None


class SubmissionSite(BaseModel):
    """The worker's site when they sent the submission (its name then)."""

    id: str
    name: str


# How a contributor lets PR credit them (storage/credits.py).
CreditChoice = Literal["name", "site", "anonymous"]


class SubmissionRead(BaseModel):
    """A submission as the PR team sees it."""

    id: str
    code: str = Field(description="Short, human-friendly code, e.g. K7F-3QX")
    status: ListedStatus
    theme: str | None = Field(description="Theme slug")
    face: Face | None = Field(
        description="The worker's face choice; null for a comment-only submission"
    )
    comment: str | None
    site: SubmissionSite | None = Field(
        default=None, description="The worker's site when sent; null: none picked"
    )
    contributor: ContributorRead
    media: list[MediaRead]
    approval_blockers: list[str] = Field(
        description="Why it cannot be approved or published yet (face checks); [] when it can"
    )
    media_failed: int = Field(
        0, description="How many photos or videos could not be used (failed or expired)"
    )
    created_at: UtcTime
    submitted_at: UtcTime | None
    review_note: str | None
    published_platform: str | None
    published_url: str | None
    example: bool = Field(False, description="Shown to workers as an example")
    guideline: GuidelineConsentRead = Field(
        description="The worker's agreement to the photo guideline (never a gate on sending)"
    )
    published_at: UtcTime | None = None
    thanks_note: str | None = Field(default=None, description="PR's thank-you to the contributor")
    reactions: int | None = Field(default=None, description="Reactions PR counted on the post")
    credit: CreditChoice | None = Field(
        default=None,
        description="How the contributor lets PR credit them (name, site, anonymous); "
        "null: not chosen",
    )
    credit_line: str = Field(
        description="The credit to print beside the photo, as the contributor chose it "
        "('anonymous (not chosen)' until they choose)"
    )


class ReviewRead(SubmissionRead):
    """The submission after a review change, and what became of the reason to send."""

    reason_push: Literal["queued", "already_queued_once", "unchanged", "unavailable"] | None = (
        Field(
            default=None,
            description=(
                "Only with `send_reason: true`, else null. `queued`: the note goes to the "
                "contributor after the quiet hours, within the push budget. "
                "`already_queued_once`: a reason for this item was queued before (sent, or not "
                "sent because the worker turned feedback off or LINE refused it); once per item, "
                "so nothing was queued now. `unchanged`: the item was rejected already, so "
                "nothing changed and nothing was queued. `unavailable`: this server sends no "
                "pushes."
            ),
        )
    )


class SubmissionPage(BaseModel):
    """One page of submissions and the cursor of the next (null on the last page)."""

    items: list[SubmissionRead]
    next_cursor: str | None


_UNUSABLE = frozenset({"failed", "expired"})


def _media_read(record: MediaRecord, face: str | None) -> MediaRead:
    m = record.media
    rule = rule_of(face, record)
    return MediaRead.model_validate(
        {
            "id": m.id,
            "kind": m.kind,
            "status": m.status,
            "content_type": m.content_type,
            "width": m.width,
            "height": m.height,
            "bytes": m.bytes,
            "sha256": m.sha256,
            "faces": m.faces,
            "face_boxes": face_boxes(m),
            "face_check": rule.check,
            "face_check_note": explain(face, record),
            "face_checked_by": m.face_checked_by,
            "face_checked_at": m.face_checked_at,
            "variants": list(record.variants),
            "leaves_as": allowed_variant(face, record),
            "reason": m.error if m.status in _UNUSABLE else None,
            "duration_ms": m.duration_ms,
            "needs_editing": m.kind == "video" and face == "blur",
            "notice_sent_at": m.notice_sent_at,
        }
    )


def submission_read(record: SubmissionRecord) -> SubmissionRead:
    """The API view of a stored submission."""
    s = record.submission
    return SubmissionRead.model_validate(
        {
            "id": s.id,
            "code": s.code,
            "status": s.status,
            "theme": s.theme,
            "face": s.face,
            "comment": s.comment,
            "site": {"id": s.site_id, "name": s.site_name or ""} if s.site_id else None,
            "contributor": {"id": record.contributor_id, "display_name": record.display_name},
            "media": [_media_read(m, s.face) for m in record.media],
            "approval_blockers": approval_blockers(record),
            "media_failed": sum(m.media.status in _UNUSABLE for m in record.media),
            "created_at": s.created_at,
            "submitted_at": s.submitted_at,
            "review_note": s.review_note,
            "published_platform": s.published_platform,
            "published_url": s.published_url,
            "example": bool(s.example),
            "guideline": {
                "agreed": record.guideline_version is not None,
                "version": record.guideline_version,
                "agreed_at": record.guideline_agreed_at,
            },
            "published_at": s.published_at,
            "thanks_note": s.thanks_note,
            "reactions": s.reactions,
            # A value an older or newer bot stored that this API does not know reads as unchosen.
            "credit": record.credit if record.credit in credits.CHOICES else None,
            "credit_line": record.credit_line,
        }
    )


def _web_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("url must be an http or https URL")
    if re.search(r"\s", value):
        raise ValueError("url must not contain spaces")
    return value


WebUrl = Annotated[SafeText, AfterValidator(_web_url)]


REVIEW_FIELDS = frozenset({"status", "note", "platform", "url", "example", "thanks", "send_reason"})


class ReviewChange(BaseModel):
    """A review action. Omitted or null fields are not part of the change."""

    # Unknown fields (line_user_id, created_at, contributor...) are a 422: no mass assignment.
    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _only_review_fields(cls, data: object) -> object:
        # Checked before pydantic's own extra="forbid", whose error would carry the unknown key
        # in `loc`: a hostile key (a lone surrogate) could not even be rendered as JSON.
        if isinstance(data, dict) and not REVIEW_FIELDS.issuperset(data):
            raise ValueError(
                "only status, note, platform, url, example, thanks and send_reason may be sent"
            )
        return data

    # Every status parses, so that `draft` and `withdrawn` can be refused with a 409.
    status: SubmissionStatus | None = None
    note: SafeText | None = Field(
        default=None, max_length=2000, description="The review note, e.g. a rejection reason"
    )
    platform: SafeText | None = Field(
        default=None, min_length=1, max_length=40, description="Where it was published"
    )
    url: WebUrl | None = Field(
        default=None, min_length=1, max_length=2000, description="The published post (http/https)"
    )
    example: StrictBool | None = Field(
        default=None, description="Show it to workers as an example (not for withdrawn ones)"
    )
    thanks: SafeText | None = Field(
        default=None,
        min_length=1,
        max_length=500,
        description="With `published`: a thank-you pushed to the contributor with the link",
    )
    send_reason: StrictBool | None = Field(
        default=None,
        description=(
            "With `rejected` and a `note`: push the note to the contributor on LINE, in their "
            "language and in kind words, naming the item by its receipt code and theme. Once "
            "per item (a later rejection never sends again; the answer's `reason_push` says "
            "so); not sent if the worker turned feedback off, withdrew the item, it was "
            "deleted or taken back into review before the push went (taken back, the next "
            "rejection may send its own). Default false: nothing is sent."
        ),
    )


class ReactionsChange(BaseModel):
    """The reaction count of a published post, as PR read it on the platform."""

    model_config = ConfigDict(extra="forbid")

    count: int = Field(strict=True, ge=0, le=1_000_000_000, description="Likes, hearts, etc.")


# ---------------------------------------------------------------------------------------------
# Jobs
# ---------------------------------------------------------------------------------------------


class JobRead(BaseModel):
    """A background job, for operators."""

    id: str
    kind: str
    state: JobState
    attempts: int
    max_attempts: int
    last_error: str | None
    run_at: UtcTime
    created_at: UtcTime
    updated_at: UtcTime


class JobPage(BaseModel):
    """One page of jobs, newest first, and the cursor of the next (null on the last page)."""

    items: list[JobRead]
    next_cursor: str | None


# LINE user, group and room ids: an error text must not carry them out of the database.
LINE_ID = re.compile(r"\b[UCR][0-9a-f]{32}\b")


def redact_line_ids(text: str) -> str:
    """`text` with LINE ids shortened to their first characters."""
    return LINE_ID.sub(lambda m: m.group(0)[:5] + "…", text)


def job_read(job: Job) -> JobRead:
    """The API view of a job row (its payload stays private: it holds LINE event data)."""
    return JobRead(
        id=str(job.id),
        kind=job.kind,
        state=JobState(job.state),
        attempts=job.attempts,
        max_attempts=job.max_attempts,
        last_error=None if job.last_error is None else redact_line_ids(job.last_error),
        run_at=job.run_at,
        created_at=job.created_at,
        updated_at=job.updated_at,
    )
