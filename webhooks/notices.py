"""Pushes to workers in their language: used, thanks, reactions, reminders, a kind rejection.

These are not conversation replies (flows never says them), so their keys live here; their texts
are in the same eight catalogues, appended after the conversation's.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from enum import StrEnum
from typing import Any

from webhooks.i18n import Catalogue
from webhooks.render import MAX_TEXT, truncate, utf16_len

# A digest lists at most this many posts; the rest are counted, not listed.
DIGEST_ITEMS = 20


class NoticeKey(StrEnum):
    """Catalogue keys of the pushes."""

    PUBLISHED = "notice.published"  # {url}
    THANKS = "notice.thanks"  # {note}
    REACTIONS = "notice.reactions"  # {count} {url}
    REMINDER = "notice.reminder"
    DIGEST = "notice.digest"  # {month} {count} {items}
    REJECTED = "notice.rejected"  # {item} {note}
    ITEM = "notice.item"  # {code} {theme}: how a rejection names the item
    ITEM_CODE = "notice.item_code"  # {code}: the same, for an item without a theme


PARAMS: Mapping[NoticeKey, frozenset[str]] = {
    NoticeKey.PUBLISHED: frozenset({"url"}),
    NoticeKey.THANKS: frozenset({"note"}),
    NoticeKey.REACTIONS: frozenset({"count", "url"}),
    NoticeKey.REMINDER: frozenset(),
    NoticeKey.DIGEST: frozenset({"month", "count", "items"}),
    NoticeKey.REJECTED: frozenset({"item", "note"}),
    NoticeKey.ITEM: frozenset({"code", "theme"}),
    NoticeKey.ITEM_CODE: frozenset({"code"}),
}


def _text(text: str) -> dict[str, Any]:
    return {"type": "text", "text": truncate(text, MAX_TEXT)}


def published(
    catalogue: Catalogue, language: str, *, url: str, thanks: str | None
) -> list[dict[str, Any]]:
    """'Your photo was used', with the link and, when PR wrote one, their thank-you."""
    messages = [_text(catalogue.text(NoticeKey.PUBLISHED, language=language, params={"url": url}))]
    if thanks:
        note = catalogue.text(NoticeKey.THANKS, language=language, params={"note": thanks})
        messages.append(_text(note))
    return messages


def reactions(catalogue: Catalogue, language: str, *, count: int, url: str) -> list[dict[str, Any]]:
    """The reaction count of the post that used the worker's photo."""
    params: dict[str, str | int] = {"count": count, "url": url}
    return [_text(catalogue.text(NoticeKey.REACTIONS, language=language, params=params))]


def reminder(catalogue: Catalogue, language: str) -> list[dict[str, Any]]:
    """A gentle reminder that photos and ideas are welcome."""
    return [_text(catalogue.text(NoticeKey.REMINDER, language=language))]


def digest(
    catalogue: Catalogue, language: str, *, month: str, posts: Sequence[tuple[str, str]]
) -> list[dict[str, Any]]:
    """What we posted this month: one line per post (theme, link)."""
    lines = [f"• {theme}: {url}" for theme, url in posts[:DIGEST_ITEMS]]
    if len(posts) > DIGEST_ITEMS:
        lines.append(f"… +{len(posts) - DIGEST_ITEMS}")
    params: dict[str, str | int] = {"month": month, "count": len(posts), "items": "\n".join(lines)}
    return [_text(catalogue.text(NoticeKey.DIGEST, language=language, params=params))]


def rejected(
    catalogue: Catalogue, language: str, *, code: str, theme: str | None, note: str
) -> list[dict[str, Any]]:
    """Thanks, this one is not used this time, the PR team's note, and please send again.

    The item is named by its receipt code (and theme), as the worker's receipt named it. The
    note is shortened, never the kind words around it, so the whole stays within LINE's limit.
    """
    params: dict[str, str | int] = {"code": code, "theme": theme or ""}
    item = catalogue.text(
        NoticeKey.ITEM if theme else NoticeKey.ITEM_CODE, language=language, params=params
    )
    frame = catalogue.text(NoticeKey.REJECTED, language=language, params={"item": item, "note": ""})
    room = max(MAX_TEXT - utf16_len(frame), 1)
    params = {"item": item, "note": truncate(note.strip(), room)}
    return [_text(catalogue.text(NoticeKey.REJECTED, language=language, params=params))]
