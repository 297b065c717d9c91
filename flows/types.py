"""Values the conversation rules read and write: inputs, context, state, replies and effects.

Everything here is immutable data. Nothing in `flows/` performs I/O, reads a clock, draws a
random number or logs: the caller (the worker in `app/`) supplies `Context.now` and fresh ids,
and carries out the returned effects and replies.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

# ---------------------------------------------------------------------------------------------
# Inputs: facts about what the worker did in LINE, named in the past tense.
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImageSet:
    """LINE's grouping of photos sent together; index/total are missing on old Android clients."""

    id: str
    index: int | None = None
    total: int | None = None


@dataclass(frozen=True)
class PhotoReceived:
    """A photo message (or a video, taken like one). `external` ones live outside LINE."""

    message_id: str
    image_set: ImageSet | None = None
    external: bool = False
    video: bool = False


@dataclass(frozen=True)
class VideoReceived:
    """A video message; the rules take it as a photo (`PhotoReceived(video=True)`)."""

    message_id: str
    external: bool = False


@dataclass(frozen=True)
class TextReceived:
    """A text message, as typed."""

    text: str


@dataclass(frozen=True)
class PostbackReceived:
    """A tapped button; `data` is what `flows.intents` encoded into it."""

    data: str


@dataclass(frozen=True)
class OtherReceived:
    """A sticker, audio, file, location or any message type the bot does not take."""

    kind: str


@dataclass(frozen=True)
class Followed:
    """The worker added the bot as a friend (or unblocked it)."""

    unblocked: bool = False


@dataclass(frozen=True)
class Unfollowed:
    """The worker blocked the bot. LINE gives no reply token for this event."""


@dataclass(frozen=True)
class Unsent:
    """The worker unsent a message in LINE. LINE gives no reply token for this event."""

    message_id: str


@dataclass(frozen=True)
class BatchDue:
    """The caller's delayed check after a photo left unanswered (`CheckBatchLater`).

    It carries that photo's message id and replies with that photo's reply token; only the
    check of the newest photo of a batch still waiting makes the bot answer.
    """

    message_id: str


Input = (
    PhotoReceived
    | VideoReceived
    | TextReceived
    | PostbackReceived
    | OtherReceived
    | Followed
    | Unfollowed
    | Unsent
    | BatchDue
)

# ---------------------------------------------------------------------------------------------
# Context: what the caller knows at the moment of the step.
# ---------------------------------------------------------------------------------------------


class Face(StrEnum):
    """The worker's choice about faces in the photos."""

    SHOW = "show"
    BLUR = "blur"
    NO_FACE = "no_face"


class SubmissionStatus(StrEnum):
    """Review status of a submission; `draft` is never shown to the PR team."""

    DRAFT = "draft"
    NEW = "new"
    IN_REVIEW = "in_review"
    APPROVED = "approved"
    PUBLISHED = "published"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


class DraftKind(StrEnum):
    """A draft holds photos, or is a comment-only idea."""

    PHOTO = "photo"
    IDEA = "idea"


@dataclass(frozen=True)
class Theme:
    """An active theme the worker can pick; `monthly` marks the theme of the month."""

    slug: str
    title: str
    what: str = ""  # what to send, in the worker's language
    example: str = ""  # an example of it
    monthly: bool = False


@dataclass(frozen=True)
class GuideEntry:
    """One guideline entry in the worker's language; `keywords` are already normalised."""

    category: str
    title: str
    body: str
    keywords: tuple[str, ...] = ()


@dataclass(frozen=True)
class GuideCategory:
    """A guideline category and its title in the worker's language."""

    slug: str
    title: str


@dataclass(frozen=True)
class Guideline:
    """The guideline as the worker reads it, and where the worker stands with agreeing to it."""

    version: int = 0
    categories: tuple[GuideCategory, ...] = ()
    entries: tuple[GuideEntry, ...] = ()
    agreed: int | None = None  # the version the worker agreed to
    asked: int | None = None  # the version the bot last asked about
    changed: tuple[str, ...] = ()  # titles of the entries edited since the worker agreed


@dataclass(frozen=True)
class Example:
    """A submission the PR team chose as an example; `image_url` only where faces allow it."""

    theme: str
    comment: str
    image_url: str | None = None


@dataclass(frozen=True)
class Site:
    """An active site (store, factory) a worker can pick."""

    id: str
    name: str


@dataclass(frozen=True)
class SubmissionRef:
    """A submission of this worker, looked up by the caller (for a postback, or "my submissions").

    `sent` is the day it was sent (`YYYY-MM-DD`, in the company's zone) and `theme` the theme's
    title; both are only shown.
    """

    id: str
    code: str
    status: SubmissionStatus
    face: Face | None = None
    kind: DraftKind = DraftKind.PHOTO
    sent: str = ""
    theme: str = ""


@dataclass(frozen=True)
class Context:
    """Everything a step may read besides the state and the input.

    `themes` are the active themes, the theme of the month first. `new_draft_id` and
    `new_code` are fresh, unused identifiers the step uses if it opens a draft. `submission`
    is the caller's lookup of what `intents.submission_query` asks for: the submission a
    postback names, the one a typed code names, or the latest withdrawable one (None when
    there is none, or it is not this worker's). `last_face` is the face choice of the
    worker's latest submission (offered first, never applied by itself); `mine` their recent
    submissions, newest first (filled only for the "my submissions" tap); `contact` how to reach
    the PR team (a configured text). `sites` are the active sites, `site` the worker's (None:
    none or retired), `site_gone` whether the worker's site was retired since they picked it
    (they are asked again). `credit` is how the worker lets the PR team credit them.
    """

    now: datetime
    themes: tuple[Theme, ...]
    new_draft_id: str
    new_code: str
    idle_timeout: timedelta = timedelta(minutes=30)
    max_media: int = 20
    max_comment_chars: int = 1000
    submission: SubmissionRef | None = None
    # How long an album still arriving is waited for: photos of a set whose `total` is
    # unknown (old Android clients) settle after `batch_settle` of quiet; a set that stays
    # short of its `total` is answered anyway after `batch_bound`. Both well inside the
    # minute a reply token lives.
    batch_settle: timedelta = timedelta(seconds=3)
    batch_bound: timedelta = timedelta(seconds=10)
    guideline: Guideline = Guideline()
    examples: tuple[Example, ...] = ()
    last_face: Face | None = None
    mine: tuple[SubmissionRef, ...] = ()
    contact: str = ""
    sites: tuple[Site, ...] = ()
    site: Site | None = None
    site_gone: bool = False
    credit: str | None = None  # how the worker lets the PR team credit them (None: not chosen)
    # Typed words that cancel, normalised (`intents.normalise`): every catalogue's cancel button
    # label and typed cancel words, so a worker's own word cancels in any language.
    cancel_words: frozenset[str] = frozenset()
    # For an `Unsent` input: the submission (or open draft) the unsent photo belonged to, looked
    # up by the caller (None: none of this worker's), and whether it was a video.
    unsent_from: str | None = None
    unsent_video: bool = False


# ---------------------------------------------------------------------------------------------
# State: one row per worker, stored as JSON by the caller.
# ---------------------------------------------------------------------------------------------


class Step(StrEnum):
    """Where the conversation stands."""

    IDLE = "idle"  # no draft open
    CONFIRM_IDEA = "confirm_idea"  # text with no photo: "send this as an idea?"
    ASK_THEME = "ask_theme"
    ASK_FACE = "ask_face"
    ASK_COMMENT = "ask_comment"
    SEARCH_GUIDE = "search_guide"  # the next text is a guideline search
    RESUME = "resume"  # a draft waited past the idle timeout: continue or discard?


@dataclass(frozen=True)
class Draft:
    """The submission being put together; mirrored in storage as a `draft` submission."""

    id: str
    code: str
    kind: DraftKind
    media: int = 0  # photos and videos attached
    answered_sets: frozenset[str] = frozenset()  # imageSet ids the bot already replied to
    theme: str | None = None
    face: Face | None = None
    comment: str | None = None
    videos: int = 0  # how many of `media` are videos (the bot's words count them apart)

    @property
    def counted(self) -> MediaCount:
        """Return how many photos and videos the draft holds."""
        return MediaCount(self.media - self.videos, self.videos)


@dataclass(frozen=True)
class Batch:
    """Photos that arrived since the bot last answered, while an album is still coming in.

    LINE shows buttons only under the newest message, so the bot answers a batch once, after
    its last photo: when every imageSet in it reached its `total`, or when the delayed check
    of its newest photo (`BatchDue`) finds it still waiting. `sets` holds (set id, total,
    photos arrived); `opened` tells that the batch opened the draft (thanks) rather than
    joined it (added); `refused` counts photos not attached (over the limit, or sent to an
    idea).
    """

    newest: str
    opened: bool = False
    photos: int = 0
    sets: tuple[tuple[str, int | None, int], ...] = ()
    refused: int = 0

    @property
    def whole(self) -> bool:
        """Tell whether every set in the batch has arrived in full."""
        return all(total is not None and got >= total for _, total, got in self.sets)


@dataclass(frozen=True)
class Conversation:
    """One worker's conversation state.

    `updated_at` is the last time the draft moved (for the idle timeout). `strikes` counts
    unexpected inputs in a row at the current question. In `RESUME`, `paused_from` is the step
    to go back to and `arrived` the photos that came in since the pause (they start a new draft
    if the worker discards the old one), `arrived_videos` the videos among them. In
    `CONFIRM_IDEA`, `pending_text` is the idea.
    `batch` holds the photos of an album still arriving, not answered yet.
    """

    step: Step = Step.IDLE
    draft: Draft | None = None
    updated_at: datetime | None = None
    strikes: int = 0
    paused_from: Step | None = None
    arrived: tuple[str, ...] = ()
    pending_text: str | None = None
    batch: Batch | None = None
    theme_next: str | None = None  # "send for this theme": the next photo draft's theme
    arrived_videos: tuple[str, ...] = ()  # the videos among `arrived` (message ids)
    # Every photo of the open draft was unsent (LINE gives no reply token then): the draft was
    # dropped, and the next reply says so first.
    emptied: bool = False
    # The postback data of the question button answered last: the same tap again (a double tap)
    # is ignored silently, so the answer's buttons stay in view.
    last_tap: str | None = None


# ---------------------------------------------------------------------------------------------
# Replies: what to say, as catalogue keys; `webhooks/render.py` turns them into LINE messages.
# ---------------------------------------------------------------------------------------------


class ChoiceKind(StrEnum):
    """The quick-reply action behind a button."""

    POSTBACK = "postback"
    CAMERA = "camera"
    CAMERA_ROLL = "camera_roll"


@dataclass(frozen=True)
class Choice:
    """One quick-reply button. `label` is a catalogue key unless `literal` gives the text."""

    kind: ChoiceKind
    label: str = ""
    data: str = ""
    literal: str | None = None


@dataclass(frozen=True)
class Card:
    """One card of a carousel: literal texts (already in the worker's language) and buttons.

    `lines` are catalogue keys, said in the worker's language below the body (statuses, face
    choices), so the flows need not know the words.
    """

    title: str
    body: str = ""
    image_url: str | None = None
    buttons: tuple[Choice, ...] = ()
    label: str = ""  # a small caption above the title (a category, a theme, a date)
    lines: tuple[str, ...] = ()


@dataclass(frozen=True)
class MediaCount:
    """A number of photos and videos, said in words by the catalogue ("写真2枚・動画1本")."""

    photos: int = 0
    videos: int = 0


@dataclass(frozen=True)
class Phrase:
    """A catalogue key said in the worker's language inside another text (`{face}`)."""

    key: str


Param = str | int | MediaCount | Phrase


@dataclass(frozen=True)
class Reply:
    """One message to the worker: a catalogue key, its parameters, and buttons (last one only).

    With `cards`, the message is a carousel of them and the key's text is its alt text.
    """

    key: str
    params: Mapping[str, Param] = field(default_factory=dict)
    choices: tuple[Choice, ...] = ()
    cards: tuple[Card, ...] = ()

    def __hash__(self) -> int:
        return hash((self.key, tuple(sorted(self.params.items())), self.choices, self.cards))


# ---------------------------------------------------------------------------------------------
# Effects: what the caller must store, in the same transaction as the new state.
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StartDraft:
    """Create a `draft` submission with this id and code."""

    draft_id: str
    code: str
    kind: DraftKind


@dataclass(frozen=True)
class AttachPhoto:
    """Add a photo (LINE message id) to a draft and fetch its content in the background."""

    draft_id: str
    message_id: str
    image_set_id: str | None = None
    index: int | None = None
    video: bool = False


@dataclass(frozen=True)
class MovePhotos:
    """Move photos (by LINE message id) to another draft."""

    message_ids: tuple[str, ...]
    to_draft_id: str


@dataclass(frozen=True)
class SetTheme:
    """Record the chosen theme on a draft."""

    draft_id: str
    slug: str


@dataclass(frozen=True)
class SetFace:
    """Record the face choice on a draft (the worker's consent record)."""

    draft_id: str
    face: Face


@dataclass(frozen=True)
class SetComment:
    """Record the one-line comment (None when skipped)."""

    draft_id: str
    comment: str | None


@dataclass(frozen=True)
class SubmitDraft:
    """Turn the draft into a `new` submission the PR team sees."""

    draft_id: str


@dataclass(frozen=True)
class DiscardDraft:
    """Delete the draft and its photos."""

    draft_id: str


@dataclass(frozen=True)
class WithdrawSubmission:
    """The worker withdrew a submission: mark it withdrawn and delete its media."""

    submission_id: str


@dataclass(frozen=True)
class ChangeFace:
    """The worker changed the face choice of a sent submission (recorded with time and audit)."""

    submission_id: str
    face: Face
    was: Face
    status: SubmissionStatus  # the status the change was decided on


@dataclass(frozen=True)
class SetLanguage:
    """The worker chose the language the bot speaks to them."""

    language: str


@dataclass(frozen=True)
class SetSite:
    """The worker picked their site (None: skipped, or left a retired one)."""

    site_id: str | None


@dataclass(frozen=True)
class WithdrawPhoto:
    """The worker unsent a photo in LINE: delete the stored copy."""

    message_id: str


@dataclass(frozen=True)
class CheckBatchLater:
    """Feed `BatchDue(message_id)` back after `delay`, answering with that photo's token."""

    message_id: str
    delay: timedelta


@dataclass(frozen=True)
class AgreeGuideline:
    """The worker agreed to this version of the guideline (recorded with the time)."""

    version: int


@dataclass(frozen=True)
class AskedGuideline:
    """The bot asked the worker to agree to this version (so it asks once per version)."""

    version: int


@dataclass(frozen=True)
class SetFollowing:
    """Record whether the worker currently follows the bot."""

    following: bool


@dataclass(frozen=True)
class SetNotices:
    """Record which pushes the worker wants: all (reminders too), feedback, none."""

    choice: str


@dataclass(frozen=True)
class SetCredit:
    """Record how the PR team may credit the worker: name, site or anonymous."""

    choice: str


Effect = (
    StartDraft
    | AttachPhoto
    | MovePhotos
    | SetTheme
    | SetFace
    | SetComment
    | SubmitDraft
    | DiscardDraft
    | WithdrawSubmission
    | ChangeFace
    | SetLanguage
    | SetSite
    | WithdrawPhoto
    | SetFollowing
    | CheckBatchLater
    | AgreeGuideline
    | AskedGuideline
    | SetNotices
    | SetCredit
)


@dataclass(frozen=True)
class Outcome:
    """The result of one step: the new state, the replies in order, and the effects in order."""

    conversation: Conversation
    replies: tuple[Reply, ...] = ()
    effects: tuple[Effect, ...] = ()
