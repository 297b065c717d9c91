"""Drafts that stall: three unexpected inputs in a row, and the idle timeout; both pause."""

from __future__ import annotations

from dataclasses import replace

from flowkit import THEMES, Chat, at_face, choice_names, keys, photo, text

from flows.keys import Key
from flows.types import (
    AttachPhoto,
    Conversation,
    DiscardDraft,
    DraftKind,
    Face,
    MediaCount,
    MovePhotos,
    OtherReceived,
    PostbackReceived,
    SetFace,
    StartDraft,
    Step,
    Unsent,
)


class TestStrikes:
    def test_third_unexpected_input_pauses_the_draft(self):
        chat = at_face()
        assert keys(chat.send(text("a"))) == [Key.HINT_UNEXPECTED, Key.ASK_FACE]
        assert keys(chat.send(OtherReceived("sticker"))) == [Key.OTHER_POINTER, Key.ASK_FACE]
        out = chat.send(text("c"))
        assert keys(out) == [Key.DRAFT_PAUSED]
        assert choice_names(out) == [Key.BUTTON_CONTINUE, Key.BUTTON_DISCARD]
        assert out.conversation.step is Step.RESUME
        assert out.conversation.paused_from is Step.ASK_FACE
        assert out.effects == ()

    def test_in_resume_the_whole_question_then_a_short_pointer(self):
        chat = at_face()
        for t in "abc":
            chat.send(text(t))
        assert keys(chat.send(text("d"))) == [Key.RESUME_PHOTOS_THEME]
        pointer = chat.send(text("e"))
        assert keys(pointer) == [Key.RESUME_POINTER]
        assert choice_names(pointer) == [Key.BUTTON_CONTINUE, Key.BUTTON_DISCARD]
        assert keys(chat.send(text("f"))) == [Key.RESUME_POINTER]

    def test_continue_goes_back_to_the_question(self):
        chat = at_face()
        for t in "abc":
            chat.send(text(t))
        out = chat.tap(Key.BUTTON_CONTINUE)
        assert keys(out) == [Key.ASK_FACE]
        assert out.conversation.step is Step.ASK_FACE and out.conversation.strikes == 0

    def test_pending_idea_is_set_aside_after_three_strikes(self):
        chat = Chat()
        chat.send(text("案"))
        chat.send(PostbackReceived("junk"))
        chat.send(PostbackReceived("junk"))
        out = chat.send(PostbackReceived("junk"))
        assert keys(out) == [Key.IDEA_SET_ASIDE]
        assert out.conversation == Conversation()


class TestIdleTimeout:
    def test_stale_draft_is_paused_and_described(self):
        chat = at_face()
        chat.wait(31)
        out = chat.send(text("こんにちは"))
        assert keys(out) == [Key.RESUME_PHOTOS_THEME]
        assert out.replies[0].params == {"count": MediaCount(1), "theme": THEMES[0].title}
        assert out.conversation.step is Step.RESUME
        assert out.conversation.paused_from is Step.ASK_FACE
        assert out.effects == ()

    def test_within_the_timeout_nothing_pauses(self):
        chat = at_face()
        chat.wait(30)
        assert chat.send(text("x")).conversation.step is Step.ASK_FACE

    def test_continue_re_asks_and_restarts_the_clock(self):
        chat = at_face()
        chat.wait(31)
        chat.send(text("x"))
        chat.wait(10)
        out = chat.tap(Key.BUTTON_CONTINUE)
        assert keys(out) == [Key.ASK_FACE]
        assert out.conversation.updated_at == chat.now
        assert chat.tap(Key.BUTTON_FACE_BLUR).effects == (SetFace("d1", Face.BLUR),)

    def test_discard_without_new_photos_goes_idle(self):
        chat = at_face()
        chat.wait(31)
        chat.send(text("x"))
        out = chat.tap(Key.BUTTON_DISCARD)
        assert out.effects == (DiscardDraft("d1"),)
        assert keys(out) == [Key.RESUME_DISCARDED]
        assert replace(out.conversation, last_tap=None) == Conversation()

    def test_photos_after_the_timeout_are_kept_then_start_a_new_draft(self):
        chat = at_face()
        chat.wait(45)
        first = chat.send(photo("n2", "S", 2, 2))
        later = chat.send(photo("n1", "S", 1, 2))
        assert first.replies == () and first.effects[0] == AttachPhoto("d1", "n2", "S", 2)
        assert keys(later) == [Key.RESUME_ARRIVED]  # once the album is whole
        assert later.replies[0].params == {"count": MediaCount(1), "new": MediaCount(2)}
        assert later.effects == (AttachPhoto("d1", "n1", "S", 1),)
        assert chat.conversation.arrived == ("n2", "n1")
        out = chat.tap(Key.BUTTON_DISCARD)
        new_id = out.conversation.draft.id if out.conversation.draft else ""
        assert out.effects == (
            StartDraft(new_id, out.conversation.draft.code, DraftKind.PHOTO),
            MovePhotos(("n2", "n1"), new_id),
            DiscardDraft("d1"),
        )
        assert new_id != "d1"
        assert keys(out) == [Key.RESUME_DISCARDED_NEW, Key.ASK_THEME]
        assert out.conversation.step is Step.ASK_THEME
        assert out.conversation.draft.media == 2

    def test_continue_keeps_the_new_photos_in_the_old_draft(self):
        chat = at_face()
        chat.wait(45)
        chat.send(photo("n1"))
        out = chat.tap(Key.BUTTON_CONTINUE)
        assert out.conversation.draft is not None and out.conversation.draft.media == 2
        assert out.conversation.arrived == ()
        assert out.effects == ()

    def test_unsent_arrived_photo_is_not_moved(self):
        chat = at_face()
        chat.wait(45)
        chat.send(photo("n1"))
        chat.send(photo("n2"))
        chat.send(Unsent("n1"))
        out = chat.tap(Key.BUTTON_DISCARD)
        moves = [e for e in out.effects if isinstance(e, MovePhotos)]
        assert moves[0].message_ids == ("n2",)

    def test_cancel_after_the_timeout_is_not_paused(self):
        chat = at_face()
        chat.wait(120)
        out = chat.send(text("キャンセル"))
        assert out.effects == (DiscardDraft("d1"),)

    def test_help_after_the_timeout_pauses_and_asks(self):
        chat = at_face()
        chat.wait(120)
        out = chat.send(text("help"))
        assert keys(out) == [Key.HELP, Key.RESUME_PHOTOS_THEME]

    def test_old_idea_question_is_dropped(self):
        chat = Chat()
        asked = chat.send(text("案"))
        chat.wait(31)
        out = chat.tap(Key.BUTTON_IDEA, asked)
        assert out.effects == ()
        assert keys(out) == [Key.HINT_STALE, Key.IDLE_POINTER]
        assert replace(out.conversation, last_tap=None) == Conversation()

    def test_new_text_after_an_old_idea_is_a_new_idea(self):
        chat = Chat()
        chat.send(text("案1"))
        chat.wait(31)
        out = chat.send(text("案2"))
        assert keys(out) == [Key.IDEA_CONFIRM]
        assert out.conversation.pending_text == "案2"

    def test_paused_idea_draft_is_described_by_its_text(self):
        chat = Chat()
        chat.send(text("朝礼で体操を"))
        chat.tap(Key.BUTTON_IDEA)
        chat.wait(31)
        out = chat.send(photo("m1"))
        assert keys(out) == [Key.PHOTO_NOT_FOR_IDEA, Key.RESUME_IDEA]
        assert out.effects == ()

    def test_resume_does_not_time_out_again(self):
        chat = at_face()
        chat.wait(31)
        chat.send(text("x"))
        chat.wait(600)
        out = chat.tap(Key.BUTTON_CONTINUE)
        assert out.conversation.step is Step.ASK_FACE
