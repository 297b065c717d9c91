"""Settings, reached from the help answer: the language, and how to reach a person at the PR team.

The languages are offered in their own names, so a worker who cannot read the current one still
finds theirs. A tag the catalogues do not have is never stored: the tap is treated as stale.
"""

from __future__ import annotations

from flows.intents import Intent, Tap, encode
from flows.keys import Key
from flows.questions import button, then_ask
from flows.reprompt import unexpected
from flows.types import Choice, ChoiceKind, Context, Conversation, Outcome, Reply, SetLanguage

# The eight catalogues, each named in its own language (webhooks/locales/<tag>).
LANGUAGES: tuple[tuple[str, str], ...] = (
    ("ja", "日本語"),
    ("ja-x-easy", "やさしい にほんご"),
    ("en", "English"),
    ("vi", "Tiếng Việt"),
    ("pt-BR", "Português (Brasil)"),
    ("id", "Bahasa Indonesia"),
    ("tl", "Tagalog"),
    ("zh-Hans", "简体中文"),
)
_TAGS = frozenset(tag for tag, _ in LANGUAGES)


def show_settings(conversation: Conversation, _tap: Tap, ctx: Context) -> Outcome:
    """Say how to reach the PR team; offer the language, the site, the credit and my submissions."""
    contact = ctx.contact.strip()
    info = Reply(Key.SETTINGS, {"contact": contact}) if contact else Reply(Key.SETTINGS_NO_CONTACT)
    if conversation.draft is not None or conversation.pending_text is not None:
        return Outcome(conversation, then_ask(conversation, ctx, info))
    site = (button(Key.BUTTON_SITE, Tap(Intent.SITES, "0")),) if ctx.sites else ()
    choices = (
        button(Key.BUTTON_LANGUAGE, Tap(Intent.LANGUAGE)),
        *site,
        button(Key.BUTTON_CREDIT, Tap(Intent.CREDIT)),
        button(Key.BUTTON_MINE, Tap(Intent.MINE)),
    )
    return Outcome(conversation, (Reply(info.key, info.params, choices),))


def language_choices() -> tuple[Choice, ...]:
    """Return one button per catalogue, labelled in that language."""
    return tuple(
        Choice(ChoiceKind.POSTBACK, data=encode(Tap(Intent.LANGUAGE, tag)), literal=name)
        for tag, name in LANGUAGES
    )


def choose_language(conversation: Conversation, tap: Tap, ctx: Context) -> Outcome:
    """Ask which language (no tag), or switch to the tapped one."""
    if not tap.arg:
        return Outcome(conversation, (Reply(Key.ASK_LANGUAGE, choices=language_choices()),))
    if tap.arg not in _TAGS:
        return unexpected(conversation, ctx, hint=Key.HINT_STALE)
    return Outcome(
        conversation,
        then_ask(conversation, ctx, Reply(Key.LANGUAGE_SET)),
        (SetLanguage(tap.arg),),
    )
