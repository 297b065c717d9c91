"""The worker's site (store, factory): asked at the welcome, changed in settings, asked again kindly
when an admin retired it.

The active sites come in `Context.sites`. One quick reply holds 13 buttons, so a long list is paged:
11 sites, "more…", and "skip" (skipping is always fine: the site only helps the PR team sort).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import replace

from flows.intents import MAX_DATA, Intent, Tap, encode, normalise
from flows.keys import Key
from flows.questions import MAX_CHOICES, button, then_ask
from flows.types import (
    Choice,
    ChoiceKind,
    Context,
    Conversation,
    Outcome,
    Reply,
    SetSite,
    Site,
    Step,
    TextReceived,
)

PER_PAGE = MAX_CHOICES - 2  # room for "more…" and "skip"
_DIGITS = re.compile(r"(\d+)")


def natural_key(name: str) -> tuple[tuple[int, int | str], ...]:
    """Sort key that reads digit runs as numbers, so 第2工場 comes before 第10工場."""
    parts = _DIGITS.split(unicodedata.normalize("NFKC", name).casefold())
    return tuple((1, int(p)) if p.isdecimal() else (0, p) for p in parts if p)


def in_order(sites: tuple[Site, ...]) -> tuple[Site, ...]:
    """The sites as a person sorts them: by name, numbers as numbers, then by id."""
    return tuple(sorted(sites, key=lambda s: (natural_key(s.name), s.id)))


def site_question(ctx: Context, page: int = 0, key: Key = Key.ASK_SITE) -> Reply:
    """Ask for the worker's site: one page of sites, "more…" when there are more, and skip.

    A worker who has a site (asked again from settings) is told which one it is now.
    """
    offered = [
        Choice(ChoiceKind.POSTBACK, data=encode(Tap(Intent.SITE, s.id)), literal=s.name)
        for s in in_order(ctx.sites)
        if len(encode(Tap(Intent.SITE, s.id))) <= MAX_DATA
    ]
    params: dict[str, str] = {}
    if key is Key.ASK_SITE and ctx.site is not None:
        key, params = Key.ASK_SITE_CURRENT, {"site": ctx.site.name}
    skip = button(Key.BUTTON_SITE_SKIP, Tap(Intent.SITE))
    if len(offered) <= MAX_CHOICES - 1:
        return Reply(key, params, choices=(*offered, skip))
    pages = (len(offered) + PER_PAGE - 1) // PER_PAGE
    page = page % pages  # "more…" on the last page goes round to the first
    shown = offered[page * PER_PAGE : (page + 1) * PER_PAGE]
    more = button(Key.BUTTON_MORE, Tap(Intent.SITES, str(page + 1)))
    return Reply(key, params, choices=(*shown, more, skip))


def show_sites(conversation: Conversation, tap: Tap, ctx: Context) -> Outcome:
    """Show a page of the site question (from settings, or "more…")."""
    if not ctx.sites:
        return Outcome(conversation, then_ask(conversation, ctx, Reply(Key.SITE_SKIPPED)))
    page = int(tap.arg) if tap.arg.isdigit() and len(tap.arg) < 6 else 0
    return Outcome(conversation, (site_question(ctx, page),))


def choose_site(conversation: Conversation, tap: Tap, ctx: Context) -> Outcome:
    """Record the tapped site, or the skip; a site retired since the buttons were shown re-asks."""
    if not tap.arg:
        effects = (SetSite(None),) if ctx.site_gone else ()
        return Outcome(conversation, then_ask(conversation, ctx, Reply(Key.SITE_SKIPPED)), effects)
    chosen = next((s for s in ctx.sites if s.id == tap.arg), None)
    if chosen is None:
        if not ctx.sites:
            return Outcome(conversation, then_ask(conversation, ctx, Reply(Key.SITE_SKIPPED)))
        return Outcome(conversation, (site_question(ctx, key=Key.SITE_GONE),))
    done = Reply(Key.SITE_SET, {"site": chosen.name})
    return Outcome(conversation, then_ask(conversation, ctx, done), (SetSite(chosen.id),))


def _squash(text: str) -> str:
    return "".join(normalise(text).split())


def typed_site(conversation: Conversation, text: TextReceived, ctx: Context) -> Outcome | None:
    """At rest, a text that is exactly one site's name picks it, as its button would."""
    if conversation.step is not Step.IDLE or not ctx.sites:
        return None
    wanted = _squash(text.text)
    found = [s for s in ctx.sites if _squash(s.name) == wanted]
    if len(found) != 1 or not wanted:
        return None
    return choose_site(conversation, Tap(Intent.SITE, found[0].id), ctx)


def ask_again_if_gone(outcome: Outcome, ctx: Context) -> Outcome:
    """After an answer that ends at rest on the camera buttons, ask again for a retired site."""
    if not ctx.site_gone or not ctx.sites or not outcome.replies:
        return outcome
    if outcome.conversation.step is not Step.IDLE or len(outcome.replies) >= 5:
        return outcome
    if any(isinstance(e, SetSite) for e in outcome.effects):
        return outcome
    last = outcome.replies[-1]
    if any(c.kind is ChoiceKind.POSTBACK for c in last.choices) or last.cards:
        return outcome  # those buttons matter more now; ask another time
    bare = (*outcome.replies[:-1], replace(last, choices=()))
    return replace(outcome, replies=(*bare, site_question(ctx, key=Key.SITE_GONE)))
