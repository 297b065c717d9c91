"""How a worker may be credited when the PR team uses their photo, and the line that says so.

The worker chooses in the bot's settings: their LINE display name, their site (or team), or
anonymous. Until they choose, the credit line says plainly that nobody asked them yet, so the
PR team never invents a name.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Table, select, update
from sqlmodel import Session

from storage import audit
from storage.models import Contributor

C: Table = Contributor.__table__  # type: ignore[attr-defined]

NAME = "name"
SITE = "site"
ANONYMOUS = "anonymous"
CHOICES = (NAME, SITE, ANONYMOUS)
NOT_CHOSEN_LINE = "anonymous (not chosen)"
ANONYMOUS_LINE = "anonymous"


def set_credit(session: Session, contributor_id: str, choice: str, *, now: datetime) -> bool:
    """Record how the worker may be credited (name, site, anonymous); False if unchanged."""
    if choice not in CHOICES:
        raise ValueError(f"unknown credit choice {choice!r}")
    was = session.execute(select(C.c.credit).where(C.c.id == contributor_id)).scalar_one_or_none()
    # Only a real change is written and audited: a double tap, even one raced past the flow's
    # own check, leaves one entry.
    result = session.execute(
        update(C)
        .where((C.c.id == contributor_id) & C.c.credit.is_distinct_from(choice))
        .values(credit=choice, updated_at=now)
    )
    if not result.rowcount:  # type: ignore[attr-defined]
        return False
    audit.record(
        session,
        actor="worker",
        action="credit_choice",
        target_type="contributor",
        target_id=contributor_id,
        detail={"from": was, "to": choice},
        now=now,
    )
    return True


def credit_line(
    choice: str | None,
    *,
    display_name: str | None,
    site_name: str | None,
    current_site: str | None = None,
) -> str:
    """The credit line for a submission: the name or site the worker allowed, else anonymous.

    `site_name` is the site stamped on the submission, `current_site` the worker's site now
    (used when the submission has none). A choice that cannot be honoured (no name, no site)
    falls back to anonymous wording rather than to something the worker did not choose.
    """
    if choice == NAME and display_name and display_name.strip():
        return display_name.strip()
    if choice == SITE:
        site = (site_name or "").strip() or (current_site or "").strip()
        if site:
            return site
    if choice in CHOICES:
        return ANONYMOUS_LINE
    return NOT_CHOSEN_LINE
