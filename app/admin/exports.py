"""The export service: which items an export takes, and the streamed ZIP of them.

The API (`POST /api/v1/exports`) and the page (`/admin/export`) both call `choose` and
`export_zip`. Only approved and published items leave. Each item is looked at again just
before its files are written, so an item withdrawn while a long export streams is left out
from then on; the manifest is written last and lists exactly what the archive holds.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime

from ulid import ULID

from app.admin.export_manifest import ManifestRow, manifest_csv, manifest_json, row_for
from app.admin.fields import plausible_id
from app.admin.media import EXTENSIONS
from app.admin.release import allowed_variant
from app.admin.zip_stream import ZipMember, zip_stream
from flows.types import SubmissionStatus
from storage import audit, submissions
from storage import media as media_store
from storage.blobs import BlobStore, BlobStoreError, OpenBlob
from storage.db import Database
from storage.states import MediaStatus

EXPORTABLE = (SubmissionStatus.APPROVED, SubmissionStatus.PUBLISHED)
MAX_ITEMS = 500  # per export: what one request may select or a filter may take
NOT_READY = "not ready: {n} photo(s) have no exportable variant yet (blurred variant not made)"
NO_PHOTO = "not ready: no stored photo"
FILE_MISSING = "not ready: a stored file is missing"


@dataclass(frozen=True)
class Chosen:
    """The submissions an export will take, in order, and those it was asked for but refused."""

    ids: tuple[str, ...]
    refused: int


def choose(
    db: Database,
    *,
    ids: Sequence[str] | None = None,
    wanted: submissions.SubmissionFilter | None = None,
    limit: int = MAX_ITEMS,
) -> Chosen:
    """Exportable submissions by id (in the order given) or by filter (newest first)."""
    limit = max(1, min(limit, MAX_ITEMS))
    with db.read() as session:
        if ids is not None:
            unique = list(dict.fromkeys(i for i in ids if plausible_id(i)))[:limit]
            found = [submissions.get(session, i) for i in unique]
            keep = tuple(r.submission.id for r in found if r and r.submission.status in EXPORTABLE)
            return Chosen(ids=keep, refused=len(ids) - len(keep))
        wanted = wanted or submissions.SubmissionFilter()
        statuses = [wanted.status] if wanted.status in EXPORTABLE else list(EXPORTABLE)
        if wanted.status is not None and wanted.status not in EXPORTABLE:
            return Chosen(ids=(), refused=0)
        records: list[submissions.SubmissionRecord] = []
        for status in statuses:
            page, _ = submissions.list_page(
                session, _with_status(wanted, status), limit=limit, cursor=None
            )
            records += page
        records.sort(key=lambda r: (r.submission.created_at, r.submission.id), reverse=True)
        return Chosen(ids=tuple(r.submission.id for r in records[:limit]), refused=0)


def _with_status(
    f: submissions.SubmissionFilter, status: SubmissionStatus | None
) -> submissions.SubmissionFilter:
    return submissions.SubmissionFilter(
        status=status, theme=f.theme, face=f.face, since=f.since, until=f.until, q=f.q
    )


def start(db: Database, chosen: Chosen, *, actor: str, now: datetime) -> str:
    """Write the export to the audit log (one entry, and one per item); returns its id."""
    export_id = str(ULID())
    with db.write() as session:
        audit.record(
            session,
            actor=actor,
            action="export",
            target_type="export",
            target_id=export_id,
            detail={"submissions": list(chosen.ids)},
            now=now,
        )
        for sid in chosen.ids:
            audit.record(
                session,
                actor=actor,
                action="export",
                target_type="submission",
                target_id=sid,
                detail={"export": export_id},
                now=now,
            )
    return export_id


def filename(export_id: str, now: datetime) -> str:
    """The archive's file name: when, and the export's id."""
    return f"genba-export-{now:%Y%m%d-%H%M%S}-{export_id[-6:].lower()}.zip"


def export_zip(
    db: Database,
    blobs: BlobStore,
    chosen: Chosen,
    *,
    export_id: str,
    clock: Callable[[], datetime],
) -> Iterator[bytes]:
    """The ZIP: each item's files under its code, then manifest.csv and manifest.json."""
    started = clock()
    rows: list[ManifestRow] = []

    def members() -> Iterator[ZipMember]:
        for sid in chosen.ids:
            yield from _item_files(db, blobs, sid, rows, started)
        yield ZipMember("manifest.csv", [manifest_csv(rows)], started, compress=True)
        document = manifest_json(rows, exported_at=started, export_id=export_id)
        yield ZipMember("manifest.json", [document], started, compress=True)

    # Sizes of the manifests are not known in advance; they are small, so no zip64 is needed.
    return zip_stream(members())


def _item_files(
    db: Database, blobs: BlobStore, submission_id: str, rows: list[ManifestRow], when: datetime
) -> Iterator[ZipMember]:
    # Read again now, not when the export was chosen: a withdrawal since then must count.
    with db.read() as session:
        record = submissions.get(session, submission_id)
    if record is None or record.submission.status not in EXPORTABLE:
        return
    s = record.submission
    row = row_for(record)
    rows.append(row)
    photos = [m for m in record.media if m.media.status in (MediaStatus.READY, MediaStatus.PENDING)]
    chosen = [(m, allowed_variant(s.face, m)) for m in photos]
    missing = sum(1 for _, v in chosen if v is None)
    if missing:
        row.note = NOT_READY.format(n=missing)
        return
    if s.kind == "photo" and not chosen:
        row.note = NO_PHOTO
        return
    code = re.sub(r"[^A-Za-z0-9-]", "", s.code) or s.id
    # Every file of the item is opened before the first is written, so an item goes into the
    # archive whole or, with a note in the manifest, not at all.
    opened: list[tuple[str, OpenBlob]] = []
    for number, (m, variant) in enumerate(chosen, start=1):
        found = _open(db, blobs, m.media.id, variant)
        if found is None:
            for _, blob in opened:
                blob.close()
            row.note = FILE_MISSING
            return
        blob, content_type = found
        ext = EXTENSIONS.get(content_type.split(";")[0].strip().lower(), "bin")
        opened.append((f"{code}/{code}-{number}-{variant}.{ext}", blob))
    row.files = [name for name, _ in opened]
    for name, blob in opened:
        yield ZipMember(name, blob.chunks(), when, size=blob.size)


def _open(
    db: Database, blobs: BlobStore, media_id: str, variant: str | None
) -> tuple[OpenBlob, str] | None:
    if variant is None:
        return None
    with db.read() as session:
        stored = media_store.variant(session, media_id, variant)
    if stored is None:
        return None
    try:
        blob = blobs.open(stored.storage_key)
    except BlobStoreError:
        return None
    return None if blob is None else (blob, stored.content_type)
