"""Plain records the platform keeps: users, contents, reply tokens, calls and deliveries."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

JSON = dict[str, Any]
TranscodingStatus = Literal["processing", "succeeded", "failed"]


@dataclass
class User:
    """A LINE user who is (or was) a friend of the bot."""

    user_id: str
    display_name: str
    language: str | None = "ja"
    picture_url: str | None = None
    status_message: str | None = None
    blocked: bool = False

    def profile(self) -> JSON:
        """Return the profile JSON LINE answers, omitting unset fields."""
        body: JSON = {"displayName": self.display_name, "userId": self.user_id}
        for key, value in (
            ("language", self.language),
            ("pictureUrl", self.picture_url),
            ("statusMessage", self.status_message),
        ):
            if value is not None:
                body[key] = value
        return body


@dataclass
class MessageRecord:
    """A message a user sent; holds the binary for media LINE hosts itself."""

    message_id: str
    type: str
    chat_id: str | None = None
    content: bytes | None = None
    content_type: str = "application/octet-stream"
    external: bool = False
    unsent: bool = False
    transcoding: TranscodingStatus = "succeeded"


@dataclass
class ReplyToken:
    """An issued reply token and the window in which LINE accepts it."""

    token: str
    chat_id: str
    event_id: str
    event_time: float
    expires_at: float
    used: bool = False


CallOutcome = Literal["pending", "answered", "truncated", "dropped"]


@dataclass
class ApiCall:
    """One request received on a LINE path: recorded on arrival, completed when answered.

    `pending` while linesim holds it (a scripted timeout); `dropped` if it ended with no
    answer; `truncated` if the body was cut. status stays None until an answer starts.
    """

    seq: int
    at: float
    method: str
    path: str
    request_id: str
    headers: dict[str, str]
    body: Any
    status: int | None = None
    outcome: CallOutcome = "pending"


@dataclass(frozen=True)
class Delivery:
    """One message the bot got delivered to a chat through reply or push."""

    seq: int
    at: float
    chat_id: str
    message: JSON
    api: Literal["reply", "push", "multicast"]
    reply_token: str | None
    retry_key: str | None
    request_id: str
    sent_id: str
    quote_token: str | None
    notification_disabled: bool


@dataclass(frozen=True)
class ChatEntry:
    """A line in a chat's timeline, from the user (`user`) or the bot (`bot`)."""

    seq: int
    at: float
    chat_id: str
    sender: Literal["user", "bot"]
    message: JSON
    message_id: str

    def to_json(self) -> JSON:
        """Return the entry as the chat page reads it."""
        return {
            "seq": self.seq,
            "at": int(self.at * 1000),
            "from": self.sender,
            "messageId": self.message_id,
            "message": self.message,
        }


@dataclass(frozen=True)
class AcceptedRetryKey:
    """A push accepted under an X-Line-Retry-Key, remembered for 24 hours."""

    key: str
    accepted_at: float
    request_id: str
    sent_messages: list[JSON]


@dataclass(frozen=True)
class LoadingCall:
    """A loading-animation request the bot made."""

    at: float
    chat_id: str
    seconds: int


@dataclass(frozen=True)
class WebhookAttempt:
    """One webhook POST linesim made to the bot, and how the bot answered."""

    at: float
    url: str
    event_ids: list[str]
    status: int | None
    error: str | None = None
