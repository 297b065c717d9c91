"""The guideline seed and version, theme periods, and examples, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import SQLModel

from storage import guideline, themes
from storage.models import Theme

NOW = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)


def test_the_seed_fills_empty_tables_once_and_edits_bump_the_version(db) -> None:
    SQLModel.metadata.create_all(db.engine)
    with db.write() as s:
        assert guideline.seed(s, now=NOW) is True
        assert guideline.seed(s, now=NOW) is False  # a second start changes nothing
    with db.read() as s:
        stored = guideline.load(s)
    assert stored.version == 1 and len(stored.entries) == 8
    assert stored.entries[2].texts["en"].keywords[0] == "badge"
    with db.write() as s:
        texts = {"ja": guideline.Texts("新しい", "本文", ("新",))}
        created = guideline.put_entry(
            s, entry_id="new-1", category="ok", texts=texts, sort_order=None, now=NOW
        )
        assert created and guideline.bump(s, now=NOW) == 2
    with db.read() as s:
        assert guideline.version(s) == 2
        assert guideline.get_entry(s, "new-1") is not None


def test_a_damaged_entry_shows_as_no_texts_rather_than_failing(db) -> None:
    SQLModel.metadata.create_all(db.engine)
    with db.write() as s:
        guideline.seed(s, now=NOW)
        guideline.put_category(s, slug="x", titles={"ja": "X"}, sort_order=None)
    with db.write() as s:
        s.execute(guideline.E.update().where(guideline.E.c.id == "ok-1").values(texts="{oops"))
    with db.read() as s:
        broken = next(e for e in guideline.load(s).entries if e.id == "ok-1")
    assert broken.texts == {}


def theme(slug: str, **values: object) -> Theme:
    return Theme(slug=slug, title=slug, created_at=NOW, **values)


def test_themes_are_offered_within_their_period_and_month(db) -> None:
    SQLModel.metadata.create_all(db.engine)
    with db.write() as s:
        for row in (
            theme("always"),
            theme("december", month="2026-12", sort_order=9),
            theme("november", month="2026-11"),
            theme("later", starts_on="2026-12-10"),
            theme("ended", ends_on="2026-12-02"),
            theme("today-only", starts_on="2026-12-03", ends_on="2026-12-03"),
            theme("retired", active=False),
        ):
            s.add(row)
    with db.read() as s:
        offered = [t.slug for t in themes.active_on(s, "2026-12-03")]
    assert offered == ["december", "always", "today-only"]


def test_a_theme_changed_keeps_what_was_not_sent(db) -> None:
    SQLModel.metadata.create_all(db.engine)
    with db.write() as s:
        assert themes.create(
            s, slug="t", values={"title": "T", "examples": '{"ja": "例"}'}, now=NOW
        )
        assert not themes.create(s, slug="t", values={"title": "again"}, now=NOW)
        assert themes.change(s, "t", values={"active": False}, now=NOW)
        assert not themes.change(s, "missing", values={"active": False}, now=NOW)
    with db.read() as s:
        found = themes.get(s, "t")
    assert found is not None and (found.title, found.active, found.examples) == (
        "T",
        False,
        '{"ja": "例"}',
    )


def test_send_for_this_theme_survives_a_save_and_load() -> None:
    from flows.types import Conversation
    from storage import conversations

    waiting = Conversation(theme_next="craft-12")
    assert conversations.decode(conversations.encode(waiting)) == waiting
