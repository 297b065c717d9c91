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
    FlexContainer,
    FlexMessage,
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
MAX_ALT = 400  # a Flex message's altText
MAX_BUBBLES = 12  # bubbles in a carousel
MAX_CARD_TITLE = 100  # our own limits, which keep a carousel far below LINE's 50 KB
MAX_CARD_BODY = 1000
MAX_URL = 2000
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


def _button(choice: Choice, *, language: str, catalogue: Catalogue) -> dict[str, Any] | None:
    if choice.kind is not ChoiceKind.POSTBACK or not 0 < len(choice.data) <= MAX_DATA:
        return None
    label = _label(choice, language=language, catalogue=catalogue)
    return {
        "type": "button",
        "style": "primary",
        "height": "sm",
        "action": {"type": "postback", "label": label, "data": choice.data, "displayText": label},
    }


def bubble(card: Card, *, language: str, catalogue: Catalogue) -> dict[str, Any]:
    """One card as a Flex bubble: an image only when given as HTTPS, texts cut to our limits."""
    body: list[dict[str, Any]] = []
    if card.label.strip():
        body.append(
            {"type": "text", "text": truncate(card.label, 40), "size": "xs", "color": "#888888"}
        )
    title = truncate(card.title.strip() or ELLIPSIS, MAX_CARD_TITLE)
    body.append({"type": "text", "text": title, "weight": "bold", "size": "md", "wrap": True})
    if card.body.strip() or not card.lines:
        text = truncate(card.body.strip() or ELLIPSIS, MAX_CARD_BODY)
        body.append({"type": "text", "text": text, "size": "sm", "wrap": True, "margin": "md"})
    for line in card.lines:  # catalogue keys, said in the worker's language
        said = truncate(catalogue.text(line, language=language), MAX_CARD_BODY) or ELLIPSIS
        body.append({"type": "text", "text": said, "size": "sm", "wrap": True})
    out: dict[str, Any] = {
        "type": "bubble",
        "body": {"type": "box", "layout": "vertical", "contents": body},
    }
    url = card.image_url
    if (
        url
        and url.startswith(("https://", "http://127.0.0.1", "http://localhost"))
        and len(url) <= MAX_URL
    ):
        out["hero"] = {
            "type": "image",
            "url": url,
            "size": "full",
            "aspectRatio": "4:3",
            "aspectMode": "cover",
        }
    buttons = [_button(c, language=language, catalogue=catalogue) for c in card.buttons]
    kept = [b for b in buttons if b is not None]
    if kept:
        out["footer"] = {"type": "box", "layout": "vertical", "spacing": "sm", "contents": kept}
    return out


def _flex(reply: Reply, text: str, *, language: str, catalogue: Catalogue) -> Message:
    bubbles = [bubble(c, language=language, catalogue=catalogue) for c in reply.cards[:MAX_BUBBLES]]
    contents = bubbles[0] if len(bubbles) == 1 else {"type": "carousel", "contents": bubbles}
    alt = truncate(text, MAX_ALT) or ELLIPSIS
    return FlexMessage(alt_text=alt, contents=FlexContainer.from_dict(contents))


def render(replies: Sequence[Reply], *, language: str, catalogue: Catalogue) -> list[Message]:
    """Render replies as LINE messages; only the last carries the last reply's buttons.

    A reply with cards becomes a Flex carousel whose alt text is its text. Over five messages,
    the earliest texts are merged (cards are kept: the flows never send more than two).
    """
    if not replies:
        return []
    texts = [catalogue.text(r.key, language=language, params=r.params) for r in replies]
    if not any(r.cards for r in replies):
        texts = [truncate(t, MAX_TEXT) or ELLIPSIS for t in _merge(texts)]
        buttons = quick_reply(replies[-1].choices, language=language, catalogue=catalogue)
        messages: list[Message] = [TextMessage(text=t) for t in texts[:-1]]
        messages.append(TextMessage(text=texts[-1], quick_reply=buttons))
        return messages
    items: list[tuple[Reply | None, str]] = [
        (r if r.cards else None, t) for r, t in zip(replies, texts, strict=True)
    ]
    while len(items) > MAX_MESSAGES:
        pair = next(
            (k for k in range(len(items) - 1) if items[k][0] is None and items[k + 1][0] is None),
            None,
        )
        if pair is None:
            # No two texts side by side: the earliest card is said by its alt text instead.
            k = next(k for k, item in enumerate(items) if item[0] is not None)
            items[k] = (None, items[k][1])
            continue
        items[pair : pair + 2] = [(None, f"{items[pair][1]}\n\n{items[pair + 1][1]}")]
    buttons = quick_reply(replies[-1].choices, language=language, catalogue=catalogue)
    out: list[Message] = []
    for n, (card, text) in enumerate(items):
        last = n == len(items) - 1
        if card is not None:
            message = _flex(card, text, language=language, catalogue=catalogue)
        else:
            message = TextMessage(text=truncate(text, MAX_TEXT) or ELLIPSIS)
        if last:
            message.quick_reply = buttons
        out.append(message)
    return out


def to_outbox(messages: Iterable[Message]) -> list[dict[str, Any]]:
    """Return messages as LINE's JSON (camelCase dicts), for storing in the reply outbox."""
    return [message.to_dict() for message in messages]


def from_outbox(items: Iterable[Mapping[str, Any]]) -> list[Message]:
    """Rebuild message models from the outbox's JSON."""
    return [Message.from_dict(dict(item)) for item in items]
