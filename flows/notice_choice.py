"""The worker's notice setting: which pushes they want (all, feedback on their posts, none).

Reached from the help answer's button or any `g1|notices` postback (a settings menu can link it);
`g1|notices|<choice>` sets it. The open question, if any, is asked again afterwards.
"""

from __future__ import annotations

from flows.intents import Intent, Tap
from flows.keys import Key
from flows.questions import button, then_ask
from flows.types import Choice, Context, Conversation, Outcome, Reply, SetNotices

SAVED = {"all": Key.NOTICES_ALL, "feedback": Key.NOTICES_FEEDBACK, "none": Key.NOTICES_NONE}
LABELS = {
    "all": Key.BUTTON_NOTICES_ALL,
    "feedback": Key.BUTTON_NOTICES_FEEDBACK,
    "none": Key.BUTTON_NOTICES_NONE,
}


def open_button() -> Choice:
    """The button that asks which notices the worker wants."""
    return button(Key.BUTTON_NOTICES, Tap(Intent.NOTICES))


def set_notices(conversation: Conversation, tap: Tap, ctx: Context) -> Outcome:
    """Ask which notices the worker wants, or record the choice a button carried."""
    saved = SAVED.get(tap.arg)
    if saved is None:
        choices = tuple(button(label, Tap(Intent.NOTICES, arg)) for arg, label in LABELS.items())
        return Outcome(conversation, (Reply(Key.NOTICES_ASK, choices=choices),))
    return Outcome(conversation, then_ask(conversation, ctx, Reply(saved)), (SetNotices(tap.arg),))
