"""Where one webhook's CPU goes in genba's ack path: in-process ablations, no sockets.

Each variant runs in its own process (the swaps are process-wide), pinned to one core: it
builds the app as `genba serve --no-worker` does (or the bare baseline), runs its lifespan,
then drives `POST /callback` through the ASGI interface one request at a time with real signed
bodies, and reports CPU and wall time per request (best of three rounds). One request at a
time, the inbox writer stores batches of one: the cost per webhook with no group commit.

The variants other than "as is" are for attribution only, NOT proposals:
- `inline` stores on the event loop instead of handing the request to the inbox writer
  thread (same transaction; the difference is the hand-off);
- `nodb` skips the store entirely; `bare_classify` also replaces `webhooks.ingest.classify`
  (validating and re-serialising each event) with taking each event's id, nothing else.

    python -m bench.ack_breakdown                 # SQLite synchronous=NORMAL: CPU, not fsync
    python -m bench.ack_breakdown --sync FULL --kind imageset5
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from bench import machine
from bench.bodies import KINDS, build_bodies
from bench.procs import cores, python
from bench.servers import REPO
from bench.stats import table

VARIANTS: dict[str, tuple[str, ...]] = {
    "bare FastAPI endpoint": ("bare",),
    "genba as is": (),
    "genba, store on the event loop (attribution only)": ("inline",),
    "genba, store skipped (attribution only)": ("nodb",),
    "  ... and events taken as they are": ("nodb", "bare_classify"),
}
WARMUP, ROUNDS, PER_ROUND = 300, 3, 700
App = Callable[..., Any]


def _swap_writer(variant: str) -> None:
    """Make create_app() build a stand-in for the inbox writer."""
    import app.factory
    from storage import inbox
    from storage.inbox import Delivery, InboxEntry
    from storage.inbox_writer import InboxWriter

    class OnTheLoop(InboxWriter):
        async def store(self, entries: list[InboxEntry], received_at: datetime) -> list[str]:
            with self.db.write() as session:
                deliveries = [Delivery(entries, received_at)]
                return inbox.store_many(session, deliveries, max_attempts=self.max_attempts)[0]

    class Skipped(InboxWriter):
        async def store(self, entries: list[InboxEntry], _received_at: datetime) -> list[str]:
            return [e.id for e in entries]

    factory: Any = app.factory
    factory.InboxWriter = OnTheLoop if variant == "inline" else Skipped


def _build(variant: tuple[str, ...], secret: str, token: str, data_dir: Path, sync: str) -> App:
    if "bare" in variant:
        from bench.bare_app import create_bare_app

        return create_bare_app(secret)
    import webhooks.endpoint
    from app.database import prepare_database
    from app.factory import create_app
    from app.logs import configure_logging
    from app.services import build_services
    from app.settings import load_settings
    from storage.inbox import InboxEntry

    settings = load_settings(
        _env_file=None,
        LINE_CHANNEL_SECRET=secret,
        LINE_CHANNEL_ACCESS_TOKEN=token,
        LINE_API_BASE_URL="http://127.0.0.1:9",
        GENBA_DATA_DIR=str(data_dir),
        GENBA_SQLITE_SYNCHRONOUS=sync,
    )
    services = build_services(settings)
    prepare_database(services.db)
    configure_logging(settings.log_level, secrets=[secret, token])  # as `genba serve` does
    if "inline" in variant or "nodb" in variant:
        _swap_writer("inline" if "inline" in variant else "nodb")
    app = create_app(services, run_worker=False)
    if "bare_classify" in variant:
        endpoint: Any = webhooks.endpoint
        endpoint.classify = lambda raw: [
            InboxEntry(id=e["webhookEventId"], payload="", status="queued")
            for e in json.loads(raw)["events"]
        ]
    return app


async def _post(app: App, body: bytes, signature: bytes) -> int:
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/callback",
        "raw_path": b"/callback",
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"host", b"127.0.0.1"),
            (b"content-type", b"application/json; charset=utf-8"),
            (b"x-line-signature", signature),
            (b"content-length", str(len(body)).encode()),
        ],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
        "state": {},
    }
    messages = [{"type": "http.request", "body": body, "more_body": False}]
    status = 0

    async def receive() -> dict[str, Any]:
        if messages:
            return messages.pop()
        await asyncio.Event().wait()  # never: the endpoint reads one message
        raise AssertionError

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    await app(scope, receive, send)
    return status


async def _drive(app: App, requests: list[tuple[bytes, bytes]]) -> dict[str, float]:
    lifespan = getattr(getattr(app, "router", None), "lifespan_context", None)
    if lifespan is None:
        return await _timed(app, requests)
    async with lifespan(app):  # genba's: migrations (done already), gc.freeze(), and at the
        return await _timed(app, requests)  # end the inbox writer's close()


async def _timed(app: App, requests: list[tuple[bytes, bytes]]) -> dict[str, float]:
    it = iter(requests)
    for _ in range(WARMUP):
        await _post(app, *next(it))
    best_cpu = best_wall = float("inf")
    for _ in range(ROUNDS):
        cpu0, wall0 = time.process_time(), time.perf_counter()
        for _ in range(PER_ROUND):
            if await _post(app, *next(it)) != 200:
                raise RuntimeError("the endpoint did not answer 200")
        wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
        best_cpu, best_wall = min(best_cpu, cpu), min(best_wall, wall)
    return {"cpu_us": best_cpu / PER_ROUND * 1e6, "wall_us": best_wall / PER_ROUND * 1e6}


def run_one(variant: tuple[str, ...], kind: str, sync: str) -> dict[str, float]:
    """Measure one variant in this process."""
    from linesim import LinePlatform, sign

    platform = LinePlatform()
    bodies = build_bodies(platform, kind, WARMUP + ROUNDS * PER_ROUND)
    requests = [(b, sign(platform.channel_secret, b).encode()) for b in bodies]
    with tempfile.TemporaryDirectory(prefix="genba-breakdown-") as tmp:
        app = _build(variant, platform.channel_secret, platform.access_token, Path(tmp), sync)
        loop_factory = _uvloop()
        with asyncio.Runner(loop_factory=loop_factory) as runner:
            return runner.run(_drive(app, requests))


def _uvloop() -> Callable[[], asyncio.AbstractEventLoop] | None:
    try:
        import uvloop
    except ImportError:
        return None
    return uvloop.new_event_loop


def main(argv: list[str] | None = None) -> None:
    """Run every variant in a child process and print the table."""
    p = argparse.ArgumentParser(
        prog="python -m bench.ack_breakdown",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--kind", choices=KINDS, default="text")
    p.add_argument("--sync", choices=("FULL", "NORMAL"), default="NORMAL")
    p.add_argument("--one", help=argparse.SUPPRESS)  # internal: measure one variant, print JSON
    args = p.parse_args(argv)
    if args.one is not None:
        variant = tuple(x for x in args.one.split(",") if x)
        print(json.dumps(run_one(variant, args.kind, args.sync)))
        return
    core, _ = cores()
    print(f"machine: {machine.describe()}")
    print(f"{args.kind} webhooks, SQLite synchronous={args.sync}, one request at a time, ASGI only")
    measured: list[tuple[str, dict[str, float]]] = []
    for name, variant in VARIANTS.items():
        cmd = python("-m", "bench.ack_breakdown", "--kind", args.kind, "--sync", args.sync)
        cmd += ["--one", ",".join(variant)]
        if core is not None and shutil.which("taskset"):
            cmd = ["taskset", "-c", str(core), *cmd]
        done = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            sys.exit(f"variant {name!r} failed:\n{done.stderr[-3000:]}")
        figures = json.loads(done.stdout.strip().splitlines()[-1])
        measured.append((name, figures))
        print(f"  {name:<50} CPU {figures['cpu_us']:6.0f} us  wall {figures['wall_us']:6.0f} us")
    as_is = dict(measured)["genba as is"]["cpu_us"]
    rows = [
        [name, f"{f['cpu_us']:.0f}", f"{f['wall_us']:.0f}", f"{f['cpu_us'] / as_is:.2f}"]
        for name, f in measured
    ]
    print()
    print(table(["variant", "CPU us/req", "wall us/req", "CPU x as is"], rows))


if __name__ == "__main__":
    main()
