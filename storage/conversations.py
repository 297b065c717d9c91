"""Conversation state per contributor, stored as JSON of `flows.types.Conversation`."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import datetime
from typing import Any

from sqlalchemy import Table, select
from sqlmodel import Session

from flows.types import Conversation, Draft, DraftKind, Face, Step
from storage.dialect import upsert
from storage.models import Conversation as ConversationRow

T: Table = ConversationRow.__table__  # type: ignore[attr-defined]


def encode(conversation: Conversation) -> str:
    """The JSON form of a conversation."""
    data = asdict(conversation)
    data["updated_at"] = conversation.updated_at.isoformat() if conversation.updated_at else None
    if conversation.draft is not None:
        data["draft"]["answered_sets"] = sorted(conversation.draft.answered_sets)
    data["arrived"] = list(conversation.arrived)
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
                limit_noticed=bool(draft.get("limit_noticed", False)),
                theme=draft.get("theme"),
                face=Face(draft["face"]) if draft.get("face") else None,
                comment=draft.get("comment"),
            ),
            updated_at=_time(data.get("updated_at")),
            strikes=int(data.get("strikes", 0)),
            paused_from=Step(data["paused_from"]) if data.get("paused_from") else None,
            arrived=tuple(data.get("arrived", ())),
            pending_text=data.get("pending_text"),
        )
    except (KeyError, TypeError) as exc:
        raise ValueError(f"malformed conversation state: {exc}") from exc


def _time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def load(session: Session, contributor_id: str) -> Conversation:
    """The stored conversation, or a fresh idle one."""
    text = session.execute(
        select(T.c.state).where(T.c.contributor_id == contributor_id)
    ).scalar_one_or_none()
    return Conversation() if text is None else decode(text)


def save(
    session: Session, contributor_id: str, conversation: Conversation, *, now: datetime
) -> None:
    """Store the conversation (insert or replace)."""
    session.execute(
        upsert(
            session,
            T,
            {
                "contributor_id": contributor_id,
                "step": conversation.step.value,
                "state": encode(conversation),
                "version": 1,
                "updated_at": now,
            },
            key=["contributor_id"],
            update=["step", "state", "updated_at"],
            increment="version",
        )
    )
