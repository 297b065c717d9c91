"""LineSim: a running linesim in one object, for end-to-end tests and the demo."""

from __future__ import annotations

from types import TracebackType
from typing import Self

from linesim.app import create_app
from linesim.events import Events
from linesim.platform import LinePlatform
from linesim.sender import WebhookSender
from linesim.server import RunningServer, start_server


class LineSim:
    """Start linesim on a real port: its platform, event builders and webhook sender together."""

    def __init__(
        self, platform: LinePlatform | None = None, *, host: str = "127.0.0.1", port: int = 0
    ) -> None:
        self.platform = platform or LinePlatform()
        self.events = Events(self.platform)
        self.server: RunningServer = start_server(create_app(self.platform), host, port)
        self.sender = WebhookSender(self.platform)

    @property
    def base_url(self) -> str:
        """Base URL of the fake Messaging API (give it to the bot as its LINE API base URL)."""
        return self.server.base_url

    @property
    def chat_url(self) -> str:
        """URL of the chat page."""
        return f"{self.base_url}/chat"

    def close(self) -> None:
        """Stop the server and close the sender."""
        self.sender.close()
        self.server.stop()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
