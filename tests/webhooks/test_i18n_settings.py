"""The settings' language list offers exactly the catalogues there are, each picked as itself."""

from __future__ import annotations

from flows.settings import LANGUAGES
from webhooks.i18n import load_catalogue


def test_the_language_buttons_name_every_catalogue_and_only_those() -> None:
    catalogue = load_catalogue()
    tags = [tag for tag, _ in LANGUAGES]
    assert sorted(tags) == sorted(catalogue.languages)
    # A stored choice comes back as that very catalogue (easy Japanese included).
    assert all(catalogue.negotiate(tag) == tag for tag in tags)
    assert all(0 < len(name) <= 20 for _, name in LANGUAGES)
