"""A theme's title in a worker's language: one rule for pushes and the chat alike."""

from __future__ import annotations

import json

from storage.models import Theme


def titles_of(theme: Theme) -> dict[str, str]:
    """The theme's stored translations by language; damaged JSON reads as none."""
    try:
        value = json.loads(theme.translations or "{}")
    except ValueError:
        return {}
    if not isinstance(value, dict):
        return {}
    return {str(k): v for k, v in value.items() if isinstance(v, str) and v}


def theme_title(theme: Theme, language: str) -> str:
    """The title in `language`, else in its base language, else the theme's own title."""
    # Titles were stored by base language before ("en"); the full tag wins when given.
    titles = titles_of(theme)
    return titles.get(language) or titles.get(language.split("-")[0]) or theme.title
