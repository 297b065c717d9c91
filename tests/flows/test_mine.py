"""My submissions, the face question's order, and changing a sent submission's face choice."""

from __future__ import annotations

from dataclasses import replace

import pytest
from flowkit import THEMES, Chat, at_face, choice_names, effect_types, keys, photo, postback, text

from flows.intents import Intent
from flows.keys import Key
from flows.menu import MenuButton, menu_data
from flows.mine import allowed_faces
from flows.types import (
    ChangeFace,
    Face,
    Phrase,
    PostbackReceived,
    Step,
    SubmissionRef,
    SubmissionStatus,
    WithdrawSubmission,
)

FACE_BUTTONS = [Key.BUTTON_FACE_SHOW, Key.BUTTON_FACE_BLUR, Key.BUTTON_FACE_NONE]


def _mine(chat: Chat):
    return chat.send(PostbackReceived(menu_data(MenuButton.MINE)))


def _sent(chat: Chat, face: Key = Key.BUTTON_FACE_BLUR, message_id: str = "m1") -> str:
    chat.send(photo(message_id))
    chat.tap(THEMES[0].title)
    chat.tap(face)
    chat.tap(Key.BUTTON_SKIP)
    return next(reversed(chat.submissions))


# -- point 4: taps ---------------------------------------------------------------------------


def test_a_submission_takes_three_taps_after_the_photo() -> None:
    chat = Chat()
    chat.send(photo("m1"))
    chat.tap(THEMES[0].title)  # 1
    chat.tap(Key.BUTTON_FACE_SHOW)  # 2
    out = chat.tap(Key.BUTTON_SKIP)  # 3
    assert keys(out) == [Key.RECEIPT_SUMMARY_SHOW, Key.RECEIPT] and "SubmitDraft" in effect_types(
        out
    )


def test_the_face_question_offers_the_previous_choice_first_but_applies_nothing() -> None:
    chat = Chat()
    _sent(chat, Key.BUTTON_FACE_NONE)
    chat.send(photo("m2"))
    out = chat.tap(THEMES[0].title)
    assert keys(out) == [Key.ASK_FACE]
    assert choice_names(out)[:3] == [
        Key.BUTTON_FACE_NONE,
        Key.BUTTON_FACE_SHOW,
        Key.BUTTON_FACE_BLUR,
    ]
    # Consent is asked for every submission: nothing was set on the new draft yet.
    assert "SetFace" not in effect_types(out)
    assert chat.conversation.step is Step.ASK_FACE and chat.conversation.draft.face is None


def test_a_first_submission_gets_the_faces_in_their_usual_order() -> None:
    assert choice_names(at_face().last)[:3] == FACE_BUTTONS


# -- point 6: my submissions ------------------------------------------------------------------


def test_my_submissions_with_nothing_sent_says_so_kindly_and_points_to_the_camera() -> None:
    out = _mine(Chat())
    assert keys(out) == [Key.MINE_EMPTY]
    assert choice_names(out) == [Key.BUTTON_CAMERA, Key.BUTTON_ALBUM]


def test_my_submissions_shows_one_card_per_submission_newest_first() -> None:
    chat = Chat()
    first = _sent(chat, message_id="m1")
    second = _sent(chat, message_id="m2")
    chat.submissions[first] = replace(chat.submissions[first], status=SubmissionStatus.APPROVED)
    out = _mine(chat)
    (reply,) = out.replies
    assert reply.key == Key.MINE_INTRO and reply.params == {"count": 2}
    assert [c.title for c in reply.cards] == [
        chat.submissions[second].code,
        chat.submissions[first].code,
    ]
    assert reply.cards[0].lines == (Key.STATUS_RECEIVED, Key.FACE_IS_BLUR)
    assert reply.cards[1].lines == (Key.STATUS_USED, Key.FACE_IS_BLUR)
    assert [b.label for b in reply.cards[0].buttons] == [Key.BUTTON_WITHDRAW, Key.BUTTON_REFACE]


@pytest.mark.parametrize(
    ("status", "word"),
    [
        (SubmissionStatus.NEW, Key.STATUS_RECEIVED),
        (SubmissionStatus.IN_REVIEW, Key.STATUS_CHECKING),
        (SubmissionStatus.APPROVED, Key.STATUS_USED),
        (SubmissionStatus.PUBLISHED, Key.STATUS_USED),
        (SubmissionStatus.REJECTED, Key.STATUS_NOT_USED),
        (SubmissionStatus.WITHDRAWN, Key.STATUS_WITHDRAWN),
    ],
)
def test_each_status_is_said_in_plain_words(status, word) -> None:
    chat = Chat()
    sid = _sent(chat)
    chat.submissions[sid] = replace(chat.submissions[sid], status=status)
    (card,) = _mine(chat).replies[0].cards
    assert card.lines[0] == word
    if status is SubmissionStatus.WITHDRAWN:
        assert card.buttons == ()  # nothing left to do on it


def test_withdraw_from_a_card_asks_to_confirm_then_withdraws_once() -> None:
    chat = Chat()
    sid = _sent(chat)
    mine = _mine(chat)
    withdraw = mine.replies[0].cards[0].buttons[0]
    out = chat.send(PostbackReceived(withdraw.data))
    assert keys(out) == [Key.WITHDRAW_CONFIRM] and out.effects == ()
    confirm = chat.button(Key.BUTTON_WITHDRAW_YES)
    done = chat.send(PostbackReceived(confirm.data))
    assert done.effects == (WithdrawSubmission(sid),)
    again = chat.send(PostbackReceived(confirm.data))  # a double tap
    assert again.effects == () and keys(again) == [Key.WITHDRAW_ALREADY]


def test_a_face_change_before_review_offers_the_other_two_choices() -> None:
    chat = Chat()
    sid = _sent(chat, Key.BUTTON_FACE_BLUR)
    out = chat.send(postback(Intent.REFACE, sid))
    assert keys(out) == [Key.REFACE_ASK]
    assert choice_names(out) == [Key.BUTTON_FACE_SHOW, Key.BUTTON_FACE_NONE, Key.BUTTON_KEEP]
    done = chat.tap(Key.BUTTON_FACE_SHOW)
    assert done.effects == (ChangeFace(sid, Face.SHOW, Face.BLUR, SubmissionStatus.NEW),)
    assert keys(done) == [Key.REFACE_DONE]
    # The confirmation says what the choice is now, in the words of the card and the receipt.
    assert done.replies[0].params["face"] == Phrase(Key.FACE_IS_SHOW)
    assert chat.submissions[sid].face is Face.SHOW


def test_after_review_started_only_a_more_private_choice_is_offered() -> None:
    chat = Chat()
    sid = _sent(chat, Key.BUTTON_FACE_SHOW)
    chat.submissions[sid] = replace(chat.submissions[sid], status=SubmissionStatus.APPROVED)
    out = chat.send(postback(Intent.REFACE, sid))
    assert keys(out) == [Key.REFACE_ASK_PRIVATE]
    assert choice_names(out) == [Key.BUTTON_FACE_BLUR, Key.BUTTON_FACE_NONE, Key.BUTTON_KEEP]
    # A forged tap back to a less private choice changes nothing.
    chat.submissions[sid] = replace(chat.submissions[sid], face=Face.BLUR)
    back = chat.send(postback(Intent.REFACE_TO, sid, Face.SHOW.value))
    assert back.effects == () and keys(back) == [Key.REFACE_CLOSED]


def test_the_most_private_choice_after_approval_has_no_change_button() -> None:
    ref = SubmissionRef("s1", "AAA-BBB", SubmissionStatus.APPROVED, Face.NO_FACE)
    assert allowed_faces(ref) == ()
    assert allowed_faces(replace(ref, status=SubmissionStatus.NEW)) == (Face.SHOW, Face.BLUR)
    assert allowed_faces(replace(ref, status=SubmissionStatus.WITHDRAWN, face=Face.SHOW)) == ()


def test_a_double_tap_on_a_new_face_choice_changes_it_once() -> None:
    chat = Chat()
    sid = _sent(chat, Key.BUTTON_FACE_BLUR)
    asked = chat.send(postback(Intent.REFACE, sid))
    first = chat.tap(Key.BUTTON_FACE_NONE, asked)
    second = chat.tap(Key.BUTTON_FACE_NONE, asked)
    assert effect_types(first) == ["ChangeFace"]
    assert second.effects == () and keys(second) == [Key.REFACE_DONE]


@pytest.mark.parametrize("intent", [Intent.REFACE, Intent.REFACE_TO, Intent.WITHDRAW_YES])
def test_someone_elses_submission_gets_the_same_answer_as_an_unknown_one(intent) -> None:
    chat = Chat()
    _sent(chat)
    # The caller found nothing of this worker's under the id: Context.submission is None.
    foreign = chat.send(postback(intent, "01OTHERWORKERSSUBMISSION", Face.NO_FACE.value))
    unknown = chat.send(postback(intent, "nonexistent", Face.NO_FACE.value))
    assert foreign.effects == () == unknown.effects
    assert keys(foreign) == keys(unknown) == [Key.WITHDRAW_NOT_FOUND]


def test_a_stale_face_change_on_a_withdrawn_submission_is_refused() -> None:
    chat = Chat()
    sid = _sent(chat, Key.BUTTON_FACE_SHOW)
    asked = chat.send(postback(Intent.REFACE, sid))
    chat.submissions[sid] = replace(chat.submissions[sid], status=SubmissionStatus.WITHDRAWN)
    out = chat.tap(Key.BUTTON_FACE_NONE, asked)
    assert out.effects == () and keys(out) == [Key.REFACE_CLOSED]


def test_my_submissions_in_the_middle_of_a_question_keeps_the_draft_and_asks_again() -> None:
    chat = Chat()
    _sent(chat)
    chat.send(photo("m9"))
    out = _mine(chat)
    assert keys(out) == [Key.MINE_INTRO, Key.ASK_THEME]
    assert chat.conversation.step is Step.ASK_THEME
    assert out.replies[0].choices == ()  # buttons only on the question


def test_an_idea_has_no_face_change() -> None:
    chat = Chat()
    chat.send(text("休憩室に植物を置きたい"))
    chat.tap(Key.BUTTON_IDEA)
    chat.tap(THEMES[0].title)
    (card,) = _mine(chat).replies[0].cards
    assert [b.label for b in card.buttons] == [Key.BUTTON_WITHDRAW]


def test_the_face_change_question_has_a_way_out_that_changes_nothing() -> None:
    chat = Chat()
    sid = _sent(chat, Key.BUTTON_FACE_BLUR)
    chat.send(postback(Intent.REFACE, sid))
    kept = chat.tap(Key.BUTTON_KEEP)
    assert kept.effects == () and keys(kept) == [Key.WITHDRAW_KEPT]
    assert chat.submissions[sid].face is Face.BLUR
