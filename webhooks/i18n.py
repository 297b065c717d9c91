"""The bot's words: one gettext catalogue per language, read with Babel, and the language choice.

Catalogues are `webhooks/locales/<lang>/LC_MESSAGES/genba.po`, read as they are (no compile
step) by `load_catalogue()`, which the app calls once at startup; nothing is read at import. The
msgid of each entry is a key from `flows.keys.Key`; `{name}` placeholders are filled per reply.
`<lang>` is a BCP 47 tag, as LINE spells languages: `ja`, `en`, `pt-BR`, `zh-Hans`...

Counts of photos and videos (`flows.types.MediaCount` in a reply's parameters) are said in words
("写真2枚・動画1本", "2 photos and 1 video"): each noun is a gettext plural entry (`msgid_plural`,
`msgstr[n]`) whose form the file's `Plural-Forms` header picks, and `media.both` joins two.

A LINE profile's language picks the catalogue (`Catalogue.negotiate`); anything unknown gets
Japanese. Two choices are deliberate:
- `ja-x-easy` (やさしい日本語, a private-use tag: BCP 47 has none for easy Japanese) is never
  picked from a profile, whose tag is at most `ja` or `ja-JP`; only a setting naming it exactly
  selects it.
- A Traditional Chinese reader (`zh-TW`, `zh-HK`, `zh-Hant`) gets Simplified Chinese until a
  `zh-Hant` catalogue exists: the same language in another script is far easier to read than
  Japanese for most of them.
"""

from __future__ import annotations

import gettext
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import NamedTuple

from babel.core import Locale, UnknownLocaleError, get_global, parse_locale
from babel.messages.pofile import read_po

from flows.intents import normalise
from flows.keys import Key
from flows.types import MediaCount, Param, Phrase

DOMAIN = "genba"
DEFAULT_LANGUAGE = "ja"
LOCALES_DIR = Path(__file__).with_name("locales")
PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
# A BCP 47 tag's shape (subtags of letters and digits); anything else is no language at all.
TAG = re.compile(r"[A-Za-z]{2,8}(?:-[A-Za-z0-9]{1,8})*")
MAX_TAG = 35  # as long as LINE's profile languages are stored (storage.models)
PRIVATE_USE = re.compile(r"-x-", re.IGNORECASE)
# Where a script has no catalogue of its own, the script its readers read next best.
SCRIPT_FALLBACK = {("zh", "Hant"): "Hans"}
# Counted nouns (plural entries, `{n}` the number) and how two counts are joined (`{photos}`,
# `{videos}`): the renderer's own keys, beside the flows' (`flows.keys.Key`).
MEDIA_PHOTOS = "media.photos"
MEDIA_VIDEOS = "media.videos"
MEDIA_BOTH = "media.both"
PLURAL_KEYS = (MEDIA_PHOTOS, MEDIA_VIDEOS)
# The words a worker types to cancel, `|`-separated, beside the cancel button's label: both
# cancel in every language (`Catalogue.cancel_words`, `flows.types.Context.cancel_words`).
# Plain cancel verbs only: a cancel drops the draft with its photos, so "never mind" or "算了"
# (an answer to "anything to add?") must not be among them.
CANCEL_TYPED = "words.cancel"
CANCEL_BUTTON = Key.BUTTON_CANCEL.value
ENGLISH_RULE = "(n != 1)"  # gettext's rule when a file's header names none


def placeholders(template: str) -> frozenset[str]:
    """Return the `{name}` placeholders a catalogue text uses."""
    return frozenset(PLACEHOLDER.findall(template))


def fill(template: str, params: Mapping[str, str | int]) -> str:
    """Fill `{name}` placeholders; an unknown one stays as written rather than failing a reply."""

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        return str(params[name]) if name in params else match.group(0)

    return PLACEHOLDER.sub(value, template)


@lru_cache(maxsize=64)
def _plural_rule(expression: str) -> Callable[[int], int]:
    """Compile a `Plural-Forms` expression (C syntax, checked by gettext) to a function."""
    return gettext.c2py(expression)


@dataclass(frozen=True)
class Plurals:
    """One language's plural entries (key → forms) and its rule picking a form for a number."""

    forms: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    rule: str = ENGLISH_RULE

    def form(self, key: str, n: int) -> str | None:
        """Return the form of a key for the number `n` (not filled), or None when there is none."""
        found = self.forms.get(key)
        if not found:
            return None
        index = _plural_rule(self.rule)(n)
        return found[index] if 0 <= index < len(found) else found[-1]


@dataclass(frozen=True)
class Catalogue:
    """The texts of every language, by key; build it with `load_catalogue()`."""

    texts: Mapping[str, Mapping[str, str]]
    default: str = DEFAULT_LANGUAGE
    plurals: Mapping[str, Plurals] = field(default_factory=dict)

    @property
    def languages(self) -> tuple[str, ...]:
        """Return the available language codes, the default first."""
        others = sorted(lang for lang in self.texts if lang != self.default)
        return (self.default, *others)

    @cached_property
    def _by_spelling(self) -> Mapping[str, str]:
        return {lang.lower(): lang for lang in self.languages}

    @cached_property
    def _identities(self) -> tuple[tuple[str, _Identity], ...]:
        """Our public catalogues (not private-use ones) as language, script and region."""
        found = ((lang, _identity(lang)) for lang in self.languages)
        return tuple((lang, ident) for lang, ident in found if ident is not None)

    def negotiate(self, preferred: str | None) -> str:
        """Pick the language for a LINE profile's BCP 47 tag; missing or unknown: the default."""
        tag = (preferred or "").strip().replace("_", "-")
        if len(tag) > MAX_TAG or not TAG.fullmatch(tag):
            return self.default
        exact = self._by_spelling.get(tag.lower())
        if exact is not None:
            return exact  # a setting may name a private-use catalogue such as `ja-x-easy`
        wanted = _identity(PRIVATE_USE.split(tag)[0])
        if wanted is None:
            return self.default
        script = SCRIPT_FALLBACK.get((wanted.language, wanted.script))
        return (
            self._closest(wanted)
            or (script and self._closest(wanted._replace(script=script)))
            or self.default
        )

    def _closest(self, wanted: _Identity) -> str | None:
        """Our catalogue of the same language and script, the same region first."""
        same = [(lang, ident) for lang, ident in self._identities if ident[:2] == wanted[:2]]
        for lang, ident in same:
            if ident.region == wanted.region:
                return lang
        # Else the first: the default comes first in self.languages (`ja-JP` → `ja`).
        return same[0][0] if same else None

    @cached_property
    def cancel_words(self) -> frozenset[str]:
        """Return every language's cancel button label and typed cancel words, normalised."""
        found: set[str] = set()
        for texts in self.texts.values():
            typed = texts.get(CANCEL_TYPED, "").split("|")
            found.update(normalise(w) for w in (texts.get(CANCEL_BUTTON, ""), *typed))
        found.discard("")
        return frozenset(found)

    def template(self, key: str, *, language: str) -> str:
        """Return a key's raw text in a language, else in the default language, else the key."""
        own = self.texts.get(language, {}).get(key)
        return own or self.texts.get(self.default, {}).get(key) or key

    def text(self, key: str, *, language: str, params: Mapping[str, Param] | None = None) -> str:
        """Return a key's text in a language with its placeholders filled."""
        said = {name: self._say(value, language) for name, value in (params or {}).items()}
        return fill(self.template(key, language=language), said)

    def _say(self, value: Param, language: str) -> str | int:
        """A parameter in words: counts and phrases in the language, others as they are."""
        if isinstance(value, MediaCount):
            return self.media(value, language=language)
        if isinstance(value, Phrase):
            return self.text(value.key, language=language)
        return value

    def counted(self, key: str, n: int, *, language: str) -> str:
        """Return a plural entry filled for `n` ("1 video"), else the default language's."""
        for lang in (language, self.default):
            form = self.plurals.get(lang, Plurals()).form(key, n)
            if form:
                return fill(form, {"n": n})
        return str(n)

    def media(self, count: MediaCount, *, language: str) -> str:
        """Say a number of photos and videos, naming only the kinds present ("2 photos")."""
        parts = [
            self.counted(key, n, language=language)
            for key, n in ((MEDIA_PHOTOS, count.photos), (MEDIA_VIDEOS, count.videos))
            if n
        ]
        if len(parts) == 2:
            joined = {"photos": parts[0], "videos": parts[1]}
            return self.text(MEDIA_BOTH, language=language, params=joined)
        return parts[0] if parts else self.counted(MEDIA_PHOTOS, 0, language=language)

    def missing(self, keys: Iterable[str]) -> dict[str, list[str]]:
        """Return, per language, the keys it has no text for (fuzzy and empty ones count too)."""
        wanted = {str(key) for key in keys}
        gaps = {
            lang: sorted(wanted - set(texts) - set(self.plurals.get(lang, Plurals()).forms))
            for lang, texts in self.texts.items()
        }
        return {lang: gap for lang, gap in gaps.items() if gap}


class _Identity(NamedTuple):
    """What a language tag names: language, script (filled in from CLDR's likely ones), region."""

    language: str
    script: str
    region: str | None


@lru_cache(maxsize=1024)
def _identity(tag: str) -> _Identity | None:
    """Return what a public BCP 47 tag names, by CLDR's aliases (`tl` = `fil`, `in` = `id`)."""
    if PRIVATE_USE.search(tag) or tag.split("-")[0].lower() == "und":
        return None  # `und` means "not known"; CLDR would guess English for it
    try:
        locale = Locale.parse(tag, sep="-")
    except (ValueError, UnknownLocaleError):
        return None
    script = locale.script
    if not script:
        likely: Mapping[str, str] = get_global("likely_subtags")
        full = likely.get(f"{locale.language}_{locale.territory}") or likely.get(locale.language)
        script = parse_locale(full)[2] if full else None
    return _Identity(locale.language, script or "", locale.territory)


def read_catalogue_file(path: Path) -> dict[str, str]:
    """Read one `.po` file into key → text, leaving out the header and fuzzy or empty entries."""
    return _read(path)[0]


def _read(path: Path) -> tuple[dict[str, str], Plurals]:
    with path.open("rb") as f:
        try:
            # No locale given: our directory names are BCP 47 tags, which Babel's parser refuses.
            catalog = read_po(f, domain=DOMAIN)
        except ValueError as exc:  # e.g. a `Language:` header Babel cannot parse
            raise ValueError(f"{path}: {exc}") from exc
    texts: dict[str, str] = {}
    forms: dict[str, tuple[str, ...]] = {}
    for message in catalog:
        key, text = message.id, message.string
        if not key or message.fuzzy:  # the header, or not a translation yet
            continue
        if isinstance(key, str) and isinstance(text, str) and text:
            texts[key] = text
        elif isinstance(key, tuple) and isinstance(text, tuple):
            # A plural entry counts only with every form the header's `nplurals` asks for.
            written = tuple(str(t) for t in text[: catalog.num_plurals])
            if len(written) == catalog.num_plurals and all(written):
                forms[str(key[0])] = written
    try:
        _plural_rule(catalog.plural_expr)
    except ValueError as exc:
        raise ValueError(f"{path}: Plural-Forms: {exc}") from exc
    return texts, Plurals(forms, catalog.plural_expr)


def load_catalogue(directory: Path = LOCALES_DIR, *, default: str = DEFAULT_LANGUAGE) -> Catalogue:
    """Read every language's catalogue under `directory` (call once at startup)."""
    read = {
        po.parent.parent.name: _read(po)
        for po in sorted(directory.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))
    }
    if default not in read:
        raise FileNotFoundError(
            f"no {DOMAIN}.po for the default language {default!r} in {directory}"
        )
    texts = {lang: pair[0] for lang, pair in read.items()}
    plurals = {lang: pair[1] for lang, pair in read.items()}
    return Catalogue(texts, default, plurals)
