"""Inbox entries as the endpoint makes them, for tests that store events without a body."""

from __future__ import annotations

from storage.inbox import InboxEntry


def user_event(event_id: str, user: str = "U1") -> InboxEntry:
    """A LINE user's message, classified as one the worker must handle (it gets a job)."""
    return InboxEntry(
        id=event_id,
        payload="{}",
        status="queued",
        event_type="message",
        source_type="user",
        source_id=user,
        ordering_key=f"user:{user}",
        wants_job=True,
    )
