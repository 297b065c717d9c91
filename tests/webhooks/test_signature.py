"""The webhook signature: exact bytes, constant-time comparison, the SDK agrees."""

from __future__ import annotations

import ast
from pathlib import Path

from linebot.v3 import SignatureValidator

from webhooks.signature import sign, verify

SECRET = b"0123456789abcdef0123456789abcdef"
BODY = '{"destination":"U0","events":[{"type":"message","message":{"text":"こんにちは"}}]}'.encode()


def test_signature_matches_line_bot_sdk() -> None:
    validator = SignatureValidator(SECRET.decode())
    assert validator.validate(BODY.decode(), sign(SECRET, BODY))


def test_verify_accepts_the_right_signature_only() -> None:
    good = sign(SECRET, BODY)
    assert verify(SECRET, BODY, good)
    assert not verify(b"another secret", BODY, good)
    assert not verify(SECRET, BODY + b" ", good)  # one more byte of whitespace
    assert not verify(SECRET, BODY.replace(b"\xe3", b"\xe4", 1), good)


def test_verify_rejects_missing_empty_and_non_ascii_headers() -> None:
    assert not verify(SECRET, BODY, None)
    assert not verify(SECRET, BODY, "")
    assert not verify(SECRET, BODY, "署名")
    assert not verify(SECRET, BODY, "not base64 at all")


def test_signatures_are_never_compared_with_equality() -> None:
    """Only hmac.compare_digest may compare a signature (a timing oracle otherwise)."""
    source = Path("webhooks/signature.py").read_text()
    tree = ast.parse(source)
    compares = [n for n in ast.walk(tree) if isinstance(n, ast.Compare)]
    assert all(not any(isinstance(op, ast.Eq | ast.NotEq) for op in c.ops) for c in compares), (
        "use hmac.compare_digest"
    )
    assert "compare_digest" in source
