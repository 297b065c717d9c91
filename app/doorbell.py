"""A wake-up signal from the webhook (and from jobs that make jobs) to idle worker threads."""

from __future__ import annotations

import threading


class Doorbell:
    """Idle threads wait on it; `ring()` wakes them all at once."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._rings = 0

    def ring(self) -> None:
        """Wake every waiting thread."""
        with self._cond:
            self._rings += 1
            self._cond.notify_all()

    def wait(self, timeout: float, seen: int) -> int:
        """Wait until a ring newer than `seen` or the timeout; return the ring count."""
        with self._cond:
            if self._rings == seen:
                self._cond.wait(timeout)
            return self._rings

    @property
    def rings(self) -> int:
        """How many rings so far."""
        return self._rings
