"""The manifest of an export: one row per item, as CSV (for a spreadsheet) and as JSON.

Each row carries the item's consent record, so whoever uses a photo later can see what its
contributor agreed to, and the credit line they chose (storage/credits.py: "anonymous (not
chosen)" until they choose). Fields the data has no column for yet say "not yet".
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from app.admin.fields import rfc3339_utc
from storage.submissions import SubmissionRecord

NOT_YET = "not yet"
COLUMNS = (
    "code",
    "status",
    "theme",
    "face",
    "consent_time",
    "guideline_version",
    "credit_line",
    "comment",
    "files",
    "note",
)
# A cell starting with one of these is a formula to a spreadsheet: a comment such as
# "=HYPERLINK(...)" must stay text (OWASP "CSV injection").
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass
class ManifestRow:
    """One item of the export and what happened to it."""

    code: str
    status: str
    theme: str | None
    face: str | None
    consent_time: str | None
    guideline_version: str
    credit_line: str
    comment: str | None
    files: list[str] = field(default_factory=list)
    note: str | None = None


def row_for(record: SubmissionRecord) -> ManifestRow:
    """The manifest row of a submission, before its files are added."""
    submission = record.submission
    # The guideline version the contributor agreed to ("not yet" when they have not).
    guideline = record.guideline_version
    return ManifestRow(
        code=submission.code,
        status=submission.status,
        theme=submission.theme,
        face=submission.face,
        consent_time=rfc3339_utc(submission.face_chosen_at) if submission.face_chosen_at else None,
        guideline_version=NOT_YET if guideline is None else str(guideline),
        credit_line=record.credit_line,
        comment=submission.comment,
    )


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        value = " ".join(value)
    text = str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def manifest_csv(rows: list[ManifestRow]) -> bytes:
    """UTF-8 with a byte-order mark, so spreadsheet programs read Japanese text right."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in rows:
        values = asdict(row)
        writer.writerow([_cell(values[c]) for c in COLUMNS])
    return out.getvalue().encode("utf-8-sig")


def manifest_json(rows: list[ManifestRow], *, exported_at: datetime, export_id: str) -> bytes:
    """The same rows as a JSON document, with when and which export made them."""
    document = {
        "export": export_id,
        "exported_at": rfc3339_utc(exported_at),
        "items": [asdict(r) for r in rows if not r.note],
        "not_ready": [asdict(r) for r in rows if r.note],
    }
    return json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8")
