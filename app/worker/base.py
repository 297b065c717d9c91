"""What every job handler receives and may raise."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from app.services import Services


class RetryLater(Exception):
    """A transient failure: the runner puts the job back with backoff (or buries it when spent)."""

    def __init__(self, reason: str, *, delay: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.delay = delay


@dataclass(frozen=True)
class JobEnv:
    """The services plus this worker's identity and its stop flag."""

    services: Services
    worker_id: str
    should_stop: Callable[[], bool]
