"""Printing webhook_ack's cells: a progress line per cell, then the table."""

from __future__ import annotations

from collections.abc import Sequence

from bench.cells import CellResult
from bench.stats import table

AIM_RATIO = 0.6
AIM_P99_MS = 50.0
HEADERS = (
    "body",
    "server",
    "req/s",
    "x bare",
    "p50 ms",
    "p99 ms",
    "max ms",
    "CPU us/req",
    "srv CPU",
    "gen CPU",
    "non-200",
    "aim",
)


def _ratio(cell: CellResult, bare: CellResult | None) -> float | None:
    if bare is None or cell is bare or not bare.load["rps"]:
        return None
    return float(cell.load["rps"] / bare.load["rps"])


def _non_200(cell: CellResult) -> str:
    load = cell.load
    bad = sum(v for k, v in load["statuses"].items() if k != "200")
    return str(bad + load["errors"])


def _aim(cell: CellResult, ratio: float | None) -> str:
    """Whether a web-tier row meets the issue's aim (printed, never asserted)."""
    if ratio is None or cell.setup.worker or not cell.setup.genba:
        return ""
    met = ratio >= AIM_RATIO and cell.load["latency_ms"]["p99"] < AIM_P99_MS
    return "met" if met else "MISSED"


def row(cell: CellResult, bare: CellResult | None) -> list[str]:
    """The table row of a cell."""
    load, lat = cell.load, cell.load["latency_ms"]
    ratio = _ratio(cell, bare)
    per_req = load.get("server_cpu_us_per_req")
    return [
        cell.kind,
        cell.setup.label,
        f"{load['rps']:.0f}",
        "1.00" if cell is bare else (f"{ratio:.2f}" if ratio is not None else "?"),
        f"{lat['p50']:.1f}",
        f"{lat['p99']:.1f}",
        f"{lat['max']:.1f}",
        f"{per_req:.0f}" if per_req else "?",
        f"{load.get('server_cpu', 0) * 100:.0f}%",
        f"{load['loadgen_cpu'] * 100:.0f}%",
        _non_200(cell),
        _aim(cell, ratio),
    ]


def notes(cell: CellResult, events_per_body: int, bodies: int) -> list[str]:
    """Checks and side facts worth a line under a cell."""
    out: list[str] = []
    load = cell.load
    if cell.setup.genba and load["reused"]:
        out.append(
            f"WARNING: {load['reused']} requests reused a body (only {bodies} built; pass --bodies)"
        )
    if cell.setup.genba and cell.stored:
        acked = load["statuses_all"].get("200", 0) * events_per_body
        stored = cell.stored.get("events", 0)
        check = (
            "all acknowledged events stored"
            if stored >= acked
            else f"WARNING: only {stored} of {acked} acknowledged events stored"
        )
        out.append(check)
        if cell.setup.worker:
            out.append(_worker_note(cell))
        locked, errors = cell.stored.get("log_db_locked", 0), cell.stored.get("log_errors", 0)
        if locked or errors or cell.setup.worker:
            out.append(f"log: {errors} ERROR lines, {locked} lines with 'database is locked'")
    if load["loadgen_cpu"] > 0.9:
        out.append("WARNING: the load generator was near 100% CPU: figures may be its limit")
    return out


def _jobs(done: dict[str, int], seconds: float) -> str:
    kinds = ", ".join(f"{n} {k}" for k, n in sorted(done.items()) if n)
    return f"{sum(done.values()) / seconds:.0f} jobs/s ({kinds or 'none'})"


def _worker_note(cell: CellResult) -> str:
    load = cell.load
    during = _jobs(load.get("jobs_done", {}), load["duration_s"])
    after = _jobs(load.get("jobs_done_idle", {}), load.get("jobs_idle_s", 1.0))
    waiting = sum(cell.stored.get(f"jobs_{s}", 0) for s in ("new", "queued", "running"))
    return (
        f"worker: {during} in the measured window; {after} in the "
        f"{load.get('jobs_idle_s', 0):.0f}s after it, without load; "
        f"{waiting} jobs not yet done at the end"
    )


def print_row(cell: CellResult, bare: CellResult | None, events_per_body: int, bodies: int) -> None:
    """A progress line as soon as a cell is measured."""
    r = row(cell, bare)
    print(
        f"  {r[0]:<9} {r[1]:<46} {r[2]:>6} req/s  x{r[3]:<5} "
        f"p50 {r[4]:>6} ms  p99 {r[5]:>6} ms  {r[7]:>5} us CPU/req",
        flush=True,
    )
    for line in notes(cell, events_per_body, bodies):
        print(f"      {line}", flush=True)


def print_table(results: Sequence[CellResult]) -> None:
    """The whole table; ratios against the bare row of the same body kind and round."""
    rows: list[list[str]] = []
    bare: CellResult | None = None
    for cell in results:
        if cell.setup.baseline:
            bare = cell
        rows.append(row(cell, bare))
    print(table(HEADERS, rows, left=2))
    print(
        f"\nx bare: throughput / the bare endpoint's, same body, same run.  aim (web tier alone): "
        f">= {AIM_RATIO}x bare and p99 < {AIM_P99_MS:g} ms.\n"
        "CPU us/req: the server process's user+system CPU per acknowledged request. "
        "srv/gen CPU: share of one core used by the server / the load generator.\n"
        "* SQLite NORMAL is not the durable setting: after a power loss the last acknowledged "
        "events may be gone."
    )
