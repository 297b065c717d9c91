"""Drafts left waiting: the idle timeout, the pause, and the worker's continue-or-discard answer.

A draft is never dropped for being old here; it is paused (`Step.RESUME`) and the worker decides.
Photos that arrive while a draft is paused are attached to it and remembered in `arrived`, so that
discarding the old draft can hand them to a new one.
"""

from __future__ import annotations

from dataclasses import replace

from flows.intents import Tap
from flows.keys import Key
from flows.photos import opening_step
from flows.questions import question, then_ask
from flows.types import (
    Context,
    Conversation,
    DiscardDraft,
    Draft,
    DraftKind,
    MovePhotos,
    Outcome,
    Reply,
    StartDraft,
    Step,
)

# The questions a paused draft can go back to.
RESUMABLE = frozenset({Step.ASK_THEME, Step.ASK_FACE, Step.ASK_COMMENT})


def is_expired(conversation: Conversation, ctx: Context) -> bool:
    """Tell whether the conversation has waited longer than the idle timeout."""
    updated = conversation.updated_at
    return updated is not None and ctx.now - updated > ctx.idle_timeout


def pause(conversation: Conversation) -> Conversation:
    """Put the open draft on hold, remembering the question to go back to."""
    return replace(
        conversation,
        step=Step.RESUME,
        paused_from=conversation.step,
        strikes=0,
        arrived=(),
        arrived_videos=(),
    )


def continue_draft(conversation: Conversation, _tap: Tap, ctx: Context) -> Outcome:
    """Go back to the question the draft was paused at, and ask it again."""
    back = conversation.paused_from
    resumed = replace(
        conversation,
        step=back if back in RESUMABLE else Step.ASK_THEME,
        paused_from=None,
        arrived=(),
        arrived_videos=(),
        strikes=0,
        updated_at=ctx.now,
    )
    return Outcome(resumed, question(resumed, ctx))


def discard_draft(conversation: Conversation, _tap: Tap, ctx: Context) -> Outcome:
    """Throw the paused draft away; photos sent since the pause start a new draft."""
    old = conversation.draft
    if old is None:  # not reachable from the table; kept total for safety
        return Outcome(Conversation(), then_ask(Conversation(), ctx, Reply(Key.CANCEL_NOTHING)))
    if not conversation.arrived:
        idle = Conversation()
        return Outcome(
            idle, then_ask(idle, ctx, Reply(Key.RESUME_DISCARDED)), (DiscardDraft(old.id),)
        )
    new = Draft(
        ctx.new_draft_id,
        ctx.new_code,
        DraftKind.PHOTO,
        media=len(conversation.arrived),
        videos=len(conversation.arrived_videos),
        # Later photos of the sets that already arrived still join silently.
        answered_sets=old.answered_sets,
    )
    effects = (
        StartDraft(new.id, new.code, DraftKind.PHOTO),
        MovePhotos(conversation.arrived, new.id),
        DiscardDraft(old.id),
    )
    fresh = Conversation(step=opening_step(ctx), draft=new, updated_at=ctx.now)
    note = Reply(Key.RESUME_DISCARDED_NEW, {"count": new.counted})
    return Outcome(fresh, then_ask(fresh, ctx, note), effects)
