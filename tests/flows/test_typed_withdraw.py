"""Withdrawing by typing: "取り下げたい" (the latest submission) or a receipt code (that one).

Before, only the button under the latest receipt could withdraw; typing the wish or the code
offered to send it to the PR team as an idea.
"""

from __future__ import annotations

import pytest
from flowkit import THEMES, Chat, choice_names, keys, photo, text

from flows.intents import Intent, WithdrawAsked, parse, withdraw_request
from flows.keys import Key
from flows.types import Step, WithdrawSubmission


def two_submissions() -> Chat:
    chat = Chat(real_codes=True)
    chat.submit_photo("m1")
    chat.submit_photo("m2")  # later draft, code of its own
    return chat


def codes(chat: Chat) -> list[str]:
    return [s.code for s in chat.submissions.values()]


class TestReading:
    @pytest.mark.parametrize(
        "typed",
        [
            "取り下げたい",
            "取り下げたいです。",
            "とりさげたい",
            "取り消したい！",
            "とりけしたい",  # the easy-Japanese catalogue's word
            "ＷＩＴＨＤＲＡＷ",
            "withdraw",
            "I want to withdraw",
            "撤回",
            "rút lại",
            "tarik kembali",
        ],
    )
    def test_the_wish_alone_means_the_latest(self, typed):
        assert withdraw_request(typed) == WithdrawAsked()

    @pytest.mark.parametrize(
        "typed",
        [
            "K7F-3QX",
            "k7f-3qx",
            "Ｋ７Ｆ－３ＱＸ",
            "K7F3QX",
            "K7F 3QX",  # a space for the dash, as a phone keyboard makes it easy
            "k7f　3qx",
            "withdraw K7F 3QX",
            "K7Fー3QX",
            "K7F-3QXを取り下げたい",
            "withdraw K7F-3QX",
            "受付番号：K7F-3QX",
        ],
    )
    def test_a_code_names_one(self, typed):
        assert withdraw_request(typed) == WithdrawAsked("K7F-3QX")

    @pytest.mark.parametrize(
        "typed",
        [
            "thanks",
            "123456",
            "123 456",
            "THE CAT",
            "取り下げたいと思ったけど、やっぱりこのままで",
            "K7F-3QX と A2B-C3D",
            "新しい機械です",
            "x" * 100,
        ],
    )
    def test_other_texts_are_not_commands(self, typed):
        assert withdraw_request(typed) is None


class TestTypedWish:
    def test_the_wish_asks_to_confirm_the_latest_submission(self):
        chat = two_submissions()
        latest = codes(chat)[-1]
        out = chat.send(text("取り下げたい"))
        assert keys(out) == [Key.WITHDRAW_CONFIRM_LATEST]
        assert out.replies[0].params == {"code": latest}
        assert choice_names(out) == [Key.BUTTON_WITHDRAW_YES, Key.BUTTON_KEEP]
        assert out.effects == () and out.conversation.step is Step.IDLE

    def test_confirming_withdraws_that_submission(self):
        chat = two_submissions()
        latest = list(chat.submissions)[-1]
        chat.send(text("取り下げたい"))
        out = chat.tap(Key.BUTTON_WITHDRAW_YES)
        assert out.effects == (WithdrawSubmission(latest),)
        assert keys(out) == [Key.WITHDRAW_DONE]

    def test_after_withdrawing_the_latest_the_wish_names_the_one_before(self):
        chat = two_submissions()
        chat.send(text("取り下げたい"))
        chat.tap(Key.BUTTON_WITHDRAW_YES)
        out = chat.send(text("取り下げたい"))
        assert out.replies[0].params == {"code": codes(chat)[0]}

    def test_with_nothing_to_withdraw_it_says_so(self):
        out = Chat().send(text("取り下げたい"))
        assert keys(out) == [Key.WITHDRAW_NONE]
        assert out.effects == ()
        assert out.conversation.step is Step.IDLE  # not an idea to send

    def test_during_a_question_the_question_comes_back_after_the_answer(self):
        chat = two_submissions()
        chat.send(photo("m9"))
        confirm = chat.send(text("取り下げたい"))
        assert keys(confirm) == [Key.WITHDRAW_CONFIRM_LATEST]
        assert confirm.conversation.step is Step.ASK_THEME
        kept = chat.tap(Key.BUTTON_KEEP)
        assert keys(kept) == [Key.WITHDRAW_KEPT, Key.ASK_THEME]
        assert choice_names(kept)[0] == THEMES[0].title


class TestTypedCode:
    def test_own_code_asks_to_confirm_that_submission(self):
        chat = two_submissions()
        first_id, first_code = next(iter(chat.submissions.items()))[0], codes(chat)[0]
        out = chat.send(text(f"{first_code.lower()}"))
        assert keys(out) == [Key.WITHDRAW_CONFIRM]
        assert out.replies[0].params == {"code": first_code}
        tap = parse(out.replies[0].choices[0].data)
        assert tap is not None and (tap.intent, tap.arg) == (Intent.WITHDRAW_YES, first_id)

    def test_unknown_code_is_answered_as_unknown_not_as_an_idea(self):
        chat = two_submissions()
        out = chat.send(text("ZZZ-999"))
        assert keys(out)[0] == Key.WITHDRAW_CODE_UNKNOWN
        assert out.replies[0].params == {"code": "ZZZ-999"}
        assert out.effects == () and out.conversation.step is Step.IDLE

    def test_someone_elses_code_gets_the_same_answer_as_an_unknown_one(self):
        # The caller looks codes up among this worker's submissions only, so a code of another
        # worker's submission arrives with no submission at all: the same as an unknown code.
        chat = two_submissions()
        theirs = chat.send(text("ABC-234"))
        unknown = chat.send(text("ZZZ-999"))
        assert keys(theirs) == keys(unknown)
        assert theirs.effects == unknown.effects == ()

    def test_code_of_a_withdrawn_submission_says_it_is_already_withdrawn(self):
        chat = two_submissions()
        code = codes(chat)[0]
        chat.send(text(code))
        chat.tap(Key.BUTTON_WITHDRAW_YES)
        out = chat.send(text(code))
        assert keys(out)[0] == Key.WITHDRAW_ALREADY and out.effects == ()
