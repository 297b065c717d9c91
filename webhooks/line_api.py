"""The LINE Messaging API as the worker uses it: reply, profile, and content streamed to disk.

Reply and profile go through line-bot-sdk's sync client. Content is streamed with httpx instead:
the SDK reads the whole body into memory, and its async streaming option is broken
(line-platform.md §7). Redirects are never followed and only LINE's own hosts (or
LINE_API_BASE_URL) are ever called: URLs found in webhook events are never fetched.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import httpx
from linebot.v3.messaging import (
    ApiClient,
    ApiException,
    Configuration,
    MessagingApi,
    MulticastRequest,
    PushMessageRequest,
    ReplyMessageRequest,
)

from storage.private import open_file

API_HOST = "https://api.line.me"
DATA_HOST = "https://api-data.line.me"
CHUNK = 64 * 1024


class LineApiError(Exception):
    """A LINE call failed. `retryable` says whether trying again later can help."""

    def __init__(self, status: int | None, message: str, *, retryable: bool) -> None:
        super().__init__(f"LINE API {status or 'no answer'}: {message}")
        self.status = status
        self.message = message
        self.retryable = retryable


class ContentUnavailable(Exception):
    """Content cannot be fetched, for a reason the media row records.

    Reasons: `expired` (404: past LINE's retention or unknown), `deleted` (410: unsent),
    `too_large`, `not_ready` (202: a video still being prepared), `transient` (5xx, 429,
    timeouts, a dropped connection), `refused` (any other answer, redirects included), `stopped`
    (the worker is shutting down).
    """

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail

    @property
    def retryable(self) -> bool:
        """True for failures that a later attempt may get past."""
        return self.reason in ("transient", "not_ready", "stopped")


@dataclass(frozen=True)
class Profile:
    """The parts of a LINE profile genba keeps."""

    display_name: str
    language: str | None


@dataclass(frozen=True)
class Download:
    """A content download written to disk."""

    path: Path
    bytes: int
    content_type: str | None


class LineApi(Protocol):
    """What the worker needs from LINE."""

    def reply(self, reply_token: str, messages: Sequence[dict[str, Any]]) -> None:
        """Send messages with a reply token (raises LineApiError)."""

    def profile(self, user_id: str) -> Profile | None:
        """The user's profile, None if LINE does not know them (raises LineApiError)."""

    def push(self, to: Sequence[str], messages: Sequence[dict[str, Any]], retry_key: str) -> bool:
        """Push (one user) or multicast (2..500); False when LINE had the key already (409)."""

    def download(
        self, message_id: str, dest: Path, *, max_bytes: int, should_stop: Callable[[], bool]
    ) -> Download:
        """Stream a message's content into `dest` (raises ContentUnavailable)."""

    def transcoding(self, message_id: str) -> str:
        """A video's preparation state at LINE (raises ContentUnavailable)."""

    def close(self) -> None:
        """Release connections."""


def _error_message(body: Any) -> str:
    try:
        data = json.loads(body) if isinstance(body, str | bytes) else {}
    except ValueError:
        return "unreadable error body"
    message = data.get("message") if isinstance(data, dict) else None
    text = str(message) if message else "no message"
    # A 400's reason is in its details ("messages[1].originalContentUrl: must be a valid
    # HTTPS URL"); the message alone only counts them.
    details = data.get("details") if isinstance(data, dict) else None
    said = [
        f"{d.get('property')}: {d.get('message')}" if d.get("property") else str(d.get("message"))
        for d in (details if isinstance(details, list) else [])
        if isinstance(d, dict) and d.get("message")
    ]
    if said:
        text = f"{text}: {'; '.join(said)}"
    return text[:300]


def _retryable(status: int | None) -> bool:
    return status is None or status == 429 or status >= 500


class SdkLineApi:
    """LineApi over line-bot-sdk (reply, profile) and httpx (content)."""

    def __init__(self, access_token: str, *, base_url: str | None, timeout: float) -> None:
        self._timeout = timeout
        config = Configuration(access_token=access_token, host=base_url or API_HOST)
        config.retries = False  # the job queue retries, with backoff and a record of it
        self._client = ApiClient(config)
        self._api = MessagingApi(self._client)
        self._data_base = base_url or DATA_HOST
        self._http = httpx.Client(
            headers={"Authorization": f"Bearer {access_token}"},
            timeout=httpx.Timeout(timeout, connect=min(timeout, 5.0)),
            follow_redirects=False,
        )

    def reply(self, reply_token: str, messages: Sequence[dict[str, Any]]) -> None:
        """Send messages with a reply token."""
        request = ReplyMessageRequest.from_dict(
            {"replyToken": reply_token, "messages": list(messages)}
        )
        try:
            # Unparsed: a 2xx means LINE took the reply and spent the token, whatever its body
            # says; a body the SDK cannot read must not turn a sent reply into a retry.
            self._api.reply_message_with_http_info(
                request, _request_timeout=self._timeout, _preload_content=False
            )
        except ApiException as exc:
            raise LineApiError(
                exc.status, _error_message(exc.body), retryable=_retryable(exc.status)
            ) from None
        except Exception as exc:  # urllib3: timeouts, refused connections, resets
            raise LineApiError(None, type(exc).__name__, retryable=True) from None

    def push(self, to: Sequence[str], messages: Sequence[dict[str, Any]], retry_key: str) -> bool:
        """Push to one user or multicast to several, under an X-Line-Retry-Key.

        Returns False when LINE answers 409: it accepted this key before, so the messages were
        sent then and must not be sent again. Raises LineApiError for anything else.
        """
        try:
            if len(to) == 1:
                self._api.push_message_with_http_info(
                    PushMessageRequest.from_dict({"to": to[0], "messages": list(messages)}),
                    x_line_retry_key=retry_key,
                    _request_timeout=self._timeout,
                    _preload_content=False,
                )
            else:
                self._api.multicast_with_http_info(
                    MulticastRequest.from_dict({"to": list(to), "messages": list(messages)}),
                    x_line_retry_key=retry_key,
                    _request_timeout=self._timeout,
                    _preload_content=False,
                )
        except ApiException as exc:
            if exc.status == 409:
                return False
            raise LineApiError(
                exc.status, _error_message(exc.body), retryable=_retryable(exc.status)
            ) from None
        except Exception as exc:  # urllib3: timeouts, refused connections, resets
            raise LineApiError(None, type(exc).__name__, retryable=True) from None
        return True

    def profile(self, user_id: str) -> Profile | None:
        """The user's display name and language, None when LINE answers 404."""
        try:
            got = self._api.get_profile(user_id, _request_timeout=min(self._timeout, 3.0))
        except ApiException as exc:
            if exc.status == 404:
                return None
            raise LineApiError(
                exc.status, _error_message(exc.body), retryable=_retryable(exc.status)
            ) from None
        except Exception as exc:
            raise LineApiError(None, type(exc).__name__, retryable=True) from None
        name = (got.display_name or "")[:100]
        language = got.language[:35] if got.language else None
        return Profile(display_name=name, language=language)

    def transcoding(self, message_id: str) -> str:
        """`processing`, `succeeded` or `failed`: whether LINE has the video ready to download."""
        if not message_id.isdigit():
            raise ContentUnavailable("refused", "message id is not numeric")
        url = f"{self._data_base}/v2/bot/message/{message_id}/content/transcoding"
        try:
            response = self._http.get(url)
        except httpx.HTTPError as exc:
            raise ContentUnavailable("transient", type(exc).__name__) from None
        status = response.status_code
        if status == 404:
            raise ContentUnavailable("expired", "LINE no longer has it")
        if status == 410:
            raise ContentUnavailable("deleted", "the sender unsent it")
        if _retryable(status):
            raise ContentUnavailable("transient", f"LINE answered {status}")
        if status != 200:
            raise ContentUnavailable("refused", f"LINE answered {status}")
        try:
            state = response.json().get("status")
        except (ValueError, AttributeError):
            raise ContentUnavailable("refused", "unreadable transcoding status") from None
        if state not in ("processing", "succeeded", "failed"):
            raise ContentUnavailable("refused", f"unknown transcoding status {str(state)[:40]!r}")
        return str(state)

    def download(
        self, message_id: str, dest: Path, *, max_bytes: int, should_stop: Callable[[], bool]
    ) -> Download:
        """Stream the content of a message into `dest`, within `max_bytes`."""
        if not message_id.isdigit():
            raise ContentUnavailable("refused", "message id is not numeric")
        url = f"{self._data_base}/v2/bot/message/{message_id}/content"
        try:
            with self._http.stream("GET", url) as response:
                status = response.status_code
                if status == 200:
                    return self._save(response, dest, max_bytes, should_stop)
                if status == 202:
                    raise ContentUnavailable("not_ready", "LINE is still preparing it")
                if status == 404:
                    raise ContentUnavailable("expired", "LINE no longer has it")
                if status == 410:
                    raise ContentUnavailable("deleted", "the sender unsent it")
                if _retryable(status):
                    raise ContentUnavailable("transient", f"LINE answered {status}")
                raise ContentUnavailable("refused", f"LINE answered {status}")
        except httpx.HTTPError as exc:
            raise ContentUnavailable("transient", type(exc).__name__) from None

    def _save(
        self, response: httpx.Response, dest: Path, max_bytes: int, should_stop: Callable[[], bool]
    ) -> Download:
        declared = response.headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > max_bytes:
            raise ContentUnavailable("too_large", f"{declared} bytes declared")
        size = 0
        # The raw bytes still carry the sender's location: private from the first byte.
        with open(dest, "wb", opener=open_file) as out:
            for chunk in response.iter_bytes(CHUNK):
                size += len(chunk)
                if size > max_bytes:
                    raise ContentUnavailable("too_large", f"more than {max_bytes} bytes")
                if should_stop():
                    raise ContentUnavailable("stopped", "worker shutting down")
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        return Download(path=dest, bytes=size, content_type=response.headers.get("content-type"))

    def close(self) -> None:
        """Close both HTTP clients."""
        self._http.close()
        self._client.close()
