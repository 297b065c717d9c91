"""python -m linesim: run a local LINE platform and print its chat URL."""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from types import FrameType

from linesim.app import create_app
from linesim.platform import LinePlatform
from linesim.server import start_server


def main(argv: list[str] | None = None) -> int:
    """Run linesim until interrupted."""
    parser = argparse.ArgumentParser(prog="python -m linesim", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8701)
    parser.add_argument(
        "--webhook-url", help="the bot's webhook, e.g. http://127.0.0.1:8000/callback"
    )
    parser.add_argument("--channel-secret", default=os.environ.get("LINE_CHANNEL_SECRET"))
    parser.add_argument("--access-token", default=os.environ.get("LINE_CHANNEL_ACCESS_TOKEN"))
    parser.add_argument("--reply-token-ttl", type=float, default=60.0)
    args = parser.parse_args(argv)

    platform = LinePlatform(
        args.channel_secret,
        args.access_token,
        args.webhook_url,
        reply_token_ttl=args.reply_token_ttl,
    )
    server = start_server(create_app(platform), args.host, args.port)
    lines = [
        f"LINE API base URL  {server.base_url}",
        f"webhook target     {platform.webhook_url or '(none yet: PUT /_sim/config)'}",
    ]
    if args.channel_secret is None or args.access_token is None:
        # Generated credentials must reach the bot somehow; they are local test values.
        lines += [
            f"channel secret     {platform.channel_secret}",
            f"access token       {platform.access_token}",
        ]
    lines.append(f"chat page          {server.base_url}/chat")
    sys.stdout.write("".join(f"linesim: {line}\n" for line in lines))
    sys.stdout.flush()

    stop = threading.Event()

    def on_signal(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    while not stop.wait(0.5):
        pass
    server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
