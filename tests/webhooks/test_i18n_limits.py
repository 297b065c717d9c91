"""Every reply the flows give, rendered in every language, fits LINE's limits without being cut.

The replies come from real conversations (`Chat` plays the worker through flows.machine.step)
with the longest values the product produces: 20 photos, a 1,000-character comment, an idea of
emoji, themes with long titles and more of them than one quick reply holds. Each is rendered by
webhooks/render.py in each language and checked as the JSON LINE receives. Rendering cuts what
is too long, so the checks also prove that nothing written in a catalogue had to be cut.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import replace
from typing import Any

import pytest

from flows.group import group_notice
from flows.intents import Intent
from flows.keys import Key
from flows.notices import media_notices
from flows.types import (
    BatchDue,
    Context,
    Example,
    Face,
    Followed,
    GuideCategory,
    GuideEntry,
    Guideline,
    Input,
    MediaCount,
    OtherReceived,
    Outcome,
    PhotoReceived,
    PostbackReceived,
    Reply,
    Site,
    SubmissionStatus,
    Theme,
    Unsent,
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
MAX_FLEX_ALT = 400  # line-platform.md: a Flex message's altText
MAX_BUBBLES = 12
MAX_CAROUSEL_BYTES = 50_000

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
        PostbackReceived("g0|forged"),
        PhotoReceived("ext", external=True),
        text("cancel"),
        VideoReceived("v1"),  # taken like a photo: opens a draft, then cancelled
        text("cancel"),
    ):
        c.send(received)
    yield from c.history

    # A full photo submission: an album, then photos and videos up to and past the limit.
    c = WorstChat()
    c.send(text("取り下げたい"))  # nothing to withdraw yet
    c.send(photo("m0", "set1", 1, 2))
    c.send(photo("m00", "set1", 2, 2))
    for i in range(1, c.max_media + 1):
        c.send(photo(f"m{i}") if i % 2 else VideoReceived(f"m{i}"))
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

    # The only photo of a draft unsent: the next answer says nothing was sent.
    c = WorstChat()
    c.send(photo("u1"))
    c.tap(THEMES[0].title)
    c.send(Unsent("u1"))
    c.tap(Key.BUTTON_FACE_SHOW, c.history[-2])
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

    yield from guideline_and_themes()
    yield from mine_and_settings()


# The longest guideline and theme texts an admin might write (issue 8).
GUIDE = Guideline(
    version=2,
    categories=tuple(GuideCategory(f"c{i}", "カテゴリー" * 20) for i in range(14)),
    entries=tuple(
        GuideEntry(f"c{i}", "名札" * 60, "本文😀" * 400, ("名札", "badge")) for i in range(14)
    ),
)
MONTHLY = Theme("m", "月" * 40, "送ってほしいもの" * 100, "例えば" * 200, monthly=True)


def guideline_and_themes() -> Iterator[Outcome]:
    """The guideline, its search and agreement, the theme card and the examples."""
    c = WorstChat(
        guideline=GUIDE,
        themes=(MONTHLY, *THEMES[1:]),
        examples=(
            Example("例" * 100, "", "https://x.example/e.jpg"),  # no comment
            Example("例" * 100, "", None),  # neither comment nor picture
            *(Example("例" * 100, "😀" * 1000, "https://x.example/e.jpg") for _ in range(12)),
        ),
    )
    c.send(Followed())
    c.send(postback(Intent.GUIDELINE))
    c.tap(Key.BUTTON_GUIDE_SEARCH)
    c.send(text("名札"))
    c.send(postback(Intent.GUIDE_SEARCH))
    c.send(text("宇" * 5000))
    c.send(text("名札"))
    c.tap(Key.BUTTON_CANCEL)
    c.send(postback(Intent.MONTH_THEME))
    c.send(postback(Intent.THEME_NEXT, "m"))
    c.send(postback(Intent.THEME_NEXT, "retired"))
    c.send(postback(Intent.EXAMPLES))
    c.send(photo("g1"))
    c.send(postback(Intent.GUIDE_SEARCH))
    c.send(postback(Intent.THEME_NEXT, "m"))
    c.tap(Key.BUTTON_FACE_NONE)
    c.tap(Key.BUTTON_SKIP)
    c.send(postback(Intent.AGREE, "2"))
    c.send(postback(Intent.AGREE, "2"))
    yield from c.history
    # A new version asked about at the next message; nothing to show yet.
    c = WorstChat(guideline=Guideline(version=3, agreed=2, asked=2), themes=(), examples=())
    c.send(postback(Intent.HELP))
    c.send(postback(Intent.GUIDELINE))
    c.send(postback(Intent.MONTH_THEME))
    c.send(postback(Intent.EXAMPLES))
    yield from c.history
    c = WorstChat()
    c.send(postback(Intent.MONTH_THEME))
    yield from c.history
    # A new version with the longest entry titles changed, re-asked after a receipt.
    changed = tuple(e.title for e in GUIDE.entries)
    c = WorstChat(guideline=replace(GUIDE, version=3, agreed=2, asked=2, changed=changed))
    c.submit_photo()
    yield from c.history


def mine_and_settings() -> Iterator[Outcome]:
    """My submissions in every status, face changes, settings with and without a contact."""
    c = WorstChat(contact="広報部 山田花子（やまだ はなこ）\n03-1234-5678 / pr@example.jp")
    c.send(postback(Intent.MINE))
    faces = (Key.BUTTON_FACE_SHOW, Key.BUTTON_FACE_BLUR, Key.BUTTON_FACE_NONE)
    for i, status in enumerate(SubmissionStatus):
        if status is SubmissionStatus.DRAFT:
            continue
        c.send(photo(f"s{i}"))
        c.tap(THEMES[0].title)
        c.tap(faces[i % 3])
        c.send(text(LONG_COMMENT))
        sid = next(reversed(c.submissions))
        c.submissions[sid] = dataclasses.replace(c.submissions[sid], status=status)
    c.send(postback(Intent.MINE))
    by_status = {ref.status: ref for ref in c.submissions.values()}
    new = by_status[SubmissionStatus.NEW]
    c.send(postback(Intent.REFACE, new.id))
    c.tap(Key.BUTTON_FACE_NONE if new.face is not Face.NO_FACE else Key.BUTTON_FACE_SHOW)
    approved = by_status[SubmissionStatus.APPROVED]
    c.submissions[approved.id] = dataclasses.replace(approved, face=Face.SHOW)
    c.send(postback(Intent.REFACE, approved.id))
    c.submissions[approved.id] = dataclasses.replace(approved, face=Face.BLUR)
    c.send(postback(Intent.REFACE_TO, approved.id, Face.SHOW.value))
    c.send(postback(Intent.HELP))
    c.tap(Key.BUTTON_SETTINGS)
    c.tap(Key.BUTTON_LANGUAGE)
    c.tap("English")
    yield from c.history
    c = WorstChat()
    c.send(postback(Intent.SETTINGS))
    yield from c.history

    # Sites: more than one quick reply holds, with the longest names an admin may give.
    many = tuple(
        Site(f"s{i:02d}", f"第{i}工場（大阪府東大阪市の南側、駅前の新しい建物）") for i in range(30)
    )
    c = WorstChat(sites=many)
    c.send(Followed())
    c.tap(Key.BUTTON_MORE)
    c.tap(many[12].name)
    c.send(postback(Intent.SITE))
    c.send(postback(Intent.SETTINGS))
    # How we credit you, from the settings: each choice, the site one with the longest name.
    c.tap(many[12].name, c.send(postback(Intent.SITES, "1")))
    for label in (Key.BUTTON_CREDIT_NAME, Key.BUTTON_CREDIT_SITE, Key.BUTTON_CREDIT_ANONYMOUS):
        c.tap(Key.BUTTON_CREDIT, c.send(postback(Intent.SETTINGS)))
        c.tap(label)
    c.send(photo("q2"))
    c.send(postback(Intent.CREDIT, "name"))
    yield from c.history
    c = WorstChat()  # no site: the question offers no site choice
    c.send(postback(Intent.CREDIT))
    yield from c.history
    c = WorstChat(sites=many, site_id="retired")
    c.send(postback(Intent.SEND))
    yield from c.history


def every_reply() -> list[tuple[Reply, ...]]:
    """The replies of each outcome, plus the group notice (flows.group)."""
    replies = [outcome.replies for outcome in conversations() if outcome.replies]
    notice = group_notice(already_noticed=False, event_type="join").reply
    assert notice is not None
    # The pushed notices about a photo or video that could not be used (flows.notices).
    reasons = ("too_long", "corrupt", "expired", "gave up: lease expired", None)
    every = media_notices(reasons, code="K7Q-2MX", max_minutes=5)
    assert len(every) == 3
    return [*replies, (notice,), every]


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
        found += flex_problems(i, message)
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


def _cards(replies: Sequence[Reply]) -> Iterator[Any]:
    return (card for reply in replies for card in reply.cards)


def flex_problems(i: int, message: Mapping[str, Any]) -> list[str]:
    """Where a Flex message breaks LINE's limits: bubbles, JSON size, texts, button actions."""
    if message.get("type") != "flex":
        return []
    found = []
    if utf16_len(message["altText"]) > MAX_FLEX_ALT:
        found.append(f"message {i}: flex altText of {utf16_len(message['altText'])}")
    contents = message["contents"]
    bubbles = contents["contents"] if contents["type"] == "carousel" else [contents]
    if len(bubbles) > MAX_BUBBLES:
        found.append(f"message {i}: {len(bubbles)} bubbles")
    if len(json.dumps(contents, ensure_ascii=False).encode()) > MAX_CAROUSEL_BYTES:
        found.append(f"message {i}: carousel over 50 KB")
    for bubble in bubbles:
        for part in bubble["body"]["contents"]:
            if not 0 < utf16_len(part["text"]) <= MAX_TEXT:
                found.append(f"message {i}: card text {part['text']!r}")
        for button in (bubble.get("footer") or {}).get("contents", []):
            action = button["action"]
            if not 0 < utf16_len(action["label"]) <= MAX_LABEL:
                found.append(f"message {i}: card button label {action['label']!r}")
            if not 0 < len(action["data"]) <= MAX_DATA:
                found.append(f"message {i}: card button data {action['data']!r}")
    return found


def test_the_conversations_reach_every_key():
    said = {reply.key for replies in REPLIES for reply in replies}
    said |= {line for replies in REPLIES for card in _cards(replies) for line in card.lines}
    shown = {choice.label for replies in REPLIES for choice in replies[-1].choices}
    shown |= {
        choice.label
        for replies in REPLIES
        for reply in replies
        for card in reply.cards
        for choice in card.buttons
    }
    missing = sorted(str(key) for key in set(Key) - said - shown)
    assert not missing, (
        f"no conversation in tests/webhooks/test_i18n_limits.py makes flows say or show "
        f"{missing}: add the steps that do, so each is rendered in every language as the worker "
        "gets it"
    )


def test_the_longest_values_are_in_the_conversations():
    params = [reply.params for replies in REPLIES for reply in replies]
    assert {"count": MediaCount(11, 9)} in params  # photo.added at the limit, both counted
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
            shown = message.alt_text if reply.cards else message.text
            assert shown == full, f"{language}:{reply.key} was cut"
            if not reply.cards:
                continue
            contents = message.contents
            bubbles = contents.contents if contents.type == "carousel" else [contents]
            for card, bubble in zip(reply.cards, bubbles, strict=True):
                labels = [b.action.label for b in bubble.footer.contents] if card.buttons else []
                for choice in card.buttons:
                    assert catalogue.text(choice.label, language=language) in labels
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
