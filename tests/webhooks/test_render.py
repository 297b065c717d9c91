"""Rendering flow replies as LINE messages: shapes, LINE's limits, catalogues and languages."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from linebot.v3.messaging import CameraAction, CameraRollAction, PostbackAction, TextMessage

from flows.keys import Key
from flows.machine import step
from flows.types import (
    Choice,
    ChoiceKind,
    Context,
    Conversation,
    PhotoReceived,
    Reply,
    Theme,
)
from webhooks.i18n import Catalogue, load_catalogue
from webhooks.render import (
    MAX_ITEMS,
    MAX_LABEL,
    MAX_MESSAGES,
    MAX_TEXT,
    from_outbox,
    render,
    to_outbox,
    truncate,
    utf16_len,
)

THEMES = (
    Theme("monthly", "今月のテーマ：職人の手元を見せよう、ものづくりの現場から"),
    Theme("party", "👨‍👩‍👧‍👦🎉👨‍👩‍👧‍👦🎉👨‍👩‍👧‍👦🎉"),
    Theme("short", "安全"),
)


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return load_catalogue()


def well_formed(text: str) -> bool:
    """No lone surrogate halves (they cannot be encoded)."""
    try:
        text.encode("utf-16")
    except UnicodeEncodeError:
        return False
    return True


def first_photo_replies() -> tuple[Reply, ...]:
    ctx = Context(
        now=datetime(2025, 1, 1, tzinfo=UTC), themes=THEMES, new_draft_id="d1", new_code="C1"
    )
    return step(Conversation(), PhotoReceived("m1"), ctx).replies


class TestShapes:
    def test_text_messages_with_buttons_on_the_last_only(self, catalogue):
        messages = render(first_photo_replies(), language="ja", catalogue=catalogue)
        assert [type(m) for m in messages] == [TextMessage, TextMessage]
        assert messages[0].quick_reply is None
        assert messages[0].text == catalogue.text(Key.PHOTO_THANKS, language="ja")
        actions = [item.action for item in messages[-1].quick_reply.items]
        assert all(isinstance(a, PostbackAction) for a in actions)
        assert actions[-1].label == "キャンセル"
        assert actions[0].data == "g1|theme|monthly|d1"

    def test_postback_shows_the_choice_in_the_chat(self, catalogue):
        messages = render(first_photo_replies(), language="ja", catalogue=catalogue)
        for item in messages[-1].quick_reply.items:
            assert item.action.display_text == item.action.label

    def test_camera_and_album_actions(self, catalogue):
        reply = Reply(
            Key.IDLE_POINTER,
            choices=(
                Choice(ChoiceKind.CAMERA, Key.BUTTON_CAMERA),
                Choice(ChoiceKind.CAMERA_ROLL, Key.BUTTON_ALBUM),
            ),
        )
        (message,) = render([reply], language="en", catalogue=catalogue)
        actions = [item.action for item in message.quick_reply.items]
        assert isinstance(actions[0], CameraAction) and actions[0].label == "Camera"
        assert isinstance(actions[1], CameraRollAction) and actions[1].label == "Album"

    def test_params_are_filled(self, catalogue):
        (message,) = render(
            [Reply(Key.RECEIPT, {"code": "K7Q2"})], language="ja", catalogue=catalogue
        )
        assert "K7Q2" in message.text and "{" not in message.text

    def test_no_replies_no_messages(self, catalogue):
        assert render([], language="ja", catalogue=catalogue) == []

    def test_earlier_choices_never_reach_line(self, catalogue):
        replies = [
            Reply(Key.HELP, choices=(Choice(ChoiceKind.CAMERA, Key.BUTTON_CAMERA),)),
            Reply(Key.ASK_COMMENT),
        ]
        messages = render(replies, language="ja", catalogue=catalogue)
        assert all(m.quick_reply is None for m in messages)


class TestOutbox:
    def test_round_trip_through_json_dicts(self, catalogue):
        messages = render(first_photo_replies(), language="ja", catalogue=catalogue)
        stored = to_outbox(messages)
        assert stored[1]["quickReply"]["items"][0]["action"]["displayText"]
        assert stored[0] == {"type": "text", "text": messages[0].text}
        assert from_outbox(stored) == messages
        assert to_outbox(from_outbox(stored)) == stored


class TestLimits:
    def test_long_and_emoji_titles_are_cut_safely(self, catalogue):
        messages = render(first_photo_replies(), language="ja", catalogue=catalogue)
        labels = [item.action.label for item in messages[-1].quick_reply.items]
        for label in labels:
            assert utf16_len(label) <= MAX_LABEL and well_formed(label)
        assert labels[0].endswith("…") and labels[0].startswith("今月のテーマ")
        assert not labels[1].endswith("\u200d…")
        assert labels[2] == "安全"

    def test_at_most_thirteen_items(self, catalogue):
        choices = tuple(
            Choice(ChoiceKind.POSTBACK, data=f"g1|theme|t{i}|d", literal=f"t{i}") for i in range(20)
        )
        (message,) = render(
            [Reply(Key.ASK_THEME, choices=choices)], language="ja", catalogue=catalogue
        )
        assert len(message.quick_reply.items) == MAX_ITEMS

    def test_postback_data_over_the_limit_is_left_out(self, catalogue):
        choices = (
            Choice(ChoiceKind.POSTBACK, data="x" * 301, literal="too long"),
            Choice(ChoiceKind.POSTBACK, data="g1|help", literal="ok"),
        )
        (message,) = render([Reply(Key.HELP, choices=choices)], language="ja", catalogue=catalogue)
        assert [i.action.label for i in message.quick_reply.items] == ["ok"]

    def test_text_is_cut_to_5000_utf16_units(self, catalogue):
        reply = Reply(Key.IDEA_CONFIRM, {"preview": "😀" * 3000})
        (message,) = render([reply], language="ja", catalogue=catalogue)
        assert utf16_len(message.text) <= MAX_TEXT and well_formed(message.text)
        assert message.text.endswith("…")

    def test_more_than_five_replies_are_merged_not_dropped(self, catalogue):
        replies = [Reply(Key.RECEIPT, {"code": f"CODE{i}"}) for i in range(7)]
        replies.append(Reply(Key.ASK_FACE, choices=(Choice(ChoiceKind.CAMERA, Key.BUTTON_CAMERA),)))
        messages = render(replies, language="ja", catalogue=catalogue)
        assert len(messages) == MAX_MESSAGES
        joined = "\n".join(m.text for m in messages)
        assert all(f"CODE{i}" in joined for i in range(7))
        assert messages[-1].text == catalogue.text(Key.ASK_FACE, language="ja")
        assert messages[-1].quick_reply is not None

    def test_truncate_keeps_short_text(self):
        assert truncate("abc", 3) == "abc"

    @pytest.mark.parametrize("text", ["😀" * 30, "a😀" * 30, "👨‍👩‍👧‍👦" * 10, "字" * 30, "é" * 40])
    def test_truncate_never_splits_a_surrogate_pair(self, text):
        cut = truncate(text, MAX_LABEL)
        assert utf16_len(cut) <= MAX_LABEL and well_formed(cut) and cut.endswith("…")
        assert not cut.endswith("\u200d…")


class TestLanguage:
    def test_rendering_in_english(self, catalogue):
        messages = render(first_photo_replies(), language="en", catalogue=catalogue)
        assert messages[-1].quick_reply.items[-1].action.label == "Cancel"
        assert messages[0].text == catalogue.texts["en"]["photo.thanks"]
