"""Builders for flow tests: inputs, and `Chat`, which plays the caller's part around step()."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

from flows import intents
from flows.keys import Key
from flows.machine import step
from flows.types import (
    AgreeGuideline,
    AskedGuideline,
    AttachPhoto,
    ChangeFace,
    Choice,
    ChoiceKind,
    Context,
    Conversation,
    DiscardDraft,
    Effect,
    Example,
    Face,
    Guideline,
    ImageSet,
    Input,
    MovePhotos,
    Outcome,
    PhotoReceived,
    PostbackReceived,
    SetCredit,
    SetFace,
    SetLanguage,
    SetSite,
    Site,
    StartDraft,
    SubmissionRef,
    SubmissionStatus,
    SubmitDraft,
    TextReceived,
    Theme,
    Unsent,
    WithdrawPhoto,
    WithdrawSubmission,
)

NOW = datetime(2025, 4, 1, 9, 0, tzinfo=UTC)
THEMES = (
    Theme("monthly", "今月のテーマ：職人の手元"),
    Theme("event", "イベント"),
    Theme("safety", "安全の工夫"),
)


def photo(
    message_id: str, set_id: str | None = None, index: int | None = None, total: int = 3
) -> PhotoReceived:
    """A photo, part of an imageSet when set_id is given (of `total` photos when indexed)."""
    image_set = ImageSet(set_id, index, total if index is not None else None) if set_id else None
    return PhotoReceived(message_id, image_set)


def album(*message_ids: str, set_id: str = "S") -> list[PhotoReceived]:
    """The photos of one album sent at once, in index order."""
    n = len(message_ids)
    return [photo(m, set_id, i, n) for i, m in enumerate(message_ids, 1)]


def text(value: str) -> TextReceived:
    """A typed text."""
    return TextReceived(value)


def postback(intent: intents.Intent, arg: str = "", ref: str = "") -> PostbackReceived:
    """A postback as a button built by flows would send it."""
    return PostbackReceived(intents.encode(intents.Tap(intent, arg, ref)))


def keys(outcome: Outcome) -> list[str]:
    """The catalogue keys of an outcome's replies, in order."""
    return [str(reply.key) for reply in outcome.replies]


def effect_types(outcome: Outcome) -> list[str]:
    """The names of an outcome's effects, in order."""
    return [type(effect).__name__ for effect in outcome.effects]


def choice_names(outcome: Outcome) -> list[str]:
    """The buttons of the last reply: a literal label, the label key, or the action kind."""
    if not outcome.replies:
        return []
    return [c.literal or str(c.label) or c.kind.value for c in outcome.replies[-1].choices]


@dataclass
class Chat:
    """One worker's chat: keeps the state, hands out fresh ids, looks up submissions, tells time."""

    themes: tuple[Theme, ...] = THEMES
    max_media: int = 20
    idle_timeout: timedelta = timedelta(minutes=30)
    max_comment_chars: int = 1000
    conversation: Conversation = field(default_factory=Conversation)
    now: datetime = NOW
    counter: int = 0
    codes: dict[str, str] = field(default_factory=dict)
    submissions: dict[str, SubmissionRef] = field(default_factory=dict)
    faces: dict[str, Face] = field(default_factory=dict)  # face choices of open drafts
    contact: str = ""
    language: str = "ja"  # what the worker chose (SetLanguage)
    sites: tuple[Site, ...] = ()
    site_id: str | None = None  # the worker's site, possibly retired since
    last: Outcome | None = None
    history: list[Outcome] = field(default_factory=list)
    real_codes: bool = False  # codes shaped like the receipt's (`K01-QXZ`), to be typed
    guideline: Guideline = field(default_factory=Guideline)
    examples: tuple[Example, ...] = ()
    credit: str | None = None  # how the worker lets the PR team credit them (SetCredit)
    cancel_words: frozenset[str] = frozenset()  # the catalogues' cancel words, as the app passes
    media: dict[str, tuple[str, bool]] = field(default_factory=dict)  # message → (draft, video)

    def lookup(self, received: Input) -> SubmissionRef | None:
        """Find what the input asks about among this worker's submissions, as the caller does."""
        query = intents.submission_query(received)
        if query is None:
            return None
        if query.id:
            return self.submissions.get(query.id)
        if query.code:
            return next((s for s in self.submissions.values() if s.code == query.code), None)
        open_ = [s for s in self.submissions.values() if s.status is not SubmissionStatus.WITHDRAWN]
        return open_[-1] if open_ else None

    def context(self, received: Input) -> Context:
        """The context the caller would build for this input."""
        self.counter += 1
        found = self.lookup(received)
        unsent = self.media.get(received.message_id) if isinstance(received, Unsent) else None
        return Context(
            now=self.now,
            themes=self.themes,
            new_draft_id=f"d{self.counter}",
            new_code=f"K{self.counter:02d}-QXZ" if self.real_codes else f"C{self.counter:03d}",
            idle_timeout=self.idle_timeout,
            max_media=self.max_media,
            max_comment_chars=self.max_comment_chars,
            submission=found,
            guideline=self.guideline,
            examples=self.examples,
            last_face=self.last_face,
            mine=tuple(reversed(self.submissions.values())),
            contact=self.contact,
            sites=self.sites,
            site=next((s for s in self.sites if s.id == self.site_id), None),
            site_gone=self.site_id is not None and all(s.id != self.site_id for s in self.sites),
            credit=self.credit,
            cancel_words=self.cancel_words,
            unsent_from=unsent[0] if unsent else None,
            unsent_video=unsent[1] if unsent else False,
        )

    @property
    def last_face(self) -> Face | None:
        """The face choice of the latest sent submission that has one."""
        chosen = [ref.face for ref in self.submissions.values() if ref.face is not None]
        return chosen[-1] if chosen else None

    def send(self, received: Input) -> Outcome:
        """Run one step and apply its effects the way the caller would."""
        outcome = step(self.conversation, received, self.context(received))
        for effect in outcome.effects:
            self._apply(effect)
        self.conversation = outcome.conversation
        self.last = outcome
        self.history.append(outcome)
        return outcome

    def _apply(self, effect: Effect) -> None:
        match effect:
            case StartDraft(draft_id=draft_id, code=code):
                self.codes[draft_id] = code
            case AttachPhoto(draft_id=draft_id, message_id=mid, video=video):
                self.media[mid] = (draft_id, video)
            case MovePhotos(message_ids=mids, to_draft_id=to):
                self.media.update({m: (to, self.media[m][1]) for m in mids if m in self.media})
            case WithdrawPhoto(message_id=mid):
                self.media.pop(mid, None)
            case DiscardDraft(draft_id=draft_id):
                self.media = {m: v for m, v in self.media.items() if v[0] != draft_id}
            case SetFace(draft_id=draft_id, face=face):
                self.faces[draft_id] = face
            case SubmitDraft(draft_id=draft_id):
                ref = SubmissionRef(
                    draft_id, self.codes[draft_id], SubmissionStatus.NEW, self.faces.get(draft_id)
                )
                self.submissions[draft_id] = ref
            case ChangeFace(submission_id=sid, face=face, was=was, status=status):
                old = self.submissions[sid]
                if old.face is was and old.status is status:
                    self.submissions[sid] = replace(old, face=face)
            case SetLanguage(language=language):
                self.language = language
            case SetSite(site_id=site_id):
                self.site_id = site_id
            case SetCredit(choice=choice):
                self.credit = choice
            case WithdrawSubmission(submission_id=sid):
                old = self.submissions[sid]
                self.submissions[sid] = replace(old, status=SubmissionStatus.WITHDRAWN)
            case AgreeGuideline(version=version):
                self.guideline = replace(self.guideline, agreed=version, asked=version)
            case AskedGuideline(version=version):
                self.guideline = replace(self.guideline, asked=version)
            case _:
                pass

    def button(self, name: str | Key, outcome: Outcome | None = None) -> Choice:
        """Find a button of the latest reply (or of `outcome`'s) by label key or literal title."""
        shown = outcome or next((o for o in reversed(self.history) if o.replies), None)
        assert shown is not None, "no buttons shown yet"
        for choice in shown.replies[-1].choices:
            if name in (choice.label, choice.literal):
                return choice
        raise AssertionError(f"no button {name!r} in {choice_names(shown)}")

    def tap(self, name: str | Key, outcome: Outcome | None = None) -> Outcome:
        """Tap a postback button shown in the last reply (or in an earlier outcome)."""
        choice = self.button(name, outcome)
        assert choice.kind is ChoiceKind.POSTBACK
        return self.send(PostbackReceived(choice.data))

    def wait(self, minutes: float) -> None:
        """Let time pass."""
        self.now += timedelta(minutes=minutes)

    @property
    def draft_id(self) -> str:
        """The open draft's id."""
        assert self.conversation.draft is not None
        return self.conversation.draft.id

    def submit_photo(self, message_id: str = "m1") -> Outcome:
        """Go through a whole photo submission and return the receipt outcome."""
        self.send(photo(message_id))
        self.tap(self.themes[0].title)
        self.tap(Key.BUTTON_FACE_BLUR)
        return self.send(text("新しい機械です"))


def at_face() -> Chat:
    """A chat with one photo sent and the theme chosen: waiting at the face question."""
    chat = Chat()
    chat.send(photo("m1"))
    chat.tap(THEMES[0].title)
    return chat
