"""Turn the flows' replies into LINE message models, enforcing LINE's limits on the way out.

Limits (line-platform.md §4): at most 5 messages per reply, 13 quick-reply items shown on the last
message only, labels of 20 characters, postback data of 300, text of 5000 UTF-16 code units.
Lengths are counted in UTF-16 code units, the stricter of LINE's and the SDK's counts, and cuts
never split a surrogate pair. Too many replies are merged, never dropped.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from linebot.v3.messaging import (
    CameraAction,
    CameraRollAction,
    Message,
    PostbackAction,
    QuickReply,
    QuickReplyItem,
    TextMessage,
)

from flows.types import Card, Choice, ChoiceKind, Reply
from webhooks.i18n import Catalogue

MAX_MESSAGES = 5
MAX_ITEMS = 13
MAX_LABEL = 20
MAX_DATA = 300
MAX_TEXT = 5000
MAX_ALT_TEXT = 1500
MAX_BUBBLES = 12  # a flex carousel's limit
MAX_CARD_BUTTONS = 3
ELLIPSIS = "…"
_JOINERS = "\u200d\ufe0e\ufe0f"  # a cut must not leave these dangling before the ellipsis


def utf16_len(text: str) -> int:
    """Return a text's length in UTF-16 code units (an emoji outside the BMP counts 2)."""
    return len(text.encode("utf-16-le")) // 2


def truncate(text: str, limit: int) -> str:
    """Shorten a text to `limit` UTF-16 units, ending in an ellipsis, on a code point boundary."""
    if utf16_len(text) <= limit:
        return text
    budget = limit - utf16_len(ELLIPSIS)
    kept: list[str] = []
    for ch in text:
        budget -= 2 if ord(ch) > 0xFFFF else 1
        if budget < 0:
            break
        kept.append(ch)
    return "".join(kept).rstrip(_JOINERS) + ELLIPSIS


def _merge(texts: list[str]) -> list[str]:
    """Fold the earliest texts together so that at most MAX_MESSAGES remain, keeping the last."""
    if len(texts) <= MAX_MESSAGES:
        return texts
    cut = len(texts) - (MAX_MESSAGES - 1)
    return ["\n\n".join(texts[:cut]), *texts[cut:]]


def _label(choice: Choice, *, language: str, catalogue: Catalogue) -> str:
    raw = choice.literal if choice.literal is not None else choice.label
    text = raw if choice.literal is not None else catalogue.text(raw, language=language)
    return truncate(text.strip() or "…", MAX_LABEL)


def _item(choice: Choice, *, language: str, catalogue: Catalogue) -> Any | None:
    label = _label(choice, language=language, catalogue=catalogue)
    match choice.kind:
        case ChoiceKind.CAMERA:
            return QuickReplyItem(action=CameraAction(label=label))
        case ChoiceKind.CAMERA_ROLL:
            return QuickReplyItem(action=CameraRollAction(label=label))
        case ChoiceKind.POSTBACK if 0 < len(choice.data) <= MAX_DATA:
            # display_text shows the worker's choice in the chat as if they had typed it.
            action = PostbackAction(label=label, data=choice.data, display_text=label)
            return QuickReplyItem(action=action)
        case _:
            return None  # data LINE would refuse; flows never builds it (tested there)


def quick_reply(choices: Iterable[Choice], *, language: str, catalogue: Catalogue) -> Any | None:
    """Build the quick-reply buttons (at most 13), or None when there are none."""
    items = [_item(c, language=language, catalogue=catalogue) for c in choices]
    kept = [item for item in items if item is not None][:MAX_ITEMS]
    return QuickReply(items=kept) if kept else None


def _text(value: str, **style: Any) -> dict[str, Any]:
    return {"type": "text", "text": truncate(value, MAX_TEXT) or ELLIPSIS, "wrap": True, **style}


def _bubble(card: Card, *, language: str, catalogue: Catalogue) -> dict[str, Any]:
    body = [_text(card.title, weight="bold", size="lg")]
    if card.subtitle:
        body.append(_text(card.subtitle, size="sm", color="#777777"))
    body += [_text(catalogue.text(line, language=language), size="sm") for line in card.lines]
    bubble: dict[str, Any] = {
        "type": "bubble",
        "size": "kilo",
        "body": {"type": "box", "layout": "vertical", "spacing": "sm", "contents": body},
    }
    buttons = []
    for choice in card.buttons[:MAX_CARD_BUTTONS]:
        if choice.kind is ChoiceKind.POSTBACK and 0 < len(choice.data) <= MAX_DATA:
            label = _label(choice, language=language, catalogue=catalogue)
            action = {"type": "postback", "label": label, "data": choice.data, "displayText": label}
            buttons.append({"type": "button", "style": "link", "height": "sm", "action": action})
    if buttons:
        bubble["footer"] = {"type": "box", "layout": "vertical", "contents": buttons}
    return bubble


def _carousel(
    reply: Reply, alt: str, buttons: Any | None, *, language: str, catalogue: Catalogue
) -> Message:
    """Render a reply's cards as a flex carousel; its text becomes the alternative text."""
    bubbles = [
        _bubble(card, language=language, catalogue=catalogue) for card in reply.cards[:MAX_BUBBLES]
    ]
    message: dict[str, Any] = {
        "type": "flex",
        "altText": truncate(alt, MAX_ALT_TEXT) or ELLIPSIS,
        "contents": {"type": "carousel", "contents": bubbles},
    }
    if buttons is not None:
        message["quickReply"] = buttons.to_dict()
    return Message.from_dict(message)


def render(replies: Sequence[Reply], *, language: str, catalogue: Catalogue) -> list[Message]:
    """Render replies as LINE messages; only the last carries the last reply's buttons.

    Plain replies become text messages, a reply with cards a flex carousel.
    """
    if not replies:
        return []
    if any(r.cards for r in replies):
        return _render_each(replies[-MAX_MESSAGES:], language=language, catalogue=catalogue)
    texts = [catalogue.text(r.key, language=language, params=r.params) for r in replies]
    texts = [truncate(t, MAX_TEXT) or ELLIPSIS for t in _merge(texts)]
    buttons = quick_reply(replies[-1].choices, language=language, catalogue=catalogue)
    messages: list[Message] = [TextMessage(text=t) for t in texts[:-1]]
    messages.append(TextMessage(text=texts[-1], quick_reply=buttons))
    return messages


def _render_each(replies: Sequence[Reply], *, language: str, catalogue: Catalogue) -> list[Message]:
    messages: list[Message] = []
    for i, reply in enumerate(replies):
        last = i == len(replies) - 1
        text = catalogue.text(reply.key, language=language, params=reply.params)
        buttons = (
            quick_reply(reply.choices, language=language, catalogue=catalogue) if last else None
        )
        if reply.cards:
            messages.append(_carousel(reply, text, buttons, language=language, catalogue=catalogue))
        else:
            messages.append(
                TextMessage(text=truncate(text, MAX_TEXT) or ELLIPSIS, quick_reply=buttons)
            )
    return messages


def to_outbox(messages: Iterable[Message]) -> list[dict[str, Any]]:
    """Return messages as LINE's JSON (camelCase dicts), for storing in the reply outbox."""
    return [message.to_dict() for message in messages]


def from_outbox(items: Iterable[Mapping[str, Any]]) -> list[Message]:
    """Rebuild message models from the outbox's JSON."""
    return [Message.from_dict(dict(item)) for item in items]
