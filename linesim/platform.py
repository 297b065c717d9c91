"""LinePlatform: the state of a local LINE platform, shared by its API, sender and chat page."""

from __future__ import annotations

import copy
import secrets
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from linesim import ids
from linesim.contents import MessageStore
from linesim.faults import Script, ScriptItem
from linesim.records import (
    JSON,
    AcceptedRetryKey,
    ApiCall,
    CallOutcome,
    ChatEntry,
    Delivery,
    LoadingCall,
    ReplyToken,
    User,
    WebhookAttempt,
)
from linesim.richmenus import RichMenus
from linesim.tokens import ReplyTokens, redelivered

RETRY_KEY_TTL = 24 * 60 * 60  # LINE remembers an accepted X-Line-Retry-Key for 24 hours.
QUOTABLE = frozenset({"text", "textV2", "sticker", "image", "video"})


@dataclass(frozen=True)
class PushResult:
    """What a push came to: `sent` (with sentMessages), `conflict` (retry key seen) or `bad_to`."""

    kind: Literal["sent", "conflict", "bad_to"]
    sent_messages: list[JSON]
    accepted: AcceptedRetryKey | None = None


class LinePlatform:
    """Thread-safe state of the simulated platform: one channel, its users and their chats."""

    def __init__(
        self,
        channel_secret: str | None = None,
        access_token: str | None = None,
        webhook_url: str | None = None,
        *,
        bot_user_id: str | None = None,
        reply_token_ttl: float = 60.0,
        timeout_delay: float = 5.0,
        start_time: float | None = None,
    ) -> None:
        self.channel_secret = channel_secret or secrets.token_hex(16)
        self.access_token = access_token or secrets.token_urlsafe(64)
        self.webhook_url = webhook_url
        self.bot_user_id = bot_user_id or ids.new_user_id()
        self.timeout_delay = timeout_delay
        self.scripts = Script()
        self._lock = threading.RLock()
        self._changed = threading.Condition(self._lock)
        self._offset = 0.0 if start_time is None else start_time - time.time()
        self.messages = MessageStore(self.now_ms())
        self._seq = 0
        self._users: dict[str, User] = {}
        self._groups: set[str] = set()
        self._tokens = ReplyTokens(reply_token_ttl)
        self._retry_keys: dict[str, AcceptedRetryKey] = {}
        self._calls: list[ApiCall] = []
        self._deliveries: list[Delivery] = []
        self._timeline: list[ChatEntry] = []
        self._loading: list[LoadingCall] = []
        self._webhooks: list[WebhookAttempt] = []
        self.richmenus = RichMenus()

    # -- clock ---------------------------------------------------------------------------
    def now(self) -> float:
        """Return the platform time in seconds since the epoch."""
        return time.time() + self._offset

    def now_ms(self) -> int:
        """Return the platform time in milliseconds, as webhook timestamps carry it."""
        return int(self.now() * 1000)

    def advance(self, seconds: float) -> None:
        """Move the platform clock forward (reply tokens and retry keys age with it)."""
        with self._lock:
            self._offset += seconds

    def _next_seq(self) -> int:
        self._seq += 1
        return self._seq

    # -- users and chats -----------------------------------------------------------------
    def add_user(
        self,
        user_id: str | None = None,
        display_name: str = "テストユーザー",
        language: str | None = "ja",
        picture_url: str | None = None,
        status_message: str | None = None,
    ) -> str:
        """Register a friend of the bot and return the user id."""
        user_id = user_id or ids.new_user_id()
        if not ids.is_user_id(user_id):
            raise ValueError(f"not a LINE user id: {user_id!r}")
        with self._lock:
            self._users[user_id] = User(
                user_id, display_name, language, picture_url, status_message
            )
        return user_id

    def user(self, user_id: str) -> User | None:
        """Return the user, or None if unknown."""
        with self._lock:
            return self._users.get(user_id)

    def users(self) -> list[User]:
        """Return every known user."""
        with self._lock:
            return list(self._users.values())

    def set_blocked(self, user_id: str, blocked: bool) -> None:
        """Mark a user as having blocked (or unblocked) the bot."""
        with self._lock:
            user = self._users.get(user_id)
            if user is None:
                raise KeyError(user_id)
            user.blocked = blocked

    def add_group(self, group_id: str | None = None) -> str:
        """Register a group chat the bot is in and return its id."""
        return self._add_chat(group_id or ids.new_group_id())

    def add_room(self, room_id: str | None = None) -> str:
        """Register a multi-person room the bot is in and return its id."""
        return self._add_chat(room_id or ids.new_room_id())

    def _add_chat(self, chat_id: str) -> str:
        with self._lock:
            self._groups.add(chat_id)
        return chat_id

    def is_known_chat(self, chat_id: str) -> bool:
        """Tell whether a push to chat_id has somewhere to go."""
        with self._lock:
            return chat_id in self._users or chat_id in self._groups

    # -- reply tokens --------------------------------------------------------------------
    @property
    def reply_token_ttl(self) -> float:
        """Seconds a reply token stays usable after the webhook carrying it was delivered."""
        return self._tokens.ttl

    @reply_token_ttl.setter
    def reply_token_ttl(self, seconds: float) -> None:
        self._tokens.ttl = seconds

    def issue_reply_token(self, chat_id: str, event_id: str, event_time: float) -> str:
        """Issue a reply token for an event; it lives reply_token_ttl seconds from delivery."""
        return self._tokens.issue(chat_id, event_id, event_time, self.now())

    def reply_token(self, token: str) -> ReplyToken | None:
        """Return the state of a reply token, or None if never issued."""
        return self._tokens.get(token)

    def mark_delivered(self, events: Iterable[Mapping[str, Any]]) -> None:
        """Start the reply window of each event's token, as LINE does on (re)delivery."""
        self._tokens.delivered(events, self.now())

    def redelivered(self, event: Mapping[str, Any]) -> JSON:
        """Return a copy of event as LINE redelivers it (same id and token, isRedelivery true)."""
        return redelivered(event)

    def reply(
        self,
        token: str,
        messages: list[JSON],
        request_id: str,
        notification_disabled: bool = False,
    ) -> list[JSON] | None:
        """Use a reply token and deliver messages; None (nothing sent) if the token is invalid."""
        chat_id = self._tokens.use(token, self.now())
        if chat_id is None:
            return None
        with self._lock:
            return self._deliver(
                chat_id, messages, "reply", request_id, token, None, notification_disabled
            )

    # -- push and the retry-key ledger ---------------------------------------------------
    def push(
        self,
        to: str,
        messages: list[JSON],
        request_id: str,
        retry_key: str | None = None,
        notification_disabled: bool = False,
    ) -> PushResult:
        """Push messages; a retry key accepted in the last 24 h gives `conflict` instead."""
        with self._lock:
            now = self.now()
            if retry_key is not None:
                seen = self._retry_keys.get(retry_key.lower())
                if seen is not None and now - seen.accepted_at < RETRY_KEY_TTL:
                    return PushResult("conflict", seen.sent_messages, seen)
            if not self.is_known_chat(to):
                return PushResult("bad_to", [])
            user = self._users.get(to)
            if user is not None and user.blocked:
                # LINE answers 200 to a push to a user who blocked the bot, and drops it.
                sent = [self._sent_message(m) for m in messages]
            else:
                sent = self._deliver(
                    to, messages, "push", request_id, None, retry_key, notification_disabled
                )
            if retry_key is not None:
                self._retry_keys[retry_key.lower()] = AcceptedRetryKey(
                    retry_key, now, request_id, sent
                )
            return PushResult("sent", sent)

    def multicast(
        self,
        to: list[str],
        messages: list[JSON],
        request_id: str,
        retry_key: str | None = None,
        notification_disabled: bool = False,
    ) -> PushResult:
        """Send the same messages to each user; unknown and blocking users are skipped quietly."""
        with self._lock:
            now = self.now()
            if retry_key is not None:
                seen = self._retry_keys.get(retry_key.lower())
                if seen is not None and now - seen.accepted_at < RETRY_KEY_TTL:
                    return PushResult("conflict", [], seen)
            for user_id in to:
                user = self._users.get(user_id)
                if user is None or user.blocked:
                    continue  # LINE answers 200 and delivers nothing to them
                self._deliver(
                    user_id,
                    messages,
                    "multicast",
                    request_id,
                    None,
                    retry_key,
                    notification_disabled,
                )
            if retry_key is not None:
                self._retry_keys[retry_key.lower()] = AcceptedRetryKey(
                    retry_key, now, request_id, []
                )
            return PushResult("sent", [])

    def accepted_retry_keys(self) -> list[AcceptedRetryKey]:
        """Return the retry-key ledger."""
        with self._lock:
            return list(self._retry_keys.values())

    # -- deliveries and the chat timeline ------------------------------------------------
    def _sent_message(self, message: Mapping[str, Any]) -> JSON:
        sent: JSON = {"id": self.messages.new_id()}
        if message.get("type") in QUOTABLE:
            sent["quoteToken"] = ids.new_token()
        return sent

    def _deliver(
        self,
        chat_id: str,
        messages: list[JSON],
        api: Literal["reply", "push", "multicast"],
        request_id: str,
        reply_token: str | None,
        retry_key: str | None,
        notification_disabled: bool,
    ) -> list[JSON]:
        now = self.now()
        sent_messages = []
        for message in messages:
            sent = self._sent_message(message)
            sent_messages.append(sent)
            self._deliveries.append(
                Delivery(
                    self._next_seq(),
                    now,
                    chat_id,
                    copy.deepcopy(message),
                    api,
                    reply_token,
                    retry_key,
                    request_id,
                    sent["id"],
                    sent.get("quoteToken"),
                    notification_disabled,
                )
            )
            self._timeline.append(
                ChatEntry(self._seq, now, chat_id, "bot", copy.deepcopy(message), sent["id"])
            )
        self._changed.notify_all()
        return sent_messages

    def deliveries(self, chat_id: str | None = None) -> list[Delivery]:
        """Return the messages delivered to chat_id (or to every chat), oldest first."""
        with self._lock:
            return [d for d in self._deliveries if chat_id is None or d.chat_id == chat_id]

    def wait_for_deliveries(
        self, chat_id: str, count: int = 1, timeout: float = 10.0
    ) -> list[Delivery]:
        """Block until chat_id has at least count deliveries and return them all."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while len(found := self.deliveries(chat_id)) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(
                        f"{chat_id} got {len(found)} of {count} messages: "
                        f"{[d.message for d in found]}"
                    )
                self._changed.wait(left)
            return found

    def record_user_message(self, chat_id: str, message: JSON, message_id: str) -> None:
        """Add a user's own message to the chat timeline the chat page shows."""
        with self._lock:
            self._timeline.append(
                ChatEntry(self._next_seq(), self.now(), chat_id, "user", message, message_id)
            )
            self._changed.notify_all()

    def timeline(self, chat_id: str, after: int = 0) -> list[ChatEntry]:
        """Return chat_id's timeline entries with seq greater than after."""
        with self._lock:
            return [e for e in self._timeline if e.chat_id == chat_id and e.seq > after]

    # -- records of calls, loading animations and webhooks --------------------------------
    def record_call(
        self, method: str, path: str, request_id: str, headers: dict[str, str], body: Any
    ) -> ApiCall:
        """Record a request as it arrives on a LINE path (pending until answered)."""
        with self._lock:
            call = ApiCall(self._next_seq(), self.now(), method, path, request_id, headers, body)
            self._calls.append(call)
            self._changed.notify_all()
            return call

    def finish_call(self, call: ApiCall, status: int | None, outcome: CallOutcome) -> None:
        """Complete a recorded call with what linesim answered."""
        with self._lock:
            call.status, call.outcome = status, outcome
            self._changed.notify_all()

    def calls(self, path: str | None = None, method: str | None = None) -> list[ApiCall]:
        """Return recorded API calls, optionally only those on path (exact) or method."""
        with self._lock:
            return [
                c
                for c in self._calls
                if (path is None or c.path == path) and (method is None or c.method == method)
            ]

    def record_loading(self, chat_id: str, seconds: int) -> None:
        """Record a loading-animation request."""
        with self._lock:
            self._loading.append(LoadingCall(self.now(), chat_id, seconds))

    def loading_calls(self, chat_id: str | None = None) -> list[LoadingCall]:
        """Return the loading-animation requests, optionally for one chat."""
        with self._lock:
            return [c for c in self._loading if chat_id is None or c.chat_id == chat_id]

    def record_webhook(self, attempt: WebhookAttempt) -> None:
        """Record a webhook POST made to the bot."""
        with self._lock:
            self._webhooks.append(attempt)

    def webhook_attempts(self) -> list[WebhookAttempt]:
        """Return every webhook POST made to the bot, oldest first."""
        with self._lock:
            return list(self._webhooks)

    # -- scripted failures ---------------------------------------------------------------
    def script(self, endpoint: str, responses: Iterable[ScriptItem]) -> None:
        """Make the next calls matching endpoint (a name or a path glob) answer responses."""
        self.scripts.add(endpoint, responses)

    def fail_content(self, message_id: str, responses: Iterable[ScriptItem]) -> None:
        """Script the next content downloads of message_id (e.g. [500, 500] then the bytes)."""
        self.scripts.add(f"/v2/bot/message/{message_id}/content", responses)
