"""What the worker means: postback data and typed keywords, decoded from what LINE delivers.

Postback data is `g1|<intent>|<arg>|<ref>`: a version tag, the intent, one argument (a theme slug,
a face choice, a submission id) and the reference of the question the button belongs to (the draft
id, or a fingerprint of the idea text), so that a tap on an old question is recognised. `|` and `%`
inside a field are escaped as `%7C` and `%25`; trailing empty fields are left out (`g1|help`).
Anything that does not parse is None, which the machine treats as unexpected input, never as an
error. Rich-menu postbacks (`g1|help`, `g1|send`) use the same format.

Typed text can mean a command too: cancel and help keywords, and a wish to withdraw (the
withdraw word alone means the latest submission; a receipt code names one), in the languages
workers write in.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum

from flows.types import (
    Input,
    OtherReceived,
    PhotoReceived,
    PostbackReceived,
    TextReceived,
    VideoReceived,
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
    GUIDELINE = "guideline"  # rich menu: the guideline cards
    GUIDE_SEARCH = "guide_search"  # the next text is a guideline search
    AGREE = "agree"  # arg: the guideline version agreed to
    MONTH_THEME = "month_theme"  # rich menu: the theme of the month card
    THEME_NEXT = "theme_next"  # arg: theme slug ("send for this theme")
    EXAMPLES = "examples"  # rich menu: the PR team's examples
    MINE = "mine"  # rich menu "my submissions"
    REFACE = "reface"  # arg: submission id (asks which face choice)
    REFACE_TO = "reface_to"  # arg: submission id, ref: the new Face value
    SETTINGS = "settings"  # from the help answer
    LANGUAGE = "language"  # arg: a language tag (empty: ask which)
    SITE = "site"  # arg: site id (empty: skip)
    SITES = "sites"  # arg: page number of the site question
    NOTICES = "notices"  # arg: all | feedback | none (empty: ask which)
    CREDIT = "credit"  # arg: name | site | anonymous (empty: ask which)


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

# The flows' own cancel words; the caller adds every catalogue's cancel button label and typed
# cancel words (`Context.cancel_words`), so that each language's word cancels.
_CANCEL_WORDS = frozenset({"キャンセル", "やめる", "中止", "cancel", "stop"})
_HELP_WORDS = frozenset({"ヘルプ", "help", "使い方", "?"})
# "I want to withdraw (it)", as workers type it: Japanese, easy Japanese, and the short forms of
# the other catalogue languages. Compared whole (after `normalise` and trimming), so a comment
# that merely mentions the word stays a comment.
_WITHDRAW_WORDS = frozenset(
    {
        *("取り下げ", "取り下げる", "取り下げたい", "取り下げたいです", "取り下げます"),
        *("取り下げて", "取り下げてください", "取下げ", "取下げたい", "取り消し", "取り消したい"),
        *("取消", "取消し", "撤回", "撤回したい", "撤回します"),
        *("とりさげ", "とりさげる", "とりさげたい", "とりさげたいです", "とりさげて"),
        *("とりさげてください", "とりけし", "とりけす", "とりけしたい", "とりけしたいです"),
        *("とりけして", "とりけしてください", "取り消す", "取り消して", "取り消してください"),
        *("withdraw", "withdraw it", "i want to withdraw", "i'd like to withdraw", "withdrawal"),
        *("rút lại", "tôi muốn rút lại", "rút bài"),
        *("retirar", "quero retirar", "retirar envio"),
        *("tarik", "tarik kembali", "batalkan kiriman", "saya mau tarik kembali"),
        *("bawiin", "babawiin", "gusto kong bawiin"),
        *("我想撤回", "撤销", "我想撤销"),
    }
)
# A receipt code as the receipt shows it (`K7F-3QX`), typed with any dash or none. It must hold
# a letter, and without a dash a digit too, so that a number ("123456") or a six-letter word
# ("thanks") is not taken for a code.
# A space may stand for the dash (`K7F 3QX`), but like no dash it needs a digit ("THE CAT").
_CODE = re.compile(r"(?<![A-Z0-9])([A-Z0-9]{3})([-‐‑–—―−ー ]?)([A-Z0-9]{3})(?![A-Z0-9])")
_CODE_LABELS = (
    *("受付番号", "うけつけばんごう", "受理编号", "编号", "receipt code", "code"),
    *("mã số", "mã", "código", "kode"),
)
_FILLER = " 　:：。、,.!！?？「」『』()（）を"
MAX_TYPED_REQUEST = 60  # a longer text is a comment or an idea, never a command


@dataclass(frozen=True)
class Tap:
    """A decoded postback, or a typed keyword (whose `ref` is empty: it means "now")."""

    intent: Intent
    arg: str = ""
    ref: str = ""


@dataclass(frozen=True)
class WithdrawAsked:
    """A typed wish to withdraw: `code` names the submission; empty means the latest one."""

    code: str = ""


@dataclass(frozen=True)
class SubmissionQuery:
    """Which of the worker's submissions the caller looks up into `Context.submission`.

    `id` (a button names it), `code` (typed), or neither: the latest one still withdrawable.
    """

    id: str = ""
    code: str = ""


# What a handler receives: an input as LINE delivered it, or the tap/keyword it stands for.
Event = Input | Tap | WithdrawAsked


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


def submission_query(received: Input) -> SubmissionQuery | None:
    """Return what the caller must look up for this input, None when it names no submission."""
    match received:
        case PostbackReceived(data=data):
            wanted = submission_id(data)
            return SubmissionQuery(id=wanted) if wanted is not None else None
        case TextReceived(text=text):
            asked = withdraw_request(text)
            return SubmissionQuery(code=asked.code) if asked is not None else None
        case _:
            return None


def withdraw_request(text: str) -> WithdrawAsked | None:
    """Read a typed withdraw wish: the word alone, a receipt code, or both (`ABC-234を取り下げ`)."""
    if len(text) > MAX_TYPED_REQUEST:
        return None
    upper = unicodedata.normalize("NFKC", text).upper()
    found = list(_CODE.finditer(upper))
    if len(found) > 1:
        return None
    code = ""
    rest = upper
    if found:
        match = found[0]
        chars = match.group(1) + match.group(3)
        has_digit = any(ch.isdigit() for ch in chars)
        dashed = match.group(2).strip() != ""
        if chars.isdigit() or not (dashed or has_digit):
            return None
        code = f"{match.group(1)}-{match.group(3)}"
        rest = upper[: match.start()] + " " + upper[match.end() :]
    words = rest.casefold()
    if code:
        for label in _CODE_LABELS:
            words = words.replace(label, " ")
    words = " ".join(words.strip(_FILLER).split())
    if code and not words:
        return WithdrawAsked(code)
    return WithdrawAsked(code) if words in _WITHDRAW_WORDS else None


def normalise(text: str) -> str:
    """Fold width, case and surrounding space, so `ＣＡＮＣＥＬ ` and `cancel` compare equal."""
    return unicodedata.normalize("NFKC", text).strip().casefold()


def keyword(text: str, cancel_words: frozenset[str] = frozenset()) -> Intent | None:
    """Return the command a typed text stands for (cancel or help), if it is exactly one.

    `cancel_words` (already normalised) add to the flows' own: the catalogues' words.
    """
    word = normalise(text)
    if word in _CANCEL_WORDS or word in cancel_words:
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


def interpret(received: Input, cancel_words: frozenset[str] = frozenset()) -> Event:
    """Turn an input into what the worker means: a tap for postbacks and keywords, else itself."""
    match received:
        case PostbackReceived(data=data):
            # A postback that does not parse stays a PostbackReceived: unexpected input.
            return parse(data) or received
        case TextReceived(text=text):
            intent = keyword(text, cancel_words)
            if intent is not None:
                return Tap(intent)
            return withdraw_request(text) or received
        case PhotoReceived(external=True) | VideoReceived(external=True):
            # LINE keeps external photos elsewhere and the content API cannot fetch them.
            return OtherReceived(kind=EXTERNAL_PHOTO)
        case VideoReceived(message_id=message_id):
            # A video goes where a photo goes: same draft, same questions, its own media job.
            return PhotoReceived(message_id=message_id, video=True)
        case _:
            return received
