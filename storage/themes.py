"""Themes the PR team asks for: listed for the admin API, offered to workers."""

from __future__ import annotations

from sqlalchemy import Table, select
from sqlmodel import Session

from storage.models import Theme

T: Table = Theme.__table__  # type: ignore[attr-defined]


def list_all(session: Session) -> list[Theme]:
    """Every theme in display order."""
    return list(session.execute(select(Theme).order_by(T.c.sort_order, T.c.slug)).scalars())


def active_for_month(session: Session, month: str) -> list[Theme]:
    """Active themes, the theme of `month` ("YYYY-MM") first, then display order."""
    themes = [t for t in list_all(session) if t.active]
    return sorted(themes, key=lambda t: (t.month != month, t.sort_order, t.slug))
