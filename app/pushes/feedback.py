"""Feedback to contributors: their item was published (with PR's thanks), its reactions, or why
it was not used (when PR chose to tell them)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session

from app.pushes.outbox import queue_push
from app.pushes.policy import PushPolicy
from app.pushes.shared_media import MediaLinks
from app.pushes.theme_titles import theme_title
from flows.types import SubmissionStatus
from storage import pushes, themes
from storage.models import Contributor, Submission
from webhooks import notices
from webhooks.i18n import Catalogue

REJECTION = "rejection"  # the outbox kind (storage.pushes: NOTICES_FOR, ABOUT_ITEM)


def rejection_key(submission_id: str) -> str:
    """The outbox dedup key of an item's rejection push: one per item, ever."""
    return pushes.item_key(REJECTION, submission_id)


def _theme_title(session: Session, slug: str | None, language: str) -> str | None:
    theme = themes.get(session, slug) if slug else None
    return None if theme is None else theme_title(theme, language)


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
        return self._tell(session, item, messages, pushes.item_key("published", submission_id), now)

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

    def rejected(self, session: Session, submission_id: str, *, now: datetime) -> int | None:
        """The PR team's reason for not using an item, in kind words; once per item, ever.

        The worker's send job looks again (storage.pushes.ABOUT_ITEM): an item withdrawn,
        deleted or back in review by then is not told about.
        """
        item = session.get(Submission, submission_id)
        if item is None or item.status != SubmissionStatus.REJECTED or not item.review_note:
            return None
        language = self._language(session, item.contributor_id)
        messages = notices.rejected(
            self.catalogue,
            language,
            code=item.code,
            theme=_theme_title(session, item.theme, language),
            note=item.review_note,
        )
        key = rejection_key(submission_id)
        return self._tell(session, item, messages, key, now, kind=REJECTION)

    def _tell(
        self,
        session: Session,
        item: Submission,
        messages: list[dict[str, Any]],
        dedup_key: str,
        now: datetime,
        *,
        kind: str = "feedback",
    ) -> int | None:
        # Feedback goes to the contributor alone, once per dedup key.
        return queue_push(
            session,
            kind=kind,
            recipients=[item.contributor_id],
            messages=messages,
            policy=self.policy,
            now=now,
            dedup_key=dedup_key,
        )
