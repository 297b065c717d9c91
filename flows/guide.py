"""The photo guideline: its cards, the keyword search, and the worker's one-tap agreement; pure.

Typed text reaches the search two ways. A short text at rest that names a guideline keyword
("名札", "badge") shows the matching entries and still offers to send the text as an idea, so a
real idea is never lost. The guideline's "search" button makes the next text a search for sure
(`Step.SEARCH_GUIDE`), and only there does "nothing found" come with the list of topics.
Agreement is never a gate: it is asked in the welcome, and again once per new version.
"""

from __future__ import annotations

from dataclasses import replace

from flows.intents import Intent, Tap, normalise
from flows.keys import Key
from flows.photos import start_photo_draft
from flows.questions import button, camera_buttons, confirm_idea, preview, then_ask
from flows.sites import site_question
from flows.types import (
    AgreeGuideline,
    AskedGuideline,
    Card,
    Choice,
    Context,
    Conversation,
    Effect,
    GuideEntry,
    Guideline,
    Outcome,
    PhotoReceived,
    Reply,
    Step,
    TextReceived,
)

MAX_CARDS = 12  # LINE's limit on bubbles in a carousel
MAX_CHOICES = 13  # LINE's limit on quick-reply items
MAX_QUERY = 100  # a search reads only this much of a text: 5,000 characters cost no more
MAX_KEYWORD_TEXT = 20  # longer texts at rest are ideas, never keyword lookups


def needs_agreement(guide: Guideline) -> bool:
    """Tell whether the worker has not agreed to the current version (and there is one)."""
    return guide.version > 0 and guide.agreed != guide.version


def agree_buttons(guide: Guideline) -> tuple[Choice, ...]:
    """Return the "I agree" and "read the guideline" buttons."""
    return (
        button(Key.BUTTON_AGREE, Tap(Intent.AGREE, str(guide.version))),
        button(Key.BUTTON_GUIDELINE, Tap(Intent.GUIDELINE)),
    )


def search(guide: Guideline, query: str) -> tuple[GuideEntry, ...]:
    """Return the entries whose keywords or title the query names (both ways round)."""
    wanted = normalise(query[:MAX_QUERY])
    if not wanted:
        return ()
    found = []
    for entry in guide.entries:
        words = (*entry.keywords, normalise(entry.title))
        if any(w and (w in wanted or wanted in w) for w in words):
            found.append(entry)
    return tuple(found)


def _cards(entries: tuple[GuideEntry, ...], guide: Guideline) -> tuple[Card, ...]:
    titles = {c.slug: c.title for c in guide.categories}
    return tuple(
        Card(title=e.title, body=e.body, label=titles.get(e.category, ""))
        for e in entries[:MAX_CARDS]
    )


def category_cards(guide: Guideline) -> tuple[Card, ...]:
    """One card per category, its entries' titles and texts in it, in the guideline's order."""
    cards = []
    for category in guide.categories[:MAX_CARDS]:
        inside = [e for e in guide.entries if e.category == category.slug]
        if not inside:
            continue
        body = "\n\n".join(f"{e.title}\n{e.body}" for e in inside)
        cards.append(Card(title=category.title, body=body))
    return tuple(cards)


def _guide_choices(guide: Guideline) -> tuple[Choice, ...]:
    search_button = button(Key.BUTTON_GUIDE_SEARCH, Tap(Intent.GUIDE_SEARCH))
    if needs_agreement(guide):
        return (search_button, agree_buttons(guide)[0], *camera_buttons())
    return (search_button, *camera_buttons())


def show(conversation: Conversation, _tap: Tap, ctx: Context) -> Outcome:
    """Show the guideline as cards, with search (and agree, if not yet) under them."""
    guide = ctx.guideline
    cards = category_cards(guide)
    if not cards:
        return Outcome(conversation, then_ask(conversation, ctx, Reply(Key.GUIDE_EMPTY)))
    shown = Reply(Key.GUIDE_INTRO, cards=cards)
    if conversation.draft is not None:
        return Outcome(conversation, then_ask(conversation, ctx, shown))
    return Outcome(conversation, (replace(shown, choices=_guide_choices(guide)),))


def ask_search(conversation: Conversation, _tap: Tap, ctx: Context) -> Outcome:
    """Make the next text a guideline search (after a submission in progress is finished)."""
    if conversation.draft is not None:
        return Outcome(conversation, then_ask(conversation, ctx, Reply(Key.GUIDE_SEARCH_LATER)))
    waiting = Conversation(
        step=Step.SEARCH_GUIDE, updated_at=ctx.now, theme_next=conversation.theme_next
    )
    # A way back: the cancel button (or a typed cancel word) leaves the search.
    back = button(Key.BUTTON_CANCEL, Tap(Intent.CANCEL))
    return Outcome(waiting, (Reply(Key.GUIDE_SEARCH_ASK, choices=(back,)),))


def answer_search(_conversation: Conversation, text: TextReceived, ctx: Context) -> Outcome:
    """Show the entries a typed word finds, or say kindly that none does and list the topics."""
    guide = ctx.guideline
    idle = Conversation()
    found = search(guide, text.text)
    if found:
        reply = Reply(Key.GUIDE_FOUND, {"count": len(found)}, _guide_choices(guide))
        return Outcome(idle, (replace(reply, cards=_cards(found, guide)),))
    none = Reply(Key.GUIDE_NONE, {"query": preview(text.text.strip())})
    cards = category_cards(guide)
    if not cards:
        return Outcome(idle, then_ask(idle, ctx, none))
    topics = Reply(Key.GUIDE_INTRO, choices=_guide_choices(guide), cards=cards)
    return Outcome(idle, (none, topics))


def text_at_rest(text: TextReceived, ctx: Context) -> Outcome | None:
    """For a short text naming a guideline keyword: the entries, then the idea question."""
    words = text.text.strip()
    if not words or len(words) > MAX_KEYWORD_TEXT:
        return None
    found = search(ctx.guideline, words)
    if not found:
        return None
    pending = Conversation(step=Step.CONFIRM_IDEA, pending_text=words, updated_at=ctx.now)
    cards = Reply(Key.GUIDE_FOUND, {"count": len(found)}, cards=_cards(found, ctx.guideline))
    return Outcome(pending, (cards, confirm_idea(words)))


def photo_while_searching(
    conversation: Conversation, photo: PhotoReceived, ctx: Context
) -> Outcome:
    """A photo instead of a search word starts a submission as at rest."""
    return start_photo_draft(Conversation(theme_next=conversation.theme_next), photo, ctx)


def agree(conversation: Conversation, tap: Tap, ctx: Context) -> Outcome:
    """Record the agreement to the version the button names; a second tap only thanks again."""
    guide = ctx.guideline
    if not tap.arg.isdigit() or int(tap.arg) != guide.version or guide.version == 0:
        # A button from an older version: show what the guideline says now.
        return show(conversation, tap, ctx)
    if guide.agreed == guide.version:
        return Outcome(conversation, then_ask(conversation, ctx, Reply(Key.GUIDE_AGREED_ALREADY)))
    effects: tuple[Effect, ...] = (AgreeGuideline(guide.version),)
    done = Reply(Key.GUIDE_AGREED)
    at_rest = conversation.draft is None and conversation.pending_text is None
    if guide.agreed is None and at_rest and ctx.sites and ctx.site is None and not ctx.site_gone:
        # The first agreement ends the welcome: the site question comes next (skippable).
        return Outcome(conversation, (done, site_question(ctx)), effects)
    return Outcome(conversation, then_ask(conversation, ctx, done), effects)


def _offers_agree(outcome: Outcome) -> bool:
    """Whether the replies already carry an "I agree" button (the guideline cards do)."""
    agree_label = Key.BUTTON_AGREE
    return any(c.label == agree_label for r in outcome.replies for c in r.choices)


def ask_again(outcome: Outcome, ctx: Context) -> Outcome:
    """After a step that ends at rest, ask once per new version for agreement (never a gate)."""
    guide = ctx.guideline
    ended = outcome.conversation
    if (
        not needs_agreement(guide)
        or guide.asked == guide.version
        or not outcome.replies
        or ended.step is not Step.IDLE
        or any(isinstance(e, (AgreeGuideline, AskedGuideline)) for e in outcome.effects)
        or _offers_agree(outcome)
    ):
        return outcome
    last = outcome.replies[-1]
    kept = last.choices or camera_buttons()
    shown = {c.label for c in kept}
    extra = tuple(b for b in agree_buttons(guide) if b.label not in shown)
    choices = (*extra, *kept)[:MAX_CHOICES]
    if guide.agreed is None:
        # The first request comes first: the answer (a receipt's code) keeps its place last.
        replies = (
            Reply(Key.GUIDE_AGREE_ASK),
            *outcome.replies[:-1],
            replace(last, choices=choices),
        )
    else:
        # A re-ask after an update: the answer the worker asked for comes first, then what
        # changed, carrying the answer's buttons beside its own (LINE shows only the last ones).
        request = replace(_request(guide), choices=choices)
        replies = (*outcome.replies[:-1], replace(last, choices=()), request)
    return replace(
        outcome, replies=replies, effects=(*outcome.effects, AskedGuideline(guide.version))
    )


MAX_CHANGES = 3  # changed entries named in the request; a phone screen holds no more


def _request(guide: Guideline) -> Reply:
    """Ask to agree again after an update, naming the version and the entries edited."""
    if not guide.changed:
        return Reply(Key.GUIDE_CHANGED)
    named = [f"・{title}" for title in guide.changed[:MAX_CHANGES]]
    if len(guide.changed) > MAX_CHANGES:
        named.append("…")
    return Reply(Key.GUIDE_CHANGED_WHAT, {"version": guide.version, "changes": "\n".join(named)})


def welcome_prompt(ctx: Context) -> tuple[tuple[Reply, ...], tuple[Effect, ...]]:
    """The welcome's agreement prompt and its effect (nothing when already agreed)."""
    guide = ctx.guideline
    if not needs_agreement(guide):
        return (), ()
    prompt = Reply(Key.GUIDE_AGREE_ASK, choices=(*agree_buttons(guide), *camera_buttons()))
    return (prompt,), (AskedGuideline(guide.version),)


def expired_search(conversation: Conversation) -> bool:
    """Tell whether the conversation only waits for a search word (dropped when it goes stale)."""
    return conversation.step is Step.SEARCH_GUIDE
