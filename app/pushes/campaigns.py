"""Reminders and the monthly "what we posted" message: who gets them, batched for multicast.

Both go only to workers who chose all notices (storage.pushes.NOTICES_FOR), in each worker's
language: the audience is grouped by language and cut into multicasts of at most 500. A reminder
is at most one a day and a digest one a month (their outbox dedup keys say so), so a form sent
twice never reaches anyone twice.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from app.admin.release import allowed_variant
from app.pushes.outbox import queue_push
from app.pushes.policy import PushPolicy
from app.pushes.shared_media import MediaLinks
from app.pushes.theme_titles import theme_title
from storage import audit, pushes, stats, submissions
from storage.db import Database
from storage.models import Theme
from webhooks import notices
from webhooks.i18n import Catalogue

SAMPLE = 20  # masked ids shown in a preview
PICTURES = 4  # images after a digest's text: LINE takes five messages a push


class NothingToSend(Exception):
    """The campaign has no audience or no content, or was scheduled before."""


class AlreadyScheduled(NothingToSend):
    """This reminder's day or this digest's month was scheduled before (its outbox keys)."""


class NobodyToTell(NothingToSend):
    """No worker has chosen these messages yet: one who does later makes it worth sending."""


class NothingPublished(NothingToSend):
    """The digest's month has no published item: there is nothing to tell, ever."""


@dataclass(frozen=True)
class Preview:
    """Who a campaign would reach: how many, in which languages, a few masked ids."""

    count: int
    batches: int
    languages: dict[str, int]
    sample: list[str]


@dataclass(frozen=True)
class Scheduled:
    """A campaign put in the outbox: recipients, multicasts, and when it goes."""

    count: int
    batches: int
    not_before: datetime


@dataclass(frozen=True)
class Posted:
    """A published item of the month, and which of its images a digest may show."""

    submission_id: str
    code: str
    theme: str
    url: str
    face: str | None
    picture: tuple[str, str] | None  # (media id, variant) the face choice allows, if any


MONTH = re.compile(r"(20[0-9]{2})-(0[1-9]|1[0-2])")


def valid_month(month: str) -> bool:
    """True for 'YYYY-MM' in ASCII digits with a real month (2000-2099)."""
    return MONTH.fullmatch(month) is not None


def mask(line_user_id: str) -> str:
    """A LINE user id cut to its first characters: enough to tell rows apart, not to reach one."""
    return line_user_id[:5] + "…"


def _by_language(
    recipients: Sequence[pushes.Recipient], catalogue: Catalogue
) -> dict[str, list[pushes.Recipient]]:
    groups: dict[str, list[pushes.Recipient]] = defaultdict(list)
    for r in recipients:
        groups[catalogue.negotiate(r.language)].append(r)
    return dict(sorted(groups.items()))


def _batches(groups: dict[str, list[pushes.Recipient]]) -> list[tuple[str, int, list[str]]]:
    out = []
    for language, people in groups.items():
        for i in range(0, len(people), pushes.MAX_RECIPIENTS):
            chunk = people[i : i + pushes.MAX_RECIPIENTS]
            out.append((language, i // pushes.MAX_RECIPIENTS, [r.contributor_id for r in chunk]))
    return out


def preview(db: Database, catalogue: Catalogue, kind: str = "reminder") -> Preview:
    """Who a reminder (or digest) sent now would reach."""
    with db.read() as session:
        recipients = pushes.audience(session, kind)
    groups = _by_language(recipients, catalogue)
    return Preview(
        count=len(recipients),
        batches=len(_batches(groups)),
        languages={lang: len(people) for lang, people in groups.items()},
        sample=[mask(r.line_user_id) for r in recipients[:SAMPLE]],
    )


def _schedule(
    session: Session,
    *,
    kind: str,
    key: str,
    catalogue: Catalogue,
    policy: PushPolicy,
    compose: Callable[[str], list[dict[str, Any]]],
    at: datetime | None,
    now: datetime,
) -> Scheduled:
    groups = _by_language(pushes.audience(session, kind), catalogue)
    batches = _batches(groups)
    if not batches:
        raise NobodyToTell("nobody has chosen to get these messages yet")
    count = sum(len(ids) for _, _, ids in batches)
    not_before = policy.next_allowed(max(at or now, now))
    for language, index, ids in batches:
        queued = queue_push(
            session,
            kind=kind,
            recipients=ids,
            messages=compose(language),
            policy=policy,
            now=now,
            at=not_before,
            dedup_key=f"{kind}:{key}:{language}:{index}",
        )
        if queued is None:
            raise AlreadyScheduled(f"a {kind} for {key} was scheduled already")
    return Scheduled(count=count, batches=len(batches), not_before=not_before)


def schedule_reminder(
    db: Database,
    *,
    catalogue: Catalogue,
    policy: PushPolicy,
    at: datetime | None,
    actor: str,
    now: datetime,
) -> Scheduled:
    """Queue the gentle reminder for `at` (or now), after quiet hours; one per day at most."""
    with db.write() as session:
        day = (policy.next_allowed(max(at or now, now))).astimezone(policy.zone).date().isoformat()
        done = _schedule(
            session,
            kind="reminder",
            key=day,
            catalogue=catalogue,
            policy=policy,
            compose=lambda language: notices.reminder(catalogue, language),
            at=at,
            now=now,
        )
        _audit(session, "reminder", day, done, actor, now)
        return done


def schedule_digest(
    db: Database,
    *,
    catalogue: Catalogue,
    policy: PushPolicy,
    month: str,
    actor: str,
    now: datetime,
    links: MediaLinks | None = None,
) -> Scheduled:
    """Queue "what we posted in `month`" ('YYYY-MM'); once per month.

    With `links` to an https address, up to four pictures follow the text, each one the face
    choice allows.
    """
    with db.write() as session:
        posts = posted(session, policy, month)
        if not posts:
            raise NothingPublished(f"nothing was published in {month}")
        titles = _theme_titles(session)

        pictures = _picture_messages(posts, links, now)

        def compose(language: str) -> list[dict[str, Any]]:
            pairs = [(_title(titles, p.theme, language), p.url) for p in posts]
            return [*notices.digest(catalogue, language, month=month, posts=pairs), *pictures]

        done = _schedule(
            session,
            kind="digest",
            key=month,
            catalogue=catalogue,
            policy=policy,
            compose=compose,
            at=None,
            now=now,
        )
        _audit(session, "digest", month, done, actor, now)
        return done


def posted(session: Session, policy: PushPolicy, month: str) -> list[Posted]:
    """The items published in `month` (company time zone), oldest first."""
    if not valid_month(month):
        raise ValueError(f"not a month: {month!r}")
    year, number = (int(part) for part in month.split("-"))
    start = datetime(year, number, 1, tzinfo=policy.zone)
    end = policy.next_month_start(start)
    items = stats.published_between(session, start, end)
    pictures = _pictures(session, [(s.id, s.face) for s in items])
    return [
        Posted(
            submission_id=s.id,
            code=s.code,
            theme=s.theme or "",
            url=s.published_url or "",
            face=s.face,
            picture=pictures.get(s.id),
        )
        for s in items
    ]


def _picture_messages(
    posts: Sequence[Posted], links: MediaLinks | None, now: datetime
) -> list[dict[str, Any]]:
    """LINE image messages of the allowed pictures: at most 4, after the text (5 per push).

    None when LINE could not fetch them (no https public address): LINE refuses the whole
    push for one http image URL, so the digest is then text only.
    """
    if links is None or not links.reach_line:
        return []
    found = []
    for post in posts:
        if post.picture is None:
            continue
        url = links.url(*post.picture, now=now)
        if url is not None:
            found.append({"type": "image", "originalContentUrl": url, "previewImageUrl": url})
        if len(found) == PICTURES:
            break
    return found


def _pictures(
    session: Session, items: Sequence[tuple[str, str | None]]
) -> dict[str, tuple[str, str]]:
    # The one rule of what may leave (app/admin/release.py): a blur photo only blurred and
    # checked, never its original; the thumbnail size, as the digest shows small pictures.
    found = {}
    for submission_id, face in items:
        record = submissions.get(session, submission_id)
        for m in record.media if record is not None else ():
            name = allowed_variant(face, m, size="thumbnail")
            if name is not None:
                found[submission_id] = (m.media.id, name)
                break
    return found


def _theme_titles(session: Session) -> dict[str, Theme]:
    return {t.slug: t for t in session.execute(select(Theme)).scalars()}


def _title(titles: dict[str, Theme], slug: str, language: str) -> str:
    theme = titles.get(slug)
    if theme is None:
        return slug or "—"
    return theme_title(theme, language)


def _audit(
    session: Session, action: str, key: str, done: Scheduled, actor: str, now: datetime
) -> None:
    audit.record(
        session,
        actor=actor,
        action=action,
        target_type="campaign",
        target_id=key,
        detail={"recipients": done.count, "batches": done.batches},
        now=now,
    )
