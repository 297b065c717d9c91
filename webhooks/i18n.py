"""The bot's words: one gettext catalogue per language, read with Babel, and the language choice.

Catalogues are `webhooks/locales/<lang>/LC_MESSAGES/genba.po`, read as they are (no compile
step) by `load_catalogue()`, which the app calls once at startup; nothing is read at import. The
msgid of each entry is a key from `flows.keys.Key`; `{name}` placeholders are filled per reply.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from babel.core import negotiate_locale
from babel.messages.pofile import read_po

DOMAIN = "genba"
DEFAULT_LANGUAGE = "ja"
LOCALES_DIR = Path(__file__).with_name("locales")
PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


def placeholders(template: str) -> frozenset[str]:
    """Return the `{name}` placeholders a catalogue text uses."""
    return frozenset(PLACEHOLDER.findall(template))


def fill(template: str, params: Mapping[str, str | int]) -> str:
    """Fill `{name}` placeholders; an unknown one stays as written rather than failing a reply."""

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        return str(params[name]) if name in params else match.group(0)

    return PLACEHOLDER.sub(value, template)


@dataclass(frozen=True)
class Catalogue:
    """The texts of every language, by key; build it with `load_catalogue()`."""

    texts: Mapping[str, Mapping[str, str]]
    default: str = DEFAULT_LANGUAGE

    @property
    def languages(self) -> tuple[str, ...]:
        """Return the available language codes, the default first."""
        others = sorted(lang for lang in self.texts if lang != self.default)
        return (self.default, *others)

    def negotiate(self, preferred: str | None) -> str:
        """Pick the language for a LINE profile's BCP-47 tag; missing or unknown: the default."""
        if not preferred:
            return self.default
        found = negotiate_locale([preferred.replace("_", "-")], list(self.languages), sep="-")
        if found is None:
            return self.default
        # Babel may hand back the preferred tag's spelling (`EN`), so map it to ours.
        ours = {lang.lower(): lang for lang in self.languages}
        return ours.get(found.lower(), self.default)

    def template(self, key: str, *, language: str) -> str:
        """Return a key's raw text in a language, else in the default language, else the key."""
        own = self.texts.get(language, {}).get(key)
        return own or self.texts.get(self.default, {}).get(key) or key

    def text(
        self, key: str, *, language: str, params: Mapping[str, str | int] | None = None
    ) -> str:
        """Return a key's text in a language with its placeholders filled."""
        return fill(self.template(key, language=language), params or {})


def read_catalogue_file(path: Path, *, language: str) -> dict[str, str]:
    """Read one `.po` file into key → text, leaving out the header and fuzzy or empty entries."""
    with path.open("rb") as f:
        catalog = read_po(f, locale=language, domain=DOMAIN)
    texts: dict[str, str] = {}
    for message in catalog:
        key, text = message.id, message.string
        # Plural entries (tuples) are not used by genba; a fuzzy entry is not a translation yet.
        if isinstance(key, str) and key and isinstance(text, str) and text and not message.fuzzy:
            texts[key] = text
    return texts


def load_catalogue(directory: Path = LOCALES_DIR, *, default: str = DEFAULT_LANGUAGE) -> Catalogue:
    """Read every language's catalogue under `directory` (call once at startup)."""
    texts = {
        po.parent.parent.name: read_catalogue_file(po, language=po.parent.parent.name)
        for po in sorted(directory.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))
    }
    if default not in texts:
        raise FileNotFoundError(
            f"no {DOMAIN}.po for the default language {default!r} in {directory}"
        )
    return Catalogue(texts, default)
