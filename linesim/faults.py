"""Scripted failures: what the next matching Messaging API call answers instead of the truth."""

from __future__ import annotations

import fnmatch
import threading
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

# LINE's own wording where known; a plain reason phrase otherwise.
DEFAULT_MESSAGES: dict[int, str] = {
    400: "Bad Request",
    401: "Authentication failed. Confirm that the access token in the authorization header"
    " is valid.",
    403: "Forbidden",
    404: "Not found",
    409: "Conflict",
    410: "Gone",
    413: "Request Entity Too Large",
    415: "Unsupported Media Type",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}

ENDPOINTS = (
    "reply",
    "push",
    "multicast",
    "content",
    "content_preview",
    "content_transcoding",
    "profile",
    "loading",
    "richmenu_create",
    "richmenu_validate",
    "richmenu_list",
    "richmenu_get",
    "richmenu_delete",
    "richmenu_upload",
    "richmenu_image",
    "richmenu_set_default",
    "richmenu_default",
    "richmenu_clear_default",
)


@dataclass(frozen=True)
class Fail:
    """Answer this status (a LINE-shaped error body for non-2xx, empty for 2xx such as 202).

    With after_processing the call is carried out first (token used, message
    delivered, retry key accepted) and only the answer is lost, as when LINE
    accepts a request but the response never reaches the caller intact.
    With body, that text is the answer's whole body (as JSON), shaped or not:
    `Fail(200, body="<html>", after_processing=True)` is a success no client can parse.
    """

    status: int
    message: str | None = None
    details: tuple[tuple[str, str], ...] = ()
    headers: Mapping[str, str] = field(default_factory=dict)
    after_processing: bool = False
    body: str | None = None


@dataclass(frozen=True)
class Timeout:
    """Hold the request for delay seconds, then answer normally (`answer`) or never (`never`).

    With processed (the default) the call takes effect before the hold, so a
    client that gives up and retries meets the consequences (a used reply
    token, an accepted retry key) just as it would on LINE.
    """

    delay: float | None = None
    then: Literal["answer", "never"] = "answer"
    processed: bool = True


@dataclass(frozen=True)
class Truncate:
    """Send the headers and part of the body, then drop the connection."""

    fraction: float = 0.5


@dataclass(frozen=True)
class Redirect:
    """Answer a redirect to another host; a careful client does not follow it."""

    location: str = "http://redirected.invalid/elsewhere"
    status: int = 302


@dataclass(frozen=True)
class Pass:
    """Answer this call normally (a gap in a scripted sequence)."""


Scripted = Fail | Timeout | Truncate | Redirect | Pass
ScriptItem = int | str | Scripted | Mapping[str, Any]


def to_scripted(item: ScriptItem) -> Scripted:
    """Turn a shorthand (500, "timeout", "truncate", "redirect", "ok", a dict) into a Scripted."""
    if isinstance(item, Fail | Timeout | Truncate | Redirect | Pass):
        return item
    if isinstance(item, bool):
        raise ValueError(f"not a scripted response: {item!r}")
    if isinstance(item, int):
        return Fail(item)
    if isinstance(item, str):
        shorthand: dict[str, Scripted] = {
            "timeout": Timeout(),
            "never": Timeout(then="never"),
            "truncate": Truncate(),
            "redirect": Redirect(),
            "ok": Pass(),
        }
        if item in shorthand:
            return shorthand[item]
        if item.isdigit():
            return Fail(int(item))
        raise ValueError(f"unknown scripted response: {item!r}")
    return _from_mapping(item)


def _from_mapping(item: Mapping[str, Any]) -> Scripted:
    kind = item.get("kind", "status" if "status" in item else None)
    if kind == "status":
        details = tuple((str(d["message"]), str(d["property"])) for d in item.get("details", []))
        return Fail(
            int(item["status"]),
            message=item.get("message"),
            details=details,
            headers=dict(item.get("headers", {})),
            after_processing=bool(item.get("afterProcessing", False)),
            body=None if item.get("body") is None else str(item["body"]),
        )
    if kind == "timeout":
        delay = item.get("delay")
        then = item.get("then", "answer")
        if then not in ("answer", "never"):
            raise ValueError(f"timeout 'then' must be 'answer' or 'never', not {then!r}")
        return Timeout(
            None if delay is None else float(delay), then, bool(item.get("processed", True))
        )
    if kind == "truncate":
        return Truncate(float(item.get("fraction", 0.5)))
    if kind == "redirect":
        return Redirect(str(item.get("location", Redirect.location)), int(item.get("status", 302)))
    if kind == "ok":
        return Pass()
    raise ValueError(f"unknown scripted response: {dict(item)!r}")


class Script:
    """Queues of scripted responses keyed by endpoint name or path pattern, consumed in order."""

    def __init__(self) -> None:
        self._queues: list[tuple[str, deque[Scripted]]] = []
        self._lock = threading.Lock()

    def add(self, pattern: str, responses: Iterable[ScriptItem]) -> None:
        """Queue responses for calls matching pattern (an endpoint name, or a glob on the path)."""
        items = deque(to_scripted(r) for r in responses)
        if "/" not in pattern and not any(fnmatch.fnmatchcase(e, pattern) for e in ENDPOINTS):
            raise ValueError(f"{pattern!r} names no endpoint; use one of {ENDPOINTS} or a path")
        with self._lock:
            self._queues.append((pattern, items))

    def take(self, endpoint: str, path: str) -> Scripted | None:
        """Consume and return the next scripted response for this call, if any."""
        with self._lock:
            for pattern, queue in self._queues:
                target = path if "/" in pattern else endpoint
                if queue and fnmatch.fnmatchcase(target, pattern):
                    return queue.popleft()
        return None

    def pending(self) -> int:
        """Return how many scripted responses are still waiting to be consumed."""
        with self._lock:
            return sum(len(q) for _, q in self._queues)

    def clear(self) -> None:
        """Drop every scripted response."""
        with self._lock:
            self._queues.clear()
