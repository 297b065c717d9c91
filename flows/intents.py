"""What the worker means: postback data and typed keywords, decoded from what LINE delivers.

Postback data is `g1|<intent>|<arg>|<ref>`: a version tag, the intent, one argument (a theme slug,
a face choice, a submission id) and the reference of the question the button belongs to (the draft
id, or a fingerprint of the idea text), so that a tap on an old question is recognised. `|` and `%`
inside a field are escaped as `%7C` and `%25`; trailing empty fields are left out (`g1|help`).
Anything that does not parse is None, which the machine treats as unexpected input, never as an
error. Rich-menu postbacks (`g1|help`, `g1|send`) use the same format.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from enum import StrEnum

from flows.types import (
    Input,
    OtherReceived,
    PhotoReceived,
    PostbackReceived,
    TextReceived,
)

VERSION = "g1"
MAX_DATA = 300  # LINE's limit on postback data
EXTERNAL_PHOTO = "external_photo"  # OtherReceived.kind for a photo LINE cannot hand over


class Intent(StrEnum):
    """The meaning of a button (or of a typed keyword)."""

    THEME = "theme"  # arg: theme slug
    FACE = "face"  # arg: Face value
    SKIP = "skip"  # skip the comment
    IDEA = "idea"  # send the pending text as an idea
    CANCEL = "cancel"
    HELP = "help"
    SEND = "send"  # rich menu "send material": show the camera and album buttons
    CONTINUE = "continue"  # resume a paused draft
    DISCARD = "discard"  # throw a paused draft away
    WITHDRAW = "withdraw"  # arg: submission id (asks to confirm)
    WITHDRAW_YES = "withdraw_yes"  # arg: submission id
    KEEP = "keep"  # arg: submission id (changed their mind)
    MINE = "mine"  # rich menu "my submissions"
    REFACE = "reface"  # arg: submission id (asks which face choice)
    REFACE_TO = "reface_to"  # arg: submission id, ref: the new Face value
    SETTINGS = "settings"  # from the help answer
    LANGUAGE = "language"  # arg: a language tag (empty: ask which)
    SITE = "site"  # arg: site id (empty: skip)
    SITES = "sites"  # arg: page number of the site question


# Taps that answer one particular question: their `ref` must name the question still open.
QUESTION_SCOPED = frozenset(
    {
        Intent.THEME,
        Intent.FACE,
        Intent.SKIP,
        Intent.IDEA,
        Intent.CONTINUE,
        Intent.DISCARD,
        Intent.CANCEL,
    }
)
# Taps whose `arg` names a submission, which the caller looks up into `Context.submission`.
SUBMISSION_SCOPED = frozenset(
    {Intent.WITHDRAW, Intent.WITHDRAW_YES, Intent.KEEP, Intent.REFACE, Intent.REFACE_TO}
)

_CANCEL_WORDS = frozenset({"キャンセル", "やめる", "中止", "cancel", "stop"})
_HELP_WORDS = frozenset({"ヘルプ", "help", "使い方", "?"})


@dataclass(frozen=True)
class Tap:
    """A decoded postback, or a typed keyword (whose `ref` is empty: it means "now")."""

    intent: Intent
    arg: str = ""
    ref: str = ""


# What a handler receives: an input as LINE delivered it, or the tap/keyword it stands for.
Event = Input | Tap


def _escape(field: str) -> str:
    return field.replace("%", "%25").replace("|", "%7C")


def _unescape(field: str) -> str | None:
    out: list[str] = []
    i = 0
    while i < len(field):
        ch = field[i]
        if ch != "%":
            out.append(ch)
            i += 1
            continue
        code = field[i + 1 : i + 3].upper()
        if code == "25":
            out.append("%")
        elif code == "7C":
            out.append("|")
        else:
            return None
        i += 3
    return "".join(out)


def encode(tap: Tap) -> str:
    """Encode a tap as postback data (check `len(...) <= MAX_DATA` before using it)."""
    fields = [VERSION, tap.intent.value, _escape(tap.arg), _escape(tap.ref)]
    while fields[-1] == "":
        fields.pop()
    return "|".join(fields)


def parse(data: str) -> Tap | None:
    """Decode postback data; None for anything malformed, foreign or from another version."""
    if len(data) > MAX_DATA:
        return None
    parts = data.split("|")
    if not 2 <= len(parts) <= 4 or parts[0] != VERSION:
        return None
    try:
        intent = Intent(parts[1])
    except ValueError:
        return None
    fields = [_unescape(p) for p in parts[2:]]
    arg, ref = (*fields, "", "")[:2]
    if arg is None or ref is None:
        return None
    return Tap(intent, arg, ref)


def submission_id(data: str) -> str | None:
    """Return the submission id a postback names, for the caller to fill `Context.submission`."""
    tap = parse(data)
    if tap is None or tap.intent not in SUBMISSION_SCOPED or not tap.arg:
        return None
    return tap.arg


def normalise(text: str) -> str:
    """Fold width, case and surrounding space, so `ＣＡＮＣＥＬ ` and `cancel` compare equal."""
    return unicodedata.normalize("NFKC", text).strip().casefold()


def keyword(text: str) -> Intent | None:
    """Return the command a typed text stands for (cancel or help), if it is exactly one."""
    word = normalise(text)
    if word in _CANCEL_WORDS:
        return Intent.CANCEL
    if word in _HELP_WORDS:
        return Intent.HELP
    return None


def fingerprint(text: str) -> str:
    """Return a short stable hash (FNV-1a, 32 bits) naming an idea text in its buttons."""
    value = 0x811C9DC5
    for byte in text.encode("utf-8"):
        value = ((value ^ byte) * 0x01000193) & 0xFFFFFFFF
    return f"{value:08x}"


def interpret(received: Input) -> Event:
    """Turn an input into what the worker means: a tap for postbacks and keywords, else itself."""
    match received:
        case PostbackReceived(data=data):
            # A postback that does not parse stays a PostbackReceived: unexpected input.
            return parse(data) or received
        case TextReceived(text=text):
            intent = keyword(text)
            return Tap(intent) if intent is not None else received
        case PhotoReceived(external=True):
            # LINE keeps external photos elsewhere and the content API cannot fetch them.
            return OtherReceived(kind=EXTERNAL_PHOTO)
        case _:
            return received
