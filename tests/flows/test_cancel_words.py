"""Typed cancel words in every catalogue language cancel the open question.

Before, only Japanese and English words cancelled: a Vietnamese worker typing "hủy" at the
comment question sent the submission with "hủy" as its comment. Then "forget it" words cancelled
too: a worker answering "anything to add?" with "算了" or "wag na" lost the draft and its photos.
"""

from __future__ import annotations

import pytest
from flowkit import THEMES, Chat, effect_types, keys, photo, text

from flows.keys import Key
from flows.types import SetComment, Step
from webhooks.i18n import load_catalogue

WORDS = load_catalogue().cancel_words


def at_comment() -> Chat:
    chat = Chat(cancel_words=WORDS, real_codes=True)
    chat.send(photo("m1"))
    chat.tap(THEMES[0].title)
    chat.tap(Key.BUTTON_FACE_BLUR)
    return chat


@pytest.mark.parametrize("typed", ["hủy", "Batal", "Cancelar", "I-cancel", "取消", "Kanselahin"])
def test_a_typed_cancel_word_at_the_comment_question_cancels_instead_of_sending(typed):
    chat = at_comment()
    outcome = chat.send(text(typed))
    assert keys(outcome)[0] == Key.CANCELLED
    assert "DiscardDraft" in effect_types(outcome)
    assert "SubmitDraft" not in effect_types(outcome)
    assert chat.conversation.step is Step.IDLE


# "No need / forget it" in Chinese, Tagalog, Vietnamese, English, Indonesian and Portuguese.
NO_NEED = ["算了", "不要了", "wag na", "Huwag na", "thôi", "never mind", "tidak jadi", "desistir"]


@pytest.mark.parametrize("typed", NO_NEED)
def test_no_need_at_the_comment_question_is_the_comment_and_keeps_the_photos(typed):
    chat = at_comment()
    outcome = chat.send(text(typed))
    assert Key.CANCELLED not in keys(outcome)
    assert "DiscardDraft" not in effect_types(outcome)
    # The comment step takes any short text as the comment and sends the post with its photos.
    assert "SubmitDraft" in effect_types(outcome)
    comments = [e.comment for e in outcome.effects if isinstance(e, SetComment)]
    assert comments == [typed]


def test_a_typed_cancel_word_drops_a_pending_idea():
    chat = Chat(cancel_words=WORDS)
    chat.send(text("休憩室に植物を置きたい"))
    assert keys(chat.send(text("Batal")))[0] == Key.CANCELLED
    assert chat.conversation.pending_text is None


def test_japanese_torikeshi_with_nothing_open_still_asks_to_withdraw():
    """取消 is "cancel" in Chinese but "withdraw" in Japanese: with nothing to cancel, withdraw."""
    chat = Chat(cancel_words=WORDS, real_codes=True)
    chat.submit_photo("m1")
    assert keys(chat.send(text("取消"))) == [Key.WITHDRAW_CONFIRM_LATEST]
