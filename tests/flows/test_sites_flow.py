"""The worker's site: asked at the welcome (skippable, paged), changed in settings, asked again
kindly when retired."""

from __future__ import annotations

from flowkit import THEMES, Chat, at_face, choice_names, keys, photo, postback, text

from flows.intents import Intent
from flows.keys import Key
from flows.types import Followed, SetSite, Site, Step

FEW = (Site("s1", "本店"), Site("s2", "第二工場"))
MANY = tuple(Site(f"s{i:02d}", f"店舗{i:02d}") for i in range(30))


def test_the_welcome_ends_with_the_site_question_and_a_skip() -> None:
    out = Chat(sites=FEW).send(Followed())
    assert keys(out) == [Key.WELCOME, Key.ASK_SITE]
    assert choice_names(out) == ["本店", "第二工場", Key.BUTTON_SITE_SKIP]
    assert out.replies[0].choices == ()


def test_no_sites_configured_means_no_site_question() -> None:
    assert keys(Chat().send(Followed())) == [Key.WELCOME]


def test_picking_a_site_records_it_and_says_which() -> None:
    chat = Chat(sites=FEW)
    chat.send(Followed())
    out = chat.tap("第二工場")
    assert out.effects == (SetSite("s2"),)
    assert keys(out) == [Key.SITE_SET] and out.replies[0].params == {"site": "第二工場"}
    assert choice_names(out) == [Key.BUTTON_CAMERA, Key.BUTTON_ALBUM]


def test_skipping_changes_nothing_and_is_fine() -> None:
    chat = Chat(sites=FEW)
    chat.send(Followed())
    out = chat.tap(Key.BUTTON_SITE_SKIP)
    assert out.effects == () and keys(out) == [Key.SITE_SKIPPED]


def test_more_sites_than_one_quick_reply_are_paged_and_every_one_is_reachable() -> None:
    chat = Chat(sites=MANY)
    out = chat.send(Followed())
    seen: list[str] = []
    for _ in range(3):
        names = choice_names(out)
        assert len(names) <= 13
        assert names[-2:] == [Key.BUTTON_MORE, Key.BUTTON_SITE_SKIP]
        seen += names[:-2]
        out = chat.tap(Key.BUTTON_MORE)
    assert seen == [s.name for s in MANY]
    assert choice_names(out)[0] == MANY[0].name  # after the last page, the first again


def test_the_site_is_changed_from_settings() -> None:
    chat = Chat(sites=FEW, site_id="s1")
    settings = chat.send(postback(Intent.SETTINGS))
    assert Key.BUTTON_SITE in choice_names(settings)
    chat.tap(Key.BUTTON_SITE)
    assert chat.tap("第二工場").effects == (SetSite("s2"),)


def test_a_retired_site_is_asked_about_again_kindly_once() -> None:
    chat = Chat(sites=FEW, site_id="gone")
    out = chat.send(postback(Intent.SEND))
    assert keys(out) == [Key.SEND_POINTER, Key.SITE_GONE]
    assert choice_names(out) == ["本店", "第二工場", Key.BUTTON_SITE_SKIP]
    skipped = chat.tap(Key.BUTTON_SITE_SKIP)
    assert skipped.effects == (SetSite(None),)  # not asked again after a skip
    assert keys(chat.send(postback(Intent.SEND))) == [Key.SEND_POINTER]


def test_a_retired_site_never_displaces_a_question_or_a_receipt() -> None:
    chat = Chat(sites=FEW, site_id="gone")
    chat.send(photo("m1"))
    assert keys(chat.last) == [Key.PHOTO_THANKS, Key.ASK_THEME]
    chat.tap(THEMES[0].title)
    chat.tap(Key.BUTTON_FACE_SHOW)
    receipt = chat.tap(Key.BUTTON_SKIP)
    assert keys(receipt) == [Key.RECEIPT_SUMMARY_SHOW, Key.RECEIPT]  # withdraw stays


def test_a_stale_site_button_asks_again_with_the_current_list() -> None:
    chat = Chat(sites=FEW)
    welcome = chat.send(Followed())
    chat.sites = (FEW[0],)  # 第二工場 retired meanwhile
    out = chat.tap("第二工場", welcome)
    assert out.effects == () and keys(out) == [Key.SITE_GONE]
    assert choice_names(out) == ["本店", Key.BUTTON_SITE_SKIP]


def test_site_buttons_during_a_question_keep_the_draft() -> None:
    chat = at_face()
    chat.sites = FEW
    out = chat.send(postback(Intent.SITE, "s1"))
    assert keys(out) == [Key.SITE_SET, Key.ASK_FACE]
    assert chat.conversation.step is Step.ASK_FACE


def test_sites_are_in_the_order_a_person_expects_numbers_as_numbers() -> None:
    numbered = (Site("a", "第10工場"), Site("b", "第1工場"), Site("c", "第２工場"))
    out = Chat(sites=numbered).send(Followed())
    assert choice_names(out)[:3] == ["第1工場", "第２工場", "第10工場"]


def test_typing_a_site_name_at_the_site_question_picks_it_rather_than_making_an_idea() -> None:
    chat = Chat(sites=FEW)
    chat.send(Followed())
    out = chat.send(text("第二 工場"))
    assert out.effects == (SetSite("s2"),)
    assert keys(out) == [Key.SITE_SET]
    assert chat.conversation.step is Step.IDLE


def test_a_text_that_is_no_site_name_is_still_an_idea() -> None:
    chat = Chat(sites=FEW)
    chat.send(Followed())
    assert keys(chat.send(text("第二工場の新しい機械")))[-1] == Key.IDEA_CONFIRM


def test_the_site_question_from_settings_says_the_current_site() -> None:
    chat = Chat(sites=FEW, site_id="s1")
    chat.send(postback(Intent.SETTINGS))
    asked = chat.tap(Key.BUTTON_SITE)
    assert keys(asked) == [Key.ASK_SITE_CURRENT]
    assert asked.replies[0].params == {"site": "本店"}
