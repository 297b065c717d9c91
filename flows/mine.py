"""My submissions: the worker's recent submissions as cards, and what they can change on each.

Per card: the status in plain words, withdraw (the same confirm step as the receipt's button)
and a change of the face choice. The face choice is consent about the people in the photos, so
it may change freely while the submission is `new` (nobody has looked yet); once the PR team has
started (in review, approved, published, or not used) only towards more privacy, in the order
show → blur → no_face ("no face" keeps every face out of use). Ideas have no face choice.
Everything here works on `Context.submission`/`Context.mine`, which the caller fills with the
worker's OWN submissions only: a postback naming anyone else's finds nothing and gets the same
answer as an unknown one.
"""

from __future__ import annotations

from flows.intents import Intent, Tap
from flows.keys import Key
from flows.questions import FACE_LABELS, button, then_ask
from flows.types import (
    Card,
    ChangeFace,
    Context,
    Conversation,
    DraftKind,
    Face,
    Outcome,
    Phrase,
    Reply,
    SubmissionRef,
    SubmissionStatus,
)

MAX_CARDS = 10  # recent submissions shown (LINE's carousel takes 12 bubbles)
PRIVACY = (Face.SHOW, Face.BLUR, Face.NO_FACE)  # least private first

_STATUS_WORDS = {
    SubmissionStatus.NEW: Key.STATUS_RECEIVED,
    SubmissionStatus.IN_REVIEW: Key.STATUS_CHECKING,
    SubmissionStatus.APPROVED: Key.STATUS_USED,
    SubmissionStatus.PUBLISHED: Key.STATUS_USED,
    SubmissionStatus.REJECTED: Key.STATUS_NOT_USED,
    SubmissionStatus.WITHDRAWN: Key.STATUS_WITHDRAWN,
}
_FACE_WORDS = {
    Face.SHOW: Key.FACE_IS_SHOW,
    Face.BLUR: Key.FACE_IS_BLUR,
    Face.NO_FACE: Key.FACE_IS_NONE,
}


def allowed_faces(ref: SubmissionRef) -> tuple[Face, ...]:
    """Return the face choices this submission may change to now (empty: no change possible)."""
    if ref.kind is DraftKind.IDEA or ref.face is None:
        return ()
    if ref.status in (SubmissionStatus.DRAFT, SubmissionStatus.WITHDRAWN):
        return ()
    if ref.status is SubmissionStatus.NEW:
        return tuple(f for f in PRIVACY if f is not ref.face)
    return PRIVACY[PRIVACY.index(ref.face) + 1 :]


def card(ref: SubmissionRef) -> Card:
    """Return one submission's card: code, day and theme, status, face choice, buttons."""
    lines = [_STATUS_WORDS.get(ref.status, Key.STATUS_RECEIVED)]
    if ref.face is not None:
        lines.append(_FACE_WORDS[ref.face])
    buttons = []
    if ref.status is not SubmissionStatus.WITHDRAWN:
        buttons.append(button(Key.BUTTON_WITHDRAW, Tap(Intent.WITHDRAW, ref.id)))
    if allowed_faces(ref):
        buttons.append(button(Key.BUTTON_REFACE, Tap(Intent.REFACE, ref.id)))
    subtitle = " · ".join(part for part in (ref.sent, ref.theme) if part)
    return Card(title=ref.code, label=subtitle, lines=tuple(lines), buttons=tuple(buttons))


def show_mine(conversation: Conversation, _tap: Tap, ctx: Context) -> Outcome:
    """Show the worker's recent submissions as cards, then re-ask any open question."""
    shown = ctx.mine[:MAX_CARDS]
    if not shown:
        return Outcome(conversation, then_ask(conversation, ctx, Reply(Key.MINE_EMPTY)))
    cards = tuple(card(ref) for ref in shown)
    return Outcome(
        conversation,
        then_ask(conversation, ctx, Reply(Key.MINE_INTRO, {"count": len(shown)}, cards=cards)),
    )


def _own(tap: Tap, ctx: Context) -> SubmissionRef | None:
    found = ctx.submission
    if found is None or found.id != tap.arg or found.status is SubmissionStatus.DRAFT:
        return None
    return found


def _say(conversation: Conversation, ctx: Context, reply: Reply) -> Outcome:
    return Outcome(conversation, then_ask(conversation, ctx, reply))


def ask_reface(conversation: Conversation, tap: Tap, ctx: Context) -> Outcome:
    """Offer the face choices this submission may still change to."""
    found = _own(tap, ctx)
    if found is None:
        return _say(conversation, ctx, Reply(Key.WITHDRAW_NOT_FOUND))
    faces = allowed_faces(found)
    if not faces:
        return _say(conversation, ctx, Reply(Key.REFACE_CLOSED, {"code": found.code}))
    key = Key.REFACE_ASK if found.status is SubmissionStatus.NEW else Key.REFACE_ASK_PRIVATE
    choices = (
        *(button(FACE_LABELS[f], Tap(Intent.REFACE_TO, found.id, f.value)) for f in faces),
        # A way out that changes nothing ("keep it"), as under the withdraw question.
        button(Key.BUTTON_KEEP, Tap(Intent.KEEP, found.id)),
    )
    # The buttons go on this message; an open question is asked again after the answer.
    return Outcome(conversation, (Reply(key, {"code": found.code}, choices),))


def _done(code: str, face: Face) -> Reply:
    """Confirm the change, saying what the choice is now (the words of the card and receipt)."""
    return Reply(Key.REFACE_DONE, {"code": code, "face": Phrase(_FACE_WORDS[face])})


def reface(conversation: Conversation, tap: Tap, ctx: Context) -> Outcome:
    """Change the face choice if still allowed; a repeated tap only confirms (one change)."""
    found = _own(tap, ctx)
    if found is None:
        return _say(conversation, ctx, Reply(Key.WITHDRAW_NOT_FOUND))
    if found.face is not None and tap.ref == found.face.value:
        # Already so: a double tap, or the same choice.
        return _say(conversation, ctx, _done(found.code, found.face))
    wanted = next((f for f in allowed_faces(found) if f.value == tap.ref), None)
    if wanted is None or found.face is None:
        return _say(conversation, ctx, Reply(Key.REFACE_CLOSED, {"code": found.code}))
    change = ChangeFace(found.id, wanted, was=found.face, status=found.status)
    done = _done(found.code, wanted)
    return Outcome(conversation, then_ask(conversation, ctx, done), (change,))
