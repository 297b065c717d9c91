"""Group and room chats: only whether the bot already said it works in 1:1 chats."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Table, delete
from sqlmodel import Session

from storage.dialect import insert_ignore
from storage.models import GroupChat

T: Table = GroupChat.__table__  # type: ignore[attr-defined]


def claim_notice(session: Session, chat_id: str, *, now: datetime) -> bool:
    """True the first time for a chat (the caller then says the notice), False after."""
    row = session.execute(
        insert_ignore(session, T).values(chat_id=chat_id, noticed_at=now).returning(T.c.chat_id)
    ).first()
    return row is not None


def forget(session: Session, chat_id: str) -> None:
    """The bot left the chat: forget it, so a later invitation gets the notice again."""
    session.execute(delete(T).where(T.c.chat_id == chat_id))
