"""The theme of the month and the PR team's examples, shown as cards from the rich menu; pure.

"Send for this theme" remembers the theme (`Conversation.theme_next`), so the next photos open a
draft with it already chosen and go straight to the face question: two taps from the card.
"""

from __future__ import annotations

from flows.intents import Intent, Tap
from flows.keys import Key
from flows.questions import button, camera_buttons, then_ask
from flows.types import Card, Context, Conversation, Example, Outcome, Reply, Theme

MAX_CARDS = 12  # LINE's limit on bubbles in a carousel


def month_theme(ctx: Context) -> Theme | None:
    """Return the theme of the month, if one is active now."""
    return next((t for t in ctx.themes if t.monthly), None)


def theme_card(theme: Theme) -> Card:
    """A theme as a card: its title, what to send, an example, and "send for this theme"."""
    parts = [p for p in (theme.what, f"💡 {theme.example}" if theme.example else "") if p]
    send = button(Key.BUTTON_THEME_SEND, Tap(Intent.THEME_NEXT, theme.slug))
    return Card(title=theme.title, body="\n\n".join(parts) or theme.title, buttons=(send,))


def show_month_theme(conversation: Conversation, _tap: Tap, ctx: Context) -> Outcome:
    """Show the theme of the month as a card (or the active themes, when none is monthly)."""
    theme = month_theme(ctx)
    chosen = (theme,) if theme is not None else ctx.themes[:MAX_CARDS]
    if not chosen:
        return Outcome(conversation, then_ask(conversation, ctx, Reply(Key.THEME_NONE)))
    cards = tuple(theme_card(t) for t in chosen)
    card = (
        Reply(Key.THEME_CARD, {"theme": theme.title}, cards=cards)
        if theme is not None
        else Reply(Key.THEME_NO_MONTHLY, cards=cards)
    )
    return Outcome(conversation, then_ask(conversation, ctx, card))


def send_for_theme(conversation: Conversation, tap: Tap, ctx: Context) -> Outcome:
    """Remember the theme for the next photos and point to the camera; a theme since retired
    is said so, and a second tap changes nothing."""
    theme = next((t for t in ctx.themes if t.slug == tap.arg), None)
    if theme is None:
        return Outcome(conversation, then_ask(conversation, ctx, Reply(Key.THEME_GONE)))
    if conversation.draft is not None:
        # A submission is open: its own theme question decides; say so and ask it again.
        return Outcome(conversation, then_ask(conversation, ctx, Reply(Key.THEME_AFTER_DRAFT)))
    # At rest, or instead of a pending idea or search word: the next photos take this theme.
    ready = Conversation(theme_next=theme.slug)
    note = Reply(Key.THEME_NEXT_SET, {"theme": theme.title}, camera_buttons())
    return Outcome(ready, (note,))


def _example_card(example: Example) -> Card:
    """An example as a card: its theme, comment and picture, or words saying what it is."""
    if example.comment.strip():
        return Card(title=example.theme, body=example.comment, image_url=example.image_url)
    # No comment: say so in words rather than a bare dash.
    line = Key.EXAMPLE_NO_COMMENT if example.image_url else Key.EXAMPLE_NOTHING_SHOWN
    return Card(title=example.theme, image_url=example.image_url, lines=(line,))


def show_examples(conversation: Conversation, _tap: Tap, ctx: Context) -> Outcome:
    """Show the PR team's examples as cards; the image only where the face choice allows it."""
    if not ctx.examples:
        return Outcome(conversation, then_ask(conversation, ctx, Reply(Key.EXAMPLES_NONE)))
    cards = tuple(_example_card(e) for e in ctx.examples[:MAX_CARDS])
    shown = Reply(Key.EXAMPLES_INTRO, {"count": len(cards)}, cards=cards)
    return Outcome(conversation, then_ask(conversation, ctx, shown))
