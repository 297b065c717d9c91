"""Conversation state per contributor, stored as JSON of `flows.types.Conversation`."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Table, select, update
from sqlmodel import Session

from flows.types import Batch, Conversation, Draft, DraftKind, Face, Step
from storage.dialect import insert_ignore
from storage.models import Conversation as ConversationRow

T: Table = ConversationRow.__table__  # type: ignore[attr-defined]


def encode(conversation: Conversation) -> str:
    """The JSON form of a conversation."""
    data = asdict(conversation)
    data["updated_at"] = conversation.updated_at.isoformat() if conversation.updated_at else None
    if conversation.draft is not None:
        data["draft"]["answered_sets"] = sorted(conversation.draft.answered_sets)
    data["arrived"] = list(conversation.arrived)
    data["arrived_videos"] = list(conversation.arrived_videos)
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def decode(text: str) -> Conversation:
    """A conversation from its JSON form (raises ValueError on anything malformed)."""
    data: dict[str, Any] = json.loads(text)
    draft = data.get("draft")
    try:
        return Conversation(
            step=Step(data["step"]),
            draft=None
            if draft is None
            else Draft(
                id=draft["id"],
                code=draft["code"],
                kind=DraftKind(draft["kind"]),
                media=int(draft["media"]),
                answered_sets=frozenset(draft.get("answered_sets", ())),
                theme=draft.get("theme"),
                face=Face(draft["face"]) if draft.get("face") else None,
                comment=draft.get("comment"),
                # States saved before videos were counted apart hold no `videos`: all photos.
                videos=int(draft.get("videos", 0)),
            ),
            updated_at=_time(data.get("updated_at")),
            strikes=int(data.get("strikes", 0)),
            paused_from=Step(data["paused_from"]) if data.get("paused_from") else None,
            arrived=tuple(data.get("arrived", ())),
            pending_text=data.get("pending_text"),
            batch=_batch(data.get("batch")),
            theme_next=data.get("theme_next"),
            arrived_videos=tuple(data.get("arrived_videos", ())),
            emptied=bool(data.get("emptied", False)),
            last_tap=data.get("last_tap"),
        )
    except (KeyError, TypeError) as exc:
        raise ValueError(f"malformed conversation state: {exc}") from exc


def _batch(data: dict[str, Any] | None) -> Batch | None:
    if data is None:
        return None
    return Batch(
        newest=str(data["newest"]),
        opened=bool(data.get("opened", False)),
        photos=int(data.get("photos", 0)),
        sets=tuple(
            (str(set_id), None if total is None else int(total), int(got))
            for set_id, total, got in data.get("sets", ())
        ),
        refused=int(data.get("refused", 0)),
    )


def _time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


class StaleConversation(Exception):
    """Another step saved this conversation after this one loaded it: the step must run again."""


class UnreadableConversation(ValueError):
    """The stored state cannot be decoded; `version` lets a fresh one replace it."""

    def __init__(self, message: str, version: int) -> None:
        super().__init__(message)
        self.version = version


@dataclass(frozen=True)
class Loaded:
    """A conversation and the version `save` expects to replace (0: none stored yet)."""

    conversation: Conversation
    version: int


def load(session: Session, contributor_id: str) -> Loaded:
    """The stored conversation, or a fresh idle one (raises UnreadableConversation)."""
    row = session.execute(
        select(T.c.state, T.c.version).where(T.c.contributor_id == contributor_id)
    ).first()
    if row is None:
        return Loaded(Conversation(), 0)
    try:
        return Loaded(decode(row.state), row.version)
    except ValueError as exc:
        raise UnreadableConversation(str(exc), row.version) from exc


def save(
    session: Session,
    contributor_id: str,
    conversation: Conversation,
    *,
    version: int,
    now: datetime,
) -> None:
    """Store the conversation over the `version` loaded; StaleConversation if it changed since.

    One user's steps never overlap (the job queue orders them); this check makes sure that if
    two ever did, the later one fails and runs again instead of overwriting the other's state.
    """
    values = {"step": conversation.step.value, "state": encode(conversation), "updated_at": now}
    if version == 0:
        statement = insert_ignore(session, T).values(
            contributor_id=contributor_id, version=1, **values
        )
    else:
        statement = (
            update(T)
            .where((T.c.contributor_id == contributor_id) & (T.c.version == version))
            .values(version=version + 1, **values)
        )
    if session.execute(statement.returning(T.c.version)).first() is None:
        raise StaleConversation(f"conversation changed since version {version} was loaded")
