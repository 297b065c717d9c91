"""Every catalogue key the flows can emit, in one place, so each language can be checked against it.

The words themselves live in `webhooks/locales/<lang>/LC_MESSAGES/genba.po`; this module only names
them. A key's placeholders (`{count}`, `{code}`...) are listed in the Japanese catalogue. The
`{count}` of photos and videos (`photo.*`, `resume.*`, `receipt.summary.*`) is a
`flows.types.MediaCount`, which the catalogue says in words ("写真2枚・動画1本").
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum


class Key(StrEnum):
    """A message or button label in the bot's catalogue."""

    # Messages.
    WELCOME = "welcome"
    WELCOME_BACK = "welcome.back"
    HELP = "help"
    PHOTO_THANKS = "photo.thanks"
    PHOTO_ADDED = "photo.added"  # {count}
    PHOTO_LIMIT = "photo.limit"  # {max}
    PHOTO_EXTERNAL = "photo.external"
    PHOTO_NOT_FOR_IDEA = "photo.not_for_idea"
    ASK_THEME = "ask.theme"
    ASK_THEME_IDEA = "ask.theme.idea"
    ASK_FACE = "ask.face"
    ASK_COMMENT = "ask.comment"
    COMMENT_TOO_LONG = "comment.too_long"  # {max}
    RECEIPT = "receipt"  # {code}
    IDEA_CONFIRM = "idea.confirm"  # {preview}
    IDEA_SET_ASIDE = "idea.set_aside"
    CANCELLED = "cancelled"
    CANCEL_NOTHING = "cancel.nothing"
    HINT_UNEXPECTED = "hint.unexpected"
    HINT_STALE = "hint.stale"
    DRAFT_PAUSED = "draft.paused"
    RESUME_PHOTOS = "resume.photos"  # {count}
    RESUME_PHOTOS_THEME = "resume.photos_theme"  # {count} {theme}
    RESUME_IDEA = "resume.idea"  # {preview}
    RESUME_ARRIVED = "resume.arrived"  # {count} {new}
    RESUME_POINTER = "resume.pointer"
    RESUME_DISCARDED = "resume.discarded"
    RESUME_DISCARDED_NEW = "resume.discarded_new"  # {count}
    OTHER_POINTER = "other.pointer"
    IDLE_POINTER = "idle.pointer"
    SEND_POINTER = "send.pointer"
    WITHDRAW_CONFIRM = "withdraw.confirm"  # {code}
    WITHDRAW_DONE = "withdraw.done"  # {code}
    WITHDRAW_ALREADY = "withdraw.already"  # {code}
    WITHDRAW_NOT_FOUND = "withdraw.not_found"
    WITHDRAW_KEPT = "withdraw.kept"
    GROUP_NOTICE = "group.notice"
    GUIDE_INTRO = "guide.intro"
    GUIDE_EMPTY = "guide.empty"
    GUIDE_SEARCH_ASK = "guide.search_ask"
    GUIDE_SEARCH_LATER = "guide.search_later"
    GUIDE_FOUND = "guide.found"  # {count}
    GUIDE_NONE = "guide.none"  # {query}
    GUIDE_AGREE_ASK = "guide.agree_ask"
    GUIDE_CHANGED = "guide.changed"
    GUIDE_AGREED = "guide.agreed"
    GUIDE_AGREED_ALREADY = "guide.agreed_already"
    RECEIPT_GUIDE = "receipt.guide"
    THEME_CARD = "theme.card"  # {theme}
    THEME_NO_MONTHLY = "theme.no_monthly"
    THEME_NONE = "theme.none"
    THEME_GONE = "theme.gone"
    THEME_AFTER_DRAFT = "theme.after_draft"
    THEME_NEXT_SET = "theme.next_set"  # {theme}
    EXAMPLES_INTRO = "examples.intro"  # {count}
    EXAMPLES_NONE = "examples.none"
    MINE_INTRO = "mine.intro"  # {count}
    MINE_EMPTY = "mine.empty"
    STATUS_RECEIVED = "status.received"
    STATUS_CHECKING = "status.checking"
    STATUS_USED = "status.used"
    STATUS_NOT_USED = "status.not_used"
    STATUS_WITHDRAWN = "status.withdrawn"
    FACE_IS_SHOW = "face.is_show"
    FACE_IS_BLUR = "face.is_blur"
    FACE_IS_NONE = "face.is_none"
    REFACE_ASK = "reface.ask"  # {code}
    REFACE_ASK_PRIVATE = "reface.ask_private"  # {code}
    REFACE_DONE = "reface.done"  # {code} {face}: the face choice now, in words
    REFACE_CLOSED = "reface.closed"  # {code}
    SETTINGS = "settings"  # {contact}
    SETTINGS_NO_CONTACT = "settings.no_contact"
    ASK_LANGUAGE = "ask.language"
    LANGUAGE_SET = "language.set"
    ASK_SITE = "ask.site"
    SITE_SET = "site.set"  # {site}
    SITE_SKIPPED = "site.skipped"
    SITE_GONE = "site.gone"

    # Button labels (at most 20 characters in every language).
    BUTTON_CAMERA = "button.camera"
    BUTTON_ALBUM = "button.album"
    BUTTON_SEND_ANOTHER = "button.send_another"
    BUTTON_CANCEL = "button.cancel"
    BUTTON_FACE_SHOW = "button.face_show"
    BUTTON_FACE_BLUR = "button.face_blur"
    BUTTON_FACE_NONE = "button.face_none"
    BUTTON_SKIP = "button.skip"
    BUTTON_IDEA = "button.idea"
    BUTTON_CONTINUE = "button.continue"
    BUTTON_DISCARD = "button.discard"
    BUTTON_WITHDRAW = "button.withdraw"
    BUTTON_WITHDRAW_YES = "button.withdraw_yes"
    BUTTON_KEEP = "button.keep"
    BUTTON_AGREE = "button.agree"
    BUTTON_GUIDELINE = "button.guideline"
    BUTTON_GUIDE_SEARCH = "button.guide_search"
    BUTTON_THEME_SEND = "button.theme_send"

    # An album answered once it is whole, a receipt that says what arrived, typed withdrawal.
    PHOTO_THANKS_MANY = "photo.thanks_many"  # {count}
    RECEIPT_SUMMARY_SHOW = "receipt.summary.show"  # {count} {theme}
    RECEIPT_SUMMARY_BLUR = "receipt.summary.blur"  # {count} {theme}
    RECEIPT_SUMMARY_NO_FACE = "receipt.summary.no_face"  # {count} {theme}
    RECEIPT_SUMMARY_IDEA = "receipt.summary.idea"  # {theme}
    WITHDRAW_CONFIRM_LATEST = "withdraw.confirm_latest"  # {code}
    WITHDRAW_NONE = "withdraw.none"
    WITHDRAW_CODE_UNKNOWN = "withdraw.code_unknown"  # {code}
    BUTTON_MINE = "button.mine"
    BUTTON_REFACE = "button.reface"
    BUTTON_SETTINGS = "button.settings"
    BUTTON_LANGUAGE = "button.language"
    BUTTON_SITE = "button.site"
    BUTTON_MORE = "button.more"
    BUTTON_SITE_SKIP = "button.site_skip"

    # Pushed once when a photo or video could not be used after the worker moved on.
    NOTICE_MEDIA_TOO_BIG = "notice.media_too_big"  # {code} {count} {minutes}
    NOTICE_MEDIA_UNREADABLE = "notice.media_unreadable"  # {code} {count}
    NOTICE_MEDIA_LOST = "notice.media_lost"  # {code} {count}
    NOTICES_ASK = "notices.ask"
    NOTICES_ALL = "notices.all"
    NOTICES_FEEDBACK = "notices.feedback"
    NOTICES_NONE = "notices.none"
    BUTTON_NOTICES = "button.notices"
    BUTTON_NOTICES_ALL = "button.notices_all"
    BUTTON_NOTICES_FEEDBACK = "button.notices_feedback"
    BUTTON_NOTICES_NONE = "button.notices_none"
    CREDIT_ASK = "credit.ask"
    CREDIT_ASK_NO_SITE = "credit.ask_no_site"  # the same, for a worker with no site
    CREDIT_NAME = "credit.name"
    CREDIT_SITE = "credit.site"  # {site}
    CREDIT_ANONYMOUS = "credit.anonymous"
    BUTTON_CREDIT = "button.credit"
    BUTTON_CREDIT_NAME = "button.credit_name"
    BUTTON_CREDIT_SITE = "button.credit_site"
    BUTTON_CREDIT_ANONYMOUS = "button.credit_anonymous"
    # Every photo of an open draft was unsent: nothing was sent (said at the next reply).
    UNSENT_EMPTIED = "unsent.emptied"
    # The guideline was updated since the worker agreed: its version and what changed.
    GUIDE_CHANGED_WHAT = "guide.changed.what"  # {version} {changes}
    ASK_SITE_CURRENT = "ask.site.current"  # {site}: the site question for a worker who has one
    EXAMPLE_NO_COMMENT = "example.no_comment"  # an example card with a photo and no comment
    EXAMPLE_NOTHING_SHOWN = "example.nothing_shown"  # an example with no photo shown, no comment


# The placeholders each key's text must use, so flows and catalogues can be checked against it.
PARAMS: Mapping[Key, frozenset[str]] = {
    Key.PHOTO_ADDED: frozenset({"count"}),
    Key.PHOTO_LIMIT: frozenset({"max"}),
    Key.COMMENT_TOO_LONG: frozenset({"max"}),
    Key.RECEIPT: frozenset({"code"}),
    Key.IDEA_CONFIRM: frozenset({"preview"}),
    Key.RESUME_PHOTOS: frozenset({"count"}),
    Key.RESUME_PHOTOS_THEME: frozenset({"count", "theme"}),
    Key.RESUME_IDEA: frozenset({"preview"}),
    Key.RESUME_ARRIVED: frozenset({"count", "new"}),
    Key.RESUME_DISCARDED_NEW: frozenset({"count"}),
    Key.WITHDRAW_CONFIRM: frozenset({"code"}),
    Key.WITHDRAW_DONE: frozenset({"code"}),
    Key.WITHDRAW_ALREADY: frozenset({"code"}),
    Key.PHOTO_THANKS_MANY: frozenset({"count"}),
    Key.RECEIPT_SUMMARY_SHOW: frozenset({"count", "theme"}),
    Key.RECEIPT_SUMMARY_BLUR: frozenset({"count", "theme"}),
    Key.RECEIPT_SUMMARY_NO_FACE: frozenset({"count", "theme"}),
    Key.RECEIPT_SUMMARY_IDEA: frozenset({"theme"}),
    Key.WITHDRAW_CONFIRM_LATEST: frozenset({"code"}),
    Key.WITHDRAW_CODE_UNKNOWN: frozenset({"code"}),
    Key.GUIDE_FOUND: frozenset({"count"}),
    Key.GUIDE_NONE: frozenset({"query"}),
    Key.THEME_CARD: frozenset({"theme"}),
    Key.THEME_NEXT_SET: frozenset({"theme"}),
    Key.EXAMPLES_INTRO: frozenset({"count"}),
    Key.MINE_INTRO: frozenset({"count"}),
    Key.REFACE_ASK: frozenset({"code"}),
    Key.REFACE_ASK_PRIVATE: frozenset({"code"}),
    Key.REFACE_DONE: frozenset({"code", "face"}),
    Key.REFACE_CLOSED: frozenset({"code"}),
    Key.SETTINGS: frozenset({"contact"}),
    Key.SITE_SET: frozenset({"site"}),
    Key.CREDIT_SITE: frozenset({"site"}),
    Key.NOTICE_MEDIA_TOO_BIG: frozenset({"code", "count", "minutes"}),
    Key.NOTICE_MEDIA_UNREADABLE: frozenset({"code", "count"}),
    Key.NOTICE_MEDIA_LOST: frozenset({"code", "count"}),
    Key.GUIDE_CHANGED_WHAT: frozenset({"version", "changes"}),
    Key.ASK_SITE_CURRENT: frozenset({"site"}),
}
