"""The tables. Columns only: queries live in the repository modules next to this one."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Column, ForeignKey, Index, Integer, String, Text, text
from sqlmodel import Field, SQLModel

from storage.columns import UTCDateTime
from storage.states import JobState

# The job index's partial conditions (storage/jobs.py says what each is for).
_UNFINISHED = f"state IN ('{JobState.QUEUED}', '{JobState.RUNNING}')"
_WAITING = f"state = '{JobState.NEW}'"


def _ts(*, nullable: bool = False, index: bool = False) -> datetime:
    """A UTC timestamp column (typed as datetime for the models)."""
    return Field(sa_column=Column(UTCDateTime(), nullable=nullable, index=index))  # type: ignore[no-any-return]


class WebhookEvent(SQLModel, table=True):
    """Inbox: one row per LINE webhook event, keyed by webhookEventId (the dedup key)."""

    __tablename__ = "webhook_event"

    # webhookEventId, or "sha256:<hex>" of the event's JSON when LINE sent none.
    id: str = Field(primary_key=True, max_length=80)
    received_at: datetime = _ts()
    event_type: str | None = Field(default=None, max_length=40)
    mode: str | None = Field(default=None, max_length=16)
    source_type: str | None = Field(default=None, max_length=16)
    source_id: str | None = Field(default=None, max_length=64)
    redelivery: bool = False
    status: str = Field(max_length=16)  # storage.states.InboxStatus
    payload: str = Field(sa_column=Column(Text, nullable=False))
    note: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    handled_at: datetime | None = _ts(nullable=True)


class Job(SQLModel, table=True):
    """A unit of background work, claimed by workers; see storage/jobs.py for the rules."""

    __tablename__ = "job"
    __table_args__ = (
        Index("ix_job_claim", "state", "priority", "id"),
        # The claim asks "is there an earlier unfinished job with this key?": index only those,
        # so the answer does not slow down as a user's finished jobs pile up.
        Index(
            "ix_job_unfinished",
            "ordering_key",
            "id",
            sqlite_where=text(_UNFINISHED),
            postgresql_where=text(_UNFINISHED),
        ),
        # The jobs waiting for admission, oldest first (storage/jobs.py: admit).
        Index(
            "ix_job_new",
            "id",
            sqlite_where=text(_WAITING),
            postgresql_where=text(_WAITING),
        ),
    )

    id: int | None = Field(
        default=None,
        sa_column=Column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    )
    kind: str = Field(max_length=16)
    priority: int = 0
    # Jobs sharing an ordering key run strictly one after another, in id order.
    ordering_key: str | None = Field(default=None, max_length=80)
    dedup_key: str | None = Field(default=None, max_length=120, unique=True)
    payload: str = Field(sa_column=Column(Text, nullable=False))
    state: str = Field(max_length=16)  # storage.states.JobState
    attempts: int = 0
    max_attempts: int = 8
    run_at: datetime = _ts()
    lease_until: datetime | None = _ts(nullable=True)
    locked_by: str | None = Field(default=None, max_length=64)
    last_error: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    created_at: datetime = _ts()
    updated_at: datetime = _ts()
    finished_at: datetime | None = _ts(nullable=True)


class Site(SQLModel, table=True):
    """A store or factory a worker belongs to; retired, never deleted (submissions name it)."""

    __tablename__ = "site"

    id: str = Field(primary_key=True, max_length=32)
    name: str = Field(max_length=100)
    created_at: datetime = _ts()
    updated_at: datetime = _ts()
    retired_at: datetime | None = _ts(nullable=True)


class Contributor(SQLModel, table=True):
    """A worker who wrote to the bot. `id` is ours; the LINE user id never leaves the database."""

    __tablename__ = "contributor"

    id: str = Field(primary_key=True, max_length=32)
    line_user_id: str = Field(max_length=64, unique=True)
    display_name: str | None = Field(default=None, max_length=100)
    language: str | None = Field(default=None, max_length=35)  # from the LINE profile
    chosen_language: str | None = Field(default=None, max_length=35)  # chosen in the settings
    site_id: str | None = Field(
        default=None,
        sa_column=Column(
            String(32), ForeignKey("site.id", name="fk_contributor_site"), nullable=True
        ),
    )
    following: bool = True
    # Which pushes the worker wants (storage/pushes.py): all (reminders and the monthly
    # message too), feedback (only news of their own posts), none.
    notices: str = Field(
        default="feedback", sa_column=Column(String(8), nullable=False, server_default="feedback")
    )
    # How the PR team may credit the worker when a photo is used (storage/credits.py): name,
    # site or anonymous; None until they choose.
    credit: str | None = Field(default=None, sa_column=Column(String(12), nullable=True))
    profile_checked_at: datetime | None = _ts(nullable=True)
    # The guideline version the worker agreed to, and when; the version last asked about.
    guideline_version: int | None = None
    guideline_agreed_at: datetime | None = _ts(nullable=True)
    guideline_asked: int | None = None
    created_at: datetime = _ts()
    updated_at: datetime = _ts()


class Conversation(SQLModel, table=True):
    """The flow state of one contributor, as the JSON of `flows.types.Conversation`."""

    __tablename__ = "conversation"

    contributor_id: str = Field(
        sa_column=Column(
            String(32), ForeignKey("contributor.id", ondelete="CASCADE"), primary_key=True
        )
    )
    step: str = Field(max_length=32)
    state: str = Field(sa_column=Column(Text, nullable=False))
    version: int = 0
    updated_at: datetime = _ts()


class Theme(SQLModel, table=True):
    """Something the PR team asks for; the worker picks one per submission."""

    __tablename__ = "theme"

    slug: str = Field(primary_key=True, max_length=40)
    title: str = Field(max_length=100)
    # JSON object of other languages' titles, e.g. {"en": "Daily work"}.
    translations: str = Field(default="{}", sa_column=Column(Text, nullable=False))
    description: str = Field(default="", sa_column=Column(Text, nullable=False))
    # "YYYY-MM" when this is the theme of that month.
    month: str | None = Field(default=None, max_length=7)
    active: bool = True
    sort_order: int = 0
    created_at: datetime = _ts()
    # The period the theme is offered, as dates in the company's time zone (inclusive).
    starts_on: str | None = Field(default=None, max_length=10)
    ends_on: str | None = Field(default=None, max_length=10)
    # JSON objects of other languages' descriptions, and the example in every language.
    descriptions: str = Field(default="{}", sa_column=Column(Text, nullable=False))
    examples: str = Field(default="{}", sa_column=Column(Text, nullable=False))
    updated_at: datetime | None = _ts(nullable=True)


class Submission(SQLModel, table=True):
    """What a worker handed in: photos (or an idea), a theme, the face choice and a comment."""

    __tablename__ = "submission"
    __table_args__ = (Index("ix_submission_list", "status", "created_at", "id"),)

    id: str = Field(primary_key=True, max_length=32)
    code: str = Field(max_length=16, unique=True)
    contributor_id: str = Field(
        sa_column=Column(String(32), ForeignKey("contributor.id"), nullable=False, index=True)
    )
    kind: str = Field(max_length=8)  # photo | idea
    status: str = Field(max_length=16)  # flows.types.SubmissionStatus
    theme: str | None = Field(
        default=None, sa_column=Column(String(40), ForeignKey("theme.slug"), nullable=True)
    )
    face: str | None = Field(default=None, max_length=8)  # flows.types.Face
    # The worker's site when they sent it, and its name then (kept when the site is retired).
    site_id: str | None = Field(
        default=None,
        sa_column=Column(
            String(32), ForeignKey("site.id", name="fk_submission_site"), nullable=True
        ),
    )
    site_name: str | None = Field(default=None, max_length=100)
    face_chosen_at: datetime | None = _ts(nullable=True)
    comment: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    review_note: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    published_platform: str | None = Field(default=None, max_length=40)
    published_url: str | None = Field(default=None, max_length=2000)
    example: bool = False  # the PR team shows it to workers as an example
    published_at: datetime | None = _ts(nullable=True)
    # A thank-you from the PR team, sent with the news that the item was used.
    thanks_note: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    # The reaction count PR entered for the published post (likes and the like).
    reactions: int | None = None
    created_at: datetime = _ts(index=True)
    updated_at: datetime = _ts()
    submitted_at: datetime | None = _ts(nullable=True)


class GuidelineCategory(SQLModel, table=True):
    """A group of guideline entries; `titles` is a JSON object of the title in each language."""

    __tablename__ = "guideline_category"

    slug: str = Field(primary_key=True, max_length=40)
    sort_order: int = 0
    titles: str = Field(default="{}", sa_column=Column(Text, nullable=False))


class GuidelineEntry(SQLModel, table=True):
    """One guideline entry; `texts` is JSON: {language: {title, body, keywords}}."""

    __tablename__ = "guideline_entry"

    id: str = Field(primary_key=True, max_length=40)
    category: str = Field(
        sa_column=Column(String(40), ForeignKey("guideline_category.slug"), nullable=False)
    )
    sort_order: int = 0
    texts: str = Field(default="{}", sa_column=Column(Text, nullable=False))
    updated_at: datetime = _ts()


class GuidelineVersion(SQLModel, table=True):
    """The guideline's version number (one row): every edit adds one."""

    __tablename__ = "guideline_version"

    id: int = Field(default=1, primary_key=True)
    version: int
    updated_at: datetime = _ts()


class Media(SQLModel, table=True):
    """One photo or video of a submission; `bytes`/`sha256`/size describe the sanitised original."""

    __tablename__ = "media"

    id: str = Field(primary_key=True, max_length=32)
    submission_id: str = Field(
        sa_column=Column(
            String(32), ForeignKey("submission.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    line_message_id: str = Field(max_length=64, unique=True)
    kind: str = Field(max_length=8)  # image | video
    status: str = Field(max_length=16)  # storage.states.MediaStatus
    position: int = 0
    image_set_id: str | None = Field(default=None, max_length=64)
    content_type: str | None = Field(default=None, max_length=64)
    width: int | None = None
    height: int | None = None
    bytes: int | None = None
    sha256: str | None = Field(default=None, max_length=64)
    faces: int | None = None  # faces the detector found; None: not counted
    # JSON list of {left, top, right, bottom, score} in the sanitised original's pixels.
    face_boxes: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    face_check: str | None = Field(default=None, max_length=16)  # storage.states.FaceCheck
    face_checked_by: str | None = Field(default=None, max_length=120)
    face_checked_at: datetime | None = _ts(nullable=True)
    error: str | None = Field(default=None, max_length=200)
    created_at: datetime = _ts()
    updated_at: datetime = _ts()
    duration_ms: int | None = None  # videos: the running time measured on the packets
    notice_sent_at: datetime | None = _ts(nullable=True)  # the sender was told it failed
    # The X-Line-Retry-Key of the push that tells (or told) the sender, claimed before sending.
    notice_key: str | None = Field(default=None, max_length=36)


class MediaVariant(SQLModel, table=True):
    """A stored file of a media item: `original`, `thumbnail`, `blurred`, `blurred_thumb`."""

    __tablename__ = "media_variant"

    media_id: str = Field(
        sa_column=Column(String(32), ForeignKey("media.id", ondelete="CASCADE"), primary_key=True)
    )
    name: str = Field(primary_key=True, max_length=16)
    storage_key: str = Field(max_length=200)
    content_type: str = Field(max_length=64)
    bytes: int
    width: int
    height: int
    sha256: str = Field(max_length=64)
    created_at: datetime = _ts()


class ReplyOutbox(SQLModel, table=True):
    """Replies decided by a conversation step, committed with it and sent with the reply token."""

    __tablename__ = "reply_outbox"

    id: int | None = Field(
        default=None,
        sa_column=Column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    )
    event_id: str = Field(max_length=80, unique=True)
    reply_token: str = Field(max_length=200)
    messages: str = Field(sa_column=Column(Text, nullable=False))
    # pending | sent | expired | dropped | failed
    state: str = Field(max_length=16)
    expires_at: datetime = _ts()
    created_at: datetime = _ts()
    sent_at: datetime | None = _ts(nullable=True)
    error: str | None = Field(default=None, max_length=500)


class GroupChat(SQLModel, table=True):
    """A group or room the bot was added to: only its id and whether the 1:1 notice was given."""

    __tablename__ = "group_chat"

    chat_id: str = Field(primary_key=True, max_length=64)
    noticed_at: datetime = _ts()


class ApiToken(SQLModel, table=True):
    """An admin API bearer token; only its SHA-256 is stored."""

    __tablename__ = "api_token"

    id: str = Field(primary_key=True, max_length=32)
    name: str = Field(max_length=100)
    role: str = Field(max_length=16)  # viewer | reviewer | admin
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = _ts()
    last_used_at: datetime | None = _ts(nullable=True)
    revoked_at: datetime | None = _ts(nullable=True)
    expires_at: datetime | None = _ts(nullable=True)  # None: until revoked


class AuditEntry(SQLModel, table=True):
    """Who did what to which record: review actions, consent changes, downloads of originals."""

    __tablename__ = "audit_log"

    id: int | None = Field(
        default=None,
        sa_column=Column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    )
    at: datetime = _ts(index=True)
    actor: str = Field(max_length=120)
    action: str = Field(max_length=40)
    target_type: str = Field(max_length=20)
    target_id: str = Field(max_length=80)
    detail: str = Field(default="{}", sa_column=Column(Text, nullable=False))


class Person(SQLModel, table=True):
    """A member of the PR team who signs in to the /admin pages; only a password hash is kept."""

    __tablename__ = "person"

    id: str = Field(primary_key=True, max_length=32)
    email: str = Field(max_length=254, unique=True)  # stored lower-cased
    role: str = Field(max_length=16)  # viewer | reviewer | admin
    password_hash: str = Field(max_length=200)
    failed_sign_ins: int = 0
    locked_until: datetime | None = _ts(nullable=True)
    disabled_at: datetime | None = _ts(nullable=True)
    created_at: datetime = _ts()
    updated_at: datetime = _ts()


class PersonSession(SQLModel, table=True):
    """A signed-in browser: only the SHA-256 of its cookie is stored, with its CSRF token."""

    __tablename__ = "person_session"

    id_hash: str = Field(primary_key=True, max_length=64)
    person_id: str = Field(
        sa_column=Column(
            String(32), ForeignKey("person.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    csrf_token: str = Field(max_length=64)
    created_at: datetime = _ts()
    last_seen_at: datetime = _ts()
    expires_at: datetime = _ts()  # the absolute end, whatever the activity


class PushMessage(SQLModel, table=True):
    """A push or multicast to send once: to whom, what, under which X-Line-Retry-Key."""

    __tablename__ = "push_outbox"
    __table_args__ = (Index("ix_push_outbox_state", "state", "id"),)

    id: int | None = Field(
        default=None,
        sa_column=Column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    )
    kind: str = Field(max_length=16)  # feedback | reminder | digest | (other helpers' kinds)
    # JSON list of contributor ids (1..500): resolved to LINE ids only when sending.
    recipients: str = Field(sa_column=Column(Text, nullable=False))
    messages: str = Field(sa_column=Column(Text, nullable=False))
    retry_key: str = Field(max_length=36, unique=True)
    dedup_key: str | None = Field(default=None, max_length=120, unique=True)
    state: str = Field(max_length=16)  # pending | sent | skipped | failed
    attempts: int = 0
    # Messages counted against the monthly budget, as LINE counts them: one per recipient.
    cost: int = 0
    not_before: datetime = _ts()
    waiting_for_budget: bool = False
    created_at: datetime = _ts()
    sent_at: datetime | None = _ts(nullable=True, index=True)
    error: str | None = Field(default=None, max_length=500)
