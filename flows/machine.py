"""The worker's conversation as a table, and `step()`, the only entry point the caller uses.

Rules for everything in `flows/` (in the spirit of h11):

- Pure: no I/O, no clock reads (use `ctx.now`), no randomness (ids come as `ctx.new_draft_id`
  and `ctx.new_code`), no logging, no I/O or framework imports (import-linter checks this).
- Never raise for anything a worker does: unexpected input re-asks the open question.
- The caller applies `Outcome.effects` in order and saves `Outcome.conversation` in the same
  transaction, then sends `Outcome.replies` (at most 5; buttons only on the last).
- The table below is the single source of truth for which input moves which step; the diagram in
  `docs/conversation.md` is generated from it (`python -m flows.diagram`).

Order of one step: the idle timeout (a stale draft is paused, a stale idea dropped), then taps on
an old question (unexpected), then the fallbacks that work in any step, then the current step's
row; an input the row does not name is unexpected.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from flows import (
    credit_choice,
    fallbacks,
    guide,
    mine,
    notice_choice,
    photos,
    resume,
    settings,
    showcase,
    sites,
    submission,
)
from flows.intents import (
    QUESTION_SCOPED,
    Event,
    Intent,
    Tap,
    WithdrawAsked,
    interpret,
    withdraw_request,
)
from flows.keys import Key
from flows.questions import current_ref, then_ask
from flows.reprompt import MAX_STRIKES, unexpected
from flows.types import (
    BatchDue,
    Context,
    Conversation,
    DraftKind,
    Followed,
    Input,
    OtherReceived,
    Outcome,
    PhotoReceived,
    PostbackReceived,
    Reply,
    Step,
    TextReceived,
    Unfollowed,
    Unsent,
)

MAX_REPLIES = 5  # LINE's limit on messages in one reply

# A handler receives the event its table key names (a `Tap` for an Intent key, else an instance
# of the key's type); the table guarantees the match, which plain typing cannot express.
Handler = Callable[[Conversation, Any, Context], Outcome]
Trigger = type[Input] | type[WithdrawAsked] | Intent


@dataclass(frozen=True)
class Transition:
    """A handler and the steps it may lead to besides staying put; `to` feeds the diagram."""

    handler: Handler
    to: tuple[Step, ...] = ()
    label: str = ""  # how the diagram names the trigger, when its name alone says too little
    when: Mapping[Step, str] = field(default_factory=dict)  # the diagram's note on a target


_NO_THEME = "no active theme"
_PHOTO_STARTS = Transition(
    photos.start_photo_draft, (Step.ASK_THEME, Step.ASK_FACE), when={Step.ASK_FACE: _NO_THEME}
)
_IDEA_SUBMITTED = {Step.IDLE: "an idea, submitted"}
_IDEA_OFFER = Transition(submission.offer_idea, (Step.CONFIRM_IDEA,), "text")
_PHOTO_JOINS = Transition(photos.add_photo, label="photo (joins the draft)")

# IDLE: what starts a conversation.
ENTRY: Mapping[Trigger, Transition] = {
    PhotoReceived: _PHOTO_STARTS,
    TextReceived: _IDEA_OFFER,
}

TRANSITIONS: Mapping[Step, Mapping[Trigger, Transition]] = {
    Step.IDLE: ENTRY,
    Step.CONFIRM_IDEA: {
        Intent.IDEA: Transition(
            submission.accept_idea,
            (Step.ASK_THEME, Step.IDLE),
            when={Step.IDLE: f"{_NO_THEME}, submitted"},
        ),
        TextReceived: Transition(submission.offer_idea, label="text (replaces the idea)"),
        PhotoReceived: Transition(
            photos.start_photo_draft,
            (Step.ASK_THEME, Step.ASK_FACE),
            "photo (idea dropped)",
            {Step.ASK_FACE: _NO_THEME},
        ),
    },
    Step.ASK_THEME: {
        Intent.THEME: Transition(
            submission.choose_theme, (Step.ASK_FACE, Step.IDLE), when=_IDEA_SUBMITTED
        ),
        TextReceived: Transition(
            submission.type_theme,
            (Step.ASK_FACE, Step.IDLE),
            "text (a theme's title)",
            _IDEA_SUBMITTED,
        ),
        PhotoReceived: _PHOTO_JOINS,
    },
    Step.ASK_FACE: {
        Intent.FACE: Transition(submission.choose_face, (Step.ASK_COMMENT,)),
        PhotoReceived: _PHOTO_JOINS,
    },
    Step.ASK_COMMENT: {
        TextReceived: Transition(submission.write_comment, (Step.IDLE,), "text (the comment)"),
        Intent.SKIP: Transition(submission.skip_comment, (Step.IDLE,)),
        PhotoReceived: _PHOTO_JOINS,
    },
    Step.RESUME: {
        Intent.CONTINUE: Transition(
            resume.continue_draft, (Step.ASK_THEME, Step.ASK_FACE, Step.ASK_COMMENT)
        ),
        Intent.DISCARD: Transition(
            resume.discard_draft,
            (Step.IDLE, Step.ASK_THEME, Step.ASK_FACE),
            when={Step.ASK_THEME: "new photos arrived", Step.ASK_FACE: f"new photos, {_NO_THEME}"},
        ),
        PhotoReceived: Transition(photos.hold_photo, label="photo (kept aside)"),
    },
    Step.SEARCH_GUIDE: {
        TextReceived: Transition(guide.answer_search, (Step.IDLE,), "text (the search word)"),
        PhotoReceived: Transition(
            guide.photo_while_searching,
            (Step.ASK_THEME, Step.ASK_FACE),
            "photo",
            {Step.ASK_FACE: f"{_NO_THEME}, or sent for a theme"},
        ),
    },
}

# Any step: these answer the same way wherever the conversation stands.
FALLBACKS: Mapping[Trigger, Transition] = {
    Intent.CANCEL: Transition(fallbacks.cancel, (Step.IDLE,), "cancel"),
    Intent.HELP: Transition(fallbacks.show_help, label="help"),
    Intent.SEND: Transition(fallbacks.show_send),
    Intent.WITHDRAW: Transition(fallbacks.ask_withdraw),
    Intent.WITHDRAW_YES: Transition(fallbacks.withdraw),
    Intent.KEEP: Transition(fallbacks.keep_submission),
    Intent.NOTICES: Transition(notice_choice.set_notices, label="notices setting"),
    Intent.CREDIT: Transition(credit_choice.set_credit, label="credit setting"),
    WithdrawAsked: Transition(fallbacks.ask_withdraw_typed, label="typed withdraw or code"),
    Intent.GUIDELINE: Transition(guide.show),
    Intent.GUIDE_SEARCH: Transition(guide.ask_search, (Step.SEARCH_GUIDE,)),
    Intent.AGREE: Transition(guide.agree),
    Intent.MONTH_THEME: Transition(showcase.show_month_theme),
    Intent.THEME_NEXT: Transition(showcase.send_for_theme, (Step.IDLE,)),
    Intent.EXAMPLES: Transition(showcase.show_examples),
    Intent.MINE: Transition(mine.show_mine, label="my submissions"),
    Intent.REFACE: Transition(mine.ask_reface),
    Intent.REFACE_TO: Transition(mine.reface, label="new face choice"),
    Intent.SETTINGS: Transition(settings.show_settings),
    Intent.LANGUAGE: Transition(settings.choose_language),
    Intent.SITE: Transition(sites.choose_site, label="site or skip"),
    Intent.SITES: Transition(sites.show_sites, label="sites, more…"),
    Followed: Transition(fallbacks.welcome, label="follow"),
    Unfollowed: Transition(fallbacks.unfollow, label="unfollow (silent)"),
    Unsent: Transition(fallbacks.unsend, label="unsend (silent)"),
    # The delayed check after an album's photo: answers the batch if it still waits for it.
    BatchDue: Transition(photos.batch_due, label="album check (timer)"),
    # A sticker and the like is a strike (see flows.reprompt), as is a button that does not parse.
    OtherReceived: Transition(fallbacks.point_to_camera, label="sticker, file…"),
    PostbackReceived: Transition(fallbacks.malformed, label="unknown button"),
}

# Inputs that do not wake a stale draft: the answers to the pause itself, and silent events.
TIMEOUT_EXEMPT: frozenset[Trigger] = frozenset(
    {Intent.CONTINUE, Intent.DISCARD, Intent.CANCEL, Unfollowed, Unsent, BatchDue}
)


@dataclass(frozen=True)
class Route:
    """Where an input goes: the state after the timeout rule, the transition (None: unexpected)."""

    conversation: Conversation
    event: Event
    transition: Transition | None
    hint: Key = Key.HINT_UNEXPECTED


def trigger_of(event: Event) -> Trigger:
    """Return the table key an event is looked up by."""
    return event.intent if isinstance(event, Tap) else type(event)


def _after_timeout(conversation: Conversation, trigger: Trigger, ctx: Context) -> Conversation:
    if not resume.is_expired(conversation, ctx):
        return conversation
    if conversation.step in (Step.CONFIRM_IDEA, Step.SEARCH_GUIDE):
        return Conversation()  # an old idea question or search prompt is simply dropped
    if conversation.draft is None or conversation.step is Step.RESUME:
        return conversation
    return conversation if trigger in TIMEOUT_EXEMPT else resume.pause(conversation)


def _is_stale(conversation: Conversation, tap: Tap) -> bool:
    if tap.intent not in QUESTION_SCOPED:
        return False
    if tap.intent is Intent.CANCEL and not tap.ref:
        return False  # the typed keyword cancels whatever is open
    return tap.ref != current_ref(conversation)


def route(conversation: Conversation | None, received: Input, ctx: Context) -> Route:
    """Decide which transition handles an input, without running it."""
    event = interpret(received, ctx.cancel_words)
    trigger = trigger_of(event)
    state = _after_timeout(conversation or Conversation(), trigger, ctx)
    if (
        trigger is Intent.CANCEL
        and isinstance(received, TextReceived)
        and state.draft is None
        and state.pending_text is None
    ):
        # "取消" cancels in Chinese and withdraws in Japanese: with nothing open, it withdraws.
        asked = withdraw_request(received.text)
        if asked is not None:
            event, trigger = asked, WithdrawAsked
    if isinstance(event, Tap) and _is_stale(state, event):
        return Route(state, event, None, Key.HINT_STALE)
    transition = FALLBACKS.get(trigger) or TRANSITIONS[state.step].get(trigger)
    hint = Key.HINT_STALE if isinstance(event, Tap) else Key.HINT_UNEXPECTED
    return Route(state, event, transition, hint)


def step(conversation: Conversation | None, received: Input, ctx: Context) -> Outcome:
    """Decide the next state, the replies and the effects for one input."""
    chosen = route(conversation, received, ctx)
    tapped = _question_tap(received, chosen.event)
    if tapped is not None and conversation is not None and conversation.last_tap == tapped:
        # A double tap: the first tap was answered; a second answer would push it out of view.
        return Outcome(conversation)
    emptied = chosen.conversation.emptied
    if emptied:
        chosen = replace(chosen, conversation=replace(chosen.conversation, emptied=False))
        # A new photo shows the worker already moved on: no need to explain the old draft.
        emptied = not isinstance(received, PhotoReceived)
    outcome = _answer(chosen, received, ctx, emptied=emptied)
    if outcome.replies or tapped is not None:
        outcome = replace(outcome, conversation=replace(outcome.conversation, last_tap=tapped))
    return outcome


def _question_tap(received: Input, event: Event) -> str | None:
    """The postback data of a tap answering a question (None for anything else)."""
    if isinstance(received, PostbackReceived) and isinstance(event, Tap) and event.ref:
        return received.data if event.intent in QUESTION_SCOPED else None
    return None


def _answer(chosen: Route, received: Input, ctx: Context, *, emptied: bool) -> Outcome:
    """Run the chosen transition (or answer the unexpected input) and the checks after it."""
    if chosen.transition is None and emptied and chosen.hint is Key.HINT_STALE:
        # A button of the dropped draft: say why it is gone, not "that was an earlier question".
        said = then_ask(chosen.conversation, ctx, Reply(Key.UNSENT_EMPTIED))
        return guide.ask_again(Outcome(chosen.conversation, said), ctx)
    if chosen.transition is None:
        outcome = guide.ask_again(unexpected(chosen.conversation, ctx, hint=chosen.hint), ctx)
    else:
        outcome = sites.ask_again_if_gone(
            chosen.transition.handler(chosen.conversation, chosen.event, ctx), ctx
        )
        if not isinstance(received, Followed):
            outcome = guide.ask_again(outcome, ctx)
    return _say_emptied(outcome) if emptied else outcome


def _say_emptied(outcome: Outcome) -> Outcome:
    """Put "your photos were unsent, nothing was sent" first, or keep it for the next reply."""
    if not outcome.replies or len(outcome.replies) >= MAX_REPLIES:
        return replace(outcome, conversation=replace(outcome.conversation, emptied=True))
    return replace(outcome, replies=(Reply(Key.UNSENT_EMPTIED), *outcome.replies))


def problems(conversation: Conversation, *, max_media: int | None = None) -> list[str]:
    """List the ways a conversation breaks the state rules (empty when it is valid)."""
    c = conversation
    found: list[str] = []
    open_question = c.step in (Step.ASK_THEME, Step.ASK_FACE, Step.ASK_COMMENT, Step.RESUME)
    if open_question != (c.draft is not None):
        found.append(f"{c.step}: a draft must exist exactly in the question steps")
    if (c.step is Step.CONFIRM_IDEA) != bool(c.pending_text):
        found.append(f"{c.step}: pending text belongs to CONFIRM_IDEA only")
    if (c.step is Step.RESUME) != (c.paused_from is not None):
        found.append(f"{c.step}: paused_from belongs to RESUME only")
    if (c.arrived or c.arrived_videos) and c.step is not Step.RESUME:
        found.append(f"{c.step}: arrived photos belong to RESUME only")
    if not 0 <= c.strikes < (2 if c.step is Step.RESUME else MAX_STRIKES):
        found.append(f"{c.step}: strikes out of range ({c.strikes})")
    if c.step is Step.IDLE and (c.strikes or c.updated_at is not None):
        found.append("IDLE carries no strikes and no time")
    if c.step is Step.SEARCH_GUIDE and c.updated_at is None:
        found.append("a search prompt needs updated_at")
    if c.theme_next is not None and c.step not in (Step.IDLE, Step.SEARCH_GUIDE):
        found.append(f"{c.step}: theme_next waits at rest only")
    if (c.draft is not None or c.pending_text is not None) and c.updated_at is None:
        found.append("an open draft or idea needs updated_at")
    if c.paused_from is not None and c.paused_from not in resume.RESUMABLE:
        found.append(f"paused_from {c.paused_from} is not a question")
    if c.batch is not None and c.draft is None:
        found.append("photos waiting to be answered belong to an open draft")
    d = c.draft
    if d is None:
        return found
    photo_steps = (Step.ASK_FACE, Step.ASK_COMMENT)
    if d.kind is DraftKind.IDEA and (c.step in photo_steps or c.paused_from in photo_steps):
        found.append("an idea has no face or comment question")
    if d.kind is DraftKind.IDEA and (d.media or d.comment is None):
        found.append("an idea has a comment and no photos")
    if d.kind is DraftKind.PHOTO and d.media < 1:
        found.append("a photo draft holds at least one photo")
    if max_media is not None and d.media > max_media:
        found.append(f"{d.media} photos is over the limit of {max_media}")
    if len(c.arrived) > d.media or len(set(c.arrived)) != len(c.arrived):
        found.append("arrived photos must be distinct photos of the draft")
    if not 0 <= d.videos <= d.media:
        found.append(f"{d.videos} videos among {d.media} photos and videos")
    videos = c.arrived_videos
    if (
        len(set(videos)) != len(videos)
        or len(videos) > d.videos
        or not set(videos) <= set(c.arrived)
    ):
        found.append("arrived videos must be distinct videos of the draft among the arrived")
    if Step.ASK_COMMENT in (c.step, c.paused_from) and d.face is None:
        found.append("ASK_COMMENT comes after the face choice")
    return found


def is_valid(conversation: Conversation, *, max_media: int | None = None) -> bool:
    """Tell whether a conversation keeps the state rules (see `problems`)."""
    return not problems(conversation, max_media=max_media)
