"""Sites (stores, factories): kept by an admin, picked by workers, stamped on each submission."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Table, insert, select, update
from sqlmodel import Session
from ulid import ULID

from flows.sites import natural_key
from storage import audit
from storage.models import Contributor, Site, Submission

T: Table = Site.__table__  # type: ignore[attr-defined]
C: Table = Contributor.__table__  # type: ignore[attr-defined]
S: Table = Submission.__table__  # type: ignore[attr-defined]
MAX_NAME = 100


def list_all(session: Session, *, retired: bool = False) -> list[Site]:
    """Sites by name, numbers as numbers (第2 before 第10), then id; retired ones when asked."""
    query = select(Site).execution_options(populate_existing=True)
    if not retired:
        query = query.where(T.c.retired_at.is_(None))
    return sorted(session.execute(query).scalars(), key=lambda s: (natural_key(s.name), s.id))


def get(session: Session, site_id: str) -> Site | None:
    """One site, retired or not, as stored now (changes go through Core, past the ORM's cache)."""
    found: Site | None = session.execute(
        select(Site).where(T.c.id == site_id).execution_options(populate_existing=True)
    ).scalar_one_or_none()
    return found


def create(session: Session, *, name: str, actor: str, now: datetime) -> Site:
    """Add a site; audited."""
    site_id = str(ULID())
    session.execute(insert(T).values(id=site_id, name=name, created_at=now, updated_at=now))
    audit.record(
        session,
        actor=actor,
        action="site_create",
        target_type="site",
        target_id=site_id,
        detail={"name": name},
        now=now,
    )
    found = get(session, site_id)
    assert found is not None
    return found


def rename(session: Session, site_id: str, *, name: str, actor: str, now: datetime) -> bool:
    """Rename a site (submissions keep the name they were sent under); audited."""
    old = get(session, site_id)
    if old is None:
        return False
    session.execute(update(T).where(T.c.id == site_id).values(name=name, updated_at=now))
    audit.record(
        session,
        actor=actor,
        action="site_rename",
        target_type="site",
        target_id=site_id,
        detail={"from": old.name, "to": name},
        now=now,
    )
    return True


def retire(session: Session, site_id: str, *, actor: str, now: datetime) -> bool:
    """Retire a site: workers who had it are asked again; submissions keep its name. Audited."""
    result = session.execute(
        update(T)
        .where((T.c.id == site_id) & T.c.retired_at.is_(None))
        .values(retired_at=now, updated_at=now)
    )
    if not result.rowcount:  # type: ignore[attr-defined]
        return get(session, site_id) is not None  # retiring twice is no error
    audit.record(
        session,
        actor=actor,
        action="site_retire",
        target_type="site",
        target_id=site_id,
        detail={},
        now=now,
    )
    return True


def set_worker_site(
    session: Session, contributor_id: str, *, site_id: str | None, now: datetime
) -> bool:
    """Record the worker's site (None: none); only an active site can be chosen."""
    if site_id is not None:
        found = get(session, site_id)
        if found is None or found.retired_at is not None:
            return False
    session.execute(
        update(C).where(C.c.id == contributor_id).values(site_id=site_id, updated_at=now)
    )
    return True


def stamp(session: Session, *, submission_id: str, contributor_id: str) -> None:
    """Record the worker's current (active) site, by id and name, on a submission."""
    row = session.execute(
        select(T.c.id, T.c.name)
        .join(C, C.c.site_id == T.c.id)
        .where((C.c.id == contributor_id) & T.c.retired_at.is_(None))
    ).first()
    if row is not None:
        session.execute(
            update(S)
            .where((S.c.id == submission_id) & (S.c.contributor_id == contributor_id))
            .values(site_id=row[0], site_name=row[1])
        )
