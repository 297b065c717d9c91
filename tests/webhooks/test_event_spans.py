"""Cutting each event's JSON text out of a webhook body."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from webhooks.event_spans import event_texts, split_events

JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)
FORMATS = st.sampled_from(
    [
        {},
        {"ensure_ascii": False},
        {"indent": 2},
        {"separators": (",", ":")},
        {"indent": "\t", "ensure_ascii": False},
    ]
)


@given(
    st.lists(JSON, max_size=5),
    st.dictionaries(st.text(), JSON, max_size=3),
    FORMATS,
)
def test_each_event_comes_back_as_its_own_text_in_the_body(
    events: list[Any], others: dict[str, Any], fmt: dict[str, Any]
) -> None:
    body = json.dumps({**others, "events": events}, **fmt).encode()
    texts = split_events(body)
    assert texts is not None
    assert [json.loads(text) for text in texts] == json.loads(body)["events"]
    position = 0
    for text in texts:
        position = body.decode().index(text, position) + len(text)  # in the body, in order


@pytest.mark.parametrize(
    "body",
    [
        b"[]",
        b'"events"',
        b'{"events": {"a": 1}}',
        b'{"events": [1, 2] ',
        b'{"events": [1, 2]} trailing',
        b'{"events": [1 2]}',
        b'{"events": [1, 2],}',
        b'{"a" 1, "events": []}',
        b"{events: []}",
        b'\xef\xbb\xbf{"events": []}',  # a byte-order mark: json.loads copes, so it decides
        '{"events": []}'.encode("utf-16"),
        b'{"events": ["\xff"]}',
        b"",
        b'{"events": [], "x": Infinity}',  # Python's json extension, not JSON: json.loads decides
    ],
)
def test_anything_but_the_usual_shape_is_left_to_the_plain_parser(body: bytes) -> None:
    assert split_events(body) is None


@pytest.mark.parametrize(
    ("body", "events"),
    [
        (b'\xef\xbb\xbf{"events": [{"a": 1}]}', [{"a": 1}]),
        ('{"events": [{"a": "\u3042"}]}'.encode("utf-16"), [{"a": "\u3042"}]),
        (b'{"events": [{"x": Infinity}, 2]}', [{"x": float("inf")}, 2]),
        (b'{"events": [{"x": "\\ud800"}, 3]}', [{"x": "\ud800"}, 3]),
    ],
)
def test_json_the_plain_parser_reads_still_gives_every_event_written_anew(
    body: bytes, events: list[Any]
) -> None:
    texts = event_texts(body)
    assert texts is not None
    assert [json.loads(text) for text in texts] == events
    for text in texts:
        assert text.isascii()  # a lone surrogate travels \u-escaped: storable text


@pytest.mark.parametrize(
    "body", [b"", b"not json", b"[]", b"null", b'{"events": {"a": 1}}', b'{"events": [1 2]}']
)
def test_a_body_that_is_no_webhook_has_no_event_texts(body: bytes) -> None:
    assert event_texts(body) is None


def test_a_repeated_events_key_counts_the_last_time_as_json_loads_does() -> None:
    assert split_events(b'{"events": [1], "events": [2]}') == ["2"]
    assert split_events(b'{"events": [1], "events": null}') is None
    assert json.loads(b'{"events": [1], "events": null}')["events"] is None


def test_events_nested_elsewhere_are_not_taken_for_the_body_s() -> None:
    body = b'{"destination": {"events": [9]}, "events": [{"events": [8]}]}'
    assert split_events(body) == ['{"events": [8]}']
