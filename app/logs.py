"""Logging set-up: one line per record, and secrets scrubbed should one ever slip into a message."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable

# Libraries whose debug output carries credentials or signed URLs: WARNING and above only.
QUIET = ("boto3", "botocore", "s3transfer", "urllib3")


class _Scrub(logging.Filter):
    """Replace any known secret value in a record with a placeholder."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        self.secrets = [s for s in secrets if len(s) >= 8]

    def filter(self, record: logging.LogRecord) -> bool:
        if not self.secrets:
            return True
        message = record.getMessage()
        cleaned = message
        for secret in self.secrets:
            cleaned = cleaned.replace(secret, "[secret]")
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


def configure_logging(level: str, *, secrets: Iterable[str] = ()) -> None:
    """Send genba's and uvicorn's logs to stderr in one plain format."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s", "%Y-%m-%dT%H:%M:%S")
    )
    handler.addFilter(_Scrub(secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
    # At DEBUG boto3 prints every request's headers, an AWS session token among them.
    for name in QUIET:
        logging.getLogger(name).setLevel(max(logging.WARNING, root.level))
