"""LINE webhook signatures: base64(HMAC-SHA256(secret, raw body)), compared in constant time."""

from __future__ import annotations

import base64
import hmac


def sign(secret: bytes, body: bytes) -> str:
    """The `x-line-signature` value LINE would send for this body."""
    # hmac.digest: OpenSSL's one-shot HMAC, without building an HMAC object (on every webhook)
    return base64.b64encode(hmac.digest(secret, body, "sha256")).decode("ascii")


def verify(secret: bytes, body: bytes, signature: str | None) -> bool:
    """True only when `signature` matches the raw body exactly."""
    if not signature:
        return False
    try:
        given = signature.strip().encode("ascii")
    except UnicodeEncodeError:
        return False
    # Over the raw bytes, never a re-serialised JSON: any change to the body must fail.
    expected = sign(secret, body).encode("ascii")
    return hmac.compare_digest(expected, given)
