"""Feedback to contributors: their item was published (with PR's thanks), then its reactions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session

from app.pushes.outbox import queue_push
from app.pushes.policy import PushPolicy
from app.pushes.shared_media import MediaLinks
from storage.models import Contributor, Submission
from webhooks import notices
from webhooks.i18n import Catalogue


@dataclass(frozen=True)
class Feedback:
    """Queues the pushes that tell a contributor what became of their item."""

    catalogue: Catalogue
    policy: PushPolicy
    links: MediaLinks | None = None  # public picture links for digests (None: text only)

    def _language(self, session: Session, contributor_id: str) -> str:
        contributor = session.get(Contributor, contributor_id)
        spoken = (contributor.chosen_language or contributor.language) if contributor else None
        return self.catalogue.negotiate(spoken)

    def published(self, session: Session, submission_id: str, *, now: datetime) -> int | None:
        """'Your photo was used' with the link and PR's thanks; once per item."""
        item = session.get(Submission, submission_id)
        if item is None or not item.published_url:
            return None
        language = self._language(session, item.contributor_id)
        messages = notices.published(
            self.catalogue, language, url=item.published_url, thanks=item.thanks_note
        )
        return self._tell(session, item, messages, f"published:{submission_id}", now)

    def reacted(self, session: Session, submission_id: str, *, now: datetime) -> int | None:
        """The reaction count PR entered; once per item and count."""
        item = session.get(Submission, submission_id)
        if item is None or item.reactions is None or not item.published_url:
            return None
        language = self._language(session, item.contributor_id)
        messages = notices.reactions(
            self.catalogue, language, count=item.reactions, url=item.published_url
        )
        return self._tell(
            session, item, messages, f"reactions:{submission_id}:{item.reactions}", now
        )

    def _tell(
        self,
        session: Session,
        item: Submission,
        messages: list[dict[str, Any]],
        dedup_key: str,
        now: datetime,
    ) -> int | None:
        # Feedback goes to the contributor alone, once per dedup key.
        return queue_push(
            session,
            kind="feedback",
            recipients=[item.contributor_id],
            messages=messages,
            policy=self.policy,
            now=now,
            dedup_key=dedup_key,
        )
