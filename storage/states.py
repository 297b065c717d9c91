"""The words of the status columns that storage owns, each defined once.

They are the values stored in the database and shown by the admin API (design.md §7): renaming
a member is free, changing a value is a migration and a break of the contract. The submission
status and the face choice belong to the conversation and live in `flows.types`.
"""

from __future__ import annotations

from enum import StrEnum


class JobState(StrEnum):
    """Where a job is in the queue (`new`: stored by the webhook, not yet admitted to it)."""

    NEW = "new"
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    DEAD = "dead"


class InboxStatus(StrEnum):
    """What became of a webhook event in the inbox."""

    QUEUED = "queued"  # a job will handle it
    HANDLED = "handled"
    IGNORED = "ignored"  # nothing for the bot to do (standby, a group, an unknown type)
    UNPARSEABLE = "unparseable"
    FAILED = "failed"  # its job died; an operator's retry queues it again


class MediaStatus(StrEnum):
    """Where a photo or video is: waiting for its download, stored, or not to be had."""

    PENDING = "pending"
    READY = "ready"
    FAILED = "failed"
    EXPIRED = "expired"  # LINE no longer had it
    DELETED = "deleted"  # unsent or withdrawn: its files are gone


class FaceCheck(StrEnum):
    """What a reviewer did about a photo's `blurred` variant (null: nothing yet)."""

    CONFIRMED = "confirmed"  # the detector's blur covers every face
    CORRECTED = "corrected"  # a reviewer uploaded the blurred image themselves
