"""The inbox's database work alone: `storage.inbox.store_many` in-process, no HTTP, one thread.

Under load the inbox writer stores every webhook waiting at that moment in one transaction
(see storage/inbox_writer.py). This times that work per webhook for several group sizes, on a
fresh SQLite file each: what a transaction costs (BEGIN, COMMIT and, with `synchronous=FULL`,
its fsync) is shared by the group; what every webhook costs on its own is not. Real webhook
bodies (linesim's builders), classified by genba's own `webhooks.ingest`, each with fresh ids.

Wall time includes the fsync; CPU time is this process's user+system, all threads. The ratio
is to one webhook per transaction, same sync mode, same run.

    python -m bench.store_micro
    python -m bench.store_micro --kind imageset5 --groups 1,16
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path

from bench import machine
from bench.bodies import KINDS, build_bodies
from bench.stats import table
from linesim import LinePlatform
from storage import inbox, migrate
from storage.db import Database
from storage.inbox import Delivery, InboxEntry
from webhooks.ingest import classify

StoreMany = Callable[..., list[list[str]]]
WARMUP = 64


def webhooks(kind: str, count: int) -> list[list[InboxEntry]]:
    """The inbox entries of `count` signed bodies of one kind, as the endpoint classifies them."""
    bodies = build_bodies(LinePlatform(), kind, count)
    return [classify(b) for b in bodies]


def _run(
    db: Database, it: Iterator[list[InboxEntry]], n: int, group: int, store: StoreMany
) -> None:
    for _ in range(n // group):
        now = datetime.now(UTC)
        deliveries = [Delivery(next(it), now) for _ in range(group)]
        with db.write() as session:
            store(session, deliveries, max_attempts=8)


def measure(
    sync: str,
    hooks: Sequence[list[InboxEntry]],
    group: int,
    store: StoreMany = inbox.store_many,
) -> tuple[float, float]:
    """(wall µs, CPU µs) per webhook, storing `hooks` (after WARMUP) `group` per transaction."""
    n = len(hooks) - WARMUP
    with tempfile.TemporaryDirectory(prefix="genba-store-") as tmp:
        db = Database(f"sqlite:///{Path(tmp) / 'genba.db'}", sqlite_synchronous=sync)
        try:
            migrate.upgrade(db)
            it = iter(hooks)
            _run(db, it, WARMUP, 1, store)
            cpu0, wall0 = time.process_time(), time.perf_counter()
            _run(db, it, n, group, store)
            wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
        finally:
            db.dispose()
    return wall / n * 1e6, cpu / n * 1e6


def main(argv: list[str] | None = None) -> None:
    """Time every group size in both sync modes and print the table."""
    p = argparse.ArgumentParser(
        prog="python -m bench.store_micro",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--kind", choices=KINDS, default="text")
    p.add_argument("--webhooks", type=int, default=1920, help="measured webhooks per cell (1920)")
    p.add_argument("--groups", default="1,4,16,64", help="webhooks per transaction (1,4,16,64)")
    args = p.parse_args(argv)
    groups = [int(g) for g in args.groups.split(",")]
    n = args.webhooks
    for g in groups:
        n -= n % g
    cells = [(sync, g) for sync in ("FULL", "NORMAL") for g in groups]
    print(f"machine: {machine.describe()}")
    hooks = webhooks(args.kind, (WARMUP + n) * len(cells))
    print(f"{n} {args.kind} webhooks per cell, one thread, fresh SQLite file each\n")
    rows = []
    base: dict[str, float] = {}
    for i, (sync, group) in enumerate(cells):
        chunk = hooks[i * (WARMUP + n) : (i + 1) * (WARMUP + n)]
        wall, cpu = measure(sync, chunk, group)
        base.setdefault(sync, cpu)
        rows.append([sync, str(group), f"{wall:.0f}", f"{cpu:.0f}", f"{cpu / base[sync]:.2f}"])
        print(f"  {sync:<6} {group:>3} per txn  wall {wall:6.0f} us  CPU {cpu:6.0f} us per webhook")
    print()
    headers = ["sync", "webhooks/txn", "wall us/webhook", "CPU us/webhook", "CPU x 1/txn"]
    print(table(headers, rows, left=1))


if __name__ == "__main__":
    main()
