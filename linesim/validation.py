"""Message-object rules LINE enforces on reply and push, checked the way LINE counts."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from linebot.v3.messaging import Message

Detail = tuple[str, str]  # (message, property), as in LINE's error "details"

MAX_MESSAGES = 5
MAX_TEXT = 5000
MAX_QUICK_REPLY_ITEMS = 13
MAX_LABEL = 20
MAX_DATA = 300
MAX_ALT_TEXT = 400
MAX_URL = 2000
MAX_BUBBLE_BYTES = 30_000
MAX_CAROUSEL_BYTES = 50_000
MAX_BUBBLES = 12
MESSAGE_TYPES = (
    "text",
    "textV2",
    "sticker",
    "image",
    "video",
    "audio",
    "location",
    "imagemap",
    "template",
    "flex",
    "coupon",
)
ACTION_TYPES = (
    "postback",
    "message",
    "uri",
    "datetimepicker",
    "camera",
    "cameraRoll",
    "location",
    "richmenuswitch",
    "clipboard",
)
QUICK_REPLY_ONLY = frozenset({"camera", "cameraRoll", "location"})
URI_SCHEMES = ("http://", "https://", "line://", "tel:")


def utf16_len(text: str) -> int:
    """Count UTF-16 code units, as LINE does (an emoji outside the BMP counts 2)."""
    return len(text.encode("utf-16-le")) // 2


def _length(value: Any, prop: str, low: int, high: int, required: bool = True) -> Iterator[Detail]:
    if value is None:
        if required:
            yield ("must be specified", prop)
        return
    if not isinstance(value, str):
        yield ("must be a string", prop)
        return
    n = utf16_len(value)
    if n < low or n > high:
        yield (f"Length must be between {low} and {high}", prop)


def _https_url(value: Any, prop: str, required: bool = True) -> Iterator[Detail]:
    yield from _length(value, prop, 1, MAX_URL, required)
    if isinstance(value, str) and value and not value.startswith("https://"):
        yield ("must be a valid HTTPS URL", prop)


def validate_messages(messages: Any, prop: str = "messages") -> list[Detail]:
    """Return LINE-style error details for a messages array (empty when LINE would accept it)."""
    if not isinstance(messages, list):
        return [("must be specified", prop)]
    if not 1 <= len(messages) <= MAX_MESSAGES:
        return [(f"Size must be between 1 and {MAX_MESSAGES}", prop)]
    details: list[Detail] = []
    for i, message in enumerate(messages):
        details.extend(_message(message, f"{prop}[{i}]"))
    if not details:
        details.extend(_sdk_check(messages, prop))
    return details


def _sdk_check(messages: list[Any], prop: str) -> Iterator[Detail]:
    # line-bot-sdk's models know the shapes of every message and flex component;
    # letting them parse what passed our own checks catches wrong nesting and types.
    for i, message in enumerate(messages):
        try:
            Message.from_dict(message)
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            reason = (str(exc).splitlines() or [type(exc).__name__])[0][:200]
            yield (f"invalid message object: {reason}", f"{prop}[{i}]")


def _message(message: Any, prop: str) -> Iterator[Detail]:
    if not isinstance(message, Mapping):
        yield ("must be an object", prop)
        return
    kind = message.get("type")
    if kind not in MESSAGE_TYPES:
        yield (f"must be one of the following values: {list(MESSAGE_TYPES)}", f"{prop}.type")
        return
    if kind in ("text", "textV2"):
        yield from _length(message.get("text"), f"{prop}.text", 1, MAX_TEXT)
    elif kind == "sticker":
        for key in ("packageId", "stickerId"):
            yield from _length(message.get(key), f"{prop}.{key}", 1, 100)
    elif kind in ("image", "video"):
        yield from _https_url(message.get("originalContentUrl"), f"{prop}.originalContentUrl")
        yield from _https_url(message.get("previewImageUrl"), f"{prop}.previewImageUrl")
    elif kind == "audio":
        yield from _https_url(message.get("originalContentUrl"), f"{prop}.originalContentUrl")
        if not isinstance(message.get("duration"), int):
            yield ("must be specified", f"{prop}.duration")
    elif kind == "location":
        yield from _location(message, prop)
    elif kind == "flex":
        yield from _length(message.get("altText"), f"{prop}.altText", 1, MAX_ALT_TEXT)
        yield from _flex(message.get("contents"), f"{prop}.contents")
    elif kind in ("template", "imagemap"):
        yield from _length(message.get("altText"), f"{prop}.altText", 1, MAX_ALT_TEXT)
        if kind == "template":
            yield from _nested_actions(message.get("template"), f"{prop}.template")
    if "quickReply" in message:
        yield from _quick_reply(message["quickReply"], f"{prop}.quickReply")
    if "sender" in message:
        yield from _sender(message["sender"], f"{prop}.sender")
    if message.get("quoteToken") is not None and not isinstance(message["quoteToken"], str):
        yield ("must be a string", f"{prop}.quoteToken")


def _location(message: Mapping[str, Any], prop: str) -> Iterator[Detail]:
    yield from _length(message.get("title"), f"{prop}.title", 1, 100)
    yield from _length(message.get("address"), f"{prop}.address", 1, 100)
    for key in ("latitude", "longitude"):
        if not isinstance(message.get(key), int | float) or isinstance(message.get(key), bool):
            yield ("must be specified", f"{prop}.{key}")


def _flex(contents: Any, prop: str) -> Iterator[Detail]:
    if not isinstance(contents, Mapping) or contents.get("type") not in ("bubble", "carousel"):
        yield ("must be a bubble or carousel container", f"{prop}.type")
        return
    size = len(json.dumps(contents, ensure_ascii=False, separators=(",", ":")).encode())
    if contents["type"] == "bubble" and size > MAX_BUBBLE_BYTES:
        yield (f"A bubble must be at most {MAX_BUBBLE_BYTES} bytes of JSON", prop)
    if contents["type"] == "carousel":
        bubbles = contents.get("contents")
        if not isinstance(bubbles, list) or not 1 <= len(bubbles) <= MAX_BUBBLES:
            yield (f"Size must be between 1 and {MAX_BUBBLES}", f"{prop}.contents")
        if size > MAX_CAROUSEL_BYTES:
            yield (f"A carousel must be at most {MAX_CAROUSEL_BYTES} bytes of JSON", prop)
    yield from _nested_actions(contents, prop)


def _nested_actions(node: Any, prop: str) -> Iterator[Detail]:
    """Check every action object inside templates, imagemaps and flex containers."""
    if isinstance(node, Mapping):
        for key, value in node.items():
            if key in ("action", "defaultAction") and isinstance(value, Mapping):
                yield from _action(value, f"{prop}.{key}", quick_reply=False)
            elif key == "actions" and isinstance(value, list):
                for i, action in enumerate(value):
                    yield from _action(action, f"{prop}.actions[{i}]", quick_reply=False)
            else:
                yield from _nested_actions(value, f"{prop}.{key}")
    elif isinstance(node, list):
        for i, item in enumerate(node):
            yield from _nested_actions(item, f"{prop}[{i}]")


def _quick_reply(quick_reply: Any, prop: str) -> Iterator[Detail]:
    items = quick_reply.get("items") if isinstance(quick_reply, Mapping) else None
    if not isinstance(items, list) or not 1 <= len(items) <= MAX_QUICK_REPLY_ITEMS:
        yield (f"Size must be between 1 and {MAX_QUICK_REPLY_ITEMS}", f"{prop}.items")
        return
    for i, item in enumerate(items):
        item_prop = f"{prop}.items[{i}]"
        if not isinstance(item, Mapping) or item.get("type", "action") != "action":
            yield ("must be an action item", f"{item_prop}.type")
            continue
        if "imageUrl" in item:
            yield from _https_url(item["imageUrl"], f"{item_prop}.imageUrl")
        yield from _action(item.get("action"), f"{item_prop}.action", quick_reply=True)


def rich_menu_action(action: Any, prop: str) -> list[Detail]:
    """Return LINE-style error details for the action of a rich-menu area."""
    return list(_action(action, prop, quick_reply=False, rich_menu=True))


def text_length(value: Any, prop: str, low: int, high: int) -> list[Detail]:
    """Return the detail for a required string whose UTF-16 length is outside low..high."""
    return list(_length(value, prop, low, high))


def _action(
    action: Any, prop: str, quick_reply: bool, *, rich_menu: bool = False
) -> Iterator[Detail]:
    if not isinstance(action, Mapping):
        yield ("must be specified", prop)
        return
    kind = action.get("type")
    if kind not in ACTION_TYPES:
        yield (f"must be one of the following values: {list(ACTION_TYPES)}", f"{prop}.type")
        return
    if kind in QUICK_REPLY_ONLY and not quick_reply:
        yield (f"{kind} action can only be used in quick reply buttons", f"{prop}.type")
    if kind == "richmenuswitch" and not rich_menu:
        yield ("richmenuswitch action can only be used in rich menus", f"{prop}.type")
    # Quick-reply buttons always show their label, so LINE requires one there.
    yield from _length(action.get("label"), f"{prop}.label", 1, MAX_LABEL, required=quick_reply)
    if kind == "postback":
        yield from _length(action.get("data"), f"{prop}.data", 1, MAX_DATA)
        yield from _length(action.get("displayText"), f"{prop}.displayText", 1, 300, False)
        yield from _length(action.get("text"), f"{prop}.text", 1, 300, False)
        yield from _length(action.get("fillInText"), f"{prop}.fillInText", 1, 300, False)
        if action.get("displayText") is not None and action.get("text") is not None:
            yield ("displayText and text cannot both be set", f"{prop}.displayText")
    elif kind == "message":
        yield from _length(action.get("text"), f"{prop}.text", 1, 300)
    elif kind == "uri":
        uri = action.get("uri")
        yield from _length(uri, f"{prop}.uri", 1, 1000)
        if isinstance(uri, str) and uri and not uri.startswith(URI_SCHEMES):
            yield ("must be an http, https, line or tel URI", f"{prop}.uri")
    elif kind == "datetimepicker":
        yield from _length(action.get("data"), f"{prop}.data", 1, MAX_DATA)
        if action.get("mode") not in ("date", "time", "datetime"):
            yield ("must be one of the following values: [date, time, datetime]", f"{prop}.mode")
    elif kind == "clipboard":
        yield from _length(action.get("clipboardText"), f"{prop}.clipboardText", 1, 1000)
    elif kind == "richmenuswitch":
        yield from _length(action.get("richMenuAliasId"), f"{prop}.richMenuAliasId", 1, 32)
        yield from _length(action.get("data"), f"{prop}.data", 1, MAX_DATA)


def _sender(sender: Any, prop: str) -> Iterator[Detail]:
    if not isinstance(sender, Mapping):
        yield ("must be an object", prop)
        return
    yield from _length(sender.get("name"), f"{prop}.name", 1, MAX_LABEL, required=False)
    if "iconUrl" in sender:
        yield from _https_url(sender["iconUrl"], f"{prop}.iconUrl")
