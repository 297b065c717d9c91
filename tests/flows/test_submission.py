"""Scenario tests for sending material: inputs in; reply keys, effects and step out."""

from __future__ import annotations

from dataclasses import replace

from flowkit import (
    THEMES,
    Chat,
    album,
    choice_names,
    effect_types,
    keys,
    photo,
    postback,
    text,
)

from flows.intents import Intent, parse
from flows.keys import Key
from flows.types import (
    AttachPhoto,
    BatchDue,
    CheckBatchLater,
    ChoiceKind,
    Context,
    DraftKind,
    Face,
    MediaCount,
    SetComment,
    SetFace,
    SetTheme,
    StartDraft,
    Step,
    SubmitDraft,
    Theme,
)

SETTLE = Context.__dataclass_fields__["batch_settle"].default
BOUND = Context.__dataclass_fields__["batch_bound"].default


class TestIdle:
    def test_photo_opens_a_draft_and_asks_the_theme(self):
        chat = Chat()
        out = chat.send(photo("m1"))
        assert keys(out) == [Key.PHOTO_THANKS, Key.ASK_THEME]
        assert out.effects == (
            StartDraft("d1", "C001", DraftKind.PHOTO),
            AttachPhoto("d1", "m1", None, None),
        )
        assert out.conversation.step is Step.ASK_THEME
        assert out.conversation.draft is not None and out.conversation.draft.media == 1
        assert out.conversation.updated_at == chat.now

    def test_theme_buttons_put_the_month_first_and_end_with_cancel(self):
        out = Chat().send(photo("m1"))
        assert choice_names(out) == [t.title for t in THEMES] + [Key.BUTTON_CANCEL]
        assert out.replies[0].choices == ()  # buttons only on the last message

    def test_theme_buttons_stop_at_thirteen_items(self):
        themes = tuple(Theme(f"t{i}", f"テーマ{i}") for i in range(20))
        out = Chat(themes=themes).send(photo("m1"))
        names = choice_names(out)
        assert len(names) == 13
        assert names[0] == "テーマ0" and names[-1] == Key.BUTTON_CANCEL

    def test_theme_whose_data_is_too_long_is_left_out_of_the_buttons(self):
        themes = (Theme("x" * 300, "長いスラッグ"), *THEMES)
        out = Chat(themes=themes).send(photo("m1"))
        assert "長いスラッグ" not in choice_names(out)

    def test_photo_without_active_themes_goes_straight_to_faces(self):
        out = Chat(themes=()).send(photo("m1"))
        assert keys(out) == [Key.PHOTO_THANKS, Key.ASK_FACE]
        assert out.conversation.step is Step.ASK_FACE

    def test_text_offers_to_send_it_as_an_idea(self):
        out = Chat().send(text("  休憩室にベンチがほしい  "))
        assert keys(out) == [Key.IDEA_CONFIRM]
        assert out.conversation.step is Step.CONFIRM_IDEA
        assert out.conversation.pending_text == "休憩室にベンチがほしい"
        assert out.replies[0].params == {"preview": "休憩室にベンチがほしい"}
        assert choice_names(out) == [
            Key.BUTTON_IDEA,
            Key.BUTTON_CAMERA,
            Key.BUTTON_ALBUM,
            Key.BUTTON_CANCEL,
        ]
        assert out.effects == ()

    def test_long_idea_is_quoted_shortened(self):
        out = Chat().send(text("あ" * 100))
        preview = out.replies[0].params["preview"]
        assert isinstance(preview, str) and len(preview) == 40 and preview.endswith("…")

    def test_too_long_text_asks_to_shorten(self):
        out = Chat(max_comment_chars=10).send(text("あ" * 11))
        assert keys(out) == [Key.COMMENT_TOO_LONG]
        assert out.replies[0].params == {"max": 10}
        assert out.conversation.step is Step.IDLE

    def test_whitespace_only_text_gets_the_pointer(self):
        out = Chat().send(text(" \u3000 "))
        assert keys(out) == [Key.IDLE_POINTER]
        assert choice_names(out) == [Key.BUTTON_CAMERA, Key.BUTTON_ALBUM]


class TestAlbums:
    """An album (LINE imageSet) is answered once, after its last photo: LINE shows buttons
    only under the newest message, so an answer given before the other photos would leave the
    worker with none."""

    def test_album_in_any_order_is_answered_after_its_last_photo(self):
        chat = Chat()
        first = chat.send(photo("m3", "S", 3))
        second = chat.send(photo("m1", "S", 1))
        third = chat.send(photo("m2", "S", 2))
        assert first.replies == () and second.replies == ()
        assert keys(third) == [Key.PHOTO_THANKS_MANY, Key.ASK_THEME]
        assert third.replies[0].params == {"count": MediaCount(3)}
        assert choice_names(third)[0] == THEMES[0].title
        attached = [
            e for o in (first, second, third) for e in o.effects if isinstance(e, AttachPhoto)
        ]
        assert [(a.message_id, a.index, a.image_set_id) for a in attached] == [
            ("m3", 3, "S"),
            ("m1", 1, "S"),
            ("m2", 2, "S"),
        ]
        assert {a.draft_id for a in attached} == {"d1"}
        assert chat.conversation.draft is not None and chat.conversation.draft.media == 3
        assert chat.conversation.batch is None

    def test_each_photo_left_unanswered_asks_for_a_check_within_the_bound(self):
        chat = Chat()
        outs = [chat.send(p) for p in album("m1", "m2", "m3")]
        checks = [e for o in outs for e in o.effects if isinstance(e, CheckBatchLater)]
        assert checks == [CheckBatchLater("m1", BOUND), CheckBatchLater("m2", BOUND)]

    def test_album_missing_a_photo_is_answered_when_its_newest_photo_is_checked(self):
        chat = Chat()
        chat.send(photo("m1", "S", 1))
        chat.send(photo("m3", "S", 3))  # photo 2 never arrives
        assert chat.send(BatchDue("m1")).replies == ()  # a newer photo's check will answer
        out = chat.send(BatchDue("m3"))
        assert keys(out) == [Key.PHOTO_THANKS_MANY, Key.ASK_THEME]
        assert out.replies[0].params == {"count": MediaCount(2)}
        assert out.effects == () and chat.conversation.batch is None
        assert chat.send(BatchDue("m3")).replies == ()  # a repeated check says nothing

    def test_late_photo_of_an_answered_album_is_answered_at_once(self):
        chat = Chat()
        chat.send(photo("m1", "S", 1))
        chat.send(BatchDue("m1"))
        out = chat.send(photo("m2", "S", 2))
        assert keys(out) == [Key.PHOTO_ADDED, Key.ASK_THEME]

    def test_album_without_total_settles_after_a_quiet_moment(self):
        chat = Chat()
        first = chat.send(photo("m1", "S"))
        second = chat.send(photo("m2", "S"))
        assert first.replies == () and second.replies == ()
        assert second.effects[-1] == CheckBatchLater("m2", SETTLE)
        assert chat.send(BatchDue("m1")).replies == ()
        assert keys(chat.send(BatchDue("m2"))) == [Key.PHOTO_THANKS_MANY, Key.ASK_THEME]

    def test_album_sent_at_an_open_question_re_asks_it_after_its_last_photo(self):
        chat = Chat()
        chat.send(photo("m1"))
        chat.tap(THEMES[0].title)
        outs = [chat.send(p) for p in album("m2", "m3", "m4")]
        assert [o.replies for o in outs[:2]] == [(), ()]
        assert keys(outs[2]) == [Key.PHOTO_ADDED, Key.ASK_FACE]
        assert outs[2].replies[0].params == {"count": MediaCount(4)}
        assert outs[2].conversation.step is Step.ASK_FACE

    def test_single_photo_while_open_is_added_and_the_question_re_asked(self):
        chat = Chat()
        chat.send(photo("m1"))
        out = chat.send(photo("m2"))
        assert keys(out) == [Key.PHOTO_ADDED, Key.ASK_THEME]
        assert out.replies[0].params == {"count": MediaCount(2)}
        assert out.effects == (AttachPhoto("d1", "m2", None, None),)

    def test_two_albums_at_once_are_answered_when_both_are_whole(self):
        chat = Chat()
        chat.send(photo("a1", "A", 1, 2))
        chat.send(photo("b1", "B", 1, 2))
        assert chat.send(photo("a2", "A", 2, 2)).replies == ()
        out = chat.send(photo("b2", "B", 2, 2))
        assert keys(out) == [Key.PHOTO_THANKS_MANY, Key.ASK_THEME]
        assert out.replies[0].params == {"count": MediaCount(4)}

    def test_a_single_photo_is_answered_at_once(self):
        out = Chat().send(photo("m1"))
        assert keys(out) == [Key.PHOTO_THANKS, Key.ASK_THEME]
        assert not any(isinstance(e, CheckBatchLater) for e in out.effects)


class TestLimit:
    def test_album_over_the_limit_says_so_once_after_its_last_photo(self):
        chat = Chat(max_media=2)
        outs = [chat.send(p) for p in album("m1", "m2", "m3", "m4")]
        assert [o.replies for o in outs[:3]] == [(), (), ()]
        assert keys(outs[3]) == [Key.PHOTO_THANKS_MANY, Key.PHOTO_LIMIT, Key.ASK_THEME]
        assert outs[3].replies[0].params == {"count": MediaCount(2)}
        assert outs[3].replies[1].params == {"max": 2}
        attached = [e for o in outs for e in o.effects if isinstance(e, AttachPhoto)]
        assert [a.message_id for a in attached] == ["m1", "m2"]

    def test_single_photo_over_the_limit_always_gets_an_answer(self):
        chat = Chat(max_media=1)
        chat.send(photo("m1"))
        assert keys(chat.send(photo("m2")))[0] == Key.PHOTO_LIMIT
        assert keys(chat.send(photo("m3")))[0] == Key.PHOTO_LIMIT


class TestAskTheme:
    def test_tapped_theme_is_recorded_and_faces_asked(self):
        chat = Chat()
        chat.send(photo("m1"))
        out = chat.tap(THEMES[1].title)
        assert out.effects == (SetTheme("d1", "event"),)
        assert keys(out) == [Key.ASK_FACE]
        assert choice_names(out) == [
            Key.BUTTON_FACE_SHOW,
            Key.BUTTON_FACE_BLUR,
            Key.BUTTON_FACE_NONE,
            Key.BUTTON_CANCEL,
        ]
        assert out.conversation.draft is not None and out.conversation.draft.theme == "event"

    def test_typed_title_chooses_the_theme(self):
        chat = Chat()
        chat.send(photo("m1"))
        out = chat.send(text(" イベント "))
        assert out.effects == (SetTheme("d1", "event"),)
        assert out.conversation.step is Step.ASK_FACE

    def test_other_text_re_asks_with_a_hint(self):
        chat = Chat()
        chat.send(photo("m1"))
        out = chat.send(text("よろしく"))
        assert keys(out) == [Key.HINT_UNEXPECTED, Key.ASK_THEME]
        assert out.conversation.strikes == 1 and out.effects == ()

    def test_theme_no_longer_active_is_unexpected(self):
        chat = Chat()
        chat.send(photo("m1"))
        out = chat.send(postback(Intent.THEME, "retired", chat.draft_id))
        assert keys(out) == [Key.HINT_UNEXPECTED, Key.ASK_THEME]
        assert out.effects == ()

    def test_idea_is_submitted_right_after_its_theme(self):
        chat = Chat()
        chat.send(text("朝礼で体操を"))
        chat.tap(Key.BUTTON_IDEA)
        out = chat.tap(THEMES[0].title)
        assert effect_types(out) == ["SetTheme", "SubmitDraft"]
        assert keys(out) == [Key.RECEIPT_SUMMARY_IDEA, Key.RECEIPT]
        assert out.replies[0].params == {"theme": THEMES[0].title}
        assert out.conversation.step is Step.IDLE


class TestAskFace:
    def test_face_choice_is_recorded_and_the_comment_asked(self):
        chat = Chat()
        chat.send(photo("m1"))
        chat.tap(THEMES[0].title)
        out = chat.tap(Key.BUTTON_FACE_NONE)
        assert out.effects == (SetFace("d1", Face.NO_FACE),)
        assert keys(out) == [Key.ASK_COMMENT]
        assert choice_names(out) == [Key.BUTTON_SKIP, Key.BUTTON_CANCEL]
        assert out.conversation.step is Step.ASK_COMMENT

    def test_second_theme_tap_is_a_double_tap_ignored_silently(self):
        chat = Chat()
        asked = chat.send(photo("m1"))
        chat.tap(THEMES[0].title)
        again = chat.tap(THEMES[0].title, asked)
        assert again.effects == () and again.replies == ()
        assert again.conversation.step is Step.ASK_FACE

    def test_an_earlier_theme_tap_after_another_answer_is_stale(self):
        chat = Chat()
        asked = chat.send(photo("m1"))
        chat.tap(THEMES[0].title)
        chat.tap(Key.BUTTON_FACE_BLUR)
        again = chat.tap(THEMES[0].title, asked)
        assert again.effects == ()
        assert keys(again) == [Key.HINT_STALE, Key.ASK_COMMENT]

    def test_unknown_face_value_is_unexpected(self):
        chat = Chat()
        chat.send(photo("m1"))
        chat.tap(THEMES[0].title)
        out = chat.send(postback(Intent.FACE, "maybe", chat.draft_id))
        assert keys(out) == [Key.HINT_UNEXPECTED, Key.ASK_FACE] and out.effects == ()

    def test_typed_text_is_unexpected(self):
        chat = Chat()
        chat.send(photo("m1"))
        chat.tap(THEMES[0].title)
        out = chat.send(text("ぼかしてください"))
        assert keys(out) == [Key.HINT_UNEXPECTED, Key.ASK_FACE]


class TestAskComment:
    def _at_comment(self, **options) -> Chat:
        chat = Chat(**options)
        chat.send(photo("m1"))
        chat.tap(THEMES[0].title)
        chat.tap(Key.BUTTON_FACE_SHOW)
        return chat

    def test_comment_is_recorded_and_submitted_with_a_receipt(self):
        chat = self._at_comment()
        out = chat.send(text("  新しい機械で作った最初の部品です "))
        assert out.effects == (
            SetComment("d1", "新しい機械で作った最初の部品です"),
            SubmitDraft("d1"),
        )
        assert keys(out) == [Key.RECEIPT_SUMMARY_SHOW, Key.RECEIPT]
        assert out.replies[1].params == {"code": "C001"}
        assert out.conversation.step is Step.IDLE and out.conversation.draft is None

    def test_receipt_says_what_was_received(self):
        chat = Chat()
        for p in album("m1", "m2", "m3"):
            chat.send(p)
        chat.tap(THEMES[1].title)
        chat.tap(Key.BUTTON_FACE_BLUR)
        out = chat.tap(Key.BUTTON_SKIP)
        assert keys(out) == [Key.RECEIPT_SUMMARY_BLUR, Key.RECEIPT]
        assert out.replies[0].params == {"count": MediaCount(3), "theme": THEMES[1].title}
        assert out.replies[0].choices == ()  # the buttons stay under the receipt

    def test_receipt_without_a_theme_to_choose_says_so(self):
        chat = Chat(themes=())
        chat.send(photo("m1"))
        chat.tap(Key.BUTTON_FACE_NONE)
        out = chat.tap(Key.BUTTON_SKIP)
        assert keys(out)[0] == Key.RECEIPT_SUMMARY_NO_FACE
        assert out.replies[0].params == {"count": MediaCount(1), "theme": "—"}

    def test_receipt_offers_withdraw_and_sending_another(self):
        out = self._at_comment().tap(Key.BUTTON_SKIP)
        receipt = out.replies[-1]
        withdraw = parse(receipt.choices[0].data)
        assert withdraw is not None and withdraw.intent is Intent.WITHDRAW and withdraw.arg == "d1"
        assert [c.kind for c in receipt.choices[1:]] == [ChoiceKind.CAMERA, ChoiceKind.CAMERA_ROLL]

    def test_skip_submits_without_a_comment(self):
        out = self._at_comment().tap(Key.BUTTON_SKIP)
        assert out.effects == (SetComment("d1", None), SubmitDraft("d1"))

    def test_too_long_comment_asks_to_shorten_and_stays(self):
        chat = self._at_comment(max_comment_chars=5)
        out = chat.send(text("123456"))
        assert keys(out) == [Key.COMMENT_TOO_LONG, Key.ASK_COMMENT]
        assert out.effects == () and out.conversation.step is Step.ASK_COMMENT

    def test_keyword_is_a_command_not_a_comment(self):
        out = self._at_comment().send(text("キャンセル"))
        assert effect_types(out) == ["DiscardDraft"]

    def test_sticker_is_not_a_comment(self):
        from flows.types import OtherReceived

        out = self._at_comment().send(OtherReceived("sticker"))
        assert keys(out) == [Key.OTHER_POINTER, Key.ASK_COMMENT]


class TestConfirmIdea:
    def test_idea_button_opens_an_idea_draft_and_asks_the_theme(self):
        chat = Chat()
        chat.send(text("休憩室にベンチがほしい"))
        out = chat.tap(Key.BUTTON_IDEA)
        assert out.effects == (
            StartDraft("d2", "C002", DraftKind.IDEA),
            SetComment("d2", "休憩室にベンチがほしい"),
        )
        assert keys(out) == [Key.ASK_THEME_IDEA]
        assert out.conversation.step is Step.ASK_THEME and out.conversation.pending_text is None

    def test_idea_without_active_themes_is_submitted_at_once(self):
        chat = Chat(themes=())
        chat.send(text("休憩室にベンチがほしい"))
        out = chat.tap(Key.BUTTON_IDEA)
        assert effect_types(out) == ["StartDraft", "SetComment", "SubmitDraft"]
        assert keys(out) == [Key.RECEIPT_SUMMARY_IDEA, Key.RECEIPT]

    def test_new_text_replaces_the_idea_and_old_button_is_stale(self):
        chat = Chat()
        first = chat.send(text("案その1"))
        chat.send(text("案その2"))
        assert chat.conversation.pending_text == "案その2"
        out = chat.tap(Key.BUTTON_IDEA, first)
        assert keys(out) == [Key.HINT_STALE, Key.IDEA_CONFIRM]
        assert out.effects == ()

    def test_photo_starts_a_photo_draft_and_drops_the_text(self):
        chat = Chat()
        chat.send(text("案"))
        out = chat.send(photo("m1"))
        assert effect_types(out) == ["StartDraft", "AttachPhoto"]
        assert out.conversation.pending_text is None
        assert out.conversation.draft is not None
        assert out.conversation.draft.kind is DraftKind.PHOTO
        assert out.conversation.draft.comment is None

    def test_photo_sent_to_an_idea_draft_is_not_attached(self):
        chat = Chat()
        chat.send(text("案"))
        chat.tap(Key.BUTTON_IDEA)
        out = chat.send(photo("m1"))
        assert keys(out) == [Key.PHOTO_NOT_FOR_IDEA, Key.ASK_THEME_IDEA]
        assert out.effects == ()
        assert chat.send(photo("m2", "S", 1, 2)).replies == ()
        later = chat.send(photo("m3", "S", 2, 2))
        assert keys(later) == [Key.PHOTO_NOT_FOR_IDEA, Key.ASK_THEME_IDEA]
        assert not any(isinstance(e, AttachPhoto) for e in later.effects)


class TestWholeSubmissions:
    def test_photo_submission_end_to_end(self):
        chat = Chat()
        out = chat.submit_photo()
        all_effects = [type(e).__name__ for o in chat.history for e in o.effects]
        assert all_effects == [
            "StartDraft",
            "AttachPhoto",
            "SetTheme",
            "SetFace",
            "SetComment",
            "SubmitDraft",
        ]
        assert keys(out) == [Key.RECEIPT_SUMMARY_BLUR, Key.RECEIPT]

    def test_a_second_submission_gets_a_fresh_draft(self):
        chat = Chat()
        chat.submit_photo("m1")
        chat.submit_photo("m2")
        started = [e for o in chat.history for e in o.effects if isinstance(e, StartDraft)]
        assert len({s.draft_id for s in started}) == 2

    def test_every_step_moves_updated_at(self):
        chat = Chat()
        chat.send(photo("m1"))
        chat.wait(5)
        chat.tap(THEMES[0].title)
        assert chat.conversation.updated_at == chat.now
        chat.wait(5)
        chat.send(photo("m2"))
        assert chat.conversation.updated_at == chat.now

    def test_unexpected_input_does_not_move_updated_at(self):
        chat = Chat()
        chat.send(photo("m1"))
        before = chat.conversation.updated_at
        chat.wait(5)
        chat.send(text("?!"))
        assert chat.conversation.updated_at == before

    def test_strikes_reset_after_an_expected_answer(self):
        chat = Chat()
        chat.send(photo("m1"))
        chat.send(text("x"))
        chat.send(text("y"))
        assert chat.conversation.strikes == 2
        chat.tap(THEMES[0].title)
        assert chat.conversation.strikes == 0
        assert replace(chat.conversation, strikes=0) == chat.conversation
