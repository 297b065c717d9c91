"""Messages users sent, with the binaries LINE hosts for their media."""

from __future__ import annotations

import threading

from linesim import ids
from linesim.records import MessageRecord, TranscodingStatus


class MessageStore:
    """Thread-safe store of user messages by id: type, content, unsent and transcoding state."""

    def __init__(self, start_ms: int) -> None:
        self._ids = ids.MessageIds(start_ms)
        self._records: dict[str, MessageRecord] = {}
        self._lock = threading.Lock()

    def new_id(self) -> str:
        """Return a fresh numeric message id (also used for messages the bot sends)."""
        return self._ids.next()

    def add(self, record: MessageRecord) -> None:
        """Remember a message a user sent (content included, for media)."""
        with self._lock:
            self._records[record.message_id] = record

    def get(self, message_id: str) -> MessageRecord | None:
        """Return what is known about a message, or None."""
        with self._lock:
            return self._records.get(message_id)

    def upload(
        self, message_id: str, data: bytes, content_type: str, message_type: str = "image"
    ) -> None:
        """Store the binary the content API will return for message_id."""
        with self._lock:
            record = self._records.setdefault(message_id, MessageRecord(message_id, message_type))
            record.content = bytes(data)
            record.content_type = content_type
            record.external = False

    def unsend(self, message_id: str) -> None:
        """Mark a message as unsent; its content then answers 410."""
        with self._lock:
            record = self._records.setdefault(message_id, MessageRecord(message_id, "text"))
            record.unsent = True

    def set_transcoding(self, message_id: str, status: TranscodingStatus) -> None:
        """Set a video/audio's preparation state; content answers 202 while `processing`."""
        with self._lock:
            record = self._records.get(message_id)
            if record is None:
                raise KeyError(message_id)
            record.transcoding = status
