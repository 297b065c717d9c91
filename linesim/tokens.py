"""Reply tokens and LINE's rules for when one may be used."""

from __future__ import annotations

import copy
import threading
from collections.abc import Iterable, Mapping
from typing import Any

from linesim import ids
from linesim.records import JSON, ReplyToken

REDELIVERY_WINDOW = 20 * 60  # a redelivered token dies 20 minutes after the event happened.


def redelivered(event: Mapping[str, Any]) -> JSON:
    """Return a copy of event as LINE redelivers it (same id and token, isRedelivery true)."""
    again: JSON = copy.deepcopy(dict(event))
    again["deliveryContext"] = {"isRedelivery": True}
    return again


class ReplyTokens:
    """Issued reply tokens: single use, and only within a window that starts at delivery."""

    def __init__(self, ttl: float) -> None:
        self.ttl = ttl
        self._tokens: dict[str, ReplyToken] = {}
        self._lock = threading.Lock()

    def issue(self, chat_id: str, event_id: str, event_time: float, now: float) -> str:
        """Issue a token for an event built at now (usable for ttl even if never sent)."""
        token = ids.new_token()
        with self._lock:
            self._tokens[token] = ReplyToken(token, chat_id, event_id, event_time, now + self.ttl)
        return token

    def get(self, token: str) -> ReplyToken | None:
        """Return the state of a token, or None if it was never issued."""
        with self._lock:
            return self._tokens.get(token)

    def delivered(self, events: Iterable[Mapping[str, Any]], now: float) -> None:
        """Start the window of each event's token, as LINE does on delivery and redelivery."""
        with self._lock:
            for event in events:
                token = self._tokens.get(str(event.get("replyToken", "")))
                if token is None or token.used:
                    continue
                token.expires_at = now + self.ttl
                if event.get("deliveryContext", {}).get("isRedelivery"):
                    # LINE: a redelivered event's token works within 1 minute of the
                    # redelivery, unless used or 20 minutes passed since the event.
                    token.expires_at = min(token.expires_at, token.event_time + REDELIVERY_WINDOW)

    def use(self, token: str, now: float) -> str | None:
        """Use up a token and return its chat id; None if unknown, used or expired."""
        with self._lock:
            entry = self._tokens.get(token)
            if entry is None or entry.used or now >= entry.expires_at:
                return None
            entry.used = True
            return entry.chat_id
