"""The push about files that could not be used: one message per kind of trouble, with counts."""

from __future__ import annotations

import pytest

from flows.keys import Key
from flows.notices import media_notices, notice_key


@pytest.mark.parametrize(
    ("reason", "key"),
    [
        ("too_long", Key.NOTICE_MEDIA_TOO_BIG),
        ("too_large", Key.NOTICE_MEDIA_TOO_BIG),
        ("too_many_pixels", Key.NOTICE_MEDIA_TOO_BIG),
        ("truncated", Key.NOTICE_MEDIA_UNREADABLE),
        ("unsupported_type", Key.NOTICE_MEDIA_UNREADABLE),
        ("corrupt", Key.NOTICE_MEDIA_UNREADABLE),
        (None, Key.NOTICE_MEDIA_UNREADABLE),
        ("expired", Key.NOTICE_MEDIA_LOST),
        ("transcoding_failed", Key.NOTICE_MEDIA_LOST),
        ("gave up: LINE answered 500", Key.NOTICE_MEDIA_LOST),
    ],
)
def test_each_reason_is_told_as_its_kind_of_trouble(reason, key):
    assert notice_key(reason) is key


def test_an_album_of_bad_files_is_one_message_per_kind_with_counts():
    replies = media_notices(
        ["unsupported_type", "too_long", "truncated", "expired", "unsupported_type"],
        code="K7Q-2MX",
        max_minutes=5,
    )
    assert [(r.key, dict(r.params)) for r in replies] == [
        (Key.NOTICE_MEDIA_TOO_BIG, {"code": "K7Q-2MX", "count": 1, "minutes": 5}),
        (Key.NOTICE_MEDIA_UNREADABLE, {"code": "K7Q-2MX", "count": 3}),
        (Key.NOTICE_MEDIA_LOST, {"code": "K7Q-2MX", "count": 1}),
    ]
    assert all(not r.choices for r in replies)  # a push under no question: no buttons


def test_no_failure_says_nothing():
    assert media_notices([], code="K7Q-2MX", max_minutes=5) == ()
