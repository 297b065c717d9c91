"""The bot's words count photos and videos apart: a worker who sent 2 photos and 1 video reads
"写真2枚・動画1本", never "写真3枚". Videos arrive as LINE video messages (never in an imageSet)
and go where photos go; each count the flows hand the catalogue says how many of each."""

from __future__ import annotations

from dataclasses import replace

from flowkit import THEMES, Chat, album, keys, photo, text

from flows.keys import Key
from flows.machine import problems
from flows.types import (
    BatchDue,
    MediaCount,
    MovePhotos,
    Outcome,
    Reply,
    Unsent,
    VideoReceived,
)


def said(outcome: Outcome, key: Key) -> Reply:
    """The reply of an outcome with this key."""
    return next(r for r in outcome.replies if r.key == key)


def submit(chat: Chat) -> Outcome:
    """Answer the questions of the open draft and return the receipt outcome."""
    chat.tap(THEMES[0].title)
    chat.tap(Key.BUTTON_FACE_SHOW)
    return chat.tap(Key.BUTTON_SKIP)


class TestWhatArrived:
    def test_photos_only_are_counted_as_photos(self):
        chat = Chat()
        outs = [chat.send(p) for p in album("m1", "m2", "m3")]
        assert said(outs[-1], Key.PHOTO_THANKS_MANY).params == {"count": MediaCount(3, 0)}
        receipt = submit(chat)
        assert said(receipt, Key.RECEIPT_SUMMARY_SHOW).params["count"] == MediaCount(3, 0)

    def test_one_photo_gets_the_plain_thanks(self):
        assert keys(Chat().send(photo("m1")))[0] == Key.PHOTO_THANKS

    def test_one_video_is_thanked_as_a_video(self):
        out = Chat().send(VideoReceived("v1"))
        assert keys(out) == [Key.PHOTO_THANKS_MANY, Key.ASK_THEME]
        assert out.replies[0].params == {"count": MediaCount(0, 1)}

    def test_videos_only_are_counted_as_videos_to_the_receipt(self):
        chat = Chat()
        chat.send(VideoReceived("v1"))
        added = chat.send(VideoReceived("v2"))
        assert said(added, Key.PHOTO_ADDED).params == {"count": MediaCount(0, 2)}
        receipt = submit(chat)
        assert said(receipt, Key.RECEIPT_SUMMARY_SHOW).params["count"] == MediaCount(0, 2)

    def test_a_video_sent_with_an_album_is_counted_in_its_answer(self):
        """Photos and a video picked together: the photos form an imageSet, the video comes
        on its own between them; the one answer after the album counts both kinds."""
        chat = Chat()
        first = chat.send(photo("m1", "S", 1, 2))
        video = chat.send(VideoReceived("v1"))
        last = chat.send(photo("m2", "S", 2, 2))
        assert first.replies == () and video.replies == ()
        assert keys(last) == [Key.PHOTO_THANKS_MANY, Key.ASK_THEME]
        assert last.replies[0].params == {"count": MediaCount(2, 1)}

    def test_a_video_sent_with_an_album_still_arriving_is_counted_when_checked(self):
        chat = Chat()
        chat.send(photo("m1", "S", 1, 3))
        chat.send(VideoReceived("v1"))
        out = chat.send(BatchDue("v1"))  # the album's other photos never came
        assert said(out, Key.PHOTO_THANKS_MANY).params == {"count": MediaCount(1, 1)}

    def test_a_video_added_later_is_counted_apart(self):
        chat = Chat()
        for p in album("m1", "m2"):
            chat.send(p)
        chat.tap(THEMES[0].title)
        out = chat.send(VideoReceived("v1"))
        assert keys(out) == [Key.PHOTO_ADDED, Key.ASK_FACE]
        assert out.replies[0].params == {"count": MediaCount(2, 1)}
        again = chat.send(photo("m3"))
        assert said(again, Key.PHOTO_ADDED).params == {"count": MediaCount(3, 1)}
        chat.tap(Key.BUTTON_FACE_BLUR)
        receipt = chat.tap(Key.BUTTON_SKIP)
        assert said(receipt, Key.RECEIPT_SUMMARY_BLUR).params["count"] == MediaCount(3, 1)

    def test_a_video_over_the_limit_is_not_counted(self):
        chat = Chat(max_media=2)
        chat.send(photo("m1"))
        chat.send(VideoReceived("v1"))
        out = chat.send(VideoReceived("v2"))
        assert keys(out)[0] == Key.PHOTO_LIMIT and out.replies[0].params == {"max": 2}
        assert chat.conversation.draft is not None
        assert chat.conversation.draft.counted == MediaCount(1, 1)


class TestPausedDrafts:
    def _paused_with_a_video(self) -> Chat:
        chat = Chat()
        chat.send(photo("m1"))
        chat.send(VideoReceived("v1"))
        chat.wait(31)
        return chat

    def test_the_resume_question_counts_the_video(self):
        chat = self._paused_with_a_video()
        asked = chat.send(text("こんにちは"))
        assert keys(asked) == [Key.RESUME_PHOTOS]
        assert asked.replies[0].params == {"count": MediaCount(1, 1)}

    def test_new_arrivals_and_the_old_draft_are_counted_apart(self):
        chat = self._paused_with_a_video()
        out = chat.send(VideoReceived("v2"))
        assert keys(out) == [Key.RESUME_ARRIVED]
        assert out.replies[0].params == {"count": MediaCount(1, 1), "new": MediaCount(0, 1)}
        assert chat.conversation.arrived_videos == ("v2",)
        more = chat.send(photo("m2"))
        assert more.replies[0].params == {"count": MediaCount(1, 1), "new": MediaCount(1, 1)}

    def test_discarding_starts_anew_with_the_new_video(self):
        chat = self._paused_with_a_video()
        chat.send(VideoReceived("v2"))
        chat.send(photo("m2"))
        out = chat.tap(Key.BUTTON_DISCARD)
        assert said(out, Key.RESUME_DISCARDED_NEW).params == {"count": MediaCount(1, 1)}
        assert out.conversation.draft is not None
        assert out.conversation.draft.counted == MediaCount(1, 1)
        assert out.conversation.arrived_videos == ()
        receipt = submit(chat)
        assert said(receipt, Key.RECEIPT_SUMMARY_SHOW).params["count"] == MediaCount(1, 1)

    def test_an_unsent_new_video_is_not_counted_among_the_new(self):
        chat = self._paused_with_a_video()
        chat.send(VideoReceived("v2"))
        chat.send(photo("m2"))
        chat.send(Unsent("v2"))
        assert chat.conversation.arrived_videos == ()
        out = chat.tap(Key.BUTTON_DISCARD)
        moved = next(e for e in out.effects if isinstance(e, MovePhotos))
        assert moved.message_ids == ("m2",)
        assert said(out, Key.RESUME_DISCARDED_NEW).params == {"count": MediaCount(1, 0)}

    def test_continuing_keeps_every_video_in_the_draft(self):
        chat = self._paused_with_a_video()
        chat.send(VideoReceived("v2"))
        out = chat.tap(Key.BUTTON_CONTINUE)
        assert out.conversation.draft is not None
        assert out.conversation.draft.counted == MediaCount(1, 2)
        assert out.conversation.arrived_videos == ()


class TestChecker:
    def test_videos_beyond_the_draft_or_outside_the_arrived_are_reported(self):
        chat = Chat()
        chat.send(photo("m1"))
        chat.send(VideoReceived("v1"))
        chat.wait(31)
        chat.send(VideoReceived("v2"))
        state = chat.conversation
        assert state.draft is not None and problems(state) == []
        too_many = replace(state, draft=replace(state.draft, videos=4))
        assert any("videos" in p for p in problems(too_many))
        stray = replace(state, arrived_videos=("v1",))  # v1 came before the pause
        assert any("arrived videos" in p for p in problems(stray))
        at_rest = replace(state, arrived=(), arrived_videos=("v2",))
        assert problems(at_rest)
