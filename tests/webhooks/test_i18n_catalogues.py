"""The catalogues: eight languages, every key in each, the same placeholders and emoji, fallbacks.

A key added to `flows.keys.Key` without its text in every language fails here, naming the
language and the file to edit: the texts are written by people, not copied from Japanese.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

from flows.keys import PARAMS, Key
from webhooks.i18n import LOCALES_DIR, Catalogue, fill, load_catalogue, placeholders
from webhooks.notices import NoticeKey
from webhooks.render import MAX_LABEL, utf16_len

# The languages most foreign workers in Japanese factories and stores read (issue 8).
LANGUAGES = ("ja", "ja-x-easy", "en", "vi", "pt-BR", "id", "tl", "zh-Hans")
# The conversation's keys and the pushes' keys (webhooks/notices.py).
KEYS = tuple(str(key) for key in (*Key, *NoticeKey))


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return load_catalogue()


def pairs(catalogue: Catalogue, language: str) -> list[tuple[str, str, str]]:
    """Each key a language has, with its text and the Japanese text (parity is tested apart)."""
    japanese = catalogue.texts["ja"]
    return [(k, t, japanese[k]) for k, t in catalogue.texts[language].items() if k in japanese]


def emoji(text: str) -> list[str]:
    """The pictographs in a text (😊, 🙌), in order; punctuation and ①-style digits are not."""
    return [ch for ch in text if unicodedata.category(ch) == "So" and ord(ch) > 0x2000]


class TestParity:
    def test_exactly_the_eight_languages(self, catalogue):
        assert sorted(catalogue.languages) == sorted(LANGUAGES)
        assert catalogue.languages[0] == "ja"

    @pytest.mark.parametrize("language", LANGUAGES)
    def test_every_key_has_a_text(self, catalogue, language):
        missing = catalogue.missing(KEYS).get(language, [])
        po = LOCALES_DIR / language / "LC_MESSAGES" / "genba.po"
        assert not missing, (
            f"{language} has no text (or only a fuzzy or empty one) for {missing}: write it in "
            f"{po.relative_to(LOCALES_DIR.parent.parent)}. Every key needs all "
            f"{len(LANGUAGES)} languages ({', '.join(LANGUAGES)}), not only Japanese."
        )

    def test_a_new_key_without_translations_is_reported_for_each_language(self, catalogue):
        assert catalogue.missing([*Key, "settings.new_thing"]) == {
            language: ["settings.new_thing"] for language in LANGUAGES
        }

    @pytest.mark.parametrize("language", LANGUAGES)
    def test_no_unknown_keys(self, catalogue, language):
        unknown = set(catalogue.texts[language]) - set(KEYS)
        assert not unknown, f"{language} has keys flows never use: {sorted(unknown)}"


class TestContent:
    @pytest.mark.parametrize("language", LANGUAGES)
    def test_same_placeholders_as_japanese(self, catalogue, language):
        for key, text, japanese in pairs(catalogue, language):
            assert placeholders(text) == placeholders(japanese), f"{language}:{key} {text!r}"

    def test_japanese_placeholders_are_what_flows_sends(self, catalogue):
        for key in Key:
            assert placeholders(catalogue.texts["ja"][key]) == PARAMS.get(key, frozenset()), key

    @pytest.mark.parametrize("language", LANGUAGES)
    def test_same_emoji_as_japanese(self, catalogue, language):
        for key, text, japanese in pairs(catalogue, language):
            assert emoji(text) == emoji(japanese), f"{language}:{key}"

    @pytest.mark.parametrize("language", LANGUAGES)
    def test_texts_are_tidy(self, catalogue, language):
        for key, text in catalogue.texts[language].items():
            # NFC: a decomposed Vietnamese letter would count double against LINE's limits.
            assert unicodedata.normalize("NFC", text) == text, f"{language}:{key} is not NFC"
            assert text == text.strip() and "\n\n\n" not in text, f"{language}:{key}"
            assert text.count("{") == text.count("}"), f"{language}:{key} unbalanced braces"

    @pytest.mark.parametrize("language", LANGUAGES)
    def test_button_labels_fit_without_cutting(self, catalogue, language):
        for key, text in catalogue.texts[language].items():
            if key.startswith("button."):
                assert utf16_len(text) <= MAX_LABEL and "\n" not in text, f"{language}:{key}"

    @pytest.mark.parametrize("language", [lang for lang in LANGUAGES if lang != "ja"])
    def test_translated_not_copied(self, catalogue, language):
        """A text identical to the Japanese one is a copy, except short loanwords (カメラ)."""
        copies = [
            key
            for key, text, japanese in pairs(catalogue, language)
            if text == japanese and not (language == "ja-x-easy" and key in EASY_SAME_AS_JAPANESE)
        ]
        assert not copies, f"{language} repeats the Japanese text of {copies}"


# Easy Japanese keeps these plain Japanese texts: they are already short, plain and common.
EASY_SAME_AS_JAPANESE = frozenset(
    {
        "hint.unexpected",
        "button.camera",
        "button.album",
        "button.face_blur",
        "button.skip",
    }
)


class TestLoading:
    def test_a_missing_or_fuzzy_text_falls_back_to_japanese(self, tmp_path):
        write_po(
            tmp_path, "ja", {"help": "ヘルプです", "receipt": "番号 {code}", "cancelled": "済"}
        )
        write_po(tmp_path, "vi", {"help": "Trợ giúp"}, fuzzy={"receipt": "Mã {code}"})
        write_po(tmp_path, "ja-x-easy", {"help": "たすけ", "cancelled": ""})
        loaded = load_catalogue(tmp_path)
        assert loaded.text("help", language="vi") == "Trợ giúp"
        assert loaded.text("receipt", language="vi", params={"code": "X"}) == "番号 X"
        assert loaded.text("cancelled", language="ja-x-easy") == "済"  # empty is no text
        assert loaded.text("help", language="ko") == "ヘルプです"  # no such catalogue
        assert loaded.text("nope", language="vi") == "nope"
        assert loaded.missing(["help", "receipt", "cancelled"]) == {
            "vi": ["cancelled", "receipt"],
            "ja-x-easy": ["cancelled", "receipt"],
        }

    def test_bcp47_directory_names_are_the_languages(self, tmp_path):
        write_po(tmp_path, "ja", {"help": "ヘルプ"})
        write_po(tmp_path, "pt-BR", {"help": "Ajuda"}, language_header="pt_BR")
        loaded = load_catalogue(tmp_path)
        assert loaded.languages == ("ja", "pt-BR")
        assert loaded.text("help", language=loaded.negotiate("pt")) == "Ajuda"

    def test_a_header_babel_cannot_read_names_the_file(self, tmp_path):
        write_po(tmp_path, "ja", {"help": "ヘルプ"})
        write_po(tmp_path, "ja-x-easy", {"help": "たすけ"}, language_header="ja-x-easy")
        with pytest.raises(ValueError, match=r"ja-x-easy/LC_MESSAGES/genba\.po"):
            load_catalogue(tmp_path)

    def test_fill_leaves_unknown_placeholders(self):
        assert fill("{a} and {b}", {"a": 1}) == "1 and {b}"
        assert fill("{a}", {"a": "{b}"}) == "{b}"

    def test_default_language_must_exist(self, tmp_path):
        write_po(tmp_path, "en", {"help": "Help"})
        with pytest.raises(FileNotFoundError):
            load_catalogue(tmp_path)


def write_po(
    root: Path,
    language: str,
    entries: dict[str, str],
    fuzzy: dict[str, str] | None = None,
    *,
    language_header: str | None = None,
) -> None:
    """Write a small genba.po for `language` under `root`."""
    folder = root / language / "LC_MESSAGES"
    folder.mkdir(parents=True)
    lines = ['msgid ""', 'msgstr ""', '"Content-Type: text/plain; charset=UTF-8\\n"']
    if language_header:
        lines.append(f'"Language: {language_header}\\n"')
    lines.append("")
    for key, text in entries.items():
        lines += [f'msgid "{key}"', f'msgstr "{text}"', ""]
    for key, text in (fuzzy or {}).items():
        lines += ["#, fuzzy", f'msgid "{key}"', f'msgstr "{text}"', ""]
    (folder / "genba.po").write_text("\n".join(lines), encoding="utf-8")
