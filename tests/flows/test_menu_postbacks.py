"""Every rich-menu button gets an answer, at rest and in the middle of a submission."""

from __future__ import annotations

import pytest
from flowkit import Chat, at_face, choice_names, keys

from flows.intents import MAX_DATA, parse
from flows.keys import Key
from flows.menu import MenuButton, menu_data
from flows.types import PostbackReceived, Step


@pytest.mark.parametrize("button", list(MenuButton))
def test_menu_data_is_in_the_g1_format_and_fits_a_postback(button) -> None:
    data = menu_data(button)
    assert data == f"g1|{button.value}" and len(data) <= MAX_DATA


def test_send_and_help_are_understood_today() -> None:
    assert parse(menu_data(MenuButton.SEND)) is not None
    assert parse(menu_data(MenuButton.HELP)) is not None
    send = Chat().send(PostbackReceived(menu_data(MenuButton.SEND)))
    assert keys(send) == [Key.SEND_POINTER]
    assert choice_names(send) == [Key.BUTTON_CAMERA, Key.BUTTON_ALBUM]
    assert keys(Chat().send(PostbackReceived(menu_data(MenuButton.HELP)))) == [Key.HELP]


@pytest.mark.parametrize("button", list(MenuButton))
def test_every_button_is_understood_and_answered_at_rest(button) -> None:
    assert parse(menu_data(button)) is not None
    out = Chat().send(PostbackReceived(menu_data(button)))
    assert out.replies and Key.IDLE_POINTER not in keys(out)


def test_data_of_a_menu_from_another_version_is_an_unknown_button() -> None:
    chat = Chat()
    out = chat.send(PostbackReceived("g0|guideline"))
    assert out.effects == ()
    assert keys(out) == [Key.IDLE_POINTER]
    assert choice_names(out) == [Key.BUTTON_CAMERA, Key.BUTTON_ALBUM]
    assert chat.conversation.step is Step.IDLE


@pytest.mark.parametrize("button", list(MenuButton))
def test_a_menu_tap_mid_submission_keeps_the_draft_and_asks_the_question_again(button) -> None:
    chat = at_face()
    draft = chat.conversation.draft
    out = chat.send(PostbackReceived(menu_data(button)))
    assert out.effects == ()
    assert chat.conversation.step is Step.ASK_FACE and chat.conversation.draft == draft
    assert keys(out)[-1] == Key.ASK_FACE
    assert Key.BUTTON_FACE_BLUR in choice_names(out)
