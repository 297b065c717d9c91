"""Peak memory of a large export, streamed, against building the same ZIP in memory.

Seeds approved submissions with one photo each (random bytes: JPEG-sized, incompressible)
into a fresh SQLite database and folder store, then, in the same run:

- streamed: `app.admin.exports.export_zip` consumed chunk by chunk (as the HTTP answer is),
  each chunk only counted and hashed;
- baseline: every file read whole and the same archive written into a BytesIO, which is
  what an export without streaming would hold.

Peak memory is tracemalloc's peak of Python allocations during each (the file bytes are
Python objects in both), so the two are compared in one process and one run.

    python -m bench.export_memory
    python -m bench.export_memory --items 200 --mib 4
"""

from __future__ import annotations

import argparse
import hashlib
import io
import os
import tempfile
import time
import tracemalloc
import zipfile
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path

from app.admin import exports
from bench import machine
from bench.stats import table
from storage import contributors, drafts, media, migrate, submissions
from storage.blobs import LocalBlobStore
from storage.db import Database, sqlite_url

MIB = 1024 * 1024


def seed(db: Database, blobs: LocalBlobStore, scratch: Path, items: int, size: int) -> list[str]:
    """`items` approved submissions of one `size`-byte photo each; their ids."""
    now = datetime.now(UTC)
    ids: list[str] = []
    with db.write() as s:
        who, _ = contributors.ensure(s, "U" + "b" * 32, now=now)
        for n in range(items):
            sid = f"01BENCH{n:019d}"
            drafts.start(
                s,
                draft_id=sid,
                code=drafts.unused_code(s),
                kind="photo",
                contributor_id=who.id,
                now=now,
            )
            media_id = drafts.attach_photo(
                s,
                draft_id=sid,
                contributor_id=who.id,
                message_id=f"b{n}",
                image_set_id=None,
                index=1,
                now=now,
            )
            assert media_id is not None
            source = scratch / "photo"
            data = os.urandom(size)
            source.write_bytes(data)
            key = f"media/{media_id}/original"
            blobs.put_file(key, source)
            variant = media.StoredVariant(
                "original", key, "image/jpeg", size, 4000, 3000, hashlib.sha256(data).hexdigest()
            )
            assert media.mark_ready(s, media_id, [variant], now=now)
            drafts.set_face(s, draft_id=sid, contributor_id=who.id, face="show", now=now)
            drafts.submit(s, draft_id=sid, contributor_id=who.id, now=now)
            submissions.change_review(
                s, sid, expected_status="new", values={"status": "approved"}, actor="bench", now=now
            )
            ids.append(sid)
    return ids


def streamed(db: Database, blobs: LocalBlobStore, ids: list[str]) -> int:
    """Consume the streamed export; returns its size."""
    chosen = exports.Chosen(ids=tuple(ids), refused=0)
    total, digest = 0, hashlib.sha256()
    for chunk in exports.export_zip(
        db, blobs, chosen, export_id="bench", clock=lambda: datetime.now(UTC)
    ):
        total += len(chunk)
        digest.update(chunk)
    return total


def in_memory(db: Database, blobs: LocalBlobStore, ids: list[str]) -> int:
    """The same archive built in memory from files read whole; returns its size."""
    buffer = io.BytesIO()
    with db.read() as s:
        records = [submissions.get(s, i) for i in ids]
    files: list[tuple[str, bytes]] = []
    for r in records:
        assert r is not None
        m = r.media[0]
        blob = blobs.open(f"media/{m.media.id}/original")
        assert blob is not None
        with blob:
            files.append((f"{r.submission.code}/{r.submission.code}-1-original.jpg", blob.read()))
    with zipfile.ZipFile(buffer, "w") as z:
        for name, data in files:
            z.writestr(name, data)
    return len(buffer.getvalue())


def measure(run: Callable[[], int]) -> tuple[int, float, float]:
    """(bytes out, peak MiB of Python allocations, seconds)."""
    tracemalloc.start()
    tracemalloc.reset_peak()
    started = time.perf_counter()
    size = run()
    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return size, peak / MIB, elapsed


def main(argv: Iterable[str] | None = None) -> None:
    """Seed, export both ways, print the table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--items", type=int, default=100)
    parser.add_argument("--mib", type=float, default=4.0, help="size of each photo in MiB")
    args = parser.parse_args(list(argv) if argv is not None else None)
    print(f"machine: {machine.describe()}")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        db = Database(sqlite_url(root / "bench.db"), sqlite_synchronous="NORMAL")
        migrate.upgrade(db)
        blobs = LocalBlobStore(root / "media")
        scratch = root / "scratch"
        scratch.mkdir()
        ids = seed(db, blobs, scratch, args.items, int(args.mib * MIB))
        data_mib = args.items * args.mib
        rows = []
        for label, run in (
            ("streamed (export_zip)", lambda: streamed(db, blobs, ids)),
            ("baseline (whole in memory)", lambda: in_memory(db, blobs, ids)),
        ):
            size, peak, seconds = measure(run)
            rows.append([label, f"{size / MIB:.1f}", f"{peak:.1f}", f"{seconds:.2f}"])
        db.dispose()
    print(
        f"{args.items} approved items, one {args.mib:g} MiB photo each "
        f"({data_mib:.0f} MiB of files)"
    )
    print(table(["export", "ZIP MiB", "peak MiB (tracemalloc)", "seconds"], rows))


if __name__ == "__main__":
    main()
