"""Settings from the help answer: the PR team's contact, and the language in its own name."""

from __future__ import annotations

from flowkit import Chat, at_face, choice_names, keys, postback

from flows.intents import Intent
from flows.keys import Key
from flows.settings import LANGUAGES
from flows.types import SetLanguage, Step


def test_help_at_rest_offers_my_submissions_and_settings() -> None:
    out = Chat().send(postback(Intent.HELP))
    assert keys(out) == [Key.HELP]
    assert choice_names(out) == [
        Key.BUTTON_CAMERA,
        Key.BUTTON_ALBUM,
        Key.BUTTON_MINE,
        Key.BUTTON_SETTINGS,
    ]


def test_settings_show_the_configured_contact_as_text() -> None:
    chat = Chat(contact="広報部 山田 03-1234-5678")
    out = chat.tap(Key.BUTTON_SETTINGS, chat.send(postback(Intent.HELP)))
    assert keys(out) == [Key.SETTINGS]
    assert out.replies[0].params == {"contact": "広報部 山田 03-1234-5678"}
    assert choice_names(out) == [Key.BUTTON_LANGUAGE, Key.BUTTON_MINE]


def test_settings_without_a_contact_say_whom_to_ask() -> None:
    assert keys(Chat().send(postback(Intent.SETTINGS))) == [Key.SETTINGS_NO_CONTACT]


def test_the_languages_are_offered_each_in_its_own_name() -> None:
    chat = Chat()
    out = chat.send(postback(Intent.LANGUAGE))
    assert keys(out) == [Key.ASK_LANGUAGE]
    assert choice_names(out) == [name for _, name in LANGUAGES]
    done = chat.tap("Tiếng Việt")
    assert done.effects == (SetLanguage("vi"),) and keys(done) == [Key.LANGUAGE_SET]
    assert chat.language == "vi"


def test_a_language_the_catalogues_do_not_have_is_not_stored() -> None:
    out = Chat().send(postback(Intent.LANGUAGE, "ko"))
    assert out.effects == ()
    assert keys(out) == [Key.HINT_STALE, Key.IDLE_POINTER]


def test_settings_during_a_question_keep_the_question_open() -> None:
    chat = at_face()
    out = chat.send(postback(Intent.SETTINGS))
    assert keys(out) == [Key.SETTINGS_NO_CONTACT, Key.ASK_FACE]
    assert chat.conversation.step is Step.ASK_FACE
