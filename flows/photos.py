"""Photos arriving: open a draft, join the open one, or wait beside a paused one; pure, no I/O.

LINE delivers each photo of an `imageSet` as its own event, maybe in separate requests and in any
order. The first photo of a set the bot sees gets the answer; the others join silently, so the
bot answers once per batch. Over the draft's limit a photo is not attached, and the limit is said
once per set.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from flows.keys import Key
from flows.questions import ask_resume, question, then_ask
from flows.types import (
    AttachPhoto,
    Context,
    Conversation,
    Draft,
    DraftKind,
    Effect,
    Outcome,
    PhotoReceived,
    Reply,
    SetTheme,
    StartDraft,
    Step,
)


@dataclass(frozen=True)
class _Taken:
    """What one photo did to a draft: the new draft, the effects, and what to say (if anything)."""

    draft: Draft
    effects: tuple[Effect, ...]
    note: Reply | None  # None: say nothing (a later photo of a set already answered)
    attached: bool


def opening_step(ctx: Context) -> Step:
    """Return the first question of a photo draft (no theme question when no theme is active)."""
    return Step.ASK_THEME if ctx.themes else Step.ASK_FACE


def _take(draft: Draft, photo: PhotoReceived, ctx: Context) -> _Taken:
    """Attach a photo to a draft if it may take one, and decide whether to say so."""
    image_set = photo.image_set
    known = image_set is not None and image_set.id in draft.answered_sets
    sets = draft.answered_sets | {image_set.id} if image_set is not None else draft.answered_sets
    if draft.kind is DraftKind.IDEA:
        # An idea has no face question, so it must not carry photos (consent is per photo draft).
        taken = replace(draft, answered_sets=sets)
        return _Taken(taken, (), None if known else Reply(Key.PHOTO_NOT_FOR_IDEA), False)
    if draft.media >= ctx.max_media:
        silent = known and draft.limit_noticed
        taken = replace(draft, answered_sets=sets, limit_noticed=True)
        note = None if silent else Reply(Key.PHOTO_LIMIT, {"max": ctx.max_media})
        return _Taken(taken, (), note, False)
    taken = replace(draft, media=draft.media + 1, answered_sets=sets)
    attach = AttachPhoto(
        draft.id,
        photo.message_id,
        image_set.id if image_set is not None else None,
        image_set.index if image_set is not None else None,
    )
    note = None if known else Reply(Key.PHOTO_ADDED, {"count": taken.media})
    return _Taken(taken, (attach,), note, True)


def start_photo_draft(conversation: Conversation, photo: PhotoReceived, ctx: Context) -> Outcome:
    """Open a photo draft with this photo and ask the first question (drops a pending idea).

    After "send for this theme" the theme is already chosen, so the first question is the face.
    """
    image_set = photo.image_set
    preset = next((t.slug for t in ctx.themes if t.slug == conversation.theme_next), None)
    draft = Draft(
        ctx.new_draft_id,
        ctx.new_code,
        DraftKind.PHOTO,
        media=1,
        answered_sets=frozenset({image_set.id}) if image_set is not None else frozenset(),
        theme=preset,
    )
    effects: tuple[Effect, ...] = (
        StartDraft(draft.id, draft.code, DraftKind.PHOTO),
        AttachPhoto(
            draft.id,
            photo.message_id,
            image_set.id if image_set is not None else None,
            image_set.index if image_set is not None else None,
        ),
    )
    first = opening_step(ctx)
    if preset is not None:
        effects = (*effects, SetTheme(draft.id, preset))
        first = Step.ASK_FACE
    opened = Conversation(step=first, draft=draft, updated_at=ctx.now)
    return Outcome(opened, (Reply(Key.PHOTO_THANKS), *question(opened, ctx)), effects)


def add_photo(conversation: Conversation, photo: PhotoReceived, ctx: Context) -> Outcome:
    """Add a photo to the open draft; say so and re-ask, unless its set was already answered."""
    if conversation.draft is None:  # not reachable from the table; kept total for safety
        return start_photo_draft(conversation, photo, ctx)
    taken = _take(conversation.draft, photo, ctx)
    moved = replace(conversation, draft=taken.draft, updated_at=ctx.now, strikes=0)
    if taken.note is None:
        return Outcome(moved, (), taken.effects)
    return Outcome(moved, then_ask(moved, ctx, taken.note), taken.effects)


def hold_photo(conversation: Conversation, photo: PhotoReceived, ctx: Context) -> Outcome:
    """Keep a photo sent to a paused draft, and ask whether to continue that draft or start anew."""
    draft = conversation.draft
    if draft is None:  # not reachable from the table; kept total for safety
        return start_photo_draft(conversation, photo, ctx)
    taken = _take(draft, photo, ctx)
    arrived = conversation.arrived + ((photo.message_id,) if taken.attached else ())
    moved = replace(conversation, draft=taken.draft, arrived=arrived, updated_at=ctx.now)
    if taken.note is None:
        return Outcome(moved, (), taken.effects)
    if taken.attached:
        # The resume question itself says that new photos arrived; it has now been shown whole.
        shown = replace(moved, strikes=1)
        return Outcome(shown, (ask_resume(shown, taken.draft, ctx),), taken.effects)
    return Outcome(moved, then_ask(moved, ctx, taken.note), taken.effects)
