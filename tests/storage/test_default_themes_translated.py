"""The default themes speak every worker language after the migrations, within LINE's labels."""

from __future__ import annotations

import json

from alembic import command
from sqlalchemy import text

from app.worker.views import theme_view
from storage import migrate, themes
from storage.db import Database
from webhooks.i18n import load_catalogue

MAX_LABEL = 20  # a theme title is a quick-reply label


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def test_every_default_theme_has_a_title_and_what_to_send_in_every_language(
    database_url: str,
) -> None:
    db = Database(database_url)
    migrate.upgrade(db)
    catalogue = load_catalogue()
    with db.read() as session:
        found = themes.list_all(session)
    db.dispose()
    assert len(found) == 7
    for theme in found:
        titles = json.loads(theme.translations)
        said = {lang: theme_view(theme, lang, "2026-12") for lang in catalogue.languages}
        for language, view in said.items():
            if language != "ja":
                assert view.title == titles[language], (theme.slug, language)
            assert 0 < utf16_len(view.title) <= MAX_LABEL, (theme.slug, language, view.title)
            assert view.what, (theme.slug, language)
        # Eight languages, eight different titles ("Other" and "Outros" are not the same word).
        assert len({v.title for v in said.values()}) == 8, theme.slug


def test_a_theme_the_pr_team_translated_already_is_left_alone(database_url: str) -> None:
    db = Database(database_url)
    migrate.upgrade(db)
    cfg = migrate.alembic_config(db)
    with db.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0004")
    # Below 0005 the models have columns the table lacks: plain SQL, as an admin's edit was.
    with db.engine.begin() as conn:
        query = text("SELECT translations FROM theme WHERE slug = 'events'")
        assert json.loads(conn.execute(query).scalar_one()) == {"en": "Events & programmes"}
        conn.execute(
            text("UPDATE theme SET translations = :t WHERE slug = 'events'"),
            {"t": json.dumps({"en": "Our events"})},
        )
    migrate.upgrade(db)
    with db.read() as session:
        events, daily = themes.get(session, "events"), themes.get(session, "daily-work")
    db.dispose()
    assert events is not None and json.loads(events.translations) == {"en": "Our events"}
    assert daily is not None and json.loads(daily.translations)["vi"] == "Công việc hằng ngày"
