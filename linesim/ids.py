"""Identifiers shaped like LINE's: user/group/room ids, message ids, tokens, event ids."""

from __future__ import annotations

import itertools
import re
import secrets
import threading

from ulid import ULID

USER_ID_RE = re.compile(r"^U[0-9a-f]{32}$")
UUID_RE = re.compile(
    r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
)


def new_user_id() -> str:
    """Return a fresh LINE user id (`U` + 32 hex digits)."""
    return "U" + secrets.token_hex(16)


def new_group_id() -> str:
    """Return a fresh LINE group id (`C` + 32 hex digits)."""
    return "C" + secrets.token_hex(16)


def new_room_id() -> str:
    """Return a fresh LINE room id (`R` + 32 hex digits)."""
    return "R" + secrets.token_hex(16)


def new_token() -> str:
    """Return an opaque token like LINE's reply, quote and mark-as-read tokens."""
    return secrets.token_urlsafe(24)


def new_image_set_id() -> str:
    """Return an image-set id in LINE's format (64 upper-case hex digits)."""
    return secrets.token_hex(32).upper()


def new_event_id(at_seconds: float) -> str:
    """Return a webhookEventId: a ULID whose time part is the platform clock's."""
    return str(ULID.from_timestamp(at_seconds))


def is_user_id(value: object) -> bool:
    """Tell whether value is shaped like a LINE user id."""
    return isinstance(value, str) and USER_ID_RE.match(value) is not None


class MessageIds:
    """Numeric message ids, unique across restarts because they start from the clock."""

    def __init__(self, start_ms: int) -> None:
        # LINE's ids are decimal strings of ~18 digits; starting from the clock
        # keeps ids distinct when a demo bot keeps its database across restarts.
        self._counter = itertools.count(start_ms * 1000 + 1)
        self._lock = threading.Lock()

    def next(self) -> str:
        """Return the next message id as a decimal string."""
        with self._lock:
            return str(next(self._counter))
