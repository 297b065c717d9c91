"""Turning a signed webhook body into inbox entries: cheap, total, and never raising.

Runs before the 200, so it does the least that keeps every event: no line-bot-sdk parsing
(that happens per event in the worker, so one odd event never costs the others). Each event is
read once, by `read_event`: a lenient typed decoding of the few fields the inbox needs (msgspec,
~0.5 µs an event, where `json.loads` alone costs ~2.5 µs), every field of any JSON type, so
that each odd case is a branch of that one reading rather than a second set of rules.
"""

from __future__ import annotations

import hashlib
import json
import sys
from typing import Any, TypeGuard

import msgspec

from storage.inbox import InboxEntry
from webhooks.event_spans import event_texts

# Event types a job is made for; anything else is stored and left alone (LINE adds types).
USER_EVENT_TYPES = frozenset({"message", "follow", "unfollow", "postback", "unsend"})
CHAT_EVENT_TYPES = frozenset({"join", "leave", "message"})

# The widths of the columns an entry is stored in (storage/models.py); LINE's own ids are 33
# characters and its event ids 26, so the cuts only ever meet odd input.
EVENT_ID_CHARS = 80  # webhook_event.id: a longer (or odd) event id is replaced by a hash
SOURCE_ID_CHARS = 64  # webhook_event.source_id: the user's or chat's id, cut to this
ORDERING_ID_CHARS = 75  # job.ordering_key (80) holds "user:" or "chat:" and this much of the id
EVENT_TYPE_CHARS = 40  # webhook_event.event_type
MODE_CHARS = 16  # webhook_event.mode
SOURCE_TYPE_CHARS = 16  # webhook_event.source_type


class _Event(msgspec.Struct):
    """The fields of an event the inbox reads. Each is `Any`: an odd type is a branch of
    `read_event`, never a failed decoding; fields not named here are skipped unbuilt."""

    webhookEventId: Any = None
    type: Any = None
    mode: Any = None
    source: Any = None
    deliveryContext: Any = None
    timestamp: Any = None
    replyToken: Any = None


_EVENT = msgspec.json.Decoder(_Event)
_ANY = msgspec.json.Decoder()
# The worker reads each event with the json module, which refuses numbers longer than
# int_max_str_digits and nesting deeper than the recursion limit (msgspec passes over the
# first and follows a few levels deeper). A text shorter than both holds neither; a longer one
# (a long text message, say) is also read with json before it is queued. (Read once: genba
# never changes either limit while it runs.)
_JSON_SAFE_CHARS = min(sys.getrecursionlimit(), sys.get_int_max_str_digits() or sys.maxsize)


def classify(raw: bytes) -> list[InboxEntry]:
    """One entry per event of a signed body (duplicates inside one body collapse to one)."""
    texts = event_texts(raw)
    if texts is None:
        return [unparseable_body(raw)]
    seen: dict[str, InboxEntry] = {}
    for text in texts:
        entry = read_event(text)
        seen.setdefault(entry.id, entry)
    return list(seen.values())


def unparseable_body(raw: bytes) -> InboxEntry:
    """A signed body that is not a webhook at all: kept whole for an operator to look at."""
    text = raw.decode("utf-8", "replace")
    return InboxEntry(
        id="sha256:" + hashlib.sha256(raw).hexdigest(),
        payload=json.dumps({"raw": text}, ensure_ascii=False, separators=(",", ":")),
        status="unparseable",
        note="body is not a JSON webhook object",
    )


def read_event(text: str) -> InboxEntry:
    """The inbox entry of one event's JSON text (as cut from a body); never raises."""
    try:
        event = _EVENT.decode(text)
        if len(text) > _JSON_SAFE_CHARS:
            json.loads(text)  # read as the worker will read it
    # msgspec refuses a value that is not an object, a lone surrogate escape (which no
    # database could store as text once read), NaN and numbers out of its range; json, what
    # the worker would refuse.
    except (ValueError, RecursionError):
        if not text.startswith("{"):  # texts are cut from the first character of the value
            return _kept(text, _content_id(text), "event is not an object")
        return _kept(text, _text_id(text), "event beyond the parser")
    event_id = event.webhookEventId
    if not (
        type(event_id) is str and 0 < len(event_id) <= EVENT_ID_CHARS and event_id.isprintable()
    ):
        # Hashed in one spelling, so the same event sent with other spacing is still a duplicate.
        event_id = _content_id(text)
    event_type = _short(event.type, EVENT_TYPE_CHARS)
    mode = _short(event.mode, MODE_CHARS)
    delivery = event.deliveryContext
    redelivery = type(delivery) is dict and delivery.get("isRedelivery") is True
    source = event.source
    # Every field is decided first and the entry built once: this runs for each event before
    # the 200, and a dataclass built twice (replace) costs as much as the rest of it.
    payload, status, note, wanted = text, "unparseable", None, False
    source_type = source_id = ordering_key = None
    if type(source) is not dict:
        note = "event has no source"
    elif (source_type := source.get("type")) == "user":
        user_id = source.get("userId")
        if not (type(user_id) is str and user_id and user_id[:ORDERING_ID_CHARS].isprintable()):
            note = "user source without a usable userId"
        elif mode == "standby":
            # A chat module owns the conversation: keep the event, never answer it.
            status, note, source_id = "ignored", "standby", user_id[:SOURCE_ID_CHARS]
        else:
            wanted = event_type in USER_EVENT_TYPES
            status = "queued" if wanted else "ignored"
            source_id = user_id[:SOURCE_ID_CHARS]
            ordering_key = "user:" + user_id[:ORDERING_ID_CHARS]
    elif source_type == "group" or source_type == "room":
        chat_id = source.get(source_type + "Id")
        if not _usable_id(chat_id):
            payload, note = "{}", "chat without id"
        else:
            # The bot stores nothing from group chats: only what it needs to say, once, that
            # it works in 1:1 chats — no message content, no member ids.
            payload = msgspec.json.encode(
                {
                    "type": event_type,
                    "mode": mode,
                    "timestamp": event.timestamp if type(event.timestamp) is int else None,
                    "webhookEventId": _str(event.webhookEventId),
                    "deliveryContext": {"isRedelivery": redelivery},
                    "replyToken": _str(event.replyToken),
                    "source": {"type": source_type, source_type + "Id": chat_id},
                }
            ).decode("utf-8")
            wanted = event_type in CHAT_EVENT_TYPES and mode != "standby"
            status = "queued" if wanted else "ignored"
            source_id = chat_id[:SOURCE_ID_CHARS]
            ordering_key = "chat:" + chat_id[:ORDERING_ID_CHARS]
    else:
        source_type, note = _short(source_type, SOURCE_TYPE_CHARS), "unknown source type"
    return InboxEntry(
        id=event_id,
        payload=payload,
        status=status,
        event_type=event_type,
        mode=mode,
        source_type=source_type,
        source_id=source_id,
        redelivery=redelivery,
        ordering_key=ordering_key,
        note=note,
        wants_job=wanted,
    )


def _kept(text: str, event_id: str, note: str) -> InboxEntry:
    return InboxEntry(id=event_id, payload=text, status="unparseable", note=note)


def _usable_id(value: Any) -> TypeGuard[str]:
    return type(value) is str and value != "" and value[:ORDERING_ID_CHARS].isprintable()


def _str(value: Any) -> str | None:
    return value if type(value) is str else None


def _short(value: Any, limit: int) -> str | None:
    # Cut to the column's width: LINE adds types and modes, and PostgreSQL refuses overflow.
    if type(value) is not str:
        return None
    cut = value[:limit]
    return cut if cut.isprintable() else None


def _content_id(text: str) -> str:
    """A hash of the event in one spelling (msgspec's, compact), however it was spaced."""
    try:
        return "sha256:" + hashlib.sha256(msgspec.json.encode(_ANY.decode(text))).hexdigest()
    except (ValueError, RecursionError):  # beyond msgspec: the text as it is
        return _text_id(text)


def _text_id(text: str) -> str:
    return "sha256:" + hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
