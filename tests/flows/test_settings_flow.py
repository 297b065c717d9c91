"""Settings from the help answer: the PR team's contact, and the language in its own name."""

from __future__ import annotations

import pytest
from flowkit import Chat, at_face, choice_names, keys, photo, postback

from flows.intents import Intent
from flows.keys import Key
from flows.settings import LANGUAGES
from flows.types import PostbackReceived, SetCredit, SetLanguage, Site, Step


def test_help_at_rest_offers_my_submissions_and_settings() -> None:
    out = Chat().send(postback(Intent.HELP))
    assert keys(out) == [Key.HELP]
    assert choice_names(out) == [
        Key.BUTTON_CAMERA,
        Key.BUTTON_ALBUM,
        Key.BUTTON_MINE,
        Key.BUTTON_SETTINGS,
        Key.BUTTON_NOTICES,
    ]


def test_settings_show_the_configured_contact_as_text() -> None:
    chat = Chat(contact="広報部 山田 03-1234-5678")
    out = chat.tap(Key.BUTTON_SETTINGS, chat.send(postback(Intent.HELP)))
    assert keys(out) == [Key.SETTINGS]
    assert out.replies[0].params == {"contact": "広報部 山田 03-1234-5678"}
    assert choice_names(out) == [Key.BUTTON_LANGUAGE, Key.BUTTON_CREDIT, Key.BUTTON_MINE]


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


SITE = Site("s1", "駅前店")


def test_the_credit_question_offers_name_site_and_anonymous_to_a_worker_with_a_site() -> None:
    chat = Chat(sites=(SITE,), site_id="s1")
    settings = chat.send(postback(Intent.SETTINGS))
    assert choice_names(settings) == [
        Key.BUTTON_LANGUAGE,
        Key.BUTTON_SITE,
        Key.BUTTON_CREDIT,
        Key.BUTTON_MINE,
    ]
    asked = chat.tap(Key.BUTTON_CREDIT, settings)
    assert keys(asked) == [Key.CREDIT_ASK] and asked.effects == ()
    assert choice_names(asked) == [
        Key.BUTTON_CREDIT_NAME,
        Key.BUTTON_CREDIT_SITE,
        Key.BUTTON_CREDIT_ANONYMOUS,
    ]
    assert chat.button(Key.BUTTON_CREDIT_SITE).data == "g1|credit|site"
    done = chat.tap(Key.BUTTON_CREDIT_SITE)
    assert keys(done) == [Key.CREDIT_SITE] and done.replies[0].params == {"site": "駅前店"}
    assert done.effects == (SetCredit("site"),) and chat.credit == "site"


@pytest.mark.parametrize(
    ("label", "key", "choice"),
    [
        (Key.BUTTON_CREDIT_NAME, Key.CREDIT_NAME, "name"),
        (Key.BUTTON_CREDIT_ANONYMOUS, Key.CREDIT_ANONYMOUS, "anonymous"),
    ],
)
def test_a_worker_without_a_site_chooses_name_or_anonymous(
    label: Key, key: Key, choice: str
) -> None:
    chat = Chat()
    asked = chat.tap(Key.BUTTON_CREDIT, chat.send(postback(Intent.SETTINGS)))
    assert keys(asked) == [Key.CREDIT_ASK_NO_SITE]  # the question names no site choice either
    assert choice_names(asked) == [Key.BUTTON_CREDIT_NAME, Key.BUTTON_CREDIT_ANONYMOUS]
    done = chat.tap(label, asked)
    assert keys(done) == [key] and done.effects == (SetCredit(choice),)
    assert chat.conversation.step is Step.IDLE


def test_the_site_choice_without_a_site_asks_again_and_records_nothing() -> None:
    # A stale button: the worker's site was retired (or skipped) since it was shown.
    out = Chat(sites=(SITE,), site_id="gone").send(postback(Intent.CREDIT, "site"))
    assert keys(out) == [Key.CREDIT_ASK_NO_SITE] and out.effects == ()
    assert Key.BUTTON_CREDIT_SITE not in choice_names(out)


@pytest.mark.parametrize("arg", ["NAME", "everyone", "name|x", "anonymous ", "名前", "x" * 250])
def test_an_unknown_credit_choice_asks_again_and_records_nothing(arg: str) -> None:
    out = Chat().send(postback(Intent.CREDIT, arg))
    assert keys(out) == [Key.CREDIT_ASK_NO_SITE] and out.effects == ()


@pytest.mark.parametrize(
    "data", ["g1|credit|name|x|y", "g1|credit|na%ZZme", "g2|credit|name", "g1|credits|name"]
)
def test_a_malformed_credit_postback_is_unexpected_input_not_a_choice(data: str) -> None:
    out = Chat().send(PostbackReceived(data))
    assert out.effects == ()
    assert not {Key.CREDIT_ASK, Key.CREDIT_ASK_NO_SITE} & set(keys(out))


def test_a_double_tap_records_the_credit_once() -> None:
    chat = Chat()
    asked = chat.tap(Key.BUTTON_CREDIT, chat.send(postback(Intent.SETTINGS)))
    first = chat.tap(Key.BUTTON_CREDIT_NAME, asked)
    second = chat.tap(Key.BUTTON_CREDIT_NAME, asked)
    assert first.effects == (SetCredit("name"),) and second.effects == ()
    assert keys(second) == [Key.CREDIT_NAME]
    changed = chat.tap(Key.BUTTON_CREDIT_ANONYMOUS, asked)
    assert changed.effects == (SetCredit("anonymous"),)


def test_the_credit_choice_during_a_question_keeps_the_question_open() -> None:
    chat = at_face()
    out = chat.send(postback(Intent.CREDIT, "anonymous"))
    assert keys(out) == [Key.CREDIT_ANONYMOUS, Key.ASK_FACE]
    assert out.effects == (SetCredit("anonymous"),)
    assert chat.conversation.step is Step.ASK_FACE
    asked = chat.send(postback(Intent.CREDIT))
    assert keys(asked) == [Key.CREDIT_ASK_NO_SITE] and chat.conversation.step is Step.ASK_FACE
    after = chat.send(photo("m2"))
    assert chat.conversation.draft is not None and chat.conversation.draft.media == 2
    assert after.effects and after.effects[0].__class__.__name__ == "AttachPhoto"
