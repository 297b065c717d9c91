"""The guideline from the rich menu: cards, keyword search, and the one-tap agreement."""

from __future__ import annotations

from dataclasses import replace

from flowkit import Chat, at_face, choice_names, effect_types, keys, photo, postback, text
from guidekit import GUIDE

from flows.guide import MAX_QUERY, search
from flows.intents import Intent
from flows.keys import Key
from flows.menu import MenuButton, menu_data
from flows.types import AgreeGuideline, PostbackReceived, Step


def chat(**changes) -> Chat:
    c = Chat(guideline=GUIDE)
    for name, value in changes.items():
        setattr(c, name, value)
    return c


def card_titles(outcome) -> list[str]:
    return [card.title for reply in outcome.replies for card in reply.cards]


class TestCards:
    def test_the_menu_shows_one_card_per_category_with_search_and_agree(self) -> None:
        out = chat().send(PostbackReceived(menu_data(MenuButton.GUIDELINE)))
        assert card_titles(out) == ["撮ってOKなもの", "お客様の顔", "名札"]
        assert "名前が読めます。" in out.replies[0].cards[2].body
        assert choice_names(out)[:2] == [Key.BUTTON_GUIDE_SEARCH, Key.BUTTON_AGREE]

    def test_a_worker_who_agreed_is_not_offered_agree_again(self) -> None:
        c = chat(guideline=replace(GUIDE, agreed=2, asked=2))
        out = c.send(PostbackReceived(menu_data(MenuButton.GUIDELINE)))
        assert Key.BUTTON_AGREE not in choice_names(out)

    def test_mid_submission_the_cards_show_and_the_question_comes_back(self) -> None:
        c = at_face()
        c.guideline = GUIDE
        out = c.send(PostbackReceived(menu_data(MenuButton.GUIDELINE)))
        assert card_titles(out) and keys(out)[-1] == Key.ASK_FACE
        assert c.conversation.step is Step.ASK_FACE


class TestSearch:
    def test_a_typed_keyword_at_rest_shows_the_entry_and_still_offers_the_idea(self) -> None:
        c = chat()
        out = c.send(text("名札"))
        assert card_titles(out) == ["名札は写さない"]
        assert keys(out) == [Key.GUIDE_FOUND, Key.IDEA_CONFIRM]
        assert c.conversation.step is Step.CONFIRM_IDEA  # a real idea is never lost

    def test_other_languages_keywords_find_the_entry(self) -> None:
        assert [e.title for e in search(GUIDE, "Badge")] == ["名札は写さない"]
        assert [e.title for e in search(GUIDE, "お客様")] == ["お客様の顔は写さない"]
        assert [e.title for e in search(GUIDE, "顔")] == ["お客様の顔は写さない"]

    def test_a_long_idea_mentioning_a_keyword_stays_an_idea(self) -> None:
        out = chat().send(text("お客様の顔が見えないように売り場を撮りました。いかがでしょう"))
        assert keys(out) == [Key.IDEA_CONFIRM] and card_titles(out) == []

    def test_the_search_button_makes_the_next_text_a_search(self) -> None:
        c = chat()
        c.send(PostbackReceived(menu_data(MenuButton.GUIDELINE)))
        asked = c.tap(Key.BUTTON_GUIDE_SEARCH)
        assert keys(asked) == [Key.GUIDE_SEARCH_ASK]
        assert c.conversation.step is Step.SEARCH_GUIDE
        out = c.send(text("ＢＡＤＧＥ"))
        assert card_titles(out) == ["名札は写さない"]
        assert c.conversation.step is Step.IDLE

    def test_the_search_prompt_has_a_way_back(self) -> None:
        c = chat()
        c.send(PostbackReceived(menu_data(MenuButton.GUIDELINE)))
        asked = c.tap(Key.BUTTON_GUIDE_SEARCH)
        assert choice_names(asked) == [Key.BUTTON_CANCEL]
        back = c.tap(Key.BUTTON_CANCEL)
        assert Key.CANCELLED in keys(back) and Key.CANCEL_NOTHING not in keys(back)
        assert c.conversation.step is Step.IDLE
        # The next text is an idea again, not a search.
        assert keys(c.send(text("宇宙船")))[-1] == Key.IDEA_CONFIRM

    def test_no_match_is_answered_kindly_with_the_categories(self) -> None:
        c = chat()
        c.send(postback(Intent.GUIDE_SEARCH))
        out = c.send(text("宇宙船"))
        assert keys(out) == [Key.GUIDE_NONE, Key.GUIDE_INTRO]
        assert out.replies[0].params["query"] == "宇宙船"
        assert card_titles(out) == ["撮ってOKなもの", "お客様の顔", "名札"]
        assert out.effects == () and c.conversation.step is Step.IDLE

    def test_a_5000_character_search_reads_only_its_start_and_quotes_briefly(self) -> None:
        c = chat()
        c.send(postback(Intent.GUIDE_SEARCH))
        out = c.send(text("あ" * 4990 + "名札名札名札名札名札"))
        assert keys(out)[0] == Key.GUIDE_NONE  # the keyword sits past what a search reads
        assert len(str(out.replies[0].params["query"])) <= 40
        assert len(search(GUIDE, "名札" + "x" * 4998)) == 1 and MAX_QUERY < 5000

    def test_a_photo_instead_of_a_search_word_starts_a_submission(self) -> None:
        c = chat()
        c.send(postback(Intent.GUIDE_SEARCH))
        out = c.send(photo("m1"))
        assert effect_types(out)[:2] == ["StartDraft", "AttachPhoto"]
        assert c.conversation.step is Step.ASK_THEME

    def test_a_stale_search_prompt_is_dropped_and_the_text_becomes_an_idea_offer(self) -> None:
        c = chat()
        c.send(postback(Intent.GUIDE_SEARCH))
        c.wait(60)
        out = c.send(text("新しい機械が入りました、見てください"))
        assert keys(out)[-1] == Key.IDEA_CONFIRM

    def test_searching_mid_submission_waits_until_it_is_done(self) -> None:
        c = at_face()
        c.guideline = GUIDE
        out = c.send(postback(Intent.GUIDE_SEARCH))
        assert keys(out) == [Key.GUIDE_SEARCH_LATER, Key.ASK_FACE]
        assert c.conversation.step is Step.ASK_FACE


class TestAgreement:
    def test_the_welcome_asks_for_one_tap_and_the_tap_records_the_version(self) -> None:
        c = chat()
        welcome = c.send(c_followed())
        assert keys(welcome) == [Key.WELCOME, Key.GUIDE_AGREE_ASK]
        assert choice_names(welcome)[:2] == [Key.BUTTON_AGREE, Key.BUTTON_GUIDELINE]
        agreed = c.tap(Key.BUTTON_AGREE)
        assert agreed.effects == (AgreeGuideline(2),)
        assert keys(agreed) == [Key.GUIDE_AGREED]

    def test_a_double_tap_records_once(self) -> None:
        c = chat()
        welcome = c.send(c_followed())
        c.tap(Key.BUTTON_AGREE, welcome)
        again = c.tap(Key.BUTTON_AGREE, welcome)
        assert again.effects == () and keys(again) == [Key.GUIDE_AGREED_ALREADY]

    def test_an_agree_button_of_an_older_version_shows_the_guideline_instead(self) -> None:
        out = chat().send(postback(Intent.AGREE, "1"))
        assert out.effects == () and keys(out) == [Key.GUIDE_INTRO]

    def test_a_new_version_is_asked_once_at_the_next_message_at_rest(self) -> None:
        c = chat(guideline=replace(GUIDE, version=3, agreed=2, asked=2))
        first = c.send(PostbackReceived(menu_data(MenuButton.HELP)))
        assert keys(first) == [Key.HELP, Key.GUIDE_CHANGED]  # the answer first
        assert first.replies[0].choices == ()
        assert choice_names(first) == [
            Key.BUTTON_AGREE,
            Key.BUTTON_GUIDELINE,
            Key.BUTTON_CAMERA,
            Key.BUTTON_ALBUM,
            Key.BUTTON_MINE,
            Key.BUTTON_SETTINGS,
            Key.BUTTON_NOTICES,
        ]
        second = c.send(PostbackReceived(menu_data(MenuButton.HELP)))
        assert keys(second) == [Key.HELP]

    def test_never_a_gate_a_worker_who_did_not_agree_sends_and_is_pointed_to_it(self) -> None:
        c = chat(guideline=replace(GUIDE, asked=2))
        receipt = c.submit_photo()
        assert "SubmitDraft" in effect_types(receipt)
        assert keys(receipt) == [Key.RECEIPT_SUMMARY_BLUR, Key.RECEIPT_GUIDE, Key.RECEIPT]
        assert choice_names(receipt)[:2] == [Key.BUTTON_WITHDRAW, Key.BUTTON_GUIDELINE]

    def test_a_worker_never_asked_is_asked_once_and_the_receipt_stays_last(self) -> None:
        c = chat()
        receipt = c.submit_photo()
        assert keys(receipt) == [
            Key.GUIDE_AGREE_ASK,
            Key.RECEIPT_SUMMARY_BLUR,
            Key.RECEIPT_GUIDE,
            Key.RECEIPT,
        ]
        assert choice_names(receipt)[:3] == [
            Key.BUTTON_AGREE,
            Key.BUTTON_WITHDRAW,
            Key.BUTTON_GUIDELINE,
        ]
        assert keys(c.submit_photo("m2")) == [
            Key.RECEIPT_SUMMARY_BLUR,
            Key.RECEIPT_GUIDE,
            Key.RECEIPT,
        ]

    def test_a_worker_who_agreed_gets_the_plain_receipt(self) -> None:
        c = chat(guideline=replace(GUIDE, agreed=2, asked=2))
        assert keys(c.submit_photo()) == [Key.RECEIPT_SUMMARY_BLUR, Key.RECEIPT]


class TestBadInput:
    def test_old_rich_menu_data_is_an_unknown_button(self) -> None:
        c = chat(guideline=replace(GUIDE, agreed=2, asked=2))
        out = c.send(PostbackReceived("g0|guideline"))
        assert out.effects == () and keys(out) == [Key.IDLE_POINTER]

    def test_malformed_data_is_an_unknown_button(self) -> None:
        c = chat(guideline=replace(GUIDE, agreed=2, asked=2))
        for data in ("g1|guideline|%zz", "g1|nope", "", "g1|" + "x" * 400, "g1|agree|||||"):
            out = c.send(PostbackReceived(data))
            assert out.effects == () and keys(out) == [Key.IDLE_POINTER], data


def c_followed():
    from flows.types import Followed

    return Followed()


class TestReaskAfterAnUpdate:
    """After an update the answer comes first, then the re-ask saying what changed."""

    def test_the_receipt_comes_first_and_the_re_ask_names_version_and_changed_entries(self):
        changed = ("顔の写り込み", "名札", "画面と書類", "住所")
        c = chat(guideline=replace(GUIDE, version=3, agreed=2, asked=2, changed=changed))
        receipt = c.submit_photo()
        assert keys(receipt)[-1] == Key.GUIDE_CHANGED_WHAT
        assert keys(receipt)[-2] == Key.RECEIPT
        asked = receipt.replies[-1]
        assert asked.params["version"] == 3
        assert asked.params["changes"] == "・顔の写り込み\n・名札\n・画面と書類\n…"
        # The receipt's buttons stay reachable under the last message, beside "I agree".
        assert choice_names(receipt)[:2] == [Key.BUTTON_AGREE, Key.BUTTON_WITHDRAW]

    def test_without_known_changes_the_plain_re_ask_follows_the_answer(self):
        c = chat(guideline=replace(GUIDE, version=3, agreed=2, asked=2))
        out = c.send(PostbackReceived(menu_data(MenuButton.HELP)))
        assert keys(out) == [Key.HELP, Key.GUIDE_CHANGED]
