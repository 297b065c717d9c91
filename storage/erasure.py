"""Deleting everything of one worker on request (APPI): their data goes, one audit entry stays.

What goes, in one transaction: their submissions (drafts too), media rows and variants, any
other table's rows that point at those or at the contributor, their conversation state, the
webhook events they sent with the replies to those, their waiting jobs, and the contributor
row with its LINE user id and profile fields. A push sent to them alone stays as a bare row
(kind, cost, time: nothing of them), so the month's count against the push budget stays true;
they leave the recipients of multicasts. Audit entries about their records stay with
their details redacted. What stays is one `erase_worker` entry whose target is a hash of the
contributor id and which holds counts only. Doing it again finds that entry and changes
nothing. The stored files go right after the commit, and a purge job committed with the rows
makes sure they go even after a crash. A job of theirs running at that very moment is left to
finish (it holds a lease); if it was a new message, running the deletion again removes it.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Table, delete, select, update
from sqlmodel import Session

from storage import audit, pushes, removal
from storage.batches import chunks
from storage.blobs import BlobStore
from storage.db import Database
from storage.models import (
    AuditEntry,
    Contributor,
    Conversation,
    Job,
    PushMessage,
    ReplyOutbox,
    Submission,
    WebhookEvent,
)
from storage.states import JobState

C: Table = Contributor.__table__  # type: ignore[attr-defined]
S: Table = Submission.__table__  # type: ignore[attr-defined]
CV: Table = Conversation.__table__  # type: ignore[attr-defined]
W: Table = WebhookEvent.__table__  # type: ignore[attr-defined]
R: Table = ReplyOutbox.__table__  # type: ignore[attr-defined]
J: Table = Job.__table__  # type: ignore[attr-defined]
A: Table = AuditEntry.__table__  # type: ignore[attr-defined]
P: Table = PushMessage.__table__  # type: ignore[attr-defined]

ACTION = "erase_worker"
CODE = re.compile(r"^[A-Z0-9]{3}-[A-Z0-9]{3}$")
LINE_USER = re.compile(r"^U[0-9a-f]{32}$")

log = logging.getLogger("genba.privacy")


@dataclass(frozen=True)
class Erasure:
    """What a deletion removed (or, in a dry run, would remove)."""

    reference: str  # the hashed reference the audit entry carries
    found: bool  # False: nothing of this worker is stored
    already: bool  # True: an earlier deletion of this worker is on record
    submissions: int = 0
    media: int = 0
    events: int = 0
    jobs: int = 0
    files: int = 0
    dry_run: bool = False


def reference_of(contributor_id: str) -> str:
    """The hashed reference of a contributor kept in the audit log (no personal data)."""
    return hashlib.sha256(f"genba-erasure:{contributor_id}".encode()).hexdigest()[:32]


def find_contributor(session: Session, who: str) -> str | None:
    """The contributor id behind a contributor id, a submission code or a LINE user id."""
    who = who.strip()
    if CODE.match(who.upper()):
        row = session.execute(select(S.c.contributor_id).where(S.c.code == who.upper())).first()
        return None if row is None else str(row[0])
    column = C.c.line_user_id if LINE_USER.match(who) else C.c.id
    found = session.execute(select(C.c.id).where(column == who[:64])).first()
    return None if found is None else str(found[0])


def purge_key(reference: str) -> str:
    """The dedup key of the purge job a deletion commits with its rows."""
    return f"erase:{reference}"


def _on_record(session: Session, reference: str) -> bool:
    return (
        session.execute(
            select(A.c.id).where(
                (A.c.action == ACTION)
                & (A.c.target_type == "contributor")
                & (A.c.target_id == reference)
            )
        ).first()
        is not None
    )


def _user_keys(line_user_id: str) -> list[str]:
    # The ordering keys webhooks/ingest.py and the conversation worker give this user's jobs.
    return [f"user:{line_user_id[:75]}", f"batch:{line_user_id}", f"reply:{line_user_id}"]


def _leave_pushes(session: Session, cid: str) -> None:
    # A multicast (reminder, digest) says nothing of them: only their id leaves its recipients.
    # A push to them alone (feedback, a media notice) names their item: not yet sent, it goes;
    # sent, LINE counted it against this month's quota, so the row stays without anything of
    # them (recipients, words, a key naming their item, LINE's answer): its kind, cost and
    # time keep the month's push count (storage.pushes.used_since) true.
    rows = session.execute(
        select(P.c.id, P.c.recipients, P.c.state, P.c.kind).where(
            P.c.recipients.contains(cid, autoescape=True)
        )
    ).all()
    for push_id, raw, state, kind in rows:
        others = [r for r in json.loads(raw) if r != cid]
        if others:
            session.execute(
                update(P).where(P.c.id == push_id).values(recipients=json.dumps(others))
            )
        else:
            # A campaign's key names a day or month and a language, nothing of them.
            pushes.forget(session, push_id, state=state, keep_key=kind in pushes.CAMPAIGN_KINDS)


def erase_in(
    session: Session, who: str, *, actor: str, now: datetime, dry_run: bool
) -> tuple[Erasure, list[str]]:
    """The deletion's database part; returns what it did and the media ids whose files go."""
    cid = find_contributor(session, who)
    if cid is None:
        reference = reference_of(who.strip())
        return Erasure(reference, found=False, already=_on_record(session, reference)), []
    reference = reference_of(cid)
    line_user_id = str(session.execute(select(C.c.line_user_id).where(C.c.id == cid)).scalar_one())
    submission_ids = [
        str(i) for i in session.execute(select(S.c.id).where(S.c.contributor_id == cid)).scalars()
    ]
    # Their events by source id; an event kept whole without one (an unknown source type)
    # names them only inside its payload.
    theirs = (W.c.source_id == line_user_id) | W.c.payload.contains(line_user_id, autoescape=True)
    event_ids = [str(i) for i in session.execute(select(W.c.id).where(theirs)).scalars()]
    their_jobs = (J.c.state != JobState.RUNNING) & (
        J.c.ordering_key.in_(_user_keys(line_user_id))
        | J.c.payload.contains(line_user_id, autoescape=True)
        | J.c.payload.contains(cid, autoescape=True)
    )
    job_ids = [int(i) for i in session.execute(select(J.c.id).where(their_jobs)).scalars()]
    if dry_run:
        media_ids = removal.media_of(session, submission_ids)
        report = Erasure(
            reference,
            found=True,
            already=False,
            submissions=len(submission_ids),
            media=len(media_ids),
            events=len(event_ids),
            jobs=len(job_ids),
            dry_run=True,
        )
        return report, []
    media_ids = removal.remove_submissions(
        session, submission_ids, now=now, purge_key=purge_key(reference)
    )
    for part in chunks(event_ids):
        session.execute(delete(R).where(R.c.event_id.in_(part)))
        session.execute(delete(W).where(W.c.id.in_(part)))
    for job_part in chunks(job_ids):
        session.execute(delete(J).where(J.c.id.in_(job_part)))
    _leave_pushes(session, cid)
    removal.redact_audit(session, "contributor", [cid])
    for column in removal.referring_columns(C.c.id, skip=(S, CV)):
        session.execute(delete(column.table).where(column == cid))
    session.execute(delete(CV).where(CV.c.contributor_id == cid))
    session.execute(delete(C).where(C.c.id == cid))
    report = Erasure(
        reference,
        found=True,
        already=False,
        submissions=len(submission_ids),
        media=len(media_ids),
        events=len(event_ids),
        jobs=len(job_ids),
    )
    audit.record(
        session,
        actor=actor,
        action=ACTION,
        target_type="contributor",
        target_id=reference,
        detail={
            "submissions": report.submissions,
            "media": report.media,
            "events": report.events,
            "jobs": report.jobs,
        },
        now=now,
    )
    log.info(
        "erased worker %s: %d submissions, %d media", reference, len(submission_ids), len(media_ids)
    )
    return report, media_ids


def erase_worker(
    db: Database, blobs: BlobStore, who: str, *, actor: str, now: datetime, dry_run: bool = False
) -> Erasure:
    """Delete everything of the worker behind `who` (contributor id, submission code, LINE id)."""
    with db.write() as session:
        report, media_ids = erase_in(session, who, actor=actor, now=now, dry_run=dry_run)
    if not media_ids:
        return report
    files = removal.purge_files(db, blobs, media_ids, purge_key(report.reference))
    return Erasure(**{**report.__dict__, "files": files})
