"""Themes the PR team asks for: listed and edited through the admin API, offered to workers.

A theme is offered when it is active and today (a date in the company's time zone, given by the
caller) falls in its period (`starts_on`..`ends_on`, both inclusive, either open); a theme tied
to a month (`month`, "YYYY-MM") is offered in that month only, first.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Table, insert, select, update
from sqlmodel import Session

from storage.models import Theme

T: Table = Theme.__table__  # type: ignore[attr-defined]
# What a new theme has unless told otherwise (a Core insert does not apply the model's defaults).
DEFAULTS: dict[str, Any] = {
    "translations": "{}",
    "description": "",
    "descriptions": "{}",
    "examples": "{}",
    "active": True,
    "sort_order": 0,
}


def list_all(session: Session) -> list[Theme]:
    """Every theme in display order."""
    return list(session.execute(select(Theme).order_by(T.c.sort_order, T.c.slug)).scalars())


def get(session: Session, slug: str) -> Theme | None:
    """One theme, if it exists."""
    return session.execute(select(Theme).where(T.c.slug == slug)).scalar_one_or_none()


def is_offered(theme: Theme, today: str) -> bool:
    """Whether a theme is offered on `today` ("YYYY-MM-DD" in the company's time zone)."""
    if not theme.active:
        return False
    if theme.starts_on is not None and today < theme.starts_on:
        return False
    if theme.ends_on is not None and today > theme.ends_on:
        return False
    return theme.month is None or theme.month == today[:7]


def active_on(session: Session, today: str) -> list[Theme]:
    """The themes offered on `today`, the theme of its month first, then display order."""
    month = today[:7]
    offered = [t for t in list_all(session) if is_offered(t, today)]
    return sorted(offered, key=lambda t: (t.month != month, t.sort_order, t.slug))


def active_for_month(session: Session, month: str) -> list[Theme]:
    """Active themes, the theme of `month` ("YYYY-MM") first, then display order."""
    themes = [t for t in list_all(session) if t.active]
    return sorted(themes, key=lambda t: (t.month != month, t.sort_order, t.slug))


def create(session: Session, *, slug: str, values: dict[str, Any], now: datetime) -> bool:
    """Create a theme; False when the slug is taken."""
    if get(session, slug) is not None:
        return False
    row = {**DEFAULTS, **values, "slug": slug, "created_at": now, "updated_at": now}
    session.execute(insert(T).values(**row))
    return True


def change(session: Session, slug: str, *, values: dict[str, Any], now: datetime) -> bool:
    """Change some fields of a theme; False when there is none."""
    found = session.execute(
        update(T).where(T.c.slug == slug).values(updated_at=now, **values)
    ).rowcount  # type: ignore[attr-defined]
    return bool(found)
