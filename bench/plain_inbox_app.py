"""The bare endpoint plus a durable inbox, written plainly: a reference for the ack's store.

It does what bench/bare_app.py does (1 MiB cap, HMAC-SHA256 over the raw bytes, `json.loads`)
and then what design.md §5 asks of every webhook before its 200, the way one would first write
it: each event's JSON (`json.dumps`) in `webhook_event` keyed by its `webhookEventId` (a
duplicate is a no-op) and one job per body in `job`, on genba's own schema (its migrations), in
SQLite with WAL and `synchronous=FULL`, committed by one writer thread that stores everything
waiting in one transaction (group commit) over a raw `sqlite3` connection. No classification,
no checks, no watchdog: it only serves `python -m bench.webhook_ack --plain-inbox`, to show how
much of genba's distance from the bare endpoint is the obligation to store every event.

Run alone: `LINE_CHANNEL_SECRET=... python -m bench.plain_inbox_app --port 8100 --db FILE`.
"""

from __future__ import annotations

import asyncio
import json
import queue
import sqlite3
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fastapi import FastAPI

from bench.bare_app import arguments, create_bare_app, secret_from_env, serve

_EVENT_COLUMNS = (
    "id, received_at, event_type, mode, source_type, source_id, redelivery, status, payload"
)
_JOB_COLUMNS = (
    "kind, priority, ordering_key, dedup_key, payload, state, attempts, max_attempts, "
    "run_at, created_at, updated_at"
)

Waiting = tuple[list[dict[str, Any]], str, asyncio.Future[None], asyncio.AbstractEventLoop]


class PlainWriter:
    """One thread, one raw connection: every waiting body stored in one transaction."""

    def __init__(self, path: Path) -> None:
        self.conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=FULL")
        self.queue: queue.SimpleQueue[Waiting] = queue.SimpleQueue()
        threading.Thread(target=self._run, daemon=True).start()

    async def store(self, events: list[dict[str, Any]], received_at: str) -> None:
        """Return once the body's events and jobs are committed."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[None] = loop.create_future()
        self.queue.put((events, received_at, future, loop))
        await future

    def _run(self) -> None:
        while True:
            batch = [self.queue.get()]
            while True:
                try:
                    batch.append(self.queue.get_nowait())
                except queue.Empty:
                    break
            self._commit(batch)
            for _events, _at, future, loop in batch:
                loop.call_soon_threadsafe(future.set_result, None)

    def _commit(self, batch: list[Waiting]) -> None:
        rows: list[tuple[Any, ...]] = []
        for events, at, _future, _loop in batch:
            for e in events:
                source = e.get("source") or {}
                rows.append(
                    (
                        e["webhookEventId"],
                        at,
                        e.get("type"),
                        e.get("mode"),
                        source.get("type"),
                        source.get("userId"),
                        0,
                        "queued",
                        json.dumps(e, separators=(",", ":")),
                    )
                )
        if not rows:  # the console's "Verify": nothing to store
            return
        self.conn.execute("BEGIN IMMEDIATE")
        marks = ", ".join(["(?, ?, ?, ?, ?, ?, ?, ?, ?)"] * len(rows))
        flat = [v for row in rows for v in row]
        new = {
            r[0]
            for r in self.conn.execute(
                f"INSERT INTO webhook_event ({_EVENT_COLUMNS}) VALUES {marks} "
                "ON CONFLICT DO NOTHING RETURNING id",
                flat,
            )
        }
        jobs: list[tuple[Any, ...]] = []
        for events, at, _future, _loop in batch:
            ids = [e["webhookEventId"] for e in events if e["webhookEventId"] in new]
            if ids:
                user = (events[0].get("source") or {}).get("userId")
                jobs.append(
                    (
                        "event",
                        0,
                        f"user:{user}",
                        f"event:{ids[0]}",
                        json.dumps({"event_ids": ids}),
                        "new",
                        0,
                        8,
                        at,
                        at,
                        at,
                    )
                )
        if jobs:
            marks = ", ".join(["(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"] * len(jobs))
            self.conn.execute(
                f"INSERT INTO job ({_JOB_COLUMNS}) VALUES {marks} ON CONFLICT DO NOTHING",
                [v for job in jobs for v in job],
            )
        self.conn.execute("COMMIT")


def create_plain_inbox_app(channel_secret: str, db: Path) -> FastAPI:
    """The bare endpoint over this channel secret, storing every body into `db` (genba's schema)."""
    writer = PlainWriter(db)

    async def store(body: Any) -> None:
        now = datetime.now(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")
        await writer.store(body["events"], now)

    return create_bare_app(channel_secret, store)


def main(argv: list[str] | None = None) -> None:
    """Serve the plain inbox on 127.0.0.1 as `genba serve` serves genba."""
    from storage import migrate
    from storage.db import Database

    parser = arguments("python -m bench.plain_inbox_app", __doc__)
    parser.add_argument("--db", type=Path, required=True)
    args = parser.parse_args(argv)
    secret = secret_from_env()
    database = Database(f"sqlite:///{args.db}")
    migrate.upgrade(database)
    database.dispose()
    serve(create_plain_inbox_app(secret, args.db), args)


if __name__ == "__main__":
    main()
