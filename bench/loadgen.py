"""A closed-loop HTTP/1.1 load generator: N keep-alive connections, pre-built request bytes.

Why not httpx, and why not wrk: httpx spends ~100-200 µs of Python per request, as much as the
server under test spends on a bare webhook, so on a 2-core box it would measure itself. wrk is
fast but is not in the venv: it needs root to install from apt and a Lua script to feed it tens
of thousands of distinct signed bodies, and a fresh clone after `pip install -e '.[dev]'` has
neither. This client is a small asyncio protocol on uvloop (already a dependency of uvicorn):
each request is one `transport.write()` of bytes built beforehand, each response is parsed just
far enough to find its status and length. It runs in its own process pinned to its own core and
reports its own CPU use, so a run where it was the bottleneck shows itself (its CPU near 100%
while the server's is not).

Each request takes the next request of the file (distinct `webhookEventId`s); `reused` counts
requests sent after the file ran out and it started again from the top. Throughput counts the
responses completed inside the measurement window; latency is from the first byte written to the
last byte read, for those same responses.

With `--jobs-db FILE` (genba's SQLite file) it also counts the jobs that reached `done` inside
the window, per kind — how much the in-process worker got through while the web tier was loaded —
and then, with no load, for `--idle` more seconds: how fast the worker drains the queue alone.

Run as a subprocess by bench.webhook_ack:
`python -m bench.loadgen --requests FILE --port P --connections 32 --warmup 2 --duration 10`;
it prints one JSON object on stdout.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from bench.bodies import read_requests
from bench.procs import cpu_seconds
from bench.stats import summarise

DRAIN_SECONDS = 15.0


@dataclass
class Tally:
    """What the measurement window saw."""

    latencies_ns: list[int] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    per_second: list[int] = field(default_factory=list)


class Load:
    """Shared state of one run: the requests, the window, the counts."""

    def __init__(self, requests: list[bytes], host: str, port: int) -> None:
        self.requests = requests
        self.host, self.port = host, port
        self.next = 0
        self.reused = 0
        self.sending = True
        self.window: tuple[int, int] | None = None  # (start, end) in perf_counter_ns
        self.tally = Tally()
        self.all_statuses: dict[int, int] = {}  # warm-up and drain included
        self.in_flight = 0
        self.errors = 0
        self.reconnects = 0
        self.drained = asyncio.Event()

    def take(self) -> bytes:
        """The next request (wrapping around, and counting it, once the file is used up)."""
        i = self.next
        self.next += 1
        if i >= len(self.requests):
            self.reused += 1
            i %= len(self.requests)
        return self.requests[i]

    def record(self, started: int, finished: int, status: int) -> None:
        """Count a response; time it if it completed inside the measurement window."""
        self.all_statuses[status] = self.all_statuses.get(status, 0) + 1
        window = self.window
        if window is None or not window[0] <= finished < window[1]:
            return
        t = self.tally
        t.latencies_ns.append(finished - started)
        t.statuses[status] = t.statuses.get(status, 0) + 1
        second = (finished - window[0]) // 1_000_000_000
        while len(t.per_second) <= second:
            t.per_second.append(0)
        t.per_second[second] += 1

    def finished_one(self) -> None:
        self.in_flight -= 1
        if not self.sending and self.in_flight == 0:
            self.drained.set()

    def connect(self) -> None:
        """Open one more connection (at start, or to replace one the server closed)."""
        loop = asyncio.get_running_loop()
        task = loop.create_task(
            loop.create_connection(lambda: Connection(self), self.host, self.port)
        )
        task.add_done_callback(self._connected)

    def _connected(self, task: asyncio.Task[Any]) -> None:
        if task.exception() is not None:
            self.errors += 1
            if self.sending:
                asyncio.get_running_loop().call_later(0.05, self.connect)


def done_jobs(db: Path) -> dict[str, int]:
    """Jobs in state `done`, per kind, in a genba SQLite database (a WAL read: blocks nobody)."""
    with contextlib.closing(sqlite3.connect(db, timeout=5)) as conn:
        rows = conn.execute("SELECT kind, count(*) FROM job WHERE state = 'done' GROUP BY kind")
        return {str(kind): int(n) for kind, n in rows}


def response_head(head: bytes) -> tuple[int, int]:
    """Status and content length from a response head (without its final CRLFCRLF)."""
    lower = head.lower()
    status = int(lower[9:12])
    at = lower.find(b"\r\ncontent-length:")
    if at < 0:
        raise ValueError(f"response without content-length: {head[:300]!r}")
    end = lower.find(b"\r\n", at + 2)
    return status, int(lower[at + 17 : end if end >= 0 else None])


class Connection(asyncio.Protocol):
    """One keep-alive connection: the next request leaves as soon as an answer is complete."""

    def __init__(self, load: Load) -> None:
        self.load = load
        self.transport: asyncio.Transport | None = None
        self.buf = b""
        self.need = -1  # size of the current response once its head is in, else -1
        self.status = 0
        self.started = 0
        self.busy = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's is not a subclass
        self.send()

    def send(self) -> None:
        if not self.load.sending or self.transport is None:
            if self.transport is not None:
                self.transport.close()
            return
        self.load.in_flight += 1
        self.busy = True
        self.started = time.perf_counter_ns()
        self.transport.write(self.load.take())

    def data_received(self, data: bytes) -> None:
        self.buf += data
        while True:
            if self.need < 0:
                end = self.buf.find(b"\r\n\r\n")
                if end < 0:
                    return
                self.status, length = response_head(self.buf[:end])
                self.need = end + 4 + length
            if len(self.buf) < self.need:
                return
            finished = time.perf_counter_ns()
            self.buf, self.need, self.busy = self.buf[self.need :], -1, False
            self.load.record(self.started, finished, self.status)
            self.load.finished_one()
            self.send()

    def connection_lost(self, exc: Exception | None) -> None:  # noqa: ARG002
        self.transport = None
        if self.busy:
            self.busy = False
            self.load.errors += 1
            self.load.finished_one()
        if self.load.sending:
            self.load.reconnects += 1
            self.load.connect()


async def run(
    requests: list[bytes],
    *,
    host: str,
    port: int,
    connections: int,
    warmup: float,
    duration: float,
    server_pid: int | None,
    jobs_db: Path | None = None,
    idle: float = 5.0,
) -> dict[str, Any]:
    """Warm up, measure for `duration` seconds, drain; return the figures."""
    load = Load(requests, host, port)
    for _ in range(connections):
        load.connect()
    await asyncio.sleep(warmup)
    done0 = done_jobs(jobs_db) if jobs_db else {}
    server_cpu0 = cpu_seconds(server_pid) if server_pid else None
    own0 = os.times()
    start = time.perf_counter_ns()
    load.window = (start, start + int(duration * 1e9))
    await asyncio.sleep(duration)
    own1 = os.times()
    server_cpu1 = cpu_seconds(server_pid) if server_pid else None
    done1 = done_jobs(jobs_db) if jobs_db else {}
    elapsed = (time.perf_counter_ns() - start) / 1e9
    load.sending = False
    if load.in_flight:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(load.drained.wait(), DRAIN_SECONDS)
    tally = load.tally
    completed = len(tally.latencies_ns)
    result: dict[str, Any] = {
        "connections": connections,
        "duration_s": elapsed,
        "completed": completed,
        "rps": completed / elapsed,
        "latency_ms": summarise([x / 1e6 for x in tally.latencies_ns]),
        "statuses": {str(k): v for k, v in sorted(tally.statuses.items())},
        "per_second": tally.per_second,
        "statuses_all": {str(k): v for k, v in sorted(load.all_statuses.items())},
        "sent_total": load.next,
        "reused": load.reused,
        "errors": load.errors,
        "reconnects": load.reconnects,
        "left_in_flight": load.in_flight,
        "loadgen_cpu": (own1.user + own1.system - own0.user - own0.system) / elapsed,
    }
    if jobs_db:
        result["jobs_done"] = {k: n - done0.get(k, 0) for k, n in done1.items()}
        done1, idle0 = done_jobs(jobs_db), time.perf_counter()
        await asyncio.sleep(idle)
        done2 = done_jobs(jobs_db)
        result["jobs_idle_s"] = time.perf_counter() - idle0
        result["jobs_done_idle"] = {k: n - done1.get(k, 0) for k, n in done2.items()}
    if server_cpu0 is not None and server_cpu1 is not None:
        busy = server_cpu1 - server_cpu0
        result["server_cpu"] = busy / elapsed
        result["server_cpu_us_per_req"] = busy / completed * 1e6 if completed else None
    return result


def main(argv: list[str] | None = None) -> None:
    """Run one measurement and print it as JSON."""
    parser = argparse.ArgumentParser(prog="python -m bench.loadgen", description=__doc__)
    parser.add_argument("--requests", type=Path, required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--warmup", type=float, default=2.0)
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--server-pid", type=int, help="to report the server's CPU use")
    parser.add_argument("--jobs-db", type=Path, help="genba's SQLite file: count jobs done")
    parser.add_argument("--idle", type=float, default=5.0, help="with --jobs-db: seconds after")
    args = parser.parse_args(argv)
    with asyncio.Runner(loop_factory=_loop_factory()) as runner:
        result = runner.run(
            run(
                read_requests(args.requests),
                host=args.host,
                port=args.port,
                connections=args.connections,
                warmup=args.warmup,
                duration=args.duration,
                server_pid=args.server_pid,
                jobs_db=args.jobs_db,
                idle=args.idle,
            )
        )
    print(json.dumps(result))


def _loop_factory() -> Callable[[], asyncio.AbstractEventLoop] | None:
    try:
        import uvloop
    except ImportError:  # still correct, only slower
        return None
    return uvloop.new_event_loop


if __name__ == "__main__":
    main()
