"""Hypothesis: any sequence of inputs keeps the conversation's promises.

The state machine below plays a worker sending anything in any order (photos in and out of sets,
keywords, junk, its own buttons old and new, forged postbacks, stickers, videos, follow, unfollow,
unsend) while the clock sometimes jumps past the idle timeout, and plays the caller's part
(fresh ids, submission lookups). After every step it checks the replies, the state and the effects.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from flowkit import NOW
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from flows import intents
from flows.intents import Intent, Tap, encode, parse
from flows.keys import PARAMS, Key
from flows.machine import is_valid, problems, route, step
from flows.questions import current_ref
from flows.resume import RESUMABLE
from flows.types import (
    AttachPhoto,
    BatchDue,
    CheckBatchLater,
    Choice,
    ChoiceKind,
    Context,
    Conversation,
    DiscardDraft,
    Face,
    Followed,
    ImageSet,
    Input,
    MovePhotos,
    OtherReceived,
    Outcome,
    PhotoReceived,
    PostbackReceived,
    SetComment,
    SetFace,
    SetTheme,
    StartDraft,
    Step,
    SubmissionRef,
    SubmissionStatus,
    SubmitDraft,
    TextReceived,
    Theme,
    Unfollowed,
    Unsent,
    VideoReceived,
    WithdrawSubmission,
)

THEME_SETS = (
    (
        Theme("monthly", "今月のテーマ：職人の手元を見せよう、ものづくりの現場から"),
        Theme("a|b%", "🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉"),
        Theme("safety", "安全"),
    ),
    (),
    tuple(Theme(f"t{i}", f"テーマ{i}") for i in range(15)),
)
WORDS = [
    "キャンセル",
    "ｷｬﾝｾﾙ",
    "stop",
    "ヘルプ",
    "？",
    "使い方",
    "安全",
    "テーマ3",
    "",
    "  ",
    "ok",
    "長" * 31,
]
KEYS = {str(k) for k in Key}


@dataclass
class Ledger:
    """What the caller's storage would hold, rebuilt from the effects."""

    started: set[str] = field(default_factory=set)
    closed: set[str] = field(default_factory=set)  # submitted or discarded
    photos: dict[str, set[str]] = field(default_factory=dict)  # draft id -> message ids
    videos: set[str] = field(default_factory=set)  # the message ids attached as videos
    codes: dict[str, str] = field(default_factory=dict)
    submissions: dict[str, SubmissionRef] = field(default_factory=dict)


class Conversations(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.conv = Conversation()
        self.now = NOW
        self.counter = 0
        self.ledger = Ledger()
        self.shown: tuple[Choice, ...] = ()
        self.seen: list[Choice] = []
        self.message_ids: list[str] = []
        self.themes: tuple[Theme, ...] = THEME_SETS[0]
        self.max_media = 3
        self.pending_checks: list[str] = []

    @initialize(themes=st.sampled_from(THEME_SETS), max_media=st.integers(1, 4))
    def setup(self, themes: tuple[Theme, ...], max_media: int) -> None:
        self.themes = themes
        self.max_media = max_media

    # -- the caller's part ----------------------------------------------------------------------

    def lookup(self, received: Input) -> SubmissionRef | None:
        query = intents.submission_query(received)
        mine = self.ledger.submissions
        if query is None:
            return None
        if query.id:
            return mine.get(query.id)
        if query.code:
            return next((s for s in mine.values() if s.code == query.code), None)
        left = [s for s in mine.values() if s.status is not SubmissionStatus.WITHDRAWN]
        return left[-1] if left else None

    def context(self, received: Input) -> Context:
        self.counter += 1
        return Context(
            now=self.now,
            themes=self.themes,
            new_draft_id=f"d{self.counter}",
            new_code=f"K{self.counter:02d}-QXZ",
            idle_timeout=timedelta(minutes=30),
            max_media=self.max_media,
            max_comment_chars=30,
            submission=self.lookup(received),
        )

    def feed(self, received: Input) -> None:
        ctx = self.context(received)
        before = route(self.conv, received, ctx)
        out = step(self.conv, received, ctx)
        self.check_replies(received, before.conversation, out)
        self.check_effects(before.conversation, out)
        self.check_target(before, out, ctx)
        self.conv = out.conversation
        if out.replies:
            self.shown = out.replies[-1].choices
            self.seen.extend(c for c in self.shown if c.kind is ChoiceKind.POSTBACK)

    # -- checks ---------------------------------------------------------------------------------

    def check_replies(self, received: Input, state: Conversation, out: Outcome) -> None:
        silent_kinds = (Unfollowed, Unsent)
        checks = [e for e in out.effects if isinstance(e, CheckBatchLater)]
        if isinstance(received, silent_kinds):
            assert out.replies == ()
        elif isinstance(received, BatchDue):
            waiting = state.batch is not None and state.batch.newest == received.message_id
            # The check of the newest photo of a waiting album answers it, with buttons.
            assert bool(out.replies) == waiting
            assert out.conversation.batch is None or not waiting
        elif isinstance(received, PostbackReceived) and received.data == self.conv.last_tap:
            # A double tap of the question just answered is ignored: nothing said, nothing done.
            assert out.replies == () and out.effects == () and out.conversation == self.conv
        elif not out.replies:
            # Only a photo sent while an album is still arriving goes unanswered, and it asks to be
            # checked within the bound: nobody is left waiting for a photo that never comes.
            assert isinstance(received, PhotoReceived | VideoReceived)
            assert checks == [CheckBatchLater(received.message_id, checks[0].delay)]
            assert checks[0].delay <= Context.__dataclass_fields__["batch_bound"].default
        if isinstance(received, PhotoReceived | VideoReceived | BatchDue) and out.replies:
            assert out.replies[-1].choices, "an answer to photos ends with buttons"
        for check in checks:
            self.pending_checks.append(check.message_id)
        assert len(out.replies) <= 5
        for reply in out.replies[:-1]:
            assert reply.choices == ()
        for reply in out.replies:
            assert str(reply.key) in KEYS
            assert set(reply.params) == PARAMS.get(Key(reply.key), frozenset())
            assert len(reply.choices) <= 13
            for choice in reply.choices:
                if choice.literal is None:
                    assert str(choice.label) in KEYS
                if choice.kind is ChoiceKind.POSTBACK:
                    assert len(choice.data) <= intents.MAX_DATA
                    tap = parse(choice.data)
                    assert tap is not None and encode(tap) == choice.data

    def check_effects(self, state: Conversation, out: Outcome) -> None:
        ledger = self.ledger
        new_here: set[str] = set()
        for effect in out.effects:
            match effect:
                case StartDraft(draft_id=draft_id, code=code):
                    assert draft_id not in ledger.started
                    ledger.started.add(draft_id)
                    ledger.codes[draft_id] = code
                    ledger.photos[draft_id] = set()
                    new_here.add(draft_id)
                case AttachPhoto(draft_id=draft_id, message_id=message_id, video=video):
                    assert out.conversation.draft is not None
                    assert draft_id == out.conversation.draft.id
                    assert draft_id in ledger.started and draft_id not in ledger.closed
                    ledger.photos[draft_id].add(message_id)
                    if video:
                        ledger.videos.add(message_id)
                case MovePhotos(message_ids=ids, to_draft_id=target):
                    assert target in new_here and state.draft is not None
                    assert set(ids) <= ledger.photos[state.draft.id]
                    ledger.photos[state.draft.id] -= set(ids)
                    ledger.photos[target] |= set(ids)
                case SetTheme(draft_id=d) | SetFace(draft_id=d) | SetComment(draft_id=d):
                    assert d in ledger.started and d not in ledger.closed
                case SubmitDraft(draft_id=d):
                    assert d in ledger.started and d not in ledger.closed
                    ledger.closed.add(d)
                    ref = SubmissionRef(d, ledger.codes[d], SubmissionStatus.NEW)
                    ledger.submissions[d] = ref
                case DiscardDraft(draft_id=d):
                    assert d in ledger.started and d not in ledger.closed
                    ledger.closed.add(d)
                case WithdrawSubmission(submission_id=sid):
                    ref = ledger.submissions[sid]
                    assert ref.status is not SubmissionStatus.WITHDRAWN
                    ledger.submissions[sid] = SubmissionRef(
                        ref.id, ref.code, SubmissionStatus.WITHDRAWN
                    )
                case _:
                    pass
        draft = out.conversation.draft
        if draft is not None:
            assert draft.id in ledger.started and draft.id not in ledger.closed
            assert len(ledger.photos[draft.id]) == draft.media
            # The bot's words count videos apart: the draft knows how many it holds.
            assert len(ledger.photos[draft.id] & ledger.videos) == draft.videos
        if state.draft is not None and (draft is None or draft.id != state.draft.id):
            assert state.draft.id in ledger.closed  # a draft is never just forgotten

    def check_target(self, before, out: Outcome, ctx: Context) -> None:
        was, now = before.conversation.step, out.conversation.step
        if before.transition is not None and now is not was and now not in before.transition.to:
            # Only the strike rule leads elsewhere: a paused draft, or an idea set aside; an
            # unexpected input ends a search prompt.
            assert (was in RESUMABLE and now is Step.RESUME) or (
                was in (Step.CONFIRM_IDEA, Step.SEARCH_GUIDE) and now is Step.IDLE
            )
        draft = out.conversation.draft
        if draft is not None and draft != before.conversation.draft:
            assert out.conversation.updated_at == ctx.now

    @invariant()
    def state_is_valid(self) -> None:
        assert is_valid(self.conv, max_media=self.max_media), problems(self.conv)

    @invariant()
    def a_waiting_album_has_its_check_to_come(self) -> None:
        if self.conv.batch is not None:
            assert self.conv.batch.newest in self.pending_checks

    # -- the worker's part ----------------------------------------------------------------------

    def new_message_id(self) -> str:
        self.message_ids.append(f"m{len(self.message_ids)}")
        return self.message_ids[-1]

    @rule(
        set_id=st.sampled_from([None, "S1", "S2", "S3"]),
        index=st.one_of(st.none(), st.integers(1, 5)),
        external=st.booleans(),
    )
    def send_photo(self, set_id: str | None, index: int | None, external: bool) -> None:
        image_set = ImageSet(set_id, index, 5 if index else None) if set_id else None
        self.feed(PhotoReceived(self.new_message_id(), image_set, external and index == 5))

    @rule(value=st.one_of(st.sampled_from(WORDS), st.text(max_size=40)))
    def send_text(self, value: str) -> None:
        self.feed(TextReceived(value))

    @precondition(lambda self: bool(self.pending_checks))
    @rule(pick=st.integers(0, 10_000), newest=st.booleans())
    def album_check_comes(self, pick: int, newest: bool) -> None:
        at = -1 if newest else pick % len(self.pending_checks)
        self.feed(BatchDue(self.pending_checks.pop(at)))

    @rule(data=st.data())
    def type_withdraw(self, data: st.DataObject) -> None:
        codes = [s.code for s in self.ledger.submissions.values()]
        words = ["取り下げたい", "とりさげ", "withdraw", "ZZZ-999", "zzz999 取り下げ"]
        typed = data.draw(st.sampled_from(words + codes + [f"{c}を取り下げたい" for c in codes]))
        self.feed(TextReceived(typed))

    @precondition(lambda self: any(c.kind is ChoiceKind.POSTBACK for c in self.shown))
    @rule(pick=st.integers(0, 12))
    def tap_shown_button(self, pick: int) -> None:
        buttons = [c for c in self.shown if c.kind is ChoiceKind.POSTBACK]
        self.feed(PostbackReceived(buttons[pick % len(buttons)].data))

    @precondition(lambda self: any(c.kind is ChoiceKind.POSTBACK for c in self.shown))
    @rule(pick=st.integers(0, 2))
    def answer_onwards(self, pick: int) -> None:
        # Weighs the run towards progress: a worker mostly taps one of the first buttons.
        buttons = [c for c in self.shown if c.kind is ChoiceKind.POSTBACK]
        self.feed(PostbackReceived(buttons[pick % len(buttons)].data))

    @precondition(lambda self: bool(self.ledger.submissions))
    @rule(data=st.data(), intent=st.sampled_from(sorted(intents.SUBMISSION_SCOPED)))
    def tap_on_a_receipt(self, data: st.DataObject, intent: Intent) -> None:
        sid = data.draw(st.sampled_from(sorted(self.ledger.submissions)))
        self.feed(PostbackReceived(encode(Tap(intent, sid))))

    @precondition(lambda self: bool(self.seen))
    @rule(pick=st.integers(0, 10_000))
    def tap_old_button(self, pick: int) -> None:
        self.feed(PostbackReceived(self.seen[pick % len(self.seen)].data))

    @rule(
        intent=st.sampled_from(Intent),
        arg=st.sampled_from(["", "monthly", "a|b%", "show", "blur", "no_face", "x", "d1", "d2"]),
        ref_is_current=st.booleans(),
    )
    def forge_postback(self, intent: Intent, arg: str, ref_is_current: bool) -> None:
        ref = current_ref(self.conv) if ref_is_current else "d1"
        self.feed(PostbackReceived(encode(Tap(intent, arg, ref))))

    @rule(data=st.text(max_size=320))
    def junk_postback(self, data: str) -> None:
        self.feed(PostbackReceived(data))

    @rule(kind=st.sampled_from(["sticker", "audio", "file", "location"]))
    def send_other(self, kind: str) -> None:
        self.feed(OtherReceived(kind))

    @rule()
    def send_video(self) -> None:
        self.feed(VideoReceived(self.new_message_id()))

    @rule(unblocked=st.booleans())
    def follow(self, unblocked: bool) -> None:
        self.feed(Followed(unblocked))

    @rule()
    def unfollow(self) -> None:
        self.feed(Unfollowed())

    @precondition(lambda self: bool(self.message_ids))
    @rule(pick=st.integers(0, 10_000))
    def unsend(self, pick: int) -> None:
        self.feed(Unsent(self.message_ids[pick % len(self.message_ids)]))

    @rule(minutes=st.sampled_from([0, 1, 10, 29, 31, 45, 600]))
    def wait(self, minutes: int) -> None:
        self.now += timedelta(minutes=minutes)


Conversations.TestCase.settings = settings(
    max_examples=300,
    stateful_step_count=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestConversations = Conversations.TestCase


def test_faces_cover_the_buttons():
    # The property test forges face values from this list; keep it in step with the enum.
    assert {f.value for f in Face} == {"show", "blur", "no_face"}
