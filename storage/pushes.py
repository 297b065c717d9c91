"""The push outbox: pushes and multicasts decided with a change, sent once by the worker.

A row is written in the transaction of whatever decided it (a publication, a reminder), with a
random X-Line-Retry-Key, so a retried send never arrives twice. The monthly budget counts what
LINE counts: one message per recipient of a request, however many message objects it holds.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Table, delete, func, or_, select, update
from sqlmodel import Session

from storage.batches import chunks
from storage.dialect import insert_ignore
from storage.models import Contributor, PushMessage, Submission

T: Table = PushMessage.__table__  # type: ignore[attr-defined]
C: Table = Contributor.__table__  # type: ignore[attr-defined]
S: Table = Submission.__table__  # type: ignore[attr-defined]

PENDING, SENT, SKIPPED, FAILED = "pending", "sent", "skipped", "failed"
MAX_RECIPIENTS = 500  # LINE's multicast limit per request
# What each kind of push needs the worker to have agreed to (Contributor.notices).
NOTICES_FOR = {
    "feedback": ("all", "feedback"),
    "reminder": ("all",),
    "digest": ("all",),
    # About their own file that could not be used: a service message, not a notice one opts into.
    "media_notice": ("all", "feedback", "none"),
    # The PR team's reason for not using an item: feedback, as "your photo was used" is.
    "rejection": ("all", "feedback"),
}
# A push about one item that must still hold when it is sent: kind -> the status the item must
# still have. Its dedup key is "<kind>:<submission id>" (app/pushes/feedback.py). An item the
# worker withdrew, that was deleted (retention, erasure) or taken back into review is not told.
ABOUT_ITEM = {"rejection": "rejected"}
NOTICE_CHOICES = ("all", "feedback", "none")


@dataclass(frozen=True)
class Recipient:
    """A contributor a push may go to: our id, the LINE id and their language."""

    contributor_id: str
    line_user_id: str
    language: str | None


def add(
    session: Session,
    *,
    kind: str,
    recipients: Sequence[str],
    messages: list[dict[str, Any]],
    not_before: datetime,
    now: datetime,
    dedup_key: str | None = None,
) -> int | None:
    """Queue one push (1 recipient) or multicast (up to 500); None if dedup_key exists."""
    if not 1 <= len(recipients) <= MAX_RECIPIENTS:
        raise ValueError(f"a push goes to 1..{MAX_RECIPIENTS} recipients, not {len(recipients)}")
    if not 1 <= len(messages) <= 5:
        raise ValueError("a push carries 1..5 messages")
    row = session.execute(
        insert_ignore(session, T)
        .values(
            kind=kind,
            recipients=json.dumps(list(recipients)),
            messages=json.dumps(messages, ensure_ascii=False),
            retry_key=str(uuid.uuid4()),
            dedup_key=dedup_key,
            state=PENDING,
            attempts=0,
            cost=0,
            not_before=not_before,
            waiting_for_budget=False,
            created_at=now,
        )
        .returning(T.c.id)
    ).first()
    return None if row is None else int(row[0])


def get(session: Session, push_id: int) -> PushMessage | None:
    """The outbox row, or None."""
    return session.get(PushMessage, push_id)


# The language the worker chose in the settings comes before their LINE profile's.
SPOKEN = func.coalesce(C.c.chosen_language, C.c.language)


def recipients_of(session: Session, row: PushMessage) -> list[Recipient]:
    """Who of the row's recipients still follows and still wants this kind of push."""
    wanted = NOTICES_FOR.get(row.kind, ("all", "feedback"))
    if not _item_still_holds(session, row):
        return []
    ids = json.loads(row.recipients)
    found = session.execute(
        select(C.c.id, C.c.line_user_id, SPOKEN)
        .where(C.c.id.in_(ids) & C.c.following.is_(True) & C.c.notices.in_(wanted))
        .order_by(C.c.id)
    ).all()
    return [Recipient(r[0], r[1], r[2]) for r in found]


def item_key(kind: str, submission_id: str) -> str:
    """The dedup key of a push about one submission (an ITEM_KEYS kind): "<kind>:<id>"."""
    return f"{kind}:{submission_id}"


def state_by_key(session: Session, dedup_key: str) -> str | None:
    """The state of the push queued under `dedup_key`, or None when none was."""
    found = session.execute(select(T.c.state).where(T.c.dedup_key == dedup_key)).scalar()
    return None if found is None else str(found)


def drop_unsent(session: Session, dedup_key: str) -> bool:
    """Delete the row queued under `dedup_key` if it has not gone yet; True if one went."""
    result = session.execute(delete(T).where((T.c.dedup_key == dedup_key) & (T.c.state == PENDING)))
    return bool(result.rowcount)  # type: ignore[attr-defined]


def forget(session: Session, push_id: int, *, state: str, keep_key: bool = False) -> None:
    """Leave nothing of anyone in a row: unsent it goes; sent it stays bare.

    A sent row keeps its kind, cost and time: LINE counted it against this month's quota, so
    `used_since` stays true. Recipients, words, LINE's answer and (unless `keep_key`: a
    campaign's key names a day or month and a language) the key naming an item go.
    """
    if state != SENT:
        session.execute(delete(T).where(T.c.id == push_id))
        return
    bare: dict[str, Any] = {"recipients": "[]", "messages": "[]", "error": None}
    if not keep_key:
        bare["dedup_key"] = None
    session.execute(update(T).where(T.c.id == push_id).values(bare))


# Keys of pushes about one submission (app/pushes/feedback.py): "<kind>:<id>", and a reaction
# count's "reactions:<id>:<count>".
ITEM_KEYS = ("published", "rejection")
_LIKES = 50  # submissions per statement of LIKE clauses


def forget_items(
    session: Session, submission_ids: Sequence[str], notice_keys: Sequence[str] = ()
) -> int:
    """Forget the pushes about these submissions (`forget`): feedback, a rejection's reason,
    reaction counts, and the media notices under `notice_keys`; returns how many rows."""
    found: dict[int, str] = {}
    exact = [item_key(kind, sid) for sid in submission_ids for kind in ITEM_KEYS]
    exact += notice_keys
    for part in chunks(exact):
        query = select(T.c.id, T.c.state).where(T.c.dedup_key.in_(part))
        found |= {int(r[0]): str(r[1]) for r in session.execute(query)}
    for part in chunks(submission_ids, _LIKES):
        counts = [T.c.dedup_key.startswith(f"reactions:{sid}:", autoescape=True) for sid in part]
        query = select(T.c.id, T.c.state).where(or_(*counts))
        found |= {int(r[0]): str(r[1]) for r in session.execute(query)}
    for push_id, state in found.items():
        forget(session, push_id, state=state)
    return len(found)


def _item_still_holds(session: Session, row: PushMessage) -> bool:
    status = ABOUT_ITEM.get(row.kind)
    if status is None:
        return True
    prefix = f"{row.kind}:"
    key = row.dedup_key or ""
    if not key.startswith(prefix):
        return False
    found = session.execute(
        select(S.c.status).where(S.c.id == key.removeprefix(prefix))
    ).scalar_one_or_none()
    return found == status


def audience(session: Session, kind: str) -> list[Recipient]:
    """Every following contributor who wants this kind of push, in id order."""
    wanted = NOTICES_FOR.get(kind, ("all",))
    found = session.execute(
        select(C.c.id, C.c.line_user_id, SPOKEN)
        .where(C.c.following.is_(True) & C.c.notices.in_(wanted))
        .order_by(C.c.id)
    ).all()
    return [Recipient(r[0], r[1], r[2]) for r in found]


def used_since(session: Session, start: datetime) -> int:
    """Messages sent since `start` (the month's beginning), as LINE counts them."""
    total = session.execute(
        select(func.coalesce(func.sum(T.c.cost), 0)).where(
            (T.c.state == SENT) & (T.c.sent_at >= start)
        )
    ).scalar_one()
    return int(total)


def counts(session: Session) -> dict[str, int]:
    """Rows per state, plus `waiting` (pending rows held back by the budget)."""
    found = {
        str(state): int(n)
        for state, n in session.execute(select(T.c.state, func.count()).group_by(T.c.state))
    }
    waiting = session.execute(
        select(func.count()).where((T.c.state == PENDING) & T.c.waiting_for_budget.is_(True))
    ).scalar_one()
    return {s: int(found.get(s, 0)) for s in (PENDING, SENT, SKIPPED, FAILED)} | {
        "waiting": int(waiting)
    }


@dataclass
class Campaign:
    """A reminder or digest as its outbox rows ended: rows per state, LINE's first refusal."""

    kind: str
    key: str  # the day of a reminder, the month of a digest
    queued_at: datetime
    not_before: datetime
    states: dict[str, int]
    error: str | None

    @property
    def outcome(self) -> str:
        """failed (any row LINE refused), waiting (any row still pending), sent or skipped."""
        for state in (FAILED, PENDING, SENT):
            if self.states.get(state):
                return "waiting" if state == PENDING else state
        return SKIPPED


CAMPAIGN_KINDS = ("reminder", "digest")


def campaigns(session: Session, *, limit: int = 10) -> list[Campaign]:
    """The latest reminders and digests (their rows grouped by dedup key), newest first."""
    rows = session.execute(
        select(T.c.kind, T.c.dedup_key, T.c.state, T.c.created_at, T.c.not_before, T.c.error)
        .where(T.c.kind.in_(CAMPAIGN_KINDS) & T.c.dedup_key.is_not(None))
        .order_by(T.c.id.desc())
        .limit(limit * 20)  # a campaign is a row per language and 500 people
    ).all()
    found: dict[tuple[str, str], Campaign] = {}
    for kind, dedup_key, state, created_at, not_before, error in rows:
        # Campaign dedup keys are "kind:key:language:index" (app/pushes/campaigns.py).
        parts = str(dedup_key).split(":")
        key = parts[1] if len(parts) > 1 else ""
        seen = found.get((kind, key))
        if seen is None:
            if len(found) == limit:
                continue
            seen = found[(kind, key)] = Campaign(kind, key, created_at, not_before, {}, None)
        seen.states[state] = seen.states.get(state, 0) + 1
        if error and state == FAILED:
            seen.error = str(error)  # rows come newest first: this keeps the oldest refusal
    return list(found.values())


def tried(session: Session, push_id: int, *, waiting: bool, error: str | None = None) -> None:
    """Count an attempt (or a wait for the budget) of a pending row."""
    values: dict[str, Any] = {"waiting_for_budget": waiting}
    if not waiting:
        values["attempts"] = T.c.attempts + 1
    if error is not None:
        values["error"] = error[:500]
    session.execute(update(T).where((T.c.id == push_id) & (T.c.state == PENDING)).values(values))


def finish(
    session: Session,
    push_id: int,
    *,
    state: str,
    now: datetime,
    cost: int = 0,
    error: str | None = None,
) -> None:
    """Record how sending ended: sent (with its cost), skipped (nobody left) or failed."""
    session.execute(
        update(T)
        .where((T.c.id == push_id) & (T.c.state == PENDING))
        .values(
            state=state,
            cost=cost,
            waiting_for_budget=False,
            sent_at=now if state == SENT else None,
            error=error and error[:500],
        )
    )


def set_notices(session: Session, contributor_id: str, choice: str, *, now: datetime) -> None:
    """Record which pushes a worker wants: all, feedback or none."""
    if choice not in NOTICE_CHOICES:
        raise ValueError(f"unknown notice choice {choice!r}")
    session.execute(
        update(C).where(C.c.id == contributor_id).values(notices=choice, updated_at=now)
    )
