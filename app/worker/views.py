"""What the flows see of the guideline and the themes, in the worker's language.

Words missing in the worker's language fall back to Japanese (the company's own language), then
to any language the entry has. Keywords of every language are searched, so a worker who types
"badge" in a Japanese chat still finds the entry; the results show in the worker's language.
"""

from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session

from app.admin.release import allowed_variant
from app.public_media import Signer
from app.pushes.theme_titles import theme_title
from flows.intents import normalise
from flows.types import Example, GuideCategory, GuideEntry, Guideline, Theme
from storage import examples, guideline, submissions, themes
from storage.models import Contributor
from storage.models import Theme as ThemeRow

DEFAULT = "ja"
MAX_EXAMPLES = 12  # one carousel


def _pick(values: dict[str, str], language: str) -> str:
    for wanted in (language, DEFAULT):
        if values.get(wanted):
            return values[wanted]
    return next((v for v in values.values() if v), "")


def guideline_view(session: Session, contributor: Contributor, language: str) -> Guideline:
    """The guideline in `language`, with where this worker stands on agreeing to it."""
    stored = guideline.load(session)
    categories = tuple(
        GuideCategory(c.slug, _pick(c.titles, language) or c.slug) for c in stored.categories
    )
    entries = []
    changed = []
    agreed_at = contributor.guideline_agreed_at
    for entry in stored.entries:
        texts = entry.texts.get(language) or entry.texts.get(DEFAULT)
        if texts is None and entry.texts:
            texts = next(iter(entry.texts.values()))
        if texts is None:
            continue
        words = {normalise(w) for t in entry.texts.values() for w in t.keywords}
        words |= {normalise(t.title) for t in entry.texts.values()}
        entries.append(
            GuideEntry(
                entry.category, texts.title, texts.body, tuple(sorted(w for w in words if w))
            )
        )
        edited = entry.updated_at
        if agreed_at is not None and edited is not None and edited > agreed_at:
            changed.append(texts.title)
    return Guideline(
        version=stored.version,
        categories=categories,
        entries=tuple(entries),
        agreed=contributor.guideline_version,
        asked=contributor.guideline_asked,
        changed=tuple(changed),
    )


def _json(raw: str) -> dict[str, str]:
    try:
        value = json.loads(raw)
    except ValueError:
        return {}
    if not isinstance(value, dict):
        return {}
    return {str(k): str(v) for k, v in value.items() if isinstance(v, str)}


def theme_view(theme: ThemeRow, language: str, month: str) -> Theme:
    """A theme row as the flows see it, in `language`."""
    what = {DEFAULT: theme.description, **_json(theme.descriptions)}
    return Theme(
        slug=theme.slug,
        title=theme_title(theme, language),
        what=_pick(what, language),
        example=_pick(_json(theme.examples), language),
        monthly=theme.month == month,
    )


def offered_themes(
    session: Session, now: datetime, zone: ZoneInfo, language: str
) -> tuple[Theme, ...]:
    """The themes offered now, the theme of the month first."""
    today = now.astimezone(zone).date().isoformat()
    return tuple(theme_view(t, language, today[:7]) for t in themes.active_on(session, today))


def example_cards(
    session: Session, language: str, signer: Signer, now: datetime
) -> tuple[Example, ...]:
    """The PR team's examples, newest first; a photo only where the face choice allows it."""
    titles = {t.slug: theme_view(t, language, "").title for t in themes.list_all(session)}
    cards = []
    for item in examples.recent(session, limit=MAX_EXAMPLES):
        # A picture only through the one rule of what may leave (app/admin/release.py): never
        # a blur original, never a no_face photo in which faces were found, unless checked.
        shown = example_picture(session, item.submission_id)
        url = signer.url(shown, now) if shown is not None else None
        theme = titles.get(item.theme or "", "")
        cards.append(Example(theme=theme, comment=item.comment or "", image_url=url))
    return tuple(cards)


def example_picture(session: Session, submission_id: str) -> str | None:
    """The first photo of an example whose thumbnail-size variant may leave, or None."""
    record = submissions.get(session, submission_id)
    if record is None:
        return None
    face = record.submission.face
    for m in record.media:
        if allowed_variant(face, m, size="thumbnail") is not None:
            return m.media.id
    return None
