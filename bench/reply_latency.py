"""From a webhook to LINE's reply call: one conversation step of genba, end to end.

A fresh LINE user sends a text; genba (`genba serve` with its in-process worker, SQLite FULL,
wired to linesim) acknowledges it, and its worker runs the step — fetch the new user's profile,
the flow, one commit, the reply. Each sample is the time from writing the webhook to linesim
recording the arrival of the `POST /v2/bot/message/reply` that answers it; samples are taken
one at a time on an otherwise idle server.

Same-run baseline: the round trip of a webhook to the bare endpoint (bench/bare_app.py, signature
and json.loads only), measured with the same client and pinning just before. The ratio says how
many "bare webhooks" one conversation step costs, which survives a noisy shared machine better
than milliseconds do. genba's own ack time is printed too, to split the step into "until the 200"
and "after the 200".

    python -m bench.reply_latency              # 200 samples (plus 20 warm-up)
    python -m bench.reply_latency --samples 500
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bench import machine
from bench.bodies import TEXT, http_request
from bench.procs import cores, free_port, install_cleanup, pin_self
from bench.rawhttp import RawClient
from bench.servers import BARE, Line, genba_env, start_genba, start_reference
from bench.stats import summarise, table
from linesim import ApiCall, LinePlatform, LineSim, webhook_body

REPLY_PATH = "/v2/bot/message/reply"
PROFILE_PATH = "/v2/bot/profile"


def _args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="python -m bench.reply_latency",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--samples", type=int, default=200, help="measured conversation steps (200)")
    p.add_argument("--warmup", type=int, default=20, help="unmeasured steps first (20)")
    p.add_argument("--pause", type=float, default=0.02, help="idle seconds between samples")
    p.add_argument("--keep", type=Path, help="keep the data dir and logs under this folder")
    return p.parse_args(argv)


def bare_round_trips(sim: LineSim, port: int, count: int, pause: float) -> list[float]:
    """Milliseconds per signed webhook to the bare endpoint, one at a time."""
    platform = sim.platform
    user = platform.add_user()
    requests = [
        http_request(webhook_body(platform, [sim.events.text(user, TEXT)]), platform.channel_secret)
        for _ in range(count)
    ]
    out: list[float] = []
    with RawClient(port) as client:
        for request in requests:
            started = time.perf_counter()
            status = client.send(request)
            out.append((time.perf_counter() - started) * 1000)
            if status != 200:
                raise RuntimeError(f"bare endpoint answered {status}")
            time.sleep(pause)
    return out


def call_at(
    platform: LinePlatform,
    path: str,
    method: str,
    match: Callable[[ApiCall], bool] | None = None,
    timeout: float = 20.0,
) -> float:
    """When linesim received the (last) call on `path` that `match`es (platform clock, s)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for call in reversed(platform.calls(path, method)):
            if match is None or match(call):
                return call.at
        time.sleep(0.0005)
    raise TimeoutError(f"no {method} {path} from genba in time (see its log with --keep)")


@dataclass
class Steps:
    """Per sample, in ms: the ack, the profile fetch's arrival and the reply's arrival."""

    ack: list[float] = field(default_factory=list)
    profile: list[float] = field(default_factory=list)
    reply: list[float] = field(default_factory=list)

    def after(self, warmup: int) -> Steps:
        return Steps(self.ack[warmup:], self.profile[warmup:], self.reply[warmup:])


def conversation_steps(sim: LineSim, port: int, count: int, pause: float) -> Steps:
    """Time `count` fresh users' first text from the webhook to the reply call."""
    platform = sim.platform
    steps = Steps()
    with RawClient(port) as client:
        for _ in range(count):
            user = platform.add_user()
            event = sim.events.text(user, TEXT)
            token = event["replyToken"]
            request = http_request(webhook_body(platform, [event]), platform.channel_secret)
            platform.mark_delivered([event])
            sent_at = platform.now()
            started = time.perf_counter()
            status = client.send(request)
            steps.ack.append((time.perf_counter() - started) * 1000)
            if status != 200:
                raise RuntimeError(f"genba answered {status}")
            replied = call_at(platform, REPLY_PATH, "POST", _answering(token))
            steps.reply.append((replied - sent_at) * 1000)
            steps.profile.append(
                (call_at(platform, f"{PROFILE_PATH}/{user}", "GET") - sent_at) * 1000
            )
            time.sleep(pause)
    return steps


def _answering(token: str) -> Callable[[ApiCall], bool]:
    def match(call: ApiCall) -> bool:
        return isinstance(call.body, dict) and call.body.get("replyToken") == token

    return match


def main(argv: list[str] | None = None) -> None:
    """Measure the baseline, then genba's conversation steps; print both and the ratio."""
    args = _args(argv)
    install_cleanup()
    server_core, load_core = cores()
    pin_self(load_core)
    print(f"machine: {machine.describe()}")
    print(
        f"plan: {args.warmup} + {args.samples} samples, one at a time; "
        f"server on core {server_core}, client and linesim on core {load_core}"
    )
    platform = LinePlatform(reply_token_ttl=3600)
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
    with (
        LineSim(platform) as sim,
        tempfile.TemporaryDirectory(prefix="genba-reply-", dir=args.keep) as tmp,
    ):
        work = Path(tmp)
        line = Line(platform.channel_secret, platform.access_token, sim.base_url)
        port = free_port()
        bare = start_reference(BARE, line, port, work_dir=work, core=server_core)
        try:
            bare.wait_port(port)
            baseline = bare_round_trips(sim, port, args.warmup + args.samples, args.pause)[
                args.warmup :
            ]
        finally:
            bare.stop()
        port = free_port()
        genba = start_genba(
            genba_env(line, work / "var"), port, worker=True, work_dir=work, core=server_core
        )
        try:
            genba.wait_port(port)
            steps = conversation_steps(sim, port, args.warmup + args.samples, args.pause)
        finally:
            genba.stop()
        if args.keep:
            print(f"logs and data: {work}")
    report(baseline, steps.after(args.warmup))


def report(baseline: list[float], steps: Steps) -> None:
    """Print the three distributions and the ratios to the baseline."""
    base = summarise(baseline)
    rows = []
    for name, values in (
        ("bare endpoint: webhook round trip (baseline)", baseline),
        ("genba: webhook round trip (ack)", steps.ack),
        ("genba: webhook -> profile call at linesim", steps.profile),
        ("genba: webhook -> reply call at linesim", steps.reply),
    ):
        s = summarise(values)
        rows.append(
            [
                name,
                f"{int(s['count'])}",
                f"{s['p50']:.2f}",
                f"{s['p90']:.2f}",
                f"{s['p99']:.2f}",
                f"{s['max']:.2f}",
                f"{s['p50'] / base['p50']:.1f}x",
                f"{s['p99'] / base['p99']:.1f}x",
            ]
        )
    print()
    print(
        table(["", "n", "p50 ms", "p90 ms", "p99 ms", "max ms", "p50 / base", "p99 / base"], rows)
    )
    print(
        "\nbase: the bare endpoint's round trip in this run. A step = ack + claim + profile "
        "fetch (fresh user) + flow + commit + reply."
    )


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        raise SystemExit(130) from None
