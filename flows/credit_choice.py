"""How the PR team may credit the worker when their photo is used: name, site/team, anonymous.

Reached from the settings answer's button or any `g1|credit` postback; `g1|credit|<choice>`
records it. The site choice is offered (and accepted) only while the worker has a site. A tap
repeating the choice already stored (a double tap) confirms again without a second effect. The
open question, if any, is asked again afterwards.
"""

from __future__ import annotations

from flows.intents import Intent, Tap
from flows.keys import Key
from flows.questions import button, then_ask
from flows.types import Context, Conversation, Outcome, Reply, SetCredit

NAME, SITE, ANONYMOUS = "name", "site", "anonymous"
LABELS = {
    NAME: Key.BUTTON_CREDIT_NAME,
    SITE: Key.BUTTON_CREDIT_SITE,
    ANONYMOUS: Key.BUTTON_CREDIT_ANONYMOUS,
}


def _saved(choice: str, ctx: Context) -> Reply | None:
    if choice == NAME:
        return Reply(Key.CREDIT_NAME)
    if choice == SITE and ctx.site is not None:
        return Reply(Key.CREDIT_SITE, {"site": ctx.site.name})
    if choice == ANONYMOUS:
        return Reply(Key.CREDIT_ANONYMOUS)
    return None


def set_credit(conversation: Conversation, tap: Tap, ctx: Context) -> Outcome:
    """Ask how the worker wants to be credited, or record the choice a button carried."""
    saved = _saved(tap.arg, ctx)
    if saved is None:
        offered = [arg for arg in LABELS if arg != SITE or ctx.site is not None]
        choices = tuple(button(LABELS[arg], Tap(Intent.CREDIT, arg)) for arg in offered)
        ask = Key.CREDIT_ASK if ctx.site is not None else Key.CREDIT_ASK_NO_SITE
        return Outcome(conversation, (Reply(ask, choices=choices),))
    effects = () if ctx.credit == tap.arg else (SetCredit(tap.arg),)
    return Outcome(conversation, then_ask(conversation, ctx, saved), effects)
