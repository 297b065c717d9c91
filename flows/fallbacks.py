"""Inputs that mean the same in every step: cancel, help, withdraw, follow, unsend, other types.

Most of them answer and then re-ask the open question, leaving the draft as it was. None of them
counts as a strike except a sticker or another message type the bot cannot take.
"""

from __future__ import annotations

from dataclasses import replace

from flows.guide import welcome_prompt
from flows.intents import EXTERNAL_PHOTO, Intent, Tap, WithdrawAsked
from flows.keys import Key
from flows.notice_choice import open_button
from flows.questions import button, camera_buttons, then_ask
from flows.reprompt import unexpected
from flows.sites import site_question
from flows.types import (
    Context,
    Conversation,
    DiscardDraft,
    Followed,
    OtherReceived,
    Outcome,
    PostbackReceived,
    Reply,
    SetFollowing,
    Step,
    SubmissionRef,
    SubmissionStatus,
    Unfollowed,
    Unsent,
    WithdrawPhoto,
    WithdrawSubmission,
)


def cancel(conversation: Conversation, _tap: Tap, ctx: Context) -> Outcome:
    """Drop the open draft or pending idea and go back to IDLE."""
    idle = Conversation()
    if conversation.draft is not None:
        effects = (DiscardDraft(conversation.draft.id),)
        return Outcome(idle, then_ask(idle, ctx, Reply(Key.CANCELLED)), effects)
    if conversation.pending_text is not None:
        return Outcome(idle, then_ask(idle, ctx, Reply(Key.CANCELLED)))
    if conversation.step is Step.SEARCH_GUIDE:
        # Leaving the search keeps a theme chosen from its card for the next photos.
        rest = Conversation(theme_next=conversation.theme_next)
        return Outcome(rest, then_ask(rest, ctx, Reply(Key.CANCELLED)))
    return Outcome(idle, then_ask(idle, ctx, Reply(Key.CANCEL_NOTHING)))


def show_help(conversation: Conversation, _tap: Tap, ctx: Context) -> Outcome:
    """Explain how to send, then re-ask the open question; at IDLE, offer more (settings...)."""
    if conversation.draft is not None or conversation.pending_text is not None:
        return Outcome(conversation, then_ask(conversation, ctx, Reply(Key.HELP)))
    more = (
        *camera_buttons(),
        button(Key.BUTTON_MINE, Tap(Intent.MINE)),
        button(Key.BUTTON_SETTINGS, Tap(Intent.SETTINGS)),
        open_button(),
    )
    return Outcome(conversation, (Reply(Key.HELP, choices=more),))


def show_send(conversation: Conversation, _tap: Tap, ctx: Context) -> Outcome:
    """Point to the camera and album (the rich menu's "send" button)."""
    return Outcome(conversation, then_ask(conversation, ctx, Reply(Key.SEND_POINTER)))


def _withdrawable(tap: Tap, ctx: Context) -> SubmissionRef | Key:
    """Return the submission the tap names, or the key explaining why it cannot be withdrawn."""
    found = ctx.submission
    # The caller looked the id up; a mismatch means the lookup was for another postback.
    if found is None or found.id != tap.arg or found.status is SubmissionStatus.DRAFT:
        return Key.WITHDRAW_NOT_FOUND
    if found.status is SubmissionStatus.WITHDRAWN:
        return Key.WITHDRAW_ALREADY
    return found


def _refuse(conversation: Conversation, ctx: Context, key: Key) -> Outcome:
    code = ctx.submission.code if ctx.submission is not None else ""
    params = {"code": code} if key is Key.WITHDRAW_ALREADY else {}
    return Outcome(conversation, then_ask(conversation, ctx, Reply(key, params)))


def _confirm(conversation: Conversation, found: SubmissionRef, key: Key) -> Outcome:
    # The buttons go on this message, so the open question is re-asked after the answer.
    confirm = Reply(
        key,
        {"code": found.code},
        (
            button(Key.BUTTON_WITHDRAW_YES, Tap(Intent.WITHDRAW_YES, found.id)),
            button(Key.BUTTON_KEEP, Tap(Intent.KEEP, found.id)),
        ),
    )
    return Outcome(conversation, (confirm,))


def ask_withdraw(conversation: Conversation, tap: Tap, ctx: Context) -> Outcome:
    """Ask to confirm withdrawing a submission (the receipt's button)."""
    found = _withdrawable(tap, ctx)
    if isinstance(found, Key):
        return _refuse(conversation, ctx, found)
    return _confirm(conversation, found, Key.WITHDRAW_CONFIRM)


def ask_withdraw_typed(conversation: Conversation, asked: WithdrawAsked, ctx: Context) -> Outcome:
    """Ask to confirm withdrawing the submission a typed code names, or the latest one.

    The caller looked up only this worker's own submissions: a code of someone else's gets the
    same answer as a code that does not exist.
    """
    found = ctx.submission
    if asked.code:
        if found is None or found.code != asked.code or found.status is SubmissionStatus.DRAFT:
            unknown = Reply(Key.WITHDRAW_CODE_UNKNOWN, {"code": asked.code})
            return Outcome(conversation, then_ask(conversation, ctx, unknown))
        if found.status is SubmissionStatus.WITHDRAWN:
            return _refuse(conversation, ctx, Key.WITHDRAW_ALREADY)
        return _confirm(conversation, found, Key.WITHDRAW_CONFIRM)
    open_statuses = (SubmissionStatus.DRAFT, SubmissionStatus.WITHDRAWN)
    if found is None or found.status in open_statuses:
        return Outcome(conversation, then_ask(conversation, ctx, Reply(Key.WITHDRAW_NONE)))
    return _confirm(conversation, found, Key.WITHDRAW_CONFIRM_LATEST)


def withdraw(conversation: Conversation, tap: Tap, ctx: Context) -> Outcome:
    """Withdraw a submission after the worker confirmed; a second tap only says it is done."""
    found = _withdrawable(tap, ctx)
    if isinstance(found, Key):
        return _refuse(conversation, ctx, found)
    done = Reply(Key.WITHDRAW_DONE, {"code": found.code})
    return Outcome(conversation, then_ask(conversation, ctx, done), (WithdrawSubmission(found.id),))


def keep_submission(conversation: Conversation, _tap: Tap, ctx: Context) -> Outcome:
    """Leave the submission as it is."""
    return Outcome(conversation, then_ask(conversation, ctx, Reply(Key.WITHDRAW_KEPT)))


def welcome(conversation: Conversation, followed: Followed, ctx: Context) -> Outcome:
    """Record the follow and say what the bot is for and how to send."""
    key = Key.WELCOME_BACK if followed.unblocked else Key.WELCOME
    following = (SetFollowing(following=True),)
    prompt, asked = welcome_prompt(ctx)
    if prompt and conversation.draft is None:
        # The agreement comes first; the site question follows the first "I agree".
        return Outcome(conversation, (Reply(key), *prompt), (*following, *asked))
    at_rest = conversation.draft is None and conversation.pending_text is None
    if at_rest and ctx.sites and ctx.site is None and not ctx.site_gone:
        # The site question ends the welcome (skippable); a retired site is asked about later.
        return Outcome(conversation, (Reply(key), site_question(ctx)), following)
    return Outcome(conversation, then_ask(conversation, ctx, Reply(key)), following)


def unfollow(conversation: Conversation, _event: Unfollowed, _ctx: Context) -> Outcome:
    """Record the block; LINE gives no reply token, so say nothing."""
    return Outcome(conversation, (), (SetFollowing(following=False),))


def unsend(conversation: Conversation, unsent: Unsent, ctx: Context) -> Outcome:
    """Withdraw the stored copy of an unsent message, silently (there is no reply token).

    A photo of the open draft no longer counts (the receipt says how many were sent); when
    none is left the draft is dropped, never submitted empty, and the next reply says why.
    """
    arrived = tuple(m for m in conversation.arrived if m != unsent.message_id)
    videos = tuple(m for m in conversation.arrived_videos if m != unsent.message_id)
    kept = replace(conversation, arrived=arrived, arrived_videos=videos)
    withdrawn = WithdrawPhoto(unsent.message_id)
    draft = kept.draft
    if draft is None or ctx.unsent_from != draft.id or draft.media < 1:
        return Outcome(kept, (), (withdrawn,))
    if draft.media == 1:
        return Outcome(Conversation(emptied=True), (), (withdrawn, DiscardDraft(draft.id)))
    video = ctx.unsent_video and draft.videos > 0
    fewer = replace(draft, media=draft.media - 1, videos=draft.videos - int(video))
    return Outcome(replace(kept, draft=fewer), (), (withdrawn,))


def point_to_camera(conversation: Conversation, other: OtherReceived, ctx: Context) -> Outcome:
    """Point a sticker, file or location to the camera and album; an external photo is no strike."""
    if other.kind == EXTERNAL_PHOTO:
        return Outcome(conversation, then_ask(conversation, ctx, Reply(Key.PHOTO_EXTERNAL)))
    return unexpected(conversation, ctx, hint=Key.OTHER_POINTER)


def malformed(conversation: Conversation, _data: PostbackReceived, ctx: Context) -> Outcome:
    """Treat postback data that does not parse (foreign, old format, damaged) as unexpected."""
    return unexpected(conversation, ctx)
