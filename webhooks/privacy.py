"""What may appear in logs about a LINE user: a short stable reference, never the full id."""

from __future__ import annotations

import hashlib


def user_ref(line_user_id: str | None) -> str:
    """A 10-hex-digit pseudonym of a LINE id for log lines (the same id gives the same ref)."""
    if not line_user_id:
        return "-"
    return "u:" + hashlib.sha256(line_user_id.encode("utf-8")).hexdigest()[:10]
