"""Unexpected input: re-ask the open question with a hint, and never loop for ever.

Each unexpected input in a row is a strike. The third one pauses the draft (it is kept, and the
worker gets continue / discard buttons); an idea waiting for confirmation is set aside instead. In
RESUME the first unexpected input gets the whole question again, later ones a short pointer.
"""

from __future__ import annotations

from dataclasses import replace

from flows.keys import Key
from flows.questions import resume_buttons, then_ask
from flows.resume import pause
from flows.types import Context, Conversation, Outcome, Reply, Step

MAX_STRIKES = 3


def unexpected(
    conversation: Conversation, ctx: Context, *, hint: Key = Key.HINT_UNEXPECTED
) -> Outcome:
    """Answer an input the open question did not expect."""
    notes = () if hint is Key.HINT_UNEXPECTED else (Reply(hint),)
    if conversation.step is Step.SEARCH_GUIDE:
        # Not a search word: the search prompt ends, and the input is answered as at rest.
        conversation = Conversation(theme_next=conversation.theme_next)
    draft = conversation.draft
    match conversation.step:
        case Step.IDLE:
            if hint in (Key.HINT_UNEXPECTED, Key.HINT_STALE):
                notes = (*notes, Reply(Key.IDLE_POINTER))
            return Outcome(conversation, then_ask(conversation, ctx, *notes))
        case Step.RESUME if draft is not None:
            if conversation.strikes == 0:
                pointed = replace(conversation, strikes=1)
                return Outcome(pointed, then_ask(pointed, ctx, *notes))
            pointer = Reply(Key.RESUME_POINTER, choices=resume_buttons(draft))
            return Outcome(conversation, (*notes, pointer))
    strikes = conversation.strikes + 1
    if strikes < MAX_STRIKES:
        struck = replace(conversation, strikes=strikes)
        hinted = notes or (Reply(Key.HINT_UNEXPECTED),)
        return Outcome(struck, then_ask(struck, ctx, *hinted))
    if draft is None:
        # A pending idea has nothing to keep: set it aside rather than ask a fourth time.
        idle = Conversation()
        return Outcome(idle, then_ask(idle, ctx, Reply(Key.IDEA_SET_ASIDE)))
    paused = pause(conversation)
    return Outcome(paused, (Reply(Key.DRAFT_PAUSED, choices=resume_buttons(draft)),))
