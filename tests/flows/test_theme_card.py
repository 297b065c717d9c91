"""The theme of the month card: "send for this theme" makes the next submission two taps."""

from __future__ import annotations

from flowkit import Chat, at_face, choice_names, effect_types, keys, photo, postback, text
from guidekit import MONTHLY, THEMES

from flows.intents import Intent
from flows.keys import Key
from flows.menu import MenuButton, menu_data
from flows.types import Example, PostbackReceived, SetTheme, Step, Theme


def test_the_card_shows_title_what_to_send_and_an_example() -> None:
    out = Chat(themes=THEMES).send(PostbackReceived(menu_data(MenuButton.MONTH_THEME)))
    (card,) = out.replies[0].cards
    assert keys(out)[0] == Key.THEME_CARD and out.replies[0].params["theme"] == MONTHLY.title
    assert card.title == MONTHLY.title
    assert MONTHLY.what in card.body and MONTHLY.example in card.body
    assert [b.label for b in card.buttons] == [Key.BUTTON_THEME_SEND]


def test_from_the_card_a_submission_takes_two_taps_after_the_photo() -> None:
    c = Chat(themes=THEMES)
    card = c.send(PostbackReceived(menu_data(MenuButton.MONTH_THEME)))
    ready = c.send(PostbackReceived(card.replies[0].cards[0].buttons[0].data))
    assert keys(ready) == [Key.THEME_NEXT_SET]
    assert choice_names(ready) == [Key.BUTTON_CAMERA, Key.BUTTON_ALBUM]
    asked = c.send(photo("m1"))
    assert SetTheme(c.draft_id, MONTHLY.slug) in asked.effects
    assert keys(asked) == [Key.PHOTO_THANKS, Key.ASK_FACE]  # no theme question
    c.tap(Key.BUTTON_FACE_NONE)  # tap 1
    receipt = c.tap(Key.BUTTON_SKIP)  # tap 2
    assert "SubmitDraft" in effect_types(receipt)
    # Only the next submission: the one after asks the theme again.
    again = c.send(photo("m2"))
    assert keys(again) == [Key.PHOTO_THANKS, Key.ASK_THEME]


def test_a_double_tap_on_send_for_this_theme_has_one_effect() -> None:
    c = Chat(themes=THEMES)
    first = c.send(postback(Intent.THEME_NEXT, MONTHLY.slug))
    second = c.send(postback(Intent.THEME_NEXT, MONTHLY.slug))
    assert first.effects == second.effects == ()
    assert c.conversation.theme_next == MONTHLY.slug
    out = c.send(photo("m1"))
    assert effect_types(out).count("SetTheme") == 1


def test_a_retired_theme_says_so_and_leaves_nothing_behind() -> None:
    c = Chat(themes=THEMES)
    out = c.send(postback(Intent.THEME_NEXT, "gone-theme"))
    assert keys(out) == [Key.THEME_GONE] and c.conversation.theme_next is None


def test_a_theme_retired_between_the_tap_and_the_photo_asks_the_theme_question() -> None:
    c = Chat(themes=THEMES)
    c.send(postback(Intent.THEME_NEXT, MONTHLY.slug))
    c.themes = THEMES[1:]
    out = c.send(photo("m1"))
    assert keys(out) == [Key.PHOTO_THANKS, Key.ASK_THEME]


def test_mid_submission_the_card_button_leaves_the_draft_alone() -> None:
    c = at_face()
    out = c.send(postback(Intent.THEME_NEXT, "monthly"))
    assert keys(out) == [Key.THEME_AFTER_DRAFT, Key.ASK_FACE]
    assert c.conversation.step is Step.ASK_FACE and c.conversation.theme_next is None


def test_without_a_monthly_theme_the_open_themes_show() -> None:
    plain = (Theme("a", "A", "what a"), Theme("b", "B"))
    out = Chat(themes=plain).send(PostbackReceived(menu_data(MenuButton.MONTH_THEME)))
    assert keys(out)[0] == Key.THEME_NO_MONTHLY
    assert [c.title for c in out.replies[0].cards] == ["A", "B"]


def test_with_no_theme_at_all_the_worker_can_still_send() -> None:
    out = Chat(themes=()).send(PostbackReceived(menu_data(MenuButton.MONTH_THEME)))
    assert keys(out) == [Key.THEME_NONE]
    assert choice_names(out) == [Key.BUTTON_CAMERA, Key.BUTTON_ALBUM]


def test_examples_show_as_cards_with_images_only_where_given() -> None:
    c = Chat(
        examples=(
            Example("職人の手元", "研いでいます", "https://x.example/a.jpg"),
            Example("イベント", "", None),
        )
    )
    out = c.send(PostbackReceived(menu_data(MenuButton.EXAMPLES)))
    cards = out.replies[0].cards
    assert [card.image_url for card in cards] == ["https://x.example/a.jpg", None]
    assert keys(out)[0] == Key.EXAMPLES_INTRO


def test_no_examples_yet_is_said_plainly() -> None:
    out = Chat().send(PostbackReceived(menu_data(MenuButton.EXAMPLES)))
    assert keys(out) == [Key.EXAMPLES_NONE]


def test_typed_text_after_choosing_a_theme_is_still_an_idea_offer() -> None:
    c = Chat(themes=THEMES)
    c.send(postback(Intent.THEME_NEXT, MONTHLY.slug))
    out = c.send(text("手元の写真はあとで送ります、よろしくお願いします"))
    assert keys(out) == [Key.IDEA_CONFIRM]


def test_an_example_without_a_comment_says_what_it_is_instead_of_a_bare_dash() -> None:
    c = Chat(
        examples=(
            Example("職人の手元", "", "https://x.example/a.jpg"),
            Example("イベント", "", None),
        )
    )
    cards = c.send(PostbackReceived(menu_data(MenuButton.EXAMPLES))).replies[0].cards
    assert [card.body for card in cards] == ["", ""]
    assert [card.lines for card in cards] == [
        (Key.EXAMPLE_NO_COMMENT,),
        (Key.EXAMPLE_NOTHING_SHOWN,),
    ]
