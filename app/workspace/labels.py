"""Plain words for the pages: statuses, face choices, face checks, audit entries, company time.

The one mapping from the stored vocabularies to what PR staff read; the gallery, the item
page, the stats and the audit trail all use it (as Jinja filters, see `install`). The API
and the CSV keep the raw values and UTC times: they are a contract for scripts.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime, tzinfo
from typing import Any

from jinja2 import Environment

from app.admin.release import CheckState
from flows.types import Face, SubmissionStatus
from storage.states import FaceCheck
from storage.submissions import COMMENT_ONLY

STATUS: dict[str, str] = {
    SubmissionStatus.DRAFT: "Draft",
    SubmissionStatus.NEW: "New",
    SubmissionStatus.IN_REVIEW: "In review",
    SubmissionStatus.APPROVED: "Approved",
    SubmissionStatus.PUBLISHED: "Published",
    SubmissionStatus.REJECTED: "Rejected",
    SubmissionStatus.WITHDRAWN: "Withdrawn",
}
FACE: dict[str, str] = {
    Face.SHOW: "Faces may be shown",
    Face.BLUR: "Blur the faces",
    Face.NO_FACE: "No faces in it",
    COMMENT_ONLY: "No face choice (comment only)",
    "idea": "No face choice (an idea)",  # the stats' name for "no face choice"
}
CHECK: dict[str, str] = {
    CheckState.NOT_NEEDED: "not needed",
    CheckState.PENDING: "waiting for the photo to be processed",
    CheckState.TO_CONFIRM: "confirm the blur",
    CheckState.NEEDS_HUMAN_CHECK: "check by eye",
    CheckState.DONE: "done",
    CheckState.GONE: "no file",
    FaceCheck.CONFIRMED: "blur confirmed by a reviewer",
    FaceCheck.CORRECTED: "blurred image uploaded by a reviewer",
}
CREDIT = {"name": "their LINE name", "site": "their site or team", "anonymous": "anonymous"}
ACTION = {
    "review": "Review",
    "withdraw": "Withdrawn by the contributor",
    "unsend": "Sending undone by the contributor",
    "example": "Example for workers",
    "face_choice": "Face choice made",
    "face_change": "Face choice changed",
    "face_check": "Face check",
    "credit_choice": "Credit choice",
    "reactions": "Reactions entered",
    "export": "Exported",
    "download_original": "Unblurred original downloaded",
    "erase_worker": "Contributor's data deleted",
    "retention_purge": "Removed after the retention period",
}
FIELD = {
    "from": "from",
    "to": "to",
    "status": "status",
    "face": "face choice",
    "check": "result",
    "faces": "faces found",
    "note": "note",
    "review_note": "note",
    "example": "example",
    "published_platform": "platform",
    "published_url": "link",
    "published_at": "published at",
    "thanks_note": "thank-you",
    "count": "reactions",
    "media": "photos",
    "variant": "image",
    "reason": "reason",
    "sha256": "image fingerprint",
}
# Internal ids and bookkeeping a person cannot act on; the API still has them.
HIDDEN_FIELDS = frozenset({"submission", "token_id", "export", "new_id", "submissions"})


def status_label(value: object) -> str:
    """A submission status in words."""
    return STATUS.get(str(value), _words(value))


def face_label(value: object) -> str:
    """A face choice (or the comment-only filter) in words; None: no choice."""
    if value is None:
        return FACE[COMMENT_ONLY]
    return FACE.get(str(value), _words(value))


def check_label(value: object) -> str:
    """A face check state in words."""
    return CHECK.get(str(value), _words(value))


def action_label(value: object) -> str:
    """An audit action in words."""
    return ACTION.get(str(value), _words(value).capitalize())


def detail_text(detail: Mapping[str, Any], zone: tzinfo = UTC) -> str:
    """An audit entry's detail as a short sentence of plain words."""
    if "from" in detail and "status" in detail:
        rest = {k: v for k, v in detail.items() if k not in ("from", "status")}
        head = f"{status_label(detail['from'])} → {status_label(detail['status'])}"
        return "; ".join([head, *_pairs(rest, zone)])
    return "; ".join(_pairs(detail, zone))


def _pairs(detail: Mapping[str, Any], zone: tzinfo) -> list[str]:
    return [
        f"{FIELD.get(key, _words(key))}: {_value(key, value, zone)}"
        for key, value in detail.items()
        if key not in HIDDEN_FIELDS and value not in (None, "", "None")
    ]


def _value(key: str, value: Any, zone: tzinfo) -> str:
    if isinstance(value, bool) or value in ("True", "False"):
        return "yes" if value in (True, "True") else "no"
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    if key in ("from", "to", "face") and text in FACE:
        return face_label(text)
    if key in ("from", "to", "status") and text in STATUS:
        return status_label(text)
    if key == "check":
        return check_label(text)
    if key.endswith("_at"):
        try:
            return company_time(datetime.fromisoformat(text), zone)
        except ValueError:
            return text
    if key == "sha256":
        return text[:12] + "…"
    return CREDIT.get(text, text) if key in ("from", "to") else text


def _words(value: object) -> str:
    return str(value).replace("_", " ")


def zone_name(moment: datetime) -> str:
    """The zone's short name ("JST"), or its UTC offset ("+07:00") where it has none."""
    name = moment.strftime("%Z")
    if name.isalpha():
        return name
    offset = moment.strftime("%z")
    return f"{offset[:3]}:{offset[3:]}" if offset else "UTC"


def company_time(moment: datetime | None, zone: tzinfo = UTC, seconds: bool = False) -> str:
    """A stored instant as the company's clock shows it, with the zone: 2026-12-04 09:15 JST."""
    if moment is None:
        return "—"
    if moment.tzinfo is None:  # stored instants are UTC (SQLite hands them back naive)
        moment = moment.replace(tzinfo=UTC)
    local = moment.astimezone(zone)
    shown = local.strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")
    return f"{shown} {zone_name(local)}"


def plural(count: int, one: str, many: str | None = None) -> str:
    """ "1 worker", "2 workers": the count and the noun in the right number."""
    return f"{count} {one if count == 1 else (many or one + 's')}"


def install(env: Environment, zone: tzinfo) -> None:
    """Make these the templates' filters, times in the company's `zone`."""
    env.filters["status_label"] = status_label
    env.filters["face_label"] = face_label
    env.filters["check_label"] = check_label
    env.filters["action_label"] = action_label
    env.filters["plural"] = plural
    env.filters["company_time"] = lambda moment, seconds=False: company_time(moment, zone, seconds)
    env.filters["detail_text"] = lambda detail: detail_text(detail, zone)
    env.globals["face_label"] = face_label  # also callable, e.g. to label a table's rows
    env.globals["status_label"] = status_label
