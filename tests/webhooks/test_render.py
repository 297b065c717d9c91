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
    VideoReceived,
)
from tests.flows.flowkit import THEMES as THEMES_FLOW
from tests.flows.flowkit import Chat, photo
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


class TestPhotosAndVideos:
    """What a worker reads after sending photos and videos: each kind counted apart."""

    @staticmethod
    def texts(replies: tuple[Reply, ...], language: str, catalogue: Catalogue) -> list[str]:
        return [m.text for m in render(replies, language=language, catalogue=catalogue)]

    @staticmethod
    def mixed_submission() -> tuple[Chat, list[tuple[Reply, ...]]]:
        """Two photos of an album with a video between them, a video added, then sent."""
        chat = Chat()
        shown = [chat.send(p).replies for p in (photo("m1", "S", 1, 2), VideoReceived("v1"))]
        shown.append(chat.send(photo("m2", "S", 2, 2)).replies)
        chat.tap(THEMES_FLOW[0].title)
        shown.append(chat.send(VideoReceived("v2")).replies)
        chat.tap(Key.BUTTON_FACE_SHOW)
        shown.append(chat.tap(Key.BUTTON_SKIP).replies)
        return chat, shown

    def test_japanese(self, catalogue):
        _, shown = self.mixed_submission()
        thanks, added, receipt = shown[2], shown[3], shown[4]
        assert self.texts(thanks, "ja", catalogue)[0] == "写真2枚・動画1本、ありがとうございます！"
        assert self.texts(added, "ja", catalogue)[0] == "追加しました（いま写真2枚・動画2本）。"
        summary = self.texts(receipt, "ja", catalogue)[0]
        assert "・送ったもの：写真2枚・動画2本\n" in summary and "写真：4枚" not in summary

    def test_english(self, catalogue):
        _, shown = self.mixed_submission()
        thanks, added, receipt = shown[2], shown[3], shown[4]
        assert self.texts(thanks, "en", catalogue)[0] == "Thank you for the 2 photos and 1 video!"
        assert (
            self.texts(added, "en", catalogue)[0]
            == "Added (this post now has 2 photos and 2 videos)."
        )
        assert "• Sent: 2 photos and 2 videos\n" in self.texts(receipt, "en", catalogue)[0]

    def test_one_video_is_one_video(self, catalogue):
        chat = Chat()
        thanks = chat.send(VideoReceived("v1")).replies
        assert self.texts(thanks, "ja", catalogue)[0] == "動画1本、ありがとうございます！"
        assert self.texts(thanks, "en", catalogue)[0] == "Thank you for the 1 video!"
        chat.tap(THEMES_FLOW[0].title)
        chat.tap(Key.BUTTON_FACE_NONE)
        receipt = chat.tap(Key.BUTTON_SKIP).replies
        assert "・送ったもの：動画1本\n" in self.texts(receipt, "ja", catalogue)[0]
        assert "• Sent: 1 video\n" in self.texts(receipt, "en", catalogue)[0]

    def test_the_resume_questions(self, catalogue):
        chat = Chat()
        chat.send(photo("m1"))
        chat.send(VideoReceived("v1"))
        chat.wait(31)
        arrived = chat.send(VideoReceived("v2")).replies
        ja = self.texts(arrived, "ja", catalogue)[0]
        assert ja.startswith(
            "新しく受け取りました（動画1本）。\n前に送りかけた投稿（写真1枚・動画1本）"
        )
        en = self.texts(arrived, "en", catalogue)[0]
        assert en.startswith(
            "Received: 1 video.\nYou also have an unfinished post (1 photo and 1 video)."
        )
        restarted = chat.tap(Key.BUTTON_DISCARD).replies
        assert self.texts(restarted, "ja", catalogue)[0] == (
            "前の投稿を消しました。新しく送ったもの（動画1本）で始めます。"
        )
        assert self.texts(restarted, "en", catalogue)[0] == (
            "The unfinished post was deleted. Let's go on with what you just sent (1 video)."
        )


@pytest.mark.parametrize(
    ("language", "video"), [("ja", "動画"), ("ja-x-easy", "動画"), ("en", "video"), ("vi", "video")]
)
@pytest.mark.parametrize("key", [Key.ASK_COMMENT, Key.PHOTO_EXTERNAL, Key.PHOTO_NOT_FOR_IDEA])
def test_texts_a_video_sender_reads_do_not_call_it_a_photo(
    catalogue: Catalogue, key: Key, language: str, video: str
) -> None:
    # A video goes where a photo goes (same draft, same questions): so do these three texts.
    assert video in catalogue.text(key, language=language)
