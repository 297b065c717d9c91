"""A double tap on a question's button is ignored: the answer to the first tap (often the
receipt, with its code and buttons) stays the newest message in view.

Before, the second tap got "that was an earlier question" and the question's buttons again,
which pushed the receipt out of view.
"""

from __future__ import annotations

from flowkit import THEMES, Chat, keys, photo

from flows.keys import Key


def at_comment() -> Chat:
    chat = Chat()
    chat.send(photo("m1"))
    chat.tap(THEMES[0].title)
    chat.tap(Key.BUTTON_FACE_BLUR)
    return chat


def test_a_double_tap_of_no_comment_after_the_receipt_stays_silent():
    chat = at_comment()
    asked = chat.last
    receipt = chat.tap(Key.BUTTON_SKIP)
    assert keys(receipt)[-1] == Key.RECEIPT
    again = chat.tap(Key.BUTTON_SKIP, asked)
    assert again.replies == () and again.effects == ()


def test_a_double_tap_of_a_face_button_stays_silent():
    chat = Chat()
    chat.send(photo("m1"))
    chat.tap(THEMES[0].title)
    asked = chat.last
    chat.tap(Key.BUTTON_FACE_BLUR)
    again = chat.tap(Key.BUTTON_FACE_SHOW, asked)  # another button of the same question
    assert keys(again)[0] == Key.HINT_STALE  # not a double tap: it is answered
    assert chat.tap(Key.BUTTON_FACE_SHOW, asked).replies == ()  # its own double tap is not


def test_after_something_else_was_said_an_old_button_is_answered_again():
    chat = at_comment()
    asked = chat.last
    chat.tap(Key.BUTTON_SKIP)
    chat.send(photo("m2"))
    again = chat.tap(Key.BUTTON_SKIP, asked)
    assert keys(again)[0] == Key.HINT_STALE
