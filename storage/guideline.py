"""The photo guideline: categories and entries in every language, its version, and consent.

The tables are seeded from `storage/data/guideline.json` when empty; after that the PR team edits
them through the admin API, and every edit adds one to the version, so workers are asked to agree
again (once) at their next message.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Table, delete, func, insert, select, update
from sqlmodel import Session

from storage.dialect import insert_ignore
from storage.models import Contributor, GuidelineCategory, GuidelineEntry, GuidelineVersion

SEED = Path(__file__).resolve().parent / "data" / "guideline.json"
C: Table = GuidelineCategory.__table__  # type: ignore[attr-defined]
E: Table = GuidelineEntry.__table__  # type: ignore[attr-defined]
V: Table = GuidelineVersion.__table__  # type: ignore[attr-defined]
W: Table = Contributor.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Texts:
    """One entry's words in one language."""

    title: str
    body: str
    keywords: tuple[str, ...]


@dataclass(frozen=True)
class Entry:
    """An entry with its words in every language it has."""

    id: str
    category: str
    sort_order: int
    texts: dict[str, Texts]
    updated_at: datetime | None = None  # the last edit (None: not read from the table)


@dataclass(frozen=True)
class Category:
    """A category with its title in every language it has."""

    slug: str
    sort_order: int
    titles: dict[str, str]


@dataclass(frozen=True)
class Guide:
    """The whole guideline as stored."""

    version: int
    categories: list[Category]
    entries: list[Entry]


def _load(text: str) -> dict[str, Any]:
    try:
        data = json.loads(text)
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _texts(raw: str) -> dict[str, Texts]:
    out: dict[str, Texts] = {}
    for language, value in _load(raw).items():
        if isinstance(value, dict):
            words = value.get("keywords") or []
            out[language] = Texts(
                title=str(value.get("title", "")),
                body=str(value.get("body", "")),
                keywords=tuple(str(w) for w in words if isinstance(w, str)),
            )
    return out


def texts_json(texts: dict[str, Texts]) -> str:
    """The JSON form of an entry's texts."""
    return json.dumps(
        {
            k: {"title": v.title, "body": v.body, "keywords": list(v.keywords)}
            for k, v in texts.items()
        },
        ensure_ascii=False,
    )


def seed(session: Session, *, now: datetime, path: Path = SEED) -> bool:
    """Fill empty guideline tables from the project's file; False when they were not empty."""
    if session.execute(select(V.c.version)).first() is not None:
        return False
    data = json.loads(path.read_text(encoding="utf-8"))
    made = session.execute(
        insert_ignore(session, V).values(id=1, version=int(data["version"]), updated_at=now)
    )
    if not made.rowcount:  # type: ignore[attr-defined]
        return False  # another process seeded meanwhile
    for i, category in enumerate(data["categories"]):
        session.execute(
            insert(C).values(
                slug=category["slug"],
                sort_order=(i + 1) * 10,
                titles=json.dumps(category["titles"], ensure_ascii=False),
            )
        )
    for i, entry in enumerate(data["entries"]):
        session.execute(
            insert(E).values(
                id=entry["id"],
                category=entry["category"],
                sort_order=(i + 1) * 10,
                texts=json.dumps(entry["texts"], ensure_ascii=False),
                updated_at=now,
            )
        )
    return True


def version(session: Session) -> int:
    """The current version (0 when the guideline was never seeded)."""
    found = session.execute(select(V.c.version)).scalar_one_or_none()
    return int(found or 0)


def load(session: Session) -> Guide:
    """The whole guideline, categories and entries in display order."""
    categories = [
        Category(row.slug, row.sort_order, {k: str(v) for k, v in _load(row.titles).items()})
        for row in session.execute(select(C).order_by(C.c.sort_order, C.c.slug))
    ]
    entries = [
        Entry(row.id, row.category, row.sort_order, _texts(row.texts), row.updated_at)
        for row in session.execute(select(E).order_by(E.c.sort_order, E.c.id))
    ]
    return Guide(version(session), categories, entries)


def bump(session: Session, *, now: datetime) -> int:
    """Add one to the version and return it."""
    session.execute(update(V).where(V.c.id == 1).values(version=V.c.version + 1, updated_at=now))
    return version(session)


def category_exists(session: Session, slug: str) -> bool:
    """Whether a category with this slug exists."""
    return session.execute(select(C.c.slug).where(C.c.slug == slug)).first() is not None


def put_category(
    session: Session, *, slug: str, titles: dict[str, str], sort_order: int | None
) -> None:
    """Create or replace a category."""
    values: dict[str, Any] = {"titles": json.dumps(titles, ensure_ascii=False)}
    if sort_order is not None:
        values["sort_order"] = sort_order
    if category_exists(session, slug):
        session.execute(update(C).where(C.c.slug == slug).values(**values))
    else:
        session.execute(insert(C).values(slug=slug, sort_order=sort_order or 0, **values))


def get_entry(session: Session, entry_id: str) -> Entry | None:
    """One entry, if it exists."""
    row = session.execute(select(E).where(E.c.id == entry_id)).first()
    return None if row is None else Entry(row.id, row.category, row.sort_order, _texts(row.texts))


def put_entry(
    session: Session,
    *,
    entry_id: str,
    category: str,
    texts: dict[str, Texts],
    sort_order: int | None,
    now: datetime,
) -> bool:
    """Create or replace an entry; True when it was created."""
    values: dict[str, Any] = {"category": category, "texts": texts_json(texts), "updated_at": now}
    if sort_order is not None:
        values["sort_order"] = sort_order
    if get_entry(session, entry_id) is not None:
        session.execute(update(E).where(E.c.id == entry_id).values(**values))
        return False
    session.execute(insert(E).values(id=entry_id, sort_order=sort_order or 0, **values))
    return True


def delete_entry(session: Session, entry_id: str) -> bool:
    """Remove an entry; False when there was none."""
    gone = session.execute(delete(E).where(E.c.id == entry_id))
    return bool(gone.rowcount)  # type: ignore[attr-defined]


def agree(session: Session, contributor_id: str, *, agreed: int, now: datetime) -> None:
    """Record that the worker agreed to this version, now."""
    session.execute(
        update(W)
        .where(W.c.id == contributor_id)
        .values(guideline_version=agreed, guideline_agreed_at=now, guideline_asked=agreed)
    )


def asked(session: Session, contributor_id: str, *, asked_version: int) -> None:
    """Record that the worker was asked about this version (so it is asked once)."""
    session.execute(update(W).where(W.c.id == contributor_id).values(guideline_asked=asked_version))


@dataclass(frozen=True)
class Agreement:
    """One worker's agreement: their name in LINE, the version (None: not yet) and when."""

    contributor_id: str
    display_name: str | None
    version: int | None
    agreed_at: datetime | None


def agreement_counts(session: Session) -> dict[int | None, int]:
    """How many workers agreed to each version (None: not yet), among those who follow."""
    rows = session.execute(
        select(W.c.guideline_version, func.count())
        .where(W.c.following.is_(True))
        .group_by(W.c.guideline_version)
    )
    return {row[0]: row[1] for row in rows}


def agreements(session: Session, *, limit: int) -> list[Agreement]:
    """The latest agreements first, then the workers who have not agreed yet."""
    rows = session.execute(
        select(W.c.id, W.c.display_name, W.c.guideline_version, W.c.guideline_agreed_at)
        .where(W.c.following.is_(True))
        .order_by(W.c.guideline_agreed_at.desc().nulls_last(), W.c.id)
        .limit(limit)
    )
    return [Agreement(*row) for row in rows]
