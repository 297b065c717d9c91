"""The catalogues: eight languages, every key in each, the same placeholders and emoji, fallbacks.

A key added to `flows.keys.Key` without its text in every language fails here, naming the
language and the file to edit: the texts are written by people, not copied from Japanese.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest

from flows.intents import Intent, keyword
from flows.keys import PARAMS, Key
from flows.types import MediaCount, Phrase
from webhooks.i18n import (
    CANCEL_TYPED,
    LOCALES_DIR,
    MEDIA_BOTH,
    PLURAL_KEYS,
    Catalogue,
    fill,
    load_catalogue,
    placeholders,
)
from webhooks.notices import NoticeKey
from webhooks.render import MAX_LABEL, utf16_len

# The languages most foreign workers in Japanese factories and stores read (issue 8).
LANGUAGES = ("ja", "ja-x-easy", "en", "vi", "pt-BR", "id", "tl", "zh-Hans")
# The conversation's keys, the pushes' keys (webhooks/notices.py) and the renderer's own.
KEYS = tuple(str(key) for key in (*Key, *NoticeKey, MEDIA_BOTH, CANCEL_TYPED))


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


# "No need / forget it": answers to "anything to add?" as much as a wish to cancel, so never
# cancel words (which drop the draft with its photos) in any language.
NO_NEED = (
    *("never mind", "nevermind", "算了", "不要了", "huwag na", "wag na", "thôi"),
    *("tidak jadi", "gak jadi", "nggak jadi", "desistir"),
)


class TestCancelWords:
    """A worker cancels by typing their own language's word, not only Japanese or English."""

    @pytest.mark.parametrize("language", LANGUAGES)
    def test_the_cancel_button_label_and_typed_words_cancel(self, catalogue, language):
        texts = catalogue.texts[language]
        typed = texts[CANCEL_TYPED].split("|")
        assert all(w == w.strip() and w for w in typed), f"{language}: empty or padded word"
        for word in (texts[str(Key.BUTTON_CANCEL)], *typed):
            assert keyword(word, catalogue.cancel_words) is Intent.CANCEL, f"{language}:{word}"

    @pytest.mark.parametrize("language", LANGUAGES)
    def test_the_help_text_names_a_word_that_cancels(self, catalogue, language):
        quoted = re.findall(r"[“「\"](.+?)[”」\"]", catalogue.texts[language]["help"])
        assert any(keyword(q, catalogue.cancel_words) is Intent.CANCEL for q in quoted), quoted

    @pytest.mark.parametrize(
        "word", ["hủy", "Batal", "Cancelar", "I-cancel", "取消", "Hủy bỏ", "Kanselahin"]
    )
    def test_the_reviewed_words_cancel(self, catalogue, word):
        assert keyword(word, catalogue.cancel_words) is Intent.CANCEL

    @pytest.mark.parametrize("word", NO_NEED)
    def test_no_need_words_do_not_cancel(self, catalogue, word):
        """A cancel drops the draft with its photos; "no need" also answers "anything to add?"."""
        assert keyword(word, catalogue.cancel_words) is None


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_settings_text_names_what_settings_offers(catalogue, language):
    """Before, it said only "you can change the language" above the site and credit buttons."""
    texts = catalogue.texts[language]
    for settings in (texts["settings"], texts["settings.no_contact"]):
        for label in (Key.BUTTON_SITE, Key.BUTTON_CREDIT):
            assert texts[str(label)].casefold() in settings.casefold(), f"{language}:{label}"


# Vietnamese says each thing one way: the words the other entries and the buttons use.
VIETNAMESE_ONE_WAY = {
    "nhóm pr": "nhóm truyền thông",
    "máy ảnh": "camera (the button's word)",
    "để lộ": "hiện (as the face question says)",
    "bình luận": "ghi chú (as the skip button says)",
    '"': "“…” quotation marks",
}


def test_vietnamese_says_each_thing_one_way(catalogue):
    for key, text in catalogue.texts["vi"].items():
        for variant, instead in VIETNAMESE_ONE_WAY.items():
            assert variant not in text.casefold(), f"vi:{key} says {variant!r}; use {instead}"


# Indonesian, Tagalog and Portuguese each say a thing one way, as the rest of their catalogue.
ONE_WAY = {
    "id": {r"\bkamu\b": "Anda (the catalogue's “you”)"},
    "tl": {r"\blarawan\b": "litrato (the catalogue's word for photo)"},
    "pt-BR": {r"\bequipe de rp\b": "equipe de comunicação (as most texts say)"},
}


@pytest.mark.parametrize("language", sorted(ONE_WAY))
def test_indonesian_tagalog_and_portuguese_say_each_thing_one_way(catalogue, language):
    for key, text in catalogue.texts[language].items():
        for variant, instead in ONE_WAY[language].items():
            found = re.search(variant, text.casefold())
            assert not found, f"{language}:{key} says {found and found[0]!r}; use {instead}"


# Each catalogue's word for a video, as its `media.videos` and its other texts say it.
VIDEO_WORD = {
    "ja": "動画",
    "ja-x-easy": "動画",
    "en": "video",
    "vi": "video",
    "pt-BR": "vídeo",
    "id": "video",
    "tl": "video",
    "zh-Hans": "视频",
}


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_unsent_post_text_also_fits_a_video(catalogue, language):
    """Said when every photo or video of a post was unsent; it used to say "photo" only."""
    said = catalogue.texts[language][str(Key.UNSENT_EMPTIED)]
    assert VIDEO_WORD[language] in said.casefold(), f"{language}: {said!r}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_digest_of_one_post_has_no_plural_for_it(catalogue, language):
    """A month with one published post is common; "we posted 1 items" read as a mistake."""
    said = catalogue.text(
        str(NoticeKey.DIGEST),
        language=language,
        params={"month": "2026-11", "count": 1, "items": ""},
    )
    assert not re.search(r"\b1 (items|itens|mga)\b", said), f"{language}: {said!r}"


class TestFaceWords:
    """The face choice reads the same on the receipt, on "my submissions" and after a change."""

    @pytest.mark.parametrize("language", LANGUAGES)
    @pytest.mark.parametrize(
        ("receipt", "face"),
        [
            (Key.RECEIPT_SUMMARY_SHOW, Key.FACE_IS_SHOW),
            (Key.RECEIPT_SUMMARY_BLUR, Key.FACE_IS_BLUR),
            (Key.RECEIPT_SUMMARY_NO_FACE, Key.FACE_IS_NONE),
        ],
    )
    def test_the_receipt_and_the_card_say_the_same(self, catalogue, language, receipt, face):
        texts = catalogue.texts[language]
        said = texts[str(receipt)].split("\n")[-1].lstrip("•・ ")
        assert said == texts[str(face)]
        changed = catalogue.text(
            Key.REFACE_DONE, language=language, params={"code": "K7F-3QX", "face": Phrase(face)}
        )
        assert changed.endswith(texts[str(face)])

    def test_english_says_one_photo_without_a_plural(self, catalogue):
        for key in (Key.RECEIPT_SUMMARY_SHOW, Key.RECEIPT_SUMMARY_NO_FACE):
            one = catalogue.text(
                key, language="en", params={"count": MediaCount(1, 0), "theme": "Safety"}
            )
            assert "1 photo\n" in one and "photos" not in one, one


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


class TestCountedMedia:
    """Photos and videos are counted apart, each kind named only when present, in the plural
    form the language's `Plural-Forms` picks."""

    @pytest.mark.parametrize("language", LANGUAGES)
    def test_every_language_has_both_nouns_with_the_number(self, catalogue, language):
        forms = catalogue.plurals[language].forms
        for key in PLURAL_KEYS:
            assert forms.get(key), f"{language} has no plural entry {key}"
            assert all(placeholders(form) == {"n"} for form in forms[key]), f"{language}:{key}"
        joiner = catalogue.texts[language][MEDIA_BOTH]
        assert placeholders(joiner) == {"photos", "videos"}, language
        # Said in the file, not guessed by Babel from the language (pt_BR would get 3 forms).
        po = (LOCALES_DIR / language / "LC_MESSAGES" / "genba.po").read_text(encoding="utf-8")
        assert '"Plural-Forms: nplurals=' in po, f"{language} names no Plural-Forms"

    @pytest.mark.parametrize(
        ("count", "japanese", "english"),
        [
            (MediaCount(1, 0), "写真1枚", "1 photo"),
            (MediaCount(3, 0), "写真3枚", "3 photos"),
            (MediaCount(0, 1), "動画1本", "1 video"),
            (MediaCount(0, 2), "動画2本", "2 videos"),
            (MediaCount(2, 1), "写真2枚・動画1本", "2 photos and 1 video"),
            (MediaCount(1, 3), "写真1枚・動画3本", "1 photo and 3 videos"),
        ],
    )
    def test_only_the_kinds_present_with_singular_and_plural(
        self, catalogue, count, japanese, english
    ):
        assert catalogue.media(count, language="ja") == japanese
        assert catalogue.media(count, language="en") == english

    @pytest.mark.parametrize(
        ("language", "one", "two"),
        [
            ("pt-BR", "1 foto e 1 vídeo", "2 fotos e 2 vídeos"),
            ("vi", "1 ảnh và 1 video", "2 ảnh và 2 video"),
            ("zh-Hans", "1张照片和1个视频", "2张照片和2个视频"),
            ("ja-x-easy", "写真（しゃしん）1枚（まい）と動画（どうが）1本（ほん）", None),
        ],
    )
    def test_other_languages_say_both(self, catalogue, language, one, two):
        assert catalogue.media(MediaCount(1, 1), language=language) == one
        if two is not None:
            assert catalogue.media(MediaCount(2, 2), language=language) == two

    def test_a_text_fills_a_count_in_words(self, catalogue):
        said = catalogue.text(
            Key.PHOTO_THANKS_MANY, language="ja", params={"count": MediaCount(2, 1)}
        )
        assert said == "写真2枚・動画1本、ありがとうございます！"

    def test_a_language_without_the_plural_entries_falls_back_to_japanese(self, tmp_path):
        write_po(tmp_path, "ja", {"media.both": "{photos}・{videos}"}, plural_rule="0")
        (tmp_path / "ja" / "LC_MESSAGES" / "genba.po").open("a", encoding="utf-8").write(
            '\nmsgid "media.videos"\nmsgid_plural "media.videos"\nmsgstr[0] "動画{n}本"\n'
        )
        write_po(tmp_path, "vi", {"help": "Trợ giúp"})
        loaded = load_catalogue(tmp_path)
        assert loaded.media(MediaCount(0, 2), language="vi") == "動画2本"
        assert loaded.missing(["media.videos"]) == {"vi": ["media.videos"]}


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
    plural_rule: str | None = None,
) -> None:
    """Write a small genba.po for `language` under `root`."""
    folder = root / language / "LC_MESSAGES"
    folder.mkdir(parents=True)
    lines = ['msgid ""', 'msgstr ""', '"Content-Type: text/plain; charset=UTF-8\\n"']
    if language_header:
        lines.append(f'"Language: {language_header}\\n"')
    if plural_rule:
        lines.append(f'"Plural-Forms: nplurals=1; plural={plural_rule};\\n"')
    lines.append("")
    for key, text in entries.items():
        lines += [f'msgid "{key}"', f'msgstr "{text}"', ""]
    for key, text in (fuzzy or {}).items():
        lines += ["#, fuzzy", f'msgid "{key}"', f'msgstr "{text}"', ""]
    (folder / "genba.po").write_text("\n".join(lines), encoding="utf-8")
