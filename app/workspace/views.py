"""What the gallery and item pages show: filters read from the query, cards, photos, entries.

Pure functions of stored records and query strings, shared by the page routes (pages.py) and
the export page (export_pages.py).
"""

import json
from collections.abc import Mapping
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any
from urllib.parse import urlencode

from fastapi import Request

from app.admin import release, review
from app.admin.fields import FACE_FILTERS, LISTED_STATUSES, plausible_id
from app.admin.release import Size
from flows.types import SubmissionStatus
from storage import submissions

PAGE_SIZE = 24


def page_limit(raw: str | None) -> int:
    try:
        wanted = int(raw or PAGE_SIZE)
    except ValueError:
        return PAGE_SIZE
    return max(1, min(wanted, review.MAX_LIMIT))


def filters_of(
    request: Request,
) -> tuple[submissions.SubmissionFilter, dict[str, str], list[str]]:
    """The gallery filters from the query; a bad value is dropped with a note, never a crash."""
    params = request.query_params
    zone = company_zone(request)
    problems: list[str] = []
    chosen: dict[str, str] = {}

    def pick(name: str, allowed: list[str]) -> str | None:
        value = params.get(name) or None
        if value is not None and value not in allowed:
            problems.append(f"unknown {name}: ignored")
            return None
        if value is not None:
            chosen[name] = value
        return value

    status = pick("status", list(LISTED_STATUSES))
    face = pick("face", list(FACE_FILTERS))
    theme = params.get("theme") or None
    if theme is not None and (len(theme) > 40 or not theme.isprintable()):
        problems.append("unknown theme: ignored")
        theme = None
    if theme:
        chosen["theme"] = theme
    site = params.get("site") or None
    if site is not None and not plausible_id(site):
        problems.append("unknown site: ignored")
        site = None
    if site:
        chosen["site"] = site
    needs_check = pick("check", ["needed"]) == "needed"
    q = "".join(c for c in (params.get("q") or "")[:200] if c.isprintable()).strip() or None
    if q:
        chosen["q"] = q
    first = _day(params.get("since"), problems, "from")
    last = _day(params.get("until"), problems, "to")
    since = until = None
    if first:
        chosen["since"] = first.isoformat()
        since = _start_of(first, zone)
    if last:
        chosen["until"] = last.isoformat()
        until = _start_of(last + timedelta(days=1), zone)  # "to" includes that whole day
    wanted = submissions.SubmissionFilter(
        status=None if status is None else SubmissionStatus(status),
        theme=theme,
        face=face,
        site=site,
        needs_check=needs_check,
        since=since,
        until=until,
        q=q,
    )
    return wanted, chosen, problems


def company_zone(request: Request) -> tzinfo:
    """The company's time zone, whose days the date filters mean (UTC if none was set)."""
    zone = getattr(request.app.state, "workspace_zone", None)
    return zone if isinstance(zone, tzinfo) else UTC


def _day(raw: str | None, problems: list[str], label: str) -> date | None:
    if not raw:
        return None
    try:
        return date.fromisoformat(raw[:10])
    except ValueError:
        problems.append(f"the {label} date is not a date: ignored")
        return None


def _start_of(day: date, zone: tzinfo) -> datetime:
    """The instant (UTC) the company's `day` begins: 23:30 JST on the 3rd is on the 3rd."""
    return datetime.combine(day, time(), tzinfo=zone).astimezone(UTC)


def query_of(values: Mapping[str, str | None]) -> str:
    """A query string of the values that are set."""
    return urlencode({k: v for k, v in values.items() if v})


def shown_image(face: str | None, m: submissions.MediaRecord, size: Size) -> str | None:
    """The variant the pages show: a blurred-only photo only blurred (None: none yet)."""
    if m.media.status != "ready":
        return None
    shown = release.shown_variants(face, m)
    order = SMALL_FIRST if size == "thumbnail" else LARGE_FIRST
    return next((v for v in order if v in shown), None)


def blur_note(face: str | None, m: submissions.MediaRecord) -> str | None:
    """What stands in for a blurred-only photo with no blurred image yet (None: not one)."""
    if not release.rule_of(face, m).blurred_only:
        return None
    if m.media.faces == 0:
        # The detector made no blurred image because it saw no face: only a person can tell.
        return "No face found — check by eye, and upload a blurred image if needed"
    if m.media.faces is None:
        return "Faces not counted — check by eye, and upload a blurred image"
    return "Blurred image not made yet"


SMALL_FIRST = ("thumbnail", "blurred_thumb", "original", "blurred")
LARGE_FIRST = ("original", "blurred", "thumbnail", "blurred_thumb")


def card_of(record: submissions.SubmissionRecord) -> dict[str, Any]:
    """What a template shows of a submission (a blur item only ever blurred)."""
    s = record.submission
    ready = [m for m in record.media if m.media.status == "ready"]
    first = ready[0] if ready else None
    thumb = shown_image(s.face, first, "thumbnail") if first else None
    blockers = release.approval_blockers(record)
    return {
        "id": s.id,
        "code": s.code,
        "status": s.status,
        "kind": s.kind,
        "theme": s.theme,
        "face": s.face,
        "face_chosen_at": s.face_chosen_at,
        "comment": s.comment or "",
        "review_note": s.review_note,
        "platform": s.published_platform,
        "url": s.published_url,
        "thanks_note": s.thanks_note,
        "reactions": s.reactions,
        "created_at": s.created_at,
        "submitted_at": s.submitted_at,
        "contributor": record.display_name,
        "site": s.site_name,
        "example": bool(s.example),
        "guideline_version": record.guideline_version,
        "credit": record.credit,
        "credit_line": record.credit_line,
        "guideline_agreed_at": record.guideline_agreed_at,
        "photos": len(record.media),
        "thumb": f"/admin/media/{first.media.id}/{thumb}" if first and thumb else None,
        "blur_pending": blur_note(s.face, first) if first and thumb is None else None,
        "faces_found": sum(m.media.faces or 0 for m in record.media),
        "needs_check": bool(blockers),
        "blockers": blockers,
    }


def photo_of(record: submissions.SubmissionRecord, m: submissions.MediaRecord) -> dict[str, Any]:
    face = record.submission.face
    shown = shown_image(face, m, "full")
    rule = release.rule_of(face, m)
    return {
        "id": m.media.id,
        "status": m.media.status,
        "src": f"/admin/media/{m.media.id}/{shown}" if shown else None,
        "blur_pending": blur_note(face, m) if shown is None and m.media.status == "ready" else None,
        "faces": m.media.faces,
        "check": str(rule.check),
        "check_text": release.explain(face, m),
        "can_confirm": rule.can_confirm and rule.check is not release.CheckState.DONE,
        "locked_original": rule.blurred_only and "original" in m.variants,
        "can_upload": release.upload_refusal(face, m) is None,
    }


def entry_of(e: Any) -> dict[str, Any]:
    try:
        detail = json.loads(e.detail)
    except ValueError:
        detail = {}
    if not isinstance(detail, dict):
        detail = {}
    return {"at": e.at, "actor": e.actor, "action": e.action, "detail": detail}
