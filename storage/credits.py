"""How a worker may be credited when the PR team uses their photo, and the line that says so.

The worker chooses in the bot's settings: their LINE display name, their site (or team), or
anonymous. Until they choose, the credit line says plainly that nobody asked them yet, so the
PR team never invents a name.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Table, update
from sqlmodel import Session

from storage.models import Contributor

C: Table = Contributor.__table__  # type: ignore[attr-defined]

NAME = "name"
SITE = "site"
ANONYMOUS = "anonymous"
CHOICES = (NAME, SITE, ANONYMOUS)
NOT_CHOSEN_LINE = "anonymous (not chosen)"
ANONYMOUS_LINE = "anonymous"


def set_credit(session: Session, contributor_id: str, choice: str, *, now: datetime) -> None:
    """Record how the worker may be credited: name, site or anonymous."""
    if choice not in CHOICES:
        raise ValueError(f"unknown credit choice {choice!r}")
    session.execute(update(C).where(C.c.id == contributor_id).values(credit=choice, updated_at=now))


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
