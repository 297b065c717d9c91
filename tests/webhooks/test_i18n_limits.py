"""Every reply the flows give, rendered in every language, fits LINE's limits without being cut.

The replies come from real conversations (`Chat` plays the worker through flows.machine.step)
with the longest values the product produces: 20 photos, a 1,000-character comment, an idea of
emoji, themes with long titles and more of them than one quick reply holds. Each is rendered by
webhooks/render.py in each language and checked as the JSON LINE receives. Rendering cuts what
is too long, so the checks also prove that nothing written in a catalogue had to be cut.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import pytest

from flows.group import group_notice
from flows.intents import Intent
from flows.keys import Key
from flows.types import (
    BatchDue,
    Context,
    Followed,
    Input,
    OtherReceived,
    Outcome,
    PhotoReceived,
    PostbackReceived,
    Reply,
    Theme,
    VideoReceived,
)
from tests.flows.flowkit import Chat, photo, postback, text
from webhooks.i18n import Catalogue, load_catalogue
from webhooks.render import render, to_outbox, utf16_len

LANGUAGES = ("ja", "ja-x-easy", "en", "vi", "pt-BR", "id", "tl", "zh-Hans")

# LINE's limits (line-platform.md §4 and the Messaging API reference). Lengths in UTF-16 code
# units: LINE counts text that way, and labels in grapheme clusters, which is never more.
MAX_MESSAGES = 5
MAX_QUICK_REPLIES = 13
MAX_TEXT = 5000
MAX_ALT_TEXT = 1500
MAX_LABEL = 20
MAX_DATA = 300
MAX_DISPLAY_TEXT = 300

# Themes as an admin might write them: long, emoji with joiners, and more than 13 of them.
THEMES = (
    Theme("monthly", "今月のテーマ：職人の手元を見せよう、ものづくりの現場から"),
    Theme("family", "👨‍👩‍👧‍👦🎉" * 6),
    *(Theme(f"t{i}", f"テーマ{i}：季節の行事と、お客様への心づかい") for i in range(14)),
)
LONG_IDEA = "😀" * 1000  # the longest idea there is (1,000 characters, 2 UTF-16 units each)
LONG_COMMENT = "字" * 1000


@dataclasses.dataclass
class WorstChat(Chat):
    """A chat with the product's real code shape (`K7F-3QX`) and the themes above."""

    themes: tuple[Theme, ...] = THEMES

    def context(self, received: Input) -> Context:
        ctx = super().context(received)
        return dataclasses.replace(ctx, new_code=f"K7F-{self.counter:03d}")


def conversations() -> Iterator[Outcome]:
    """Play every path the flows have today and yield each outcome."""
    c = WorstChat()
    for received in (
        Followed(),
        Followed(unblocked=True),
        text("help"),
        postback(Intent.SEND),
        OtherReceived("sticker"),
        VideoReceived("v1"),
        PostbackReceived("g0|forged"),
        PhotoReceived("ext", external=True),
        text("cancel"),
    ):
        c.send(received)
    yield from c.history

    # A full photo submission: an album, then photos up to and past the limit.
    c = WorstChat()
    c.send(text("取り下げたい"))  # nothing to withdraw yet
    c.send(photo("m0", "set1", 1, 2))
    c.send(photo("m00", "set1", 2, 2))
    for i in range(1, c.max_media + 1):
        c.send(photo(f"m{i}"))
    c.tap(THEMES[1].title)
    asked_face = c.send(text("what?"))
    c.tap(Key.BUTTON_FACE_BLUR)
    c.send(text(LONG_COMMENT + "!"))
    receipt = c.send(text(LONG_COMMENT))
    c.tap(Key.BUTTON_WITHDRAW)
    c.tap(Key.BUTTON_KEEP)
    confirm = c.tap(Key.BUTTON_WITHDRAW, receipt)
    c.tap(Key.BUTTON_WITHDRAW_YES)
    c.tap(Key.BUTTON_WITHDRAW_YES, confirm)
    c.send(postback(Intent.WITHDRAW, "someone-elses-submission"))
    c.tap(Key.BUTTON_FACE_SHOW, asked_face)
    yield from c.history

    # Two albums over the limit, one answered by its check; typed withdrawal by wish and code.
    c = WorstChat()
    for i in range(c.max_media + 3):
        c.send(photo(f"a{i}", "big", i + 1, c.max_media + 5))
    c.send(BatchDue(f"a{c.max_media + 2}"))
    c.tap(THEMES[0].title)
    c.tap(Key.BUTTON_FACE_SHOW)
    c.tap(Key.BUTTON_SKIP)
    c.send(photo("b1"))
    c.tap(THEMES[0].title)
    c.tap(Key.BUTTON_FACE_NONE)
    c.tap(Key.BUTTON_SKIP)
    c.send(text("取り下げたい"))
    c.send(text("XYZ-999"))
    c.send(text(next(iter(c.submissions.values())).code))
    yield from c.history

    # An idea: confirmed, a photo refused, paused by the idle timeout, continued, submitted.
    c = WorstChat()
    c.send(text(LONG_IDEA))
    c.tap(Key.BUTTON_IDEA)
    c.send(photo("p1"))
    c.wait(31)
    c.send(text("hello"))
    c.tap(Key.BUTTON_CONTINUE)
    c.tap(THEMES[0].title)
    yield from c.history

    # An idea set aside after three stickers.
    c = WorstChat()
    c.send(text("新しい制服の写真はどうですか"))
    for _ in range(3):
        c.send(OtherReceived("sticker"))
    yield from c.history

    # A draft paused by three unexpected inputs, then pointed at the buttons, then discarded.
    c = WorstChat()
    c.send(photo("a"))
    c.tap(THEMES[0].title)
    for t in ("x", "y", "z", "again", "and again"):
        c.send(text(t))
    c.tap(Key.BUTTON_DISCARD)
    yield from c.history

    # A draft left at the theme question; new photos arrive after the timeout; discarded.
    c = WorstChat()
    c.send(photo("a"))
    c.wait(31)
    c.send(text("x"))
    c.tap(Key.BUTTON_CONTINUE)
    c.wait(31)
    for i in range(3):
        c.send(photo(f"n{i}", "set2", i))
    c.tap(Key.BUTTON_DISCARD)
    c.send(text("cancel"))
    yield from c.history

    # The notice setting, from the help answer: each choice, and one during a question.
    c = WorstChat()
    for label in (Key.BUTTON_NOTICES_ALL, Key.BUTTON_NOTICES_FEEDBACK, Key.BUTTON_NOTICES_NONE):
        c.send(text("help"))
        c.tap(Key.BUTTON_NOTICES)
        c.tap(label)
    c.send(photo("q1"))
    c.send(postback(Intent.NOTICES, "all"))
    yield from c.history


def every_reply() -> list[tuple[Reply, ...]]:
    """The replies of each outcome, plus the group notice (flows.group)."""
    replies = [outcome.replies for outcome in conversations() if outcome.replies]
    notice = group_notice(already_noticed=False, event_type="join").reply
    assert notice is not None
    return [*replies, (notice,)]


REPLIES = every_reply()


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return load_catalogue()


def limit_problems(messages: Sequence[Mapping[str, Any]]) -> list[str]:
    """Where LINE's JSON for one reply breaks LINE's limits (empty: LINE accepts it)."""
    found = [f"{len(messages)} messages"] if len(messages) > MAX_MESSAGES else []
    for i, message in enumerate(messages):
        if message.get("type") == "text" and not 0 < utf16_len(message["text"]) <= MAX_TEXT:
            found.append(f"message {i}: text of {utf16_len(message['text'])}")
        if "altText" in message and not 0 < utf16_len(message["altText"]) <= MAX_ALT_TEXT:
            found.append(f"message {i}: altText of {utf16_len(message['altText'])}")
        items = (message.get("quickReply") or {}).get("items", [])
        if len(items) > MAX_QUICK_REPLIES:
            found.append(f"message {i}: {len(items)} quick replies")
        if items and i != len(messages) - 1:
            found.append(f"message {i}: quick replies before the last message")
        for item in items:
            action = item["action"]
            for field, limit in (
                ("label", MAX_LABEL),
                ("data", MAX_DATA),
                ("displayText", MAX_DISPLAY_TEXT),
            ):
                if field in action and not 0 < utf16_len(action[field]) <= limit:
                    found.append(f"message {i}: {field} {action[field]!r}")
    return found


def test_the_conversations_reach_every_key():
    said = {reply.key for replies in REPLIES for reply in replies}
    shown = {choice.label for replies in REPLIES for choice in replies[-1].choices}
    missing = sorted(str(key) for key in set(Key) - said - shown)
    assert not missing, (
        f"no conversation in tests/webhooks/test_i18n_limits.py makes flows say or show "
        f"{missing}: add the steps that do, so each is rendered in every language as the worker "
        "gets it"
    )


def test_the_longest_values_are_in_the_conversations():
    params = [reply.params for replies in REPLIES for reply in replies]
    assert {"count": 20} in params  # photo.added at the limit
    assert any(p.get("max") == 1000 for p in params)  # comment.too_long
    assert any(p.get("theme") == THEMES[0].title for p in params)  # resume.photos_theme
    assert any(p.get("preview", "").startswith("😀") for p in params)  # idea.confirm
    widest = max(len(replies[-1].choices) for replies in REPLIES)
    assert widest == MAX_QUICK_REPLIES  # the theme question with 16 themes


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_reply_fits_line_in_every_language(catalogue, language):
    for replies in REPLIES:
        messages = to_outbox(render(replies, language=language, catalogue=catalogue))
        problems = limit_problems(messages)
        assert not problems, f"{language} {[r.key for r in replies]}: {problems}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_nothing_written_in_the_catalogue_is_cut(catalogue, language):
    for replies in REPLIES:
        assert len(replies) <= MAX_MESSAGES  # flows never needs a merge
        messages = render(replies, language=language, catalogue=catalogue)
        for reply, message in zip(replies, messages, strict=True):
            full = catalogue.text(reply.key, language=language, params=reply.params)
            assert message.text == full, f"{language}:{reply.key} was cut"
        buttons = messages[-1].quick_reply.items if messages[-1].quick_reply else []
        labels = [item.action.label for item in buttons]
        for choice in replies[-1].choices:
            if choice.literal is None:  # a catalogue label (theme titles are the admin's)
                assert catalogue.text(choice.label, language=language) in labels, (
                    f"{language}:{choice.label} was cut or lost"
                )


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_face_question_offers_the_three_choices_in_the_language(catalogue, language):
    """The consent question: its buttons are the very words its text explains."""
    c = WorstChat()
    c.send(photo("m1"))
    asked = c.tap(THEMES[0].title)
    (message,) = render(asked.replies, language=language, catalogue=catalogue)
    labels = [item.action.label for item in message.quick_reply.items]
    texts = catalogue.texts[language]
    faces = [texts[k] for k in (Key.BUTTON_FACE_SHOW, Key.BUTTON_FACE_BLUR, Key.BUTTON_FACE_NONE)]
    assert labels == [*faces, texts[Key.BUTTON_CANCEL]]
    assert all(face in message.text for face in faces), "the question names each button"


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_resume_question_names_its_buttons(catalogue, language):
    texts = catalogue.texts[language]
    for key in (Key.RESUME_ARRIVED, Key.RESUME_POINTER):
        for button in (Key.BUTTON_CONTINUE, Key.BUTTON_DISCARD):
            assert texts[button] in texts[key], f"{language}:{key} does not name {button}"
    assert texts[Key.BUTTON_SKIP] in texts[Key.ASK_COMMENT], f"{language}: skip is not named"
