"""Fixtures for the admin API tests: an app mounting the admin router, tokens, and seed data.

Data is seeded through the storage functions the bot itself uses (drafts, media, tokens), files
are real files in a LocalBlobStore, and the clock is a fake the tests move by hand.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import select
from ulid import ULID

from app.admin.router import mount_admin_api
from app.errors import install_error_handlers
from app.factory import create_app
from app.services import Services, build_services
from app.settings import load_settings
from storage import contributors, drafts, media, migrate, submissions, tokens
from storage.blobs import LocalBlobStore
from storage.db import Database
from storage.models import ApiToken, Theme

T0 = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
WEBHOOK_SECRET = "s" * 32


class FakeClock:
    """A clock that moves only when told to."""

    def __init__(self, now: datetime = T0) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


@dataclass(frozen=True)
class SeededMedia:
    """A stored photo: its id, and the bytes of each variant written to the blob store."""

    id: str
    files: dict[str, bytes]
    keys: dict[str, str]


@dataclass(frozen=True)
class Seeded:
    """A submission created through the bot's own storage functions."""

    id: str
    code: str
    contributor_id: str
    line_user_id: str
    media: tuple[SeededMedia, ...] = ()


@dataclass
class Seeder:
    """Creates themes, contributors, submissions with files, tokens and jobs."""

    db: Database
    blobs: LocalBlobStore
    clock: FakeClock
    scratch: Path
    line_user_ids: list[str] = field(default_factory=list)
    _n: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    def theme(self, slug: str, title: str = "", **values: object) -> None:
        """Insert a theme row (the seed migration does not exist yet)."""
        with self.db.write() as s:
            s.add(Theme(slug=slug, title=title or slug, created_at=self.clock(), **values))

    def contributor(self, display_name: str | None = "山田 花子") -> tuple[str, str]:
        """A contributor; returns (our id, the LINE user id)."""
        line_user_id = "U" + hashlib.md5(str(next(self._n)).encode()).hexdigest()
        self.line_user_ids.append(line_user_id)
        with self.db.write() as s:
            row, _ = contributors.ensure(s, line_user_id, now=self.clock())
            contributors.set_profile(
                s, row.id, display_name=display_name, language="ja", now=self.clock()
            )
            return row.id, line_user_id

    def submission(
        self,
        *,
        at: datetime | None = None,
        status: str = "new",
        theme: str | None = "daily",
        face: str | None = "show",
        comment: str | None = "朝礼の様子です",
        photos: int = 1,
        variants: tuple[str, ...] = ("original", "thumbnail"),
        contributor: tuple[str, str] | None = None,
        code: str | None = None,
        faces: int | None = -1,
    ) -> Seeded:
        """A submission made the way the bot makes one, then moved to `status`.

        Each photo has `faces` faces found (None: not counted); by default one where a
        `blurred` variant is stored (the media job makes one only then), else none.
        """
        if faces == -1:
            faces = 1 if "blurred" in variants else 0
        at = at or self.clock()
        cid, line_id = contributor or self.contributor()
        sid = str(ULID())
        seeded_media: list[SeededMedia] = []
        with self.db.write() as s:
            code = code or drafts.unused_code(s)
            kind = "photo" if photos else "idea"
            drafts.start(s, draft_id=sid, code=code, kind=kind, contributor_id=cid, now=at)
            for i in range(photos):
                media_id = drafts.attach_photo(
                    s,
                    draft_id=sid,
                    contributor_id=cid,
                    message_id=f"m{next(self._n)}",
                    image_set_id=None,
                    index=i + 1,
                    now=at,
                )
                assert media_id is not None
                seeded_media.append(self._store(s, media_id, variants, at, faces))
            if theme is not None:
                drafts.set_theme(s, draft_id=sid, contributor_id=cid, slug=theme, now=at)
            if face is not None:
                drafts.set_face(s, draft_id=sid, contributor_id=cid, face=face, now=at)
            drafts.set_comment(s, draft_id=sid, contributor_id=cid, comment=comment, now=at)
            if status != "draft":
                assert drafts.submit(s, draft_id=sid, contributor_id=cid, now=at)
            if status == "withdrawn":
                drafts.withdraw(s, submission_id=sid, contributor_id=cid, now=at)
            elif status not in ("draft", "new"):
                values: dict[str, object] = {"status": status}
                if status == "published":
                    values |= {
                        "published_platform": "instagram",
                        "published_url": "https://x.test/p",
                    }
                assert submissions.change_review(
                    s, sid, expected_status="new", values=values, actor="seed", now=at
                )
        return Seeded(
            id=sid, code=code, contributor_id=cid, line_user_id=line_id, media=tuple(seeded_media)
        )

    def _store(
        self, s, media_id: str, names: tuple[str, ...], at: datetime, faces: int | None
    ) -> SeededMedia:
        types = {
            "original": "image/jpeg",
            "thumbnail": "image/webp",
            "blurred": "image/jpeg",
            "blurred_thumb": "image/jpeg",
        }
        stored, files, keys = [], {}, {}
        for name in names:
            data = f"{name} of {media_id}".encode() + b"\xff\xd8\xff\xe0"
            source = self.scratch / f"{media_id}-{name}"
            source.write_bytes(data)
            key = f"media/{media_id}/{name}"
            self.blobs.put_file(key, source)
            files[name], keys[name] = data, key
            stored.append(
                media.StoredVariant(
                    name=name,
                    storage_key=key,
                    content_type=types[name],
                    bytes=len(data),
                    width=640,
                    height=480,
                    sha256=hashlib.sha256(data).hexdigest(),
                )
            )
        if stored:
            found = None
            if faces is not None:
                box = {"left": 10, "top": 10, "right": 60, "bottom": 70, "score": 0.9}
                found = media.FoundFaces(tuple(box for _ in range(faces)))
            assert media.mark_ready(s, media_id, stored, now=at, faces=found)
        return SeededMedia(id=media_id, files=files, keys=keys)

    def ideas(self, count: int, *, at: datetime | None = None, step: timedelta | None = None):
        """Many comment-only submissions in one transaction (for paging and limits)."""
        cid, _ = self.contributor()
        at = at or self.clock()
        made: list[str] = []
        with self.db.write() as s:
            for i in range(count):
                sid, when = str(ULID()), at + (step or timedelta()) * i
                drafts.start(
                    s,
                    draft_id=sid,
                    code=drafts.unused_code(s),
                    kind="idea",
                    contributor_id=cid,
                    now=when,
                )
                drafts.set_comment(
                    s, draft_id=sid, contributor_id=cid, comment=f"idea {i}", now=when
                )
                drafts.submit(s, draft_id=sid, contributor_id=cid, now=when)
                made.append(sid)
        return made

    def token(self, role: str, name: str | None = None) -> str:
        """A fresh API token of this role."""
        with self.db.write() as s:
            return tokens.create(s, name=name or f"{role}-token", role=role, now=self.clock())

    def revoke(self, token: str) -> None:
        """Revoke a token."""
        with self.db.write() as s:
            found = tokens.lookup(s, token, now=self.clock())
            assert found is not None
            tokens.revoke(s, found.id, now=self.clock())

    def token_row(self, token: str) -> ApiToken:
        """The stored row of a token, revoked or not."""
        with self.db.read() as s:
            found = s.exec(select(ApiToken).where(ApiToken.token_hash == tokens.digest(token)))
            return found.one()


@pytest.fixture
def clock() -> FakeClock:
    """The clock of the app and of the seed data."""
    return FakeClock()


@pytest.fixture
def blobs(tmp_path: Path) -> LocalBlobStore:
    """A media store in a temporary folder."""
    return LocalBlobStore(tmp_path / "blobs")


@pytest.fixture
def seed(db: Database, blobs: LocalBlobStore, clock: FakeClock, tmp_path: Path) -> Seeder:
    """The seeder, with the theme most submissions use."""
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    seeder = Seeder(db=db, blobs=blobs, clock=clock, scratch=scratch)
    seeder.theme("daily", "日々の仕事", translations=json.dumps({"en": "Daily work"}))
    return seeder


@pytest.fixture
def admin_app(db: Database, blobs: LocalBlobStore, clock: FakeClock) -> FastAPI:
    """An app mounting the admin API (routes and token gate) the way app/factory.py does."""
    app = FastAPI()
    mount_admin_api(app, db=db, blobs=blobs, clock=clock)
    install_error_handlers(app)
    return app


@pytest.fixture
def client(admin_app: FastAPI) -> Iterator[TestClient]:
    """A client that raises any server-side exception instead of hiding it in a 500."""
    with TestClient(admin_app) as c:
        yield c


@pytest.fixture
def role_tokens(seed: Seeder) -> dict[str, str]:
    """One token per role, named after the role."""
    return {role: seed.token(role, name=f"{role}-alice") for role in tokens.ROLES}


def bearer(token: str) -> dict[str, str]:
    """The Authorization header for a token."""
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def as_role(role_tokens: dict[str, str]):
    """`as_role("viewer")` → headers for that role's token."""

    def headers(role: str) -> dict[str, str]:
        return bearer(role_tokens[role])

    return headers


@dataclass
class Served:
    """The whole application as `genba serve` builds it (create_app), minus the worker."""

    app: FastAPI
    services: Services
    db: Database
    clock: FakeClock


def services_for_test(
    database_url: str, tmp_path: Path, clock: FakeClock, **settings: str
) -> Services:
    """Services over a migrated test database (LINE at a closed local port), plus `settings`."""
    migrated = Database(database_url)
    migrate.upgrade(migrated)
    migrated.dispose()
    loaded = load_settings(
        _env_file=None,
        LINE_CHANNEL_SECRET=WEBHOOK_SECRET,
        LINE_CHANNEL_ACCESS_TOKEN="t" * 32,
        LINE_API_BASE_URL="http://127.0.0.1:9",
        DATABASE_URL=database_url,
        GENBA_DATA_DIR=str(tmp_path / "var"),
        **settings,
    )
    return build_services(loaded, clock=clock)


def serve(services: Services, clock: FakeClock) -> Served:
    """create_app() over these services, as `genba serve` builds it (no worker)."""
    app = create_app(services, run_worker=False)
    return Served(app=app, services=services, db=services.db, clock=clock)


@pytest.fixture
def served(database_url: str, tmp_path: Path, clock: FakeClock) -> Iterator[Served]:
    """create_app() over a migrated test database; LINE points at a closed local port."""
    services = services_for_test(database_url, tmp_path, clock)
    yield serve(services, clock)
    services.close()


def seeder_for(served: Served, tmp_path: Path) -> Seeder:
    """A seeder writing into a served app's database and media store."""
    scratch = tmp_path / "scratch-served"
    scratch.mkdir(exist_ok=True)
    blobs = served.services.blobs
    assert isinstance(blobs, LocalBlobStore)
    return Seeder(db=served.db, blobs=blobs, clock=served.clock, scratch=scratch)


@pytest.fixture
def seed_served(served: Served, tmp_path: Path) -> Seeder:
    """A seeder for the `served` app."""
    return seeder_for(served, tmp_path)


@pytest.fixture
def web(served: Served) -> Iterator[TestClient]:
    """A browser-like client of the `served` app: errors come back as pages, not exceptions."""
    with TestClient(served.app, raise_server_exceptions=False) as c:
        yield c
