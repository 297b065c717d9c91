"""Post signed webhooks to the bot as LINE does, plus the hostile variants tests need."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from types import TracebackType
from typing import Any, Self

import httpx

from linesim.platform import LinePlatform
from linesim.records import WebhookAttempt
from linesim.signature import sign

__all__ = ["AsyncWebhookSender", "WebhookSender", "sign", "tamper", "webhook_body"]

HEX = "0123456789abcdef"


def webhook_body(platform: LinePlatform, events: Sequence[Mapping[str, Any]]) -> bytes:
    """Serialise {"destination", "events"} once, compactly and in UTF-8, as LINE sends it."""
    payload = {"destination": platform.bot_user_id, "events": list(events)}
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def tamper(body: bytes) -> bytes:
    """Change one byte (a hex digit of destination) so the body stays valid JSON."""
    at = body.index(b'"destination":"U') + len(b'"destination":"U')
    old = chr(body[at])
    new = HEX[(HEX.index(old) + 1) % 16] if old in HEX else "0"
    return body[:at] + new.encode() + body[at + 1 :]


class _SenderBase:
    def __init__(
        self, platform: LinePlatform, target_url: str | None = None, timeout: float = 10.0
    ) -> None:
        self.platform = platform
        self._target_url = target_url
        self.timeout = timeout

    @property
    def target_url(self) -> str:
        """The bot's webhook URL (the platform's, unless one was given)."""
        url = self._target_url or self.platform.webhook_url
        if not url:
            raise RuntimeError("no webhook URL: give target_url or set platform.webhook_url")
        return url

    def _prepare(
        self, body: bytes, signature: str | None, unsigned: bool
    ) -> tuple[str, dict[str, str]]:
        headers = {
            "content-type": "application/json; charset=utf-8",
            "user-agent": "LineBotWebhook/2.0",
        }
        if not unsigned:
            headers["x-line-signature"] = (
                sign(self.platform.channel_secret, body) if signature is None else signature
            )
        return self.target_url, headers

    def _record(self, url: str, body: bytes, status: int | None, error: str | None) -> None:
        try:
            event_ids = [str(e.get("webhookEventId")) for e in json.loads(body).get("events", [])]
        except (ValueError, AttributeError):
            event_ids = []
        self.platform.record_webhook(
            WebhookAttempt(self.platform.now(), url, event_ids, status, error)
        )


class WebhookSender(_SenderBase):
    """Synchronous webhook sender (httpx.Client); also a context manager."""

    def __init__(
        self,
        platform: LinePlatform,
        target_url: str | None = None,
        *,
        timeout: float = 10.0,
        client: httpx.Client | None = None,
    ) -> None:
        super().__init__(platform, target_url, timeout)
        self._own_client = client is None
        self.client = client or httpx.Client(timeout=timeout)

    def send(self, *events: Mapping[str, Any]) -> httpx.Response:
        """Sign and post events in one webhook request, starting their reply windows."""
        self.platform.mark_delivered(events)
        return self.send_body(webhook_body(self.platform, events))

    def send_body(
        self, body: bytes, signature: str | None = None, *, unsigned: bool = False
    ) -> httpx.Response:
        """Post raw bytes, signed correctly unless a signature is given or unsigned is set."""
        url, headers = self._prepare(body, signature, unsigned)
        try:
            response = self.client.post(url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            self._record(url, body, None, repr(exc))
            raise
        self._record(url, body, response.status_code, None)
        return response

    def send_tampered(self, *events: Mapping[str, Any]) -> httpx.Response:
        """Sign the body, then change one byte of it: the signature no longer matches."""
        body = webhook_body(self.platform, events)
        return self.send_body(tamper(body), sign(self.platform.channel_secret, body))

    def send_unsigned(self, *events: Mapping[str, Any]) -> httpx.Response:
        """Post events with no x-line-signature header at all."""
        return self.send_body(webhook_body(self.platform, events), unsigned=True)

    def redeliver(self, event: Mapping[str, Any]) -> httpx.Response:
        """Send event again as LINE redelivers it (isRedelivery true, same id and token)."""
        return self.send(self.platform.redelivered(event))

    def verify(self) -> httpx.Response:
        """Send the Console's "Verify" webhook: signed, with no events."""
        return self.send()

    def close(self) -> None:
        """Close the HTTP client if this sender made it."""
        if self._own_client:
            self.client.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class AsyncWebhookSender(_SenderBase):
    """Asynchronous webhook sender (httpx.AsyncClient); also an async context manager."""

    def __init__(
        self,
        platform: LinePlatform,
        target_url: str | None = None,
        *,
        timeout: float = 10.0,
        client: httpx.AsyncClient | None = None,
    ) -> None:
        super().__init__(platform, target_url, timeout)
        self._own_client = client is None
        self.client = client or httpx.AsyncClient(timeout=timeout)

    async def send(self, *events: Mapping[str, Any]) -> httpx.Response:
        """Sign and post events in one webhook request, starting their reply windows."""
        self.platform.mark_delivered(events)
        return await self.send_body(webhook_body(self.platform, events))

    async def send_body(
        self, body: bytes, signature: str | None = None, *, unsigned: bool = False
    ) -> httpx.Response:
        """Post raw bytes, signed correctly unless a signature is given or unsigned is set."""
        url, headers = self._prepare(body, signature, unsigned)
        try:
            response = await self.client.post(url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            self._record(url, body, None, repr(exc))
            raise
        self._record(url, body, response.status_code, None)
        return response

    async def send_tampered(self, *events: Mapping[str, Any]) -> httpx.Response:
        """Sign the body, then change one byte of it: the signature no longer matches."""
        body = webhook_body(self.platform, events)
        return await self.send_body(tamper(body), sign(self.platform.channel_secret, body))

    async def send_unsigned(self, *events: Mapping[str, Any]) -> httpx.Response:
        """Post events with no x-line-signature header at all."""
        return await self.send_body(webhook_body(self.platform, events), unsigned=True)

    async def redeliver(self, event: Mapping[str, Any]) -> httpx.Response:
        """Send event again as LINE redelivers it (isRedelivery true, same id and token)."""
        return await self.send(self.platform.redelivered(event))

    async def verify(self) -> httpx.Response:
        """Send the Console's "Verify" webhook: signed, with no events."""
        return await self.send()

    async def aclose(self) -> None:
        """Close the HTTP client if this sender made it."""
        if self._own_client:
            await self.client.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()
