"""Which catalogue a worker gets from the language of their LINE profile (a BCP 47 tag)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from flows.keys import Key
from flows.types import Reply
from webhooks.i18n import Catalogue, load_catalogue
from webhooks.render import render

EASY = "ja-x-easy"


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return load_catalogue()


@pytest.mark.parametrize(
    ("profile", "expected"),
    [
        ("ja", "ja"),
        ("ja-JP", "ja"),
        ("JA", "ja"),
        ("en", "en"),
        ("en-US", "en"),
        ("en_GB", "en"),
        ("EN", "en"),
        ("vi", "vi"),
        ("vi-VN", "vi"),
        ("pt-BR", "pt-BR"),
        ("pt", "pt-BR"),  # a Portuguese reader reads Brazilian Portuguese
        ("pt-PT", "pt-BR"),
        ("id", "id"),
        ("id-ID", "id"),
        ("in", "id"),  # Java's old code for Indonesian, still sent by some Android phones
        ("tl", "tl"),
        ("fil", "tl"),
        ("fil-PH", "tl"),
        ("zh-CN", "zh-Hans"),
        ("zh-Hans", "zh-Hans"),
        ("zh-Hans-CN", "zh-Hans"),
        ("zh", "zh-Hans"),
        ("zh-SG", "zh-Hans"),
        # A Traditional reader gets Simplified, far easier for them than Japanese (see i18n.py).
        ("zh-TW", "zh-Hans"),
        ("zh-Hant", "zh-Hans"),
        ("zh-HK", "zh-Hans"),
        ("ko", "ja"),
        ("th", "ja"),
        ("ne", "ja"),
        ("my", "ja"),
        ("und", "ja"),  # "undetermined": CLDR would guess English
        ("", "ja"),
        (None, "ja"),
        ("   ", "ja"),
        ("not a tag", "ja"),
        ("en US", "ja"),
        ("x-klingon", "ja"),
        ("qq", "ja"),
        ("ja\n", "ja"),
        ("日本語", "ja"),
        ("e" * 1000, "ja"),
        ("en-" + "a" * 995, "ja"),
        ("zh-" * 333, "ja"),
    ],
)
def test_profile_language(catalogue, profile, expected):
    assert catalogue.negotiate(profile) == expected


@pytest.mark.parametrize(
    "profile", ["ja", "ja-JP", "ja-Jpan", "ja-Hira", "ja-JP-x-easyish", "ja-x"]
)
def test_easy_japanese_is_never_picked_for_a_japanese_profile(catalogue, profile):
    assert catalogue.negotiate(profile) == "ja"


@pytest.mark.parametrize("chosen", [EASY, "JA-X-EASY", "ja_x_easy"])
def test_easy_japanese_when_a_setting_names_it(catalogue, chosen):
    assert catalogue.negotiate(chosen) == EASY


def test_the_negotiated_language_is_what_the_worker_reads(catalogue):
    for profile, word in [
        ("vi-VN", "Hủy"),
        ("fil", "I-cancel"),
        ("zh-TW", "取消"),
        ("ko", "キャンセル"),
    ]:
        reply = Reply(Key.CANCEL_NOTHING, choices=())
        language = catalogue.negotiate(profile)
        (message,) = render([reply], language=language, catalogue=catalogue)
        assert message.text == catalogue.texts[language][Key.CANCEL_NOTHING]
        assert catalogue.texts[language][Key.BUTTON_CANCEL] == word


@given(
    st.text(max_size=60) | st.from_regex(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8}){0,4}", fullmatch=True)
)
def test_any_tag_gets_a_catalogue_and_never_easy_japanese_by_accident(catalogue, profile):
    chosen = catalogue.negotiate(profile)
    assert chosen in catalogue.languages
    if chosen == EASY:
        assert profile.strip().replace("_", "-").lower() == EASY
