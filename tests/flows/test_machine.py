"""The machine's rules beyond one question: fallbacks, stale taps, strikes, the idle timeout."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from flowkit import (
    NOW,
    Chat,
    at_face,
    choice_names,
    effect_types,
    keys,
    photo,
    postback,
    text,
)

from flows.intents import Intent
from flows.keys import Key
from flows.machine import ENTRY, FALLBACKS, TRANSITIONS, is_valid, problems, route, step
from flows.types import (
    AttachPhoto,
    Context,
    Conversation,
    DiscardDraft,
    Draft,
    DraftKind,
    Followed,
    MediaCount,
    OtherReceived,
    PhotoReceived,
    PostbackReceived,
    SetFollowing,
    SetNotices,
    Step,
    SubmissionRef,
    SubmissionStatus,
    Unfollowed,
    Unsent,
    VideoReceived,
    WithdrawPhoto,
    WithdrawSubmission,
)


class TestTable:
    def test_every_step_has_a_row_and_idle_is_the_entry(self):
        assert set(TRANSITIONS) == set(Step)
        assert TRANSITIONS[Step.IDLE] is ENTRY

    def test_fallbacks_and_rows_do_not_overlap(self):
        for row in TRANSITIONS.values():
            assert not set(row) & set(FALLBACKS)

    def test_route_names_the_transition_without_running_it(self):
        chosen = route(Conversation(), photo("m1"), Chat().context(photo("m1")))
        assert chosen.transition is ENTRY[PhotoReceived]

    def test_missing_conversation_is_idle(self):
        out = step(None, photo("m1"), Chat().context(photo("m1")))
        assert out.conversation.step is Step.ASK_THEME


class TestCancel:
    @pytest.mark.parametrize(
        "word", ["キャンセル", "やめる", "中止", "cancel", "STOP", "ｷｬﾝｾﾙ", " Ｃａｎｃｅｌ "]
    )
    def test_keywords_discard_the_draft(self, word):
        chat = at_face()
        out = chat.send(text(word))
        assert out.effects == (DiscardDraft("d1"),)
        assert keys(out) == [Key.CANCELLED]
        assert choice_names(out) == [Key.BUTTON_CAMERA, Key.BUTTON_ALBUM]
        assert out.conversation == Conversation()

    def test_button_discards_the_draft(self):
        chat = at_face()
        out = chat.tap(Key.BUTTON_CANCEL)
        assert out.effects == (DiscardDraft("d1"),)

    def test_cancel_button_of_an_old_draft_does_not_cancel_the_new_one(self):
        chat = Chat()
        old = chat.send(photo("m1"))
        chat.tap(Key.BUTTON_CANCEL)
        chat.send(photo("m2"))
        out = chat.tap(Key.BUTTON_CANCEL, old)
        assert out.effects == ()
        assert keys(out) == [Key.HINT_STALE, Key.ASK_THEME]
        assert chat.conversation.draft is not None and chat.conversation.draft.id == "d3"

    def test_cancel_drops_a_pending_idea(self):
        chat = Chat()
        chat.send(text("案"))
        out = chat.send(text("やめる"))
        assert keys(out) == [Key.CANCELLED] and out.effects == ()
        assert out.conversation == Conversation()

    def test_nothing_to_cancel(self):
        out = Chat().send(text("キャンセル"))
        assert keys(out) == [Key.CANCEL_NOTHING] and out.effects == ()

    def test_cancel_in_resume_discards_the_paused_draft(self):
        chat = at_face()
        chat.wait(31)
        chat.send(text("hi"))
        out = chat.send(text("cancel"))
        assert out.effects == (DiscardDraft("d1"),)


class TestHelp:
    @pytest.mark.parametrize("word", ["ヘルプ", "help", "使い方", "?", "？", "HELP"])
    def test_keywords_explain_and_re_ask(self, word):
        out = at_face().send(text(word))
        assert keys(out) == [Key.HELP, Key.ASK_FACE]
        assert out.replies[0].choices == ()

    def test_help_at_idle_ends_with_camera_buttons_then_mine_and_settings(self):
        out = Chat().send(postback(Intent.HELP))
        assert keys(out) == [Key.HELP]
        assert choice_names(out)[:2] == [Key.BUTTON_CAMERA, Key.BUTTON_ALBUM]
        assert Key.BUTTON_NOTICES in choice_names(out)

    def test_the_notice_setting_asks_then_records_the_choice_and_re_asks(self):
        chat = Chat()
        asked = chat.send(postback(Intent.HELP))
        out = chat.tap(Key.BUTTON_NOTICES, asked)
        assert keys(out) == [Key.NOTICES_ASK] and out.effects == ()
        assert choice_names(out) == [
            Key.BUTTON_NOTICES_ALL,
            Key.BUTTON_NOTICES_FEEDBACK,
            Key.BUTTON_NOTICES_NONE,
        ]
        out = chat.tap(Key.BUTTON_NOTICES_NONE, out)
        assert keys(out) == [Key.NOTICES_NONE] and out.effects == (SetNotices("none"),)
        during = at_face().send(postback(Intent.NOTICES, "all"))
        assert keys(during) == [Key.NOTICES_ALL, Key.ASK_FACE]
        assert during.effects == (SetNotices("all"),)

    @pytest.mark.parametrize("arg", ["ALL", "some", "all|x", "none "])
    def test_an_unknown_notice_choice_asks_again_and_records_nothing(self, arg):
        out = Chat().send(postback(Intent.NOTICES, arg))
        assert keys(out) == [Key.NOTICES_ASK] and out.effects == ()

    def test_help_does_not_count_as_a_strike(self):
        chat = at_face()
        for _ in range(4):
            chat.send(text("help"))
        assert chat.conversation.step is Step.ASK_FACE and chat.conversation.strikes == 0

    def test_send_button_points_to_the_camera(self):
        out = Chat().send(postback(Intent.SEND))
        assert keys(out) == [Key.SEND_POINTER]
        assert choice_names(out) == [Key.BUTTON_CAMERA, Key.BUTTON_ALBUM]


class TestWithdraw:
    def test_first_tap_asks_to_confirm(self):
        chat = Chat()
        chat.submit_photo()
        out = chat.tap(Key.BUTTON_WITHDRAW)
        assert keys(out) == [Key.WITHDRAW_CONFIRM]
        assert out.replies[0].params == {"code": "C001"}
        assert choice_names(out) == [Key.BUTTON_WITHDRAW_YES, Key.BUTTON_KEEP]
        assert out.effects == ()

    def test_confirm_withdraws_once(self):
        chat = Chat()
        chat.submit_photo()
        chat.tap(Key.BUTTON_WITHDRAW)
        confirm = chat.last
        out = chat.tap(Key.BUTTON_WITHDRAW_YES)
        assert out.effects == (WithdrawSubmission("d1"),)
        assert keys(out) == [Key.WITHDRAW_DONE]
        again = chat.tap(Key.BUTTON_WITHDRAW_YES, confirm)
        assert again.effects == () and keys(again) == [Key.WITHDRAW_ALREADY]

    def test_keep_changes_nothing(self):
        chat = Chat()
        chat.submit_photo()
        chat.tap(Key.BUTTON_WITHDRAW)
        out = chat.tap(Key.BUTTON_KEEP)
        assert keys(out) == [Key.WITHDRAW_KEPT] and out.effects == ()

    def test_unknown_submission_is_not_found(self):
        out = Chat().send(postback(Intent.WITHDRAW, "someone-elses"))
        assert keys(out) == [Key.WITHDRAW_NOT_FOUND] and out.effects == ()

    def test_lookup_for_another_id_is_not_trusted(self):
        ctx = Chat().context(photo("x"))
        ctx = Context(
            now=ctx.now,
            themes=ctx.themes,
            new_draft_id="n",
            new_code="c",
            submission=SubmissionRef("other", "C9", SubmissionStatus.NEW),
        )
        out = step(Conversation(), postback(Intent.WITHDRAW_YES, "mine"), ctx)
        assert out.effects == () and keys(out) == [Key.WITHDRAW_NOT_FOUND]

    def test_works_mid_draft_and_re_asks_afterwards(self):
        chat = Chat()
        receipt = chat.submit_photo("m1")
        chat.send(photo("m2"))
        chat.tap(Key.BUTTON_WITHDRAW, receipt)
        out = chat.tap(Key.BUTTON_WITHDRAW_YES)
        assert keys(out) == [Key.WITHDRAW_DONE, Key.ASK_THEME]
        assert out.conversation.step is Step.ASK_THEME


class TestFollowAndSilentEvents:
    def test_follow_welcomes_with_camera_buttons(self):
        out = Chat().send(Followed())
        assert out.effects == (SetFollowing(following=True),)
        assert keys(out) == [Key.WELCOME]
        assert choice_names(out) == [Key.BUTTON_CAMERA, Key.BUTTON_ALBUM]

    def test_unblock_welcomes_back(self):
        assert keys(Chat().send(Followed(unblocked=True))) == [Key.WELCOME_BACK]

    def test_follow_mid_draft_re_asks(self):
        assert keys(at_face().send(Followed())) == [Key.WELCOME, Key.ASK_FACE]

    def test_unfollow_is_silent_and_keeps_the_state(self):
        chat = at_face()
        before = chat.conversation
        out = chat.send(Unfollowed())
        assert out.replies == () and out.effects == (SetFollowing(following=False),)
        assert out.conversation == before

    def test_unsend_of_a_photo_outside_the_draft_withdraws_it_silently(self):
        chat = at_face()
        before = chat.conversation
        out = chat.send(Unsent("m0"))  # a photo of an earlier, sent submission
        assert out.replies == () and out.effects == (WithdrawPhoto("m0"),)
        assert out.conversation == before


class TestOtherInputs:
    def test_a_video_joins_the_open_draft_like_a_photo(self):
        out = at_face().send(VideoReceived("v1"))
        as_photo = at_face().send(PhotoReceived("v1"))
        assert keys(out) == keys(as_photo)
        attached = [e for e in out.effects if isinstance(e, AttachPhoto)]
        assert [(e.message_id, e.video) for e in attached] == [("v1", True)]
        draft = as_photo.conversation.draft
        assert draft is not None  # the same draft, which counts the video as one
        assert out.conversation == replace(as_photo.conversation, draft=replace(draft, videos=1))
        assert out.replies[0].params == {"count": MediaCount(photos=1, videos=1)}

    def test_a_video_at_idle_opens_a_draft_like_a_photo(self):
        out = Chat().send(VideoReceived("v1"))
        # The thanks names the video ("動画1本、ありがとう"), not a photo.
        assert keys(out) == [Key.PHOTO_THANKS_MANY, Key.ASK_THEME]
        assert out.replies[0].params == {"count": MediaCount(videos=1)}
        attached = [e for e in out.effects if isinstance(e, AttachPhoto)]
        assert [(e.message_id, e.video) for e in attached] == [("v1", True)]

    def test_an_external_video_is_pointed_elsewhere_without_a_strike(self):
        out = at_face().send(VideoReceived("v1", external=True))
        assert keys(out) == [Key.PHOTO_EXTERNAL, Key.ASK_FACE] and out.effects == ()
        assert out.conversation.strikes == 0

    @pytest.mark.parametrize("kind", ["sticker", "audio", "file", "location"])
    def test_other_types_get_a_pointer(self, kind):
        out = Chat().send(OtherReceived(kind))
        assert keys(out) == [Key.OTHER_POINTER]
        assert choice_names(out) == [Key.BUTTON_CAMERA, Key.BUTTON_ALBUM]

    def test_external_photo_asks_for_camera_or_album(self):
        out = Chat().send(PhotoReceived("m1", external=True))
        assert keys(out) == [Key.PHOTO_EXTERNAL] and out.effects == ()
        assert out.conversation == Conversation()

    def test_malformed_postbacks_are_unexpected(self):
        chat = at_face()
        for data in ["", "garbage", "g2|theme|x|d1", "g1|nope", "g1|theme|a|b|c", "g1|face|%zz|d1"]:
            out = chat.send(PostbackReceived(data))
            assert out.effects == ()
            assert chat.conversation.step in (Step.ASK_FACE, Step.RESUME)

    def test_stale_tap_at_idle_points_to_the_camera(self):
        out = Chat().send(postback(Intent.FACE, "show", "gone"))
        assert keys(out) == [Key.HINT_STALE, Key.IDLE_POINTER]


class TestValidity:
    def test_idle_and_fresh_states_are_valid(self):
        assert is_valid(Conversation())

    @pytest.mark.parametrize(
        "broken",
        [
            Conversation(step=Step.ASK_THEME),
            Conversation(draft=Draft("d", "c", DraftKind.PHOTO, media=1), updated_at=NOW),
            Conversation(step=Step.CONFIRM_IDEA, updated_at=NOW),
            Conversation(
                step=Step.ASK_FACE,
                draft=Draft("d", "c", DraftKind.IDEA, comment="x"),
                updated_at=NOW,
            ),
            Conversation(
                step=Step.RESUME,
                draft=Draft("d", "c", DraftKind.PHOTO, media=1),
                updated_at=NOW,
            ),
            Conversation(
                step=Step.ASK_THEME,
                draft=Draft("d", "c", DraftKind.PHOTO, media=0),
                updated_at=NOW,
            ),
            Conversation(
                step=Step.ASK_COMMENT,
                draft=Draft("d", "c", DraftKind.PHOTO, media=1),
                updated_at=NOW,
            ),
            Conversation(
                step=Step.ASK_THEME,
                draft=Draft("d", "c", DraftKind.PHOTO, media=1),
                updated_at=NOW,
                strikes=3,
            ),
        ],
    )
    def test_broken_states_are_reported(self, broken):
        assert not is_valid(broken)
        assert problems(broken)

    def test_media_over_the_limit_is_invalid(self):
        conv = Conversation(
            step=Step.ASK_THEME, draft=Draft("d", "c", DraftKind.PHOTO, media=3), updated_at=NOW
        )
        assert is_valid(conv) and not is_valid(conv, max_media=2)

    def test_timeout_uses_the_context(self):
        chat = Chat(idle_timeout=timedelta(minutes=5))
        chat.send(photo("m1"))
        chat.wait(6)
        assert chat.send(text("x")).conversation.step is Step.RESUME
        assert effect_types(chat.last) == []
