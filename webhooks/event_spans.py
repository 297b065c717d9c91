"""Each event of a webhook body with its own JSON text, cut from the body as LINE sent it.

The inbox keeps every event's raw JSON. Parsing the body and serialising each event again
costs more than the parse (~6 µs for a 600-byte event, on every event before the 200), so the
top-level object is walked here with the standard decoder's `raw_decode`, which reports where
each value ends: one parse of the body, and each event's text is a slice of it. Anything but
the usual shape (a UTF-8 object) gives None, and the caller parses the plain way.
"""

from __future__ import annotations

import json
import re
from typing import Any

_DECODER = json.JSONDecoder()
_SPACE = re.compile(r"[ \t\n\r]*")  # the four characters JSON counts as whitespace

Event = tuple[Any, str]


def split_events(raw: bytes) -> list[Event] | None:
    """The body's `events` as (parsed, own text) pairs; None when the body is not that shape."""
    try:
        text = raw.decode("utf-8")
        return _object(text)
    # UnicodeDecodeError and JSONDecodeError are ValueErrors; RecursionError: nesting deeper
    # than the interpreter's stack (json.loads fails on it too, and the caller keeps the body).
    except (ValueError, IndexError, RecursionError):
        return None


def _skip(text: str, at: int) -> int:
    # LINE sends compact JSON: most calls find no space at all, and a slice test is cheaper
    # than a regex match. IndexError at the end of the text is the callers' "cut short".
    if text[at] not in " \t\n\r":
        return at
    return _SPACE.match(text, at).end()  # type: ignore[union-attr]  # matches the empty string


def _object(text: str) -> list[Event] | None:
    at = _skip(text, 0)
    if text[at] != "{":
        return None
    at = _skip(text, at + 1)
    events: list[Event] | None = None
    if text[at] != "}":
        while True:
            if text[at] != '"':
                return None
            key, at = _DECODER.raw_decode(text, at)
            at = _skip(text, at)
            if text[at] != ":":
                return None
            at = _skip(text, at + 1)
            if key == "events":  # a repeated key counts once, the last time (as json.loads)
                events, at = _array(text, at)
            else:
                _, at = _DECODER.raw_decode(text, at)
            at = _skip(text, at)
            if text[at] == "}":
                break
            if text[at] != ",":
                return None
            at = _skip(text, at + 1)
    end = at + 1
    if end < len(text) and _skip(text, end) != len(text):
        return None  # something after the object
    return events


def _array(text: str, at: int) -> tuple[list[Event] | None, int]:
    if text[at] != "[":
        _, end = _DECODER.raw_decode(text, at)
        return None, end
    items: list[Event] = []
    at = _skip(text, at + 1)
    if text[at] == "]":
        return items, at + 1
    while True:
        value, end = _DECODER.raw_decode(text, at)
        items.append((value, text[at:end]))
        at = _skip(text, end)
        if text[at] == "]":
            return items, at + 1
        if text[at] != ",":
            raise ValueError("expected , or ] in the events array")
        at = _skip(text, at + 1)
