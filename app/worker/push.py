"""The one way the worker pushes a message to a LINE user (outside a reply).

Pushes count against the channel's monthly quota, unlike replies: every push goes through
`send_push`, so a push budget can later wrap this one function.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from typing import Any

from app.services import Services
from app.worker.base import RetryLater
from webhooks.line_api import LineApiError

log = logging.getLogger("genba.push")

_RETRY_KEYS = uuid.UUID("6a0f1c52-52f8-4c4e-9a8e-3f7e2b1d0c11")


def retry_key(purpose: str, ref: str) -> str:
    """A stable X-Line-Retry-Key for one push: the same purpose and ref give the same UUID."""
    return str(uuid.uuid5(_RETRY_KEYS, f"{purpose}:{ref}"))


def send_push(services: Services, to: str, messages: Sequence[dict[str, Any]], *, key: str) -> bool:
    """Push messages once (LINE dedups on `key` for 24 h); False if LINE refused them for good.

    Raises RetryLater for answers worth another attempt (5xx, 429, no answer), which reuses
    the same key and body, as LINE asks.
    """
    assert services.line is not None, "the worker needs a LINE client"
    try:
        # False: LINE had this key already (409), so the messages went out then: sent.
        services.line.push([to], messages, key)
    except LineApiError as exc:
        if exc.retryable:
            raise RetryLater(str(exc)) from None
        log.warning("push refused for good: %s", exc)
        return False
    return True
