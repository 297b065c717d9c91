"""Signed links to the pictures a digest may show, for LINE image messages.

LINE shows an image message by fetching its URL over HTTPS, so a digest's pictures need a public
address. Each link names one media item and variant, ends after LINK_DAYS, and is signed with a
key derived from the channel secret; it is served only while the rules still allow it: the item
is published (not withdrawn), the variant is a thumbnail (faces shown, or no face) or the
blurred picture of a `blur` item, never a blur item's original. Without GENBA_PUBLIC_URL, or
with a plain-http one (the demo on this machine), LINE would refuse the links: the digest is
text only.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from fastapi import APIRouter, HTTPException
from fastapi.responses import Response, StreamingResponse
from starlette.concurrency import run_in_threadpool

from app.admin.fields import VariantName, plausible_id
from app.admin.media import Download, downloadable, open_blob
from app.admin.release import allowed_variant
from app.settings import Settings
from storage import submissions
from storage.blobs import BlobStore
from storage.db import Database

LINK_DAYS = 30
PREFIX = "/shared"


@dataclass(frozen=True)
class MediaLinks:
    """Makes and checks the signed picture links."""

    key: bytes
    base_url: str | None

    @classmethod
    def from_secret(cls, channel_secret: str, base_url: str | None) -> MediaLinks:
        """Links signed with a key of their own, derived from the channel secret."""
        key = hmac.new(channel_secret.encode(), b"genba shared media", hashlib.sha256).digest()
        return cls(key=key, base_url=base_url.rstrip("/") if base_url else None)

    @property
    def reach_line(self) -> bool:
        """True when LINE can fetch the links: an https:// public address (LINE refuses http)."""
        return bool(self.base_url) and str(self.base_url).startswith("https://")

    @classmethod
    def for_settings(cls, settings: Settings) -> MediaLinks | None:
        """The links of this channel and public address, or None without a channel secret."""
        if settings.line_channel_secret is None:
            return None
        return cls.from_secret(settings.line_channel_secret.get_secret_value(), settings.public_url)

    def _sign(self, media_id: str, variant: str, expires: int) -> str:
        message = f"{media_id}/{variant}/{expires}".encode()
        return hmac.new(self.key, message, hashlib.sha256).hexdigest()[:40]

    def url(self, media_id: str, variant: str, *, now: datetime) -> str | None:
        """The public link of a picture, or None when no public address is configured."""
        if not self.base_url:
            return None
        expires = int((now + timedelta(days=LINK_DAYS)).timestamp())
        sig = self._sign(media_id, variant, expires)
        return f"{self.base_url}{PREFIX}/{media_id}/{variant}/{expires}/{sig}.jpg"

    def valid(self, media_id: str, variant: str, expires: str, sig: str, *, now: datetime) -> bool:
        """True for a link this server signed that has not ended."""
        if not (expires.isascii() and expires.isdigit() and len(expires) <= 12):
            return False
        if int(expires) < now.timestamp():
            return False
        return hmac.compare_digest(
            sig.encode(), self._sign(media_id, variant, int(expires)).encode()
        )


def shared_media_routes(
    *, db: Database, blobs: BlobStore, links: MediaLinks, clock: Callable[[], datetime]
) -> APIRouter:
    """The public picture route (no sign-in: the signature is the permission)."""
    router = APIRouter(include_in_schema=False)

    def allowed(media_id: str, variant: str) -> Download | None:
        # Served only while the one rule of what may leave (app/admin/release.py) still picks
        # this very variant at thumbnail size, and the item is published (not withdrawn).
        with db.read() as session:
            found = downloadable(session, media_id, VariantName(variant))
            record = submissions.get(session, found.submission_id) if found else None
        if found is None or record is None or record.submission.status != "published":
            return None
        media = next((m for m in record.media if m.media.id == media_id), None)
        leaves = allowed_variant(found.face, media, size="thumbnail") if media else None
        return found if leaves == variant else None

    @router.get(PREFIX + "/{media_id}/{variant}/{expires}/{sig}.jpg")
    async def shared(media_id: str, variant: str, expires: str, sig: str) -> Response:
        if not plausible_id(media_id) or variant not in ("thumbnail", "blurred_thumb"):
            raise HTTPException(404, detail="not found")
        if not links.valid(media_id, variant, expires, sig, now=clock()):
            raise HTTPException(404, detail="not found")
        found = await run_in_threadpool(allowed, media_id, variant)
        if found is None:
            raise HTTPException(404, detail="not found")
        blob = await run_in_threadpool(open_blob, blobs, found.variant.storage_key)
        return StreamingResponse(
            blob.chunks(),
            media_type=found.variant.content_type,
            headers={
                "Content-Length": str(blob.size),
                "X-Content-Type-Options": "nosniff",
                "Cache-Control": "public, max-age=86400",
            },
        )

    return router
