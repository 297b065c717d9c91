"""The pushes' words: in all eight languages, with their placeholders, within LINE's limits."""

from __future__ import annotations

import pytest

from tests.webhooks.test_i18n_catalogues import LANGUAGES
from webhooks.i18n import Catalogue, load_catalogue, placeholders
from webhooks.notices import (
    DIGEST_ITEMS,
    PARAMS,
    NoticeKey,
    digest,
    published,
    reactions,
    rejected,
    reminder,
)
from webhooks.render import MAX_TEXT, utf16_len


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return load_catalogue()


@pytest.mark.parametrize("language", LANGUAGES)
def test_each_notice_is_written_with_its_placeholders(catalogue, language):
    for key in NoticeKey:
        text = catalogue.texts[language].get(key)
        assert text, f"{language} has no text for {key}"
        assert placeholders(text) == PARAMS[key], f"{language}:{key}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_longest_notices_fit_line(catalogue, language):
    url = "https://example.com/" + "p" * 1980  # a 2,000-character link, the API's maximum
    thanks = "😀" * 500  # the longest thank-you, all surrogate pairs
    posts = [("日々の仕事" * 8, url)] * (DIGEST_ITEMS + 7)
    reason = "😀" * 2000  # the longest review note, all surrogate pairs (4,000 UTF-16 units)
    sent = [
        *published(catalogue, language, url=url, thanks=thanks),
        *reactions(catalogue, language, count=10**9, url=url),
        *reminder(catalogue, language),
        *digest(catalogue, language, month="2026-11", posts=posts),
        *rejected(catalogue, language, code="ABCD-1234", theme="日々の仕事" * 8, note=reason),
    ]
    for message in sent:
        assert message["type"] == "text"
        assert 0 < utf16_len(message["text"]) <= MAX_TEXT
        assert "{" not in message["text"], message["text"][:80]  # every placeholder filled


def test_a_digest_lists_twenty_posts_and_counts_the_rest(catalogue):
    posts = [(f"theme{i}", f"https://x.test/{i}") for i in range(25)]
    (message,) = digest(catalogue, "en", month="2026-11", posts=posts)
    assert "(25 in all)" in message["text"]
    assert "https://x.test/19" in message["text"] and "https://x.test/20" not in message["text"]
    assert message["text"].endswith("… +5")


def test_no_thanks_no_second_message(catalogue):
    assert len(published(catalogue, "ja", url="https://x.test/p", thanks=None)) == 1


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_long_reason_is_shortened_never_the_kind_words_around_it(catalogue, language):
    (message,) = rejected(catalogue, language, code="ABCD-1234", theme=None, note="あ" * 6000)
    text = message["text"]
    assert utf16_len(text) == MAX_TEXT and "ABCD-1234" in text
    closing = catalogue.texts[language][NoticeKey.REJECTED].rsplit("{note}", 1)[1]
    assert text.endswith(closing) and "あ…" in text  # the end (send again, guideline) is kept
