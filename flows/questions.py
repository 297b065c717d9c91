"""The bot's questions and their buttons, built from the conversation state; nothing here decides.

Each step that waits for the worker has one question (`question`). Notes said before a question
(`then_ask`) never carry buttons, because LINE shows quick replies only on the last message.
"""

from __future__ import annotations

from dataclasses import replace

from flows.intents import MAX_DATA, Intent, Tap, encode, fingerprint
from flows.keys import Key
from flows.types import (
    Choice,
    ChoiceKind,
    Context,
    Conversation,
    Draft,
    DraftKind,
    Face,
    MediaCount,
    Reply,
    Step,
)

MAX_CHOICES = 13  # LINE's limit on quick-reply items
PREVIEW_CHARS = 40  # how much of an idea's text the bot quotes back

_FACE_LABELS = {
    Face.SHOW: Key.BUTTON_FACE_SHOW,
    Face.BLUR: Key.BUTTON_FACE_BLUR,
    Face.NO_FACE: Key.BUTTON_FACE_NONE,
}


def button(label: Key, tap: Tap) -> Choice:
    """Return a postback button with a catalogue label."""
    return Choice(ChoiceKind.POSTBACK, label=label, data=encode(tap))


def camera_buttons(camera: Key = Key.BUTTON_CAMERA) -> tuple[Choice, ...]:
    """Return the camera and album buttons, the way to start sending."""
    return (
        Choice(ChoiceKind.CAMERA, label=camera),
        Choice(ChoiceKind.CAMERA_ROLL, label=Key.BUTTON_ALBUM),
    )


def current_ref(conversation: Conversation) -> str:
    """Return what the buttons of the open question refer to (empty when nothing is open)."""
    if conversation.draft is not None:
        return conversation.draft.id
    if conversation.pending_text is not None:
        return fingerprint(conversation.pending_text)
    return ""


def preview(text: str) -> str:
    """Return the start of a text for quoting it back."""
    return text if len(text) <= PREVIEW_CHARS else text[: PREVIEW_CHARS - 1] + "…"


def theme_title(slug: str | None, ctx: Context) -> str:
    """Return an active theme's title, or its slug once the theme is no longer active."""
    return next((t.title for t in ctx.themes if t.slug == slug), slug or "")


def ask_theme(draft: Draft, ctx: Context) -> Reply:
    """Ask for the theme: the active themes in order (the month's first), then cancel."""
    themes: list[Choice] = []
    for theme in ctx.themes:
        data = encode(Tap(Intent.THEME, theme.slug, draft.id))
        # A theme whose data would not fit LINE's limit can still be chosen by typing its title.
        if len(data) <= MAX_DATA:
            themes.append(Choice(ChoiceKind.POSTBACK, data=data, literal=theme.title))
    cancel = button(Key.BUTTON_CANCEL, Tap(Intent.CANCEL, ref=draft.id))
    key = Key.ASK_THEME if draft.kind is DraftKind.PHOTO else Key.ASK_THEME_IDEA
    return Reply(key, choices=(*themes[: MAX_CHOICES - 1], cancel))


def face_order(last: Face | None) -> tuple[Face, ...]:
    """Return the face choices, the worker's previous one first (offered, never applied)."""
    return tuple(sorted(Face, key=lambda f: f is not last))


def ask_face(draft: Draft, ctx: Context) -> Reply:
    """Ask whether faces may be shown, blurred, or are not in the photos; last choice first."""
    faces = tuple(
        button(_FACE_LABELS[f], Tap(Intent.FACE, f.value, draft.id))
        for f in face_order(ctx.last_face)
    )
    cancel = button(Key.BUTTON_CANCEL, Tap(Intent.CANCEL, ref=draft.id))
    return Reply(Key.ASK_FACE, choices=(*faces, cancel))


def ask_comment(draft: Draft) -> Reply:
    """Ask for one line about the photos, with a skip button."""
    skip = button(Key.BUTTON_SKIP, Tap(Intent.SKIP, ref=draft.id))
    cancel = button(Key.BUTTON_CANCEL, Tap(Intent.CANCEL, ref=draft.id))
    return Reply(Key.ASK_COMMENT, choices=(skip, cancel))


FACE_LABELS = _FACE_LABELS


def confirm_idea(text: str) -> Reply:
    """Ask whether a text sent without a photo should go to the PR team as an idea."""
    ref = fingerprint(text)
    return Reply(
        Key.IDEA_CONFIRM,
        {"preview": preview(text)},
        (
            button(Key.BUTTON_IDEA, Tap(Intent.IDEA, ref=ref)),
            *camera_buttons(),
            button(Key.BUTTON_CANCEL, Tap(Intent.CANCEL, ref=ref)),
        ),
    )


def resume_buttons(draft: Draft) -> tuple[Choice, ...]:
    """Return the continue and discard buttons of a paused draft."""
    return (
        button(Key.BUTTON_CONTINUE, Tap(Intent.CONTINUE, ref=draft.id)),
        button(Key.BUTTON_DISCARD, Tap(Intent.DISCARD, ref=draft.id)),
    )


def ask_resume(conversation: Conversation, draft: Draft, ctx: Context) -> Reply:
    """Ask whether to continue a paused draft, saying what it holds."""
    choices = resume_buttons(draft)
    if conversation.arrived:
        new = arrived_count(conversation)
        before = draft.counted
        old = MediaCount(before.photos - new.photos, before.videos - new.videos)
        return Reply(Key.RESUME_ARRIVED, {"count": old, "new": new}, choices)
    if draft.kind is DraftKind.IDEA:
        return Reply(Key.RESUME_IDEA, {"preview": preview(draft.comment or "")}, choices)
    if draft.theme is not None:
        title = theme_title(draft.theme, ctx)
        return Reply(Key.RESUME_PHOTOS_THEME, {"count": draft.counted, "theme": title}, choices)
    return Reply(Key.RESUME_PHOTOS, {"count": draft.counted}, choices)


def arrived_count(conversation: Conversation) -> MediaCount:
    """Return how many photos and videos arrived since the draft was paused."""
    videos = len(conversation.arrived_videos)
    return MediaCount(len(conversation.arrived) - videos, videos)


_SUMMARIES = {
    Face.SHOW: Key.RECEIPT_SUMMARY_SHOW,
    Face.BLUR: Key.RECEIPT_SUMMARY_BLUR,
    Face.NO_FACE: Key.RECEIPT_SUMMARY_NO_FACE,
}
NO_THEME = "—"  # the theme line when no theme was active to choose


def summary(draft: Draft, ctx: Context) -> Reply:
    """Say what the PR team received: the photos and videos, the theme and the face choice."""
    theme = theme_title(draft.theme, ctx) or NO_THEME
    if draft.kind is DraftKind.IDEA or draft.face is None:
        return Reply(Key.RECEIPT_SUMMARY_IDEA, {"theme": theme})
    return Reply(_SUMMARIES[draft.face], {"count": draft.counted, "theme": theme})


def receipt(draft: Draft, ctx: Context) -> tuple[Reply, ...]:
    """Thank the worker and give the code, with a withdraw button and a way to send more.

    A worker who has not agreed to the current guideline is pointed to it (never stopped).
    """
    withdraw = button(Key.BUTTON_WITHDRAW, Tap(Intent.WITHDRAW, draft.id))
    thanks = Reply(Key.RECEIPT, {"code": draft.code})
    guide = ctx.guideline
    if guide.version > 0 and guide.agreed != guide.version:
        read = button(Key.BUTTON_GUIDELINE, Tap(Intent.GUIDELINE))
        buttons = (withdraw, read, *camera_buttons(Key.BUTTON_SEND_ANOTHER))
        # The receipt stays last: its code and buttons are what the worker looks for.
        return (Reply(Key.RECEIPT_GUIDE), replace(thanks, choices=buttons))
    return (replace(thanks, choices=(withdraw, *camera_buttons(Key.BUTTON_SEND_ANOTHER))),)


def question(conversation: Conversation, ctx: Context) -> tuple[Reply, ...]:
    """Return the question the conversation is waiting on (none at IDLE)."""
    draft = conversation.draft
    match conversation.step:
        case Step.CONFIRM_IDEA if conversation.pending_text is not None:
            return (confirm_idea(conversation.pending_text),)
        case Step.ASK_THEME if draft is not None:
            return (ask_theme(draft, ctx),)
        case Step.ASK_FACE if draft is not None:
            return (ask_face(draft, ctx),)
        case Step.ASK_COMMENT if draft is not None:
            return (ask_comment(draft),)
        case Step.RESUME if draft is not None:
            return (ask_resume(conversation, draft, ctx),)
        case Step.SEARCH_GUIDE:
            return (Reply(Key.GUIDE_SEARCH_ASK),)
        case _:
            return ()


def then_ask(conversation: Conversation, ctx: Context, *notes: Reply) -> tuple[Reply, ...]:
    """Say the notes, then re-ask the open question; at IDLE, end on the camera and album."""
    asked = question(conversation, ctx)
    bare = tuple(replace(note, choices=()) for note in notes)
    if asked or not notes:
        return (*bare, *asked)
    last = notes[-1]
    return (*bare[:-1], replace(last, choices=last.choices or camera_buttons()))
