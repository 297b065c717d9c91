"""Prometheus metrics, in a registry per app (nothing global at import)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from prometheus_client import CollectorRegistry, Counter, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from storage import jobs
from storage.db import Database


class _QueueCollector(Collector):
    """Jobs per state, read from the database at scrape time."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def collect(self) -> Iterator[GaugeMetricFamily]:
        gauge = GaugeMetricFamily("genba_jobs", "Jobs in the queue by state", labels=["state"])
        try:
            with self.db.read() as session:
                counts = jobs.counts(session)
        except Exception:  # a scrape must not fail because the database is away
            counts = {}
        for state, n in counts.items():
            gauge.add_metric([state], n)
        yield gauge


@dataclass
class Metrics:
    """The counters the app updates."""

    registry: CollectorRegistry = field(default_factory=CollectorRegistry)

    def __post_init__(self) -> None:
        self.http = Counter(
            "genba_http_requests",
            "HTTP requests by route and status",
            ["route", "status"],
            registry=self.registry,
        )
        self.webhook_events = Counter(
            "genba_webhook_events_stored",
            "New webhook events stored in the inbox",
            registry=self.registry,
        )

    def watch_queue(self, db: Database) -> None:
        """Expose the job queue's state counts."""
        self.registry.register(_QueueCollector(db))

    def render(self) -> bytes:
        """The text exposition format."""
        return generate_latest(self.registry)


class RequestCounter:
    """Count requests by route and status, as plain ASGI.

    Starlette's `@app.middleware("http")` runs every request through an extra task and a
    streamed body; on the webhook's hot path that cost ~0.2 ms a request (bench/).
    """

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = 500

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            route = getattr(scope.get("route"), "path", "unmatched")
            self.metrics.http.labels(route, str(status)).inc()
