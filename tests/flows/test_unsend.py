"""An unsent photo no longer counts: the receipt says what was really sent, and a draft whose
every photo was unsent is dropped (never an empty submission) and the worker is told why.

Before, `draft.media` never went down: the receipt said "写真2枚" for one photo, and a draft
whose only photo was unsent reached the PR team empty.
"""

from __future__ import annotations

from flowkit import THEMES, at_face, effect_types, keys, photo, text

from flows.keys import Key
from flows.types import MediaCount, Step, Unsent, VideoReceived


def said(outcome, key):
    return next(r for r in outcome.replies if r.key == key)


def test_an_unsent_photo_is_not_counted_in_the_receipt():
    chat = at_face()
    chat.send(photo("m2"))
    chat.send(Unsent("m2"))
    assert chat.conversation.draft is not None and chat.conversation.draft.media == 1
    chat.tap(Key.BUTTON_FACE_BLUR)
    receipt = chat.send(text("新しい機械です"))
    assert said(receipt, Key.RECEIPT_SUMMARY_BLUR).params["count"] == MediaCount(1, 0)


def test_an_unsent_video_is_counted_off_the_videos():
    chat = at_face()
    chat.send(VideoReceived("v2"))
    chat.send(Unsent("v2"))
    draft = chat.conversation.draft
    assert draft is not None and draft.counted == MediaCount(1, 0)


def test_unsending_the_only_photo_drops_the_draft_and_never_submits_it():
    chat = at_face()
    out = chat.send(Unsent("m1"))
    assert out.replies == ()  # LINE gives no reply token for an unsend
    assert effect_types(out) == ["WithdrawPhoto", "DiscardDraft"]
    assert chat.conversation.step is Step.IDLE and chat.conversation.draft is None
    # The face button still on screen: it says plainly why nothing goes on, and submits nothing.
    tapped = chat.tap(Key.BUTTON_FACE_BLUR, chat.history[-2])
    assert keys(tapped)[0] == Key.UNSENT_EMPTIED
    assert Key.HINT_STALE not in keys(tapped)
    assert "SubmitDraft" not in effect_types(tapped)
    # Said once only.
    assert Key.UNSENT_EMPTIED not in keys(chat.send(text("ヘルプ")))


def test_typing_after_the_draft_was_emptied_says_why_first():
    chat = at_face()
    chat.send(Unsent("m1"))
    out = chat.send(text("これで大丈夫ですか"))
    assert keys(out)[0] == Key.UNSENT_EMPTIED
    assert "SubmitDraft" not in effect_types(out)


def test_a_new_photo_after_the_draft_was_emptied_just_starts_again():
    chat = at_face()
    chat.send(Unsent("m1"))
    out = chat.send(photo("m3"))
    assert Key.UNSENT_EMPTIED not in keys(out)
    chat.tap(THEMES[0].title)
    chat.tap(Key.BUTTON_FACE_BLUR)
    receipt = chat.send(text("新しい機械です"))
    assert said(receipt, Key.RECEIPT_SUMMARY_BLUR).params["count"] == MediaCount(1, 0)
