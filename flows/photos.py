"""Photos arriving: open a draft, join the open one, or wait beside a paused one; pure, no I/O.

LINE delivers each photo of an `imageSet` (an album sent at once) as its own event, maybe in
separate requests and in any order, and shows quick replies only under the newest message. So
the bot answers a batch once, after its last photo: photos join a `Batch` silently until every
set in it has arrived (its `total`), and each silent photo asks the caller for a delayed check
(`CheckBatchLater`). The check of the newest photo answers a batch still waiting: after a short
settle time when a set has no `total` (old Android clients), after a bound when a photo of the set
never comes. A lone photo (no imageSet) is a whole batch by itself and is answered at once; each
later one gets its own answer, so the newest message always carries the buttons. Over the draft's
limit a photo is not attached, and the answer says so.
"""

from __future__ import annotations

from dataclasses import replace

from flows.keys import Key
from flows.questions import ask_resume, then_ask
from flows.types import (
    AttachPhoto,
    Batch,
    BatchDue,
    CheckBatchLater,
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


def opening_step(ctx: Context) -> Step:
    """Return the first question of a photo draft (no theme question when no theme is active)."""
    return Step.ASK_THEME if ctx.themes else Step.ASK_FACE


def _attach(draft: Draft, photo: PhotoReceived) -> AttachPhoto:
    image_set = photo.image_set
    return AttachPhoto(
        draft.id,
        photo.message_id,
        image_set.id if image_set is not None else None,
        image_set.index if image_set is not None else None,
        photo.video,
    )


def _take(draft: Draft, photo: PhotoReceived, ctx: Context) -> tuple[Draft, tuple[Effect, ...]]:
    """Attach a photo to a draft if it may take one (an idea takes none: consent is per photo)."""
    if draft.kind is DraftKind.IDEA or draft.media >= ctx.max_media:
        return draft, ()
    taken = replace(draft, media=draft.media + 1, videos=draft.videos + int(photo.video))
    return taken, (_attach(draft, photo),)


def _arrive(batch: Batch | None, photo: PhotoReceived, answered: frozenset[str]) -> Batch:
    """Count a photo into the batch waiting to be answered (a new one if none waits)."""
    base = batch or Batch(newest=photo.message_id)
    sets = list(base.sets)
    image_set = photo.image_set
    # A set the bot already answered (its last photo came late) counts as whole: answer at once.
    if image_set is not None and image_set.id not in answered:
        total = image_set.total if image_set.total is None or image_set.total > 0 else None
        for i, (set_id, known, got) in enumerate(sets):
            if set_id == image_set.id:
                sets[i] = (set_id, known if known is not None else total, got + 1)
                break
        else:
            sets.append((image_set.id, total, 1))
    return replace(base, newest=photo.message_id, photos=base.photos + 1, sets=tuple(sets))


def _after_arrival(
    conversation: Conversation, effects: tuple[Effect, ...], ctx: Context
) -> Outcome:
    """Answer the batch if it is whole; otherwise stay silent and ask to be checked later."""
    batch = conversation.batch
    if batch is None or batch.whole:
        return answer_batch(conversation, effects, ctx)
    unknown = any(total is None for _, total, _ in batch.sets)
    delay = ctx.batch_settle if unknown else ctx.batch_bound
    return Outcome(conversation, (), (*effects, CheckBatchLater(batch.newest, delay)))


def _notes(batch: Batch, draft: Draft, ctx: Context) -> tuple[Reply, ...]:
    """What to say about the photos of a batch before the question."""
    notes: list[Reply] = []
    if batch.opened and (draft.media > 1 or draft.videos):
        notes.append(Reply(Key.PHOTO_THANKS_MANY, {"count": draft.counted}))
    elif batch.opened:
        notes.append(Reply(Key.PHOTO_THANKS))
    elif batch.photos > batch.refused:
        notes.append(Reply(Key.PHOTO_ADDED, {"count": draft.counted}))
    if batch.refused and draft.kind is DraftKind.IDEA:
        notes.append(Reply(Key.PHOTO_NOT_FOR_IDEA))
    elif batch.refused:
        notes.append(Reply(Key.PHOTO_LIMIT, {"max": ctx.max_media}))
    return tuple(notes)


def answer_batch(conversation: Conversation, effects: tuple[Effect, ...], ctx: Context) -> Outcome:
    """Say what the batch brought, then ask the open question (its buttons under the newest)."""
    batch, draft = conversation.batch, conversation.draft
    if batch is None or draft is None:  # not reachable: arrivals always leave both
        return Outcome(replace(conversation, batch=None), then_ask(conversation, ctx), effects)
    answered = replace(draft, answered_sets=draft.answered_sets | {s for s, _, _ in batch.sets})
    settled = replace(conversation, draft=answered, batch=None, updated_at=ctx.now)
    if settled.step is Step.RESUME and batch.photos > batch.refused:
        # The resume question itself says that new photos arrived; it has now been shown whole.
        shown = replace(settled, strikes=1)
        return Outcome(shown, (ask_resume(shown, answered, ctx),), effects)
    return Outcome(settled, then_ask(settled, ctx, *_notes(batch, answered, ctx)), effects)


def start_photo_draft(conversation: Conversation, photo: PhotoReceived, ctx: Context) -> Outcome:
    """Open a photo draft with this photo; ask the first question once its batch is whole.

    After "send for this theme" the theme is already chosen, so the first question is the face.
    """
    preset = next((t.slug for t in ctx.themes if t.slug == conversation.theme_next), None)
    draft = Draft(
        ctx.new_draft_id,
        ctx.new_code,
        DraftKind.PHOTO,
        media=1,
        theme=preset,
        videos=int(photo.video),
    )
    effects: tuple[Effect, ...] = (
        StartDraft(draft.id, draft.code, DraftKind.PHOTO),
        _attach(draft, photo),
    )
    first = opening_step(ctx)
    if preset is not None:
        effects = (*effects, SetTheme(draft.id, preset))
        first = Step.ASK_FACE
    batch = replace(_arrive(None, photo, frozenset()), opened=True)
    opened = Conversation(step=first, draft=draft, updated_at=ctx.now, batch=batch)
    return _after_arrival(opened, effects, ctx)


def _join(conversation: Conversation, photo: PhotoReceived, ctx: Context) -> Outcome:
    draft = conversation.draft
    if draft is None:  # not reachable from the table; kept total for safety
        return start_photo_draft(conversation, photo, ctx)
    taken, effects = _take(draft, photo, ctx)
    batch = _arrive(conversation.batch, photo, draft.answered_sets)
    if not effects:
        batch = replace(batch, refused=batch.refused + 1)
    held = (photo.message_id,) if conversation.step is Step.RESUME and effects else ()
    moved = replace(
        conversation,
        draft=taken,
        batch=batch,
        arrived=conversation.arrived + held,
        arrived_videos=conversation.arrived_videos + (held if photo.video else ()),
        updated_at=ctx.now,
    )
    if conversation.step is not Step.RESUME:
        moved = replace(moved, strikes=0)
    return _after_arrival(moved, effects, ctx)


def add_photo(conversation: Conversation, photo: PhotoReceived, ctx: Context) -> Outcome:
    """Add a photo to the open draft; answer (added, and the question) once its batch is whole."""
    return _join(conversation, photo, ctx)


def hold_photo(conversation: Conversation, photo: PhotoReceived, ctx: Context) -> Outcome:
    """Keep a photo sent to a paused draft; once its batch is whole, ask continue or start anew."""
    return _join(conversation, photo, ctx)


def batch_due(conversation: Conversation, due: BatchDue, ctx: Context) -> Outcome:
    """Answer a batch still waiting when the check of its newest photo comes; else do nothing."""
    batch = conversation.batch
    if batch is None or batch.newest != due.message_id or conversation.draft is None:
        return Outcome(conversation)  # answered already, or a newer photo's check will answer
    return answer_batch(conversation, (), ctx)
