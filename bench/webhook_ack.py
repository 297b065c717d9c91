"""How fast genba acknowledges LINE: `POST /callback` against a bare endpoint, in the same run.

For each body kind (a text, a photo, a five-photo imageSet; all built by linesim's `Events`,
signed with the channel secret, each request with fresh `webhookEventId`s) it measures, one after
the other and each on a fresh database:

- the bare baseline (bench/bare_app.py: signature + json.loads, nothing else);
- `genba serve --no-worker` on the embedded default (SQLite, `synchronous=FULL`);
- optionally (`--plain-inbox`) the bare endpoint that also stores every event as design.md
  asks, written plainly (bench/plain_inbox_app.py): what that obligation costs when nobody has
  worked on its speed;
- optionally genba's with `GENBA_SQLITE_SYNCHRONOUS=NORMAL` (`--sqlite-normal`; NOT the
  durable setting: a power loss may lose acknowledged events) and on PostgreSQL (`--postgres`);
- `genba serve` with its in-process worker (the embedded default as shipped), wired to linesim;
  for it, also the jobs its worker finished during the measured window and in 5 s after it.

After each genba cell the database is checked against the acknowledged events, and the server's
log for ERROR lines and SQLite's "database is locked".

Every server is one uvicorn process (uvloop, httptools) pinned to one core; the load generator
(bench/loadgen.py, 32 keep-alive connections, closed loop) runs pinned to the other core, as
does this process and the linesim that the worker talks to. Throughput is printed with its
ratio to the bare endpoint of the same kind measured in the same run.

    python -m bench.webhook_ack                     # defaults: 2 s warm-up + 10 s per cell
    python -m bench.webhook_ack --sqlite-normal --postgres postgresql://postgres@127.0.0.1:5432/test
    python -m bench.webhook_ack --kinds text --no-embedded --rounds 2
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from dataclasses import asdict
from pathlib import Path

from bench import machine
from bench.bodies import EVENTS_PER_BODY, KINDS, build_bodies, http_request, write_requests
from bench.cells import CellResult, LoadPlan, measure
from bench.procs import cores, install_cleanup, pin_self
from bench.report import print_row, print_table
from bench.servers import (
    BARE,
    EMBEDDED,
    NO_WORKER_FULL,
    NO_WORKER_NORMAL,
    NO_WORKER_PG,
    PLAIN_INBOX,
    Line,
    Setup,
)
from linesim import LinePlatform, LineSim


def _args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        allow_abbrev=False,
        prog="python -m bench.webhook_ack",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--duration", type=float, default=10.0, help="seconds measured per cell (10)")
    p.add_argument("--warmup", type=float, default=2.0, help="seconds of load before measuring (2)")
    p.add_argument("--connections", type=int, default=32, help="keep-alive connections (32)")
    p.add_argument("--kinds", default=",".join(KINDS), help=f"body kinds ({','.join(KINDS)})")
    p.add_argument("--sqlite-normal", action="store_true", help="add SQLite synchronous=NORMAL")
    p.add_argument(
        "--plain-inbox",
        action="store_true",
        help="add the bare endpoint storing each event plainly (bench/plain_inbox_app.py)",
    )
    p.add_argument(
        "--postgres",
        metavar="URL",
        help="add PostgreSQL (a scratch database is created next to URL's and dropped)",
    )
    p.add_argument(
        "--no-embedded", action="store_true", help="skip genba with its in-process worker"
    )
    p.add_argument("--rounds", type=int, default=1, help="repeat every cell this many times (1)")
    p.add_argument(
        "--bodies",
        type=int,
        help="distinct bodies per kind (default: 4000 per second of warm-up + duration)",
    )
    p.add_argument("--json", type=Path, help="also write every figure to this file")
    p.add_argument("--keep", type=Path, help="keep each cell's data dir and logs under this folder")
    args = p.parse_args(argv)
    unknown = set(args.kinds.split(",")) - set(KINDS)
    if unknown:
        p.error(f"unknown kinds {sorted(unknown)}; choose from {KINDS}")
    return args


def setups(args: argparse.Namespace) -> list[Setup]:
    """The columns of this run, the baseline first."""
    chosen = [BARE, NO_WORKER_FULL]
    if args.plain_inbox:
        chosen.insert(1, PLAIN_INBOX)
    if args.sqlite_normal:
        chosen.append(NO_WORKER_NORMAL)
    if args.postgres:
        chosen.append(NO_WORKER_PG)
    if not args.no_embedded:
        chosen.append(EMBEDDED)
    return chosen


def prepare(platform: LinePlatform, kind: str, count: int, folder: Path) -> Path:
    """Build, sign and store `count` requests of one kind; returns the file."""
    started = time.perf_counter()
    requests = (
        http_request(b, platform.channel_secret) for b in build_bodies(platform, kind, count)
    )
    path = folder / f"{kind}.requests"
    write_requests(path, requests)
    size = path.stat().st_size / count
    print(
        f"  {kind}: {count} signed requests, {size:.0f} bytes each, "
        f"built in {time.perf_counter() - started:.1f}s",
        flush=True,
    )
    return path


def main(argv: list[str] | None = None) -> None:
    """Run every cell and print the table."""
    args = _args(argv)
    install_cleanup()
    server_core, load_core = cores()
    pin_self(load_core)
    plan = LoadPlan(args.connections, args.warmup, args.duration, server_core, load_core)
    count = args.bodies or int(4000 * (args.warmup + args.duration))
    print(f"machine: {machine.describe()}")
    print(
        f"plan: {plan.connections} connections, {plan.warmup:g}s warm-up + "
        f"{plan.duration:g}s per cell; server on core {server_core}, "
        f"load generator on core {load_core}"
    )
    if server_core is None:
        print("WARNING: fewer than 2 CPUs: server and load generator share them; ratios only")
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
    results: list[CellResult] = []
    # Reply tokens stay usable for the whole run: the worker may reach an event minutes late.
    platform = LinePlatform(reply_token_ttl=3600)
    with LineSim(platform) as sim, tempfile.TemporaryDirectory(prefix="genba-bench-") as tmp:
        line = Line(platform.channel_secret, platform.access_token, sim.base_url)
        print("building bodies:")
        files = {kind: prepare(platform, kind, count, Path(tmp)) for kind in args.kinds.split(",")}
        for kind, path in files.items():
            for _ in range(args.rounds):
                bare: CellResult | None = None
                for setup in setups(args):
                    cell = measure(
                        kind, setup, path, line, plan, postgres=args.postgres, keep=args.keep
                    )
                    bare = cell if setup.baseline else bare
                    results.append(cell)
                    print_row(cell, bare, EVENTS_PER_BODY[kind], count)
    print()
    print_table(results)
    if args.json:
        args.json.write_text(json.dumps([asdict(r) for r in results], indent=1, default=str))
        print(f"\nall figures: {args.json}")


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        raise SystemExit(130) from None
