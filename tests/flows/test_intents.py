"""Postback data round-trips and lenient parsing; typed keywords."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from flows.intents import (
    EXTERNAL_PHOTO,
    MAX_DATA,
    Intent,
    Tap,
    encode,
    fingerprint,
    interpret,
    keyword,
    parse,
    submission_id,
)
from flows.types import OtherReceived, PhotoReceived, PostbackReceived, TextReceived


class TestCodec:
    def test_format_is_compact_and_versioned(self):
        assert encode(Tap(Intent.THEME, "monthly", "01JDRAFT")) == "g1|theme|monthly|01JDRAFT"
        assert encode(Tap(Intent.HELP)) == "g1|help"
        assert encode(Tap(Intent.SKIP, ref="d1")) == "g1|skip||d1"

    def test_separators_inside_fields_are_escaped(self):
        tap = Tap(Intent.THEME, "a|b%7C", "d|1")
        data = encode(tap)
        assert data.count("|") == 3
        assert parse(data) == tap

    @given(st.sampled_from(Intent), st.text(max_size=60), st.text(max_size=60))
    def test_round_trip(self, intent, arg, ref):
        tap = Tap(intent, arg, ref)
        data = encode(tap)
        if len(data) <= MAX_DATA:
            assert parse(data) == tap

    @given(st.text(max_size=400))
    def test_parse_never_raises(self, data):
        result = parse(data)
        assert result is None or isinstance(result, Tap)

    @pytest.mark.parametrize(
        "data",
        [
            "",
            "g1",
            "g2|help",
            "g1|unknown",
            "g1|theme|a|b|c",
            "g1|theme|%|d",
            "g1|theme|%4|d",
            "g1|theme|%41|d",
            "theme=monthly",
            "g1|" + "x" * 300,
        ],
    )
    def test_malformed_data_is_none(self, data):
        assert parse(data) is None

    def test_space_is_part_of_a_field(self):
        assert parse("g1|theme| a |d") == Tap(Intent.THEME, " a ", "d")
        assert parse(" g1|help") is None

    def test_submission_id_for_the_caller(self):
        assert submission_id(encode(Tap(Intent.WITHDRAW, "s1"))) == "s1"
        assert submission_id(encode(Tap(Intent.WITHDRAW_YES, "s1"))) == "s1"
        assert submission_id(encode(Tap(Intent.THEME, "s1", "d"))) is None
        assert submission_id(encode(Tap(Intent.WITHDRAW))) is None
        assert submission_id("junk") is None


class TestKeywords:
    @pytest.mark.parametrize(
        "word", ["キャンセル", "ｷｬﾝｾﾙ", "やめる", "中止", "Cancel", "ＳＴＯＰ", " stop "]
    )
    def test_cancel_words(self, word):
        assert keyword(word) is Intent.CANCEL

    @pytest.mark.parametrize("word", ["ヘルプ", "help", "使い方", "?", "？", "ＨＥＬＰ"])
    def test_help_words(self, word):
        assert keyword(word) is Intent.HELP

    @pytest.mark.parametrize("word", ["キャンセルしたい", "stop it", "", "??", "ヘルプ!"])
    def test_other_text_is_no_keyword(self, word):
        assert keyword(word) is None


class TestInterpret:
    def test_keyword_becomes_a_tap_without_ref(self):
        assert interpret(TextReceived("やめる")) == Tap(Intent.CANCEL)

    def test_postback_becomes_a_tap_or_stays_when_malformed(self):
        assert interpret(PostbackReceived("g1|help")) == Tap(Intent.HELP)
        junk = PostbackReceived("junk")
        assert interpret(junk) is junk

    def test_external_photo_is_something_the_bot_cannot_take(self):
        assert interpret(PhotoReceived("m", external=True)) == OtherReceived(EXTERNAL_PHOTO)
        plain = PhotoReceived("m")
        assert interpret(plain) is plain


def test_fingerprint_is_short_and_stable():
    assert fingerprint("案") == fingerprint("案")
    assert fingerprint("案1") != fingerprint("案2")
    assert len(fingerprint("x" * 5000)) == 8
