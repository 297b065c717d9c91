"""Turning a signed webhook body into inbox entries: cheap, total, and never raising.

Runs before the 200, so it does the least that keeps every event: no line-bot-sdk parsing
(that happens per event in the worker, so one odd event never costs the others).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from typing import Any

from storage.inbox import InboxEntry

# Event types a job is made for; anything else is stored and left alone (LINE adds types).
USER_EVENT_TYPES = frozenset({"message", "follow", "unfollow", "postback", "unsend"})
CHAT_EVENT_TYPES = frozenset({"join", "leave", "message"})
MAX_ID_CHARS = 80


def _dumps(value: Any, *, ascii_only: bool = False) -> str:
    return json.dumps(value, ensure_ascii=ascii_only, separators=(",", ":"))


def _hash_id(text: str) -> str:
    return "sha256:" + hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def unparseable_body(raw: bytes) -> InboxEntry:
    """A signed body that is not a webhook at all: kept whole for an operator to look at."""
    text = raw.decode("utf-8", "replace")
    return InboxEntry(
        id="sha256:" + hashlib.sha256(raw).hexdigest(),
        payload=_dumps({"raw": text}),
        status="unparseable",
        note="body is not a JSON webhook object",
    )


def classify(body: Any, raw: bytes) -> list[InboxEntry]:
    """One entry per event in the body (duplicates inside one body collapse to one)."""
    if not isinstance(body, dict) or not isinstance(body.get("events"), list):
        return [unparseable_body(raw)]
    # A lone UTF-16 surrogate (a "\ud800" escape) parses, but no database driver can store it
    # as text: keep such a body's events \u-escaped instead of turning it into a 503 forever.
    ascii_only = b"\\ud" in raw or b"\\uD" in raw
    seen: dict[str, InboxEntry] = {}
    for event in body["events"]:
        entry = _entry(event, ascii_only)
        seen.setdefault(entry.id, entry)
    return list(seen.values())


def _entry(event: Any, ascii_only: bool) -> InboxEntry:
    if not isinstance(event, dict):
        text = _dumps(event, ascii_only=ascii_only)
        return InboxEntry(
            id=_hash_id(text), payload=text, status="unparseable", note="event is not an object"
        )
    event_id = event.get("webhookEventId")
    text = _dumps(event, ascii_only=ascii_only)
    if not (
        isinstance(event_id, str) and 0 < len(event_id) <= MAX_ID_CHARS and event_id.isprintable()
    ):
        event_id = _hash_id(text)
    # Cut to the columns' widths: LINE adds types and modes, and PostgreSQL refuses overflow.
    event_type = _short(event.get("type"), 40)
    mode = _short(event.get("mode"), 16)
    delivery = event.get("deliveryContext")
    redelivery = isinstance(delivery, dict) and delivery.get("isRedelivery") is True
    source = event.get("source")
    source_type = _short(source.get("type"), 16) if isinstance(source, dict) else None
    base = InboxEntry(
        id=event_id,
        payload=text,
        status="unparseable",
        event_type=event_type,
        mode=mode,
        source_type=source_type,
        redelivery=redelivery,
    )
    if not isinstance(source, dict):
        return replace(base, note="event has no source")
    if source_type == "user":
        user_id = source.get("userId")
        if not isinstance(user_id, str) or not user_id or not user_id[:75].isprintable():
            return replace(base, note="user source without a usable userId")
        if mode == "standby":
            # A chat module owns the conversation: keep the event, never answer it.
            return replace(base, status="ignored", note="standby", source_id=user_id[:64])
        wanted = event_type in USER_EVENT_TYPES
        return replace(
            base,
            status="queued" if wanted else "ignored",
            source_id=user_id[:64],
            ordering_key="user:" + user_id[:75],
            wants_job=wanted,
        )
    if source_type in ("group", "room"):
        chat_id = source.get("groupId") if source_type == "group" else source.get("roomId")
        if not isinstance(chat_id, str) or not chat_id or not chat_id[:75].isprintable():
            return replace(base, payload="{}", note="chat without id")
        # The bot stores nothing from group chats: only what it needs to say, once, that it
        # works in 1:1 chats — no message content, no member ids.
        kept = _dumps(
            {
                "type": event_type,
                "mode": mode,
                "timestamp": event.get("timestamp"),
                "webhookEventId": event.get("webhookEventId"),
                "deliveryContext": delivery if isinstance(delivery, dict) else None,
                "replyToken": event.get("replyToken"),
                "source": {"type": source_type, f"{source_type}Id": chat_id},
            }
        )
        wanted = event_type in CHAT_EVENT_TYPES and mode != "standby"
        return replace(
            base,
            payload=kept,
            status="queued" if wanted else "ignored",
            source_id=chat_id[:64],
            ordering_key="chat:" + chat_id[:75],
            wants_job=wanted,
        )
    return replace(base, note="unknown source type")


def _short(value: Any, limit: int) -> str | None:
    if not isinstance(value, str):
        return None
    cut = value[:limit]
    return cut if cut.isprintable() else None
