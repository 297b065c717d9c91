"""The webhook signature LINE puts in x-line-signature."""

from __future__ import annotations

import base64
import hashlib
import hmac


def sign(secret: str, body: bytes) -> str:
    """Return base64(HMAC-SHA256(channel secret, exact body bytes)), as LINE signs webhooks."""
    digest = hmac.new(secret.encode("utf-8"), body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")
