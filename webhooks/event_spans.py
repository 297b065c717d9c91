"""Each event of a webhook body as its own JSON text, cut from the body as LINE sent it.

The inbox keeps every event's raw JSON. msgspec's `Raw` marks where each element of `events`
begins and ends while it checks the whole body's syntax, without building the events: a
five-event body is split in about 1.5 µs, where `json.loads` of the same body takes 12 µs and
serialising each event again would cost as much once more (bench/ack_breakdown.py). A body
msgspec refuses but the json module reads (a byte-order mark, UTF-16, a lone surrogate escape,
NaN) is read with json and each event written anew; either way every event is then read by the
one set of rules in `webhooks.ingest`.
"""

from __future__ import annotations

import json

import msgspec


class _Body(msgspec.Struct):
    events: list[msgspec.Raw]


_DECODER = msgspec.json.Decoder(_Body)


def split_events(raw: bytes) -> list[str] | None:
    """The texts of the body's `events`, in order; None when msgspec cannot split the body."""
    try:
        # Checked for the whole body first: msgspec checks UTF-8 only where it decodes strings.
        raw.decode("utf-8")
        body = _DECODER.decode(raw)
        return [bytes(event).decode("utf-8") for event in body.events]
    # ValueError: not UTF-8, or msgspec's DecodeError (malformed JSON, a lone surrogate escape,
    # the wrong shape); RecursionError: nesting deeper than msgspec follows.
    except (ValueError, RecursionError):
        return None


def event_texts(raw: bytes) -> list[str] | None:
    """Each event's JSON text, in order; None when the body is no webhook (never raises)."""
    texts = split_events(raw)
    if texts is not None:
        return texts
    try:
        body = json.loads(raw)
        if not isinstance(body, dict) or not isinstance(body.get("events"), list):
            return None
        # \u-escaped: json reads lone surrogates (escaped, or smuggled in bytes that are not
        # strict UTF-8) that no database driver can store as text.
        return [json.dumps(event, separators=(",", ":")) for event in body["events"]]
    # Not JSON at all; or nesting near the json module's limit, which parses and then overflows
    # the stack when it is written again.
    except (ValueError, RecursionError):
        return None
