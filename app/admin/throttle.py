"""A slow-down for token guessing: a client with too many failed attempts waits a while.

The counts live in this process's memory, bounded: at most `capacity` clients are remembered,
the least recently seen forgotten first, so addresses an attacker makes up cannot grow it. With
several `genba serve` processes each counts on its own (a client gets `limit` tries per process
per window), and a restart forgets; that is enough to turn guessing a 256-bit token from slow
into hopeless. An IPv6 client counts by its /64 network, which one host usually holds whole.
"""

from __future__ import annotations

import ipaddress
import logging
import math
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

log = logging.getLogger("genba.admin")

LIMIT = 10
WINDOW = timedelta(minutes=1)
CAPACITY = 10_000


@dataclass
class _Count:
    since: datetime
    failures: int = 0
    blocked_until: datetime | None = None


def client_key(host: str | None) -> str:
    """The key a client's failures count under: its IPv4 address or its IPv6 /64."""
    if not host:
        return "unknown"
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host[:64]
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return str(address)


class FailureThrottle:
    """Counts failed attempts per client in a fixed window; past `limit`, the client waits."""

    def __init__(
        self,
        clock: Callable[[], datetime],
        *,
        limit: int = LIMIT,
        window: timedelta = WINDOW,
        capacity: int = CAPACITY,
    ) -> None:
        self.clock = clock
        self.limit = limit
        self.window = window
        self.capacity = capacity
        self._counts: OrderedDict[str, _Count] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._counts)

    def wait_seconds(self, client: str) -> int:
        """How long this client must wait before trying again; 0 when it may try now."""
        now = self.clock()
        with self._lock:
            count = self._counts.get(client)
            if count is None or count.blocked_until is None:
                return 0
            if now >= count.blocked_until:
                del self._counts[client]  # served its time: a fresh start
                return 0
            return max(1, math.ceil((count.blocked_until - now).total_seconds()))

    def failed(self, client: str) -> None:
        """Record one failed attempt by this client."""
        now = self.clock()
        with self._lock:
            count = self._counts.pop(client, None)
            if count is None or (count.blocked_until is None and now - count.since >= self.window):
                count = _Count(since=now)
            count.failures += 1
            if count.failures >= self.limit and count.blocked_until is None:
                count.blocked_until = now + self.window
                log.warning(
                    "admin API: %d failed token attempts from %s; refusing it for %d s",
                    count.failures,
                    client,
                    self.window.total_seconds(),
                )
            self._counts[client] = count  # (re)inserted last: the most recently seen
            while len(self._counts) > self.capacity:
                self._counts.popitem(last=False)
