"""The questions of one submission: theme, face, comment, and the comment-only idea; pure.

A photo draft goes theme → face → comment → receipt; an idea goes confirm → theme → receipt (no
face question: there is no photo). Each handler moves `updated_at` when it moves the draft and
resets the strikes, because an expected answer ends any run of unexpected ones.
"""

from __future__ import annotations

from dataclasses import replace

from flows.guide import text_at_rest
from flows.intents import Tap, normalise
from flows.keys import Key
from flows.questions import confirm_idea, question, receipt, summary, then_ask
from flows.reprompt import unexpected
from flows.sites import typed_site
from flows.types import (
    Context,
    Conversation,
    Draft,
    DraftKind,
    Effect,
    Face,
    Outcome,
    Reply,
    SetComment,
    SetFace,
    SetTheme,
    StartDraft,
    Step,
    SubmitDraft,
    TextReceived,
)


def _submit(draft: Draft, effects: tuple[Effect, ...], ctx: Context) -> Outcome:
    """Hand the draft to the PR team, say what it holds and give the receipt; back to IDLE."""
    replies = (summary(draft, ctx), *receipt(draft, ctx))
    return Outcome(Conversation(), replies, (*effects, SubmitDraft(draft.id)))


def _ask(conversation: Conversation, step: Step, draft: Draft, ctx: Context) -> Conversation:
    return replace(conversation, step=step, draft=draft, strikes=0, updated_at=ctx.now)


def _set_theme(conversation: Conversation, draft: Draft, slug: str, ctx: Context) -> Outcome:
    chosen = replace(draft, theme=slug)
    effects: tuple[Effect, ...] = (SetTheme(draft.id, slug),)
    if draft.kind is DraftKind.IDEA:
        return _submit(chosen, effects, ctx)
    asked = _ask(conversation, Step.ASK_FACE, chosen, ctx)
    return Outcome(asked, question(asked, ctx), effects)


def choose_theme(conversation: Conversation, tap: Tap, ctx: Context) -> Outcome:
    """Record the tapped theme, if still active, and go on to the face question or submit."""
    draft = conversation.draft
    if draft is None or all(theme.slug != tap.arg for theme in ctx.themes):
        return unexpected(conversation, ctx)
    return _set_theme(conversation, draft, tap.arg, ctx)


def type_theme(conversation: Conversation, text: TextReceived, ctx: Context) -> Outcome:
    """Accept a theme's exact title typed instead of tapped."""
    typed = normalise(text.text)
    match = next((theme for theme in ctx.themes if normalise(theme.title) == typed), None)
    if conversation.draft is None or match is None:
        return unexpected(conversation, ctx)
    return _set_theme(conversation, conversation.draft, match.slug, ctx)


def choose_face(conversation: Conversation, tap: Tap, ctx: Context) -> Outcome:
    """Record the face choice (the worker's consent) and ask for the comment."""
    draft = conversation.draft
    if draft is None or tap.arg not in set(Face):
        return unexpected(conversation, ctx)
    face = Face(tap.arg)
    asked = _ask(conversation, Step.ASK_COMMENT, replace(draft, face=face), ctx)
    return Outcome(asked, question(asked, ctx), (SetFace(draft.id, face),))


def write_comment(conversation: Conversation, text: TextReceived, ctx: Context) -> Outcome:
    """Record the typed comment and submit; ask to shorten one that is too long."""
    draft = conversation.draft
    comment = text.text.strip()
    if draft is None or not comment:
        return unexpected(conversation, ctx)
    if len(comment) > ctx.max_comment_chars:
        too_long = Reply(Key.COMMENT_TOO_LONG, {"max": ctx.max_comment_chars})
        return Outcome(conversation, then_ask(conversation, ctx, too_long))
    return _submit(replace(draft, comment=comment), (SetComment(draft.id, comment),), ctx)


def skip_comment(conversation: Conversation, _tap: Tap, ctx: Context) -> Outcome:
    """Submit without a comment."""
    draft = conversation.draft
    if draft is None:
        return unexpected(conversation, ctx)
    return _submit(draft, (SetComment(draft.id, None),), ctx)


def offer_idea(conversation: Conversation, text: TextReceived, ctx: Context) -> Outcome:
    """Ask whether a text sent without a photo should go to the PR team as an idea."""
    idea = text.text.strip()
    if not idea:
        return unexpected(conversation, ctx)
    if len(idea) > ctx.max_comment_chars:
        too_long = Reply(Key.COMMENT_TOO_LONG, {"max": ctx.max_comment_chars})
        return Outcome(conversation, then_ask(conversation, ctx, too_long))
    site = typed_site(conversation, text, ctx)
    if site is not None:
        return site  # the site question's answer, typed rather than tapped
    looked_up = text_at_rest(text, ctx)
    if looked_up is not None:
        return looked_up
    pending = Conversation(step=Step.CONFIRM_IDEA, pending_text=idea, updated_at=ctx.now)
    return Outcome(pending, (confirm_idea(idea),))


def accept_idea(conversation: Conversation, _tap: Tap, ctx: Context) -> Outcome:
    """Open an idea draft with the pending text and ask its theme (submit if no theme is active)."""
    idea = conversation.pending_text
    if idea is None:
        return unexpected(conversation, ctx)
    draft = Draft(ctx.new_draft_id, ctx.new_code, DraftKind.IDEA, comment=idea)
    effects: tuple[Effect, ...] = (
        StartDraft(draft.id, draft.code, DraftKind.IDEA),
        SetComment(draft.id, idea),
    )
    if not ctx.themes:
        return _submit(draft, effects, ctx)
    asked = Conversation(step=Step.ASK_THEME, draft=draft, updated_at=ctx.now)
    return Outcome(asked, question(asked, ctx), effects)
