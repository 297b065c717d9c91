"""`GET /api/v1/submissions`: filters, limits, time windows, text search and cursor paging."""

from __future__ import annotations

import base64
from datetime import timedelta

import pytest

from storage import drafts

URL = "/api/v1/submissions"


@pytest.fixture
def listing(client, as_role):
    """`listing(**params)` → the response of the list as a viewer."""

    def get(**params):
        return client.get(URL, params=params, headers=as_role("viewer"))

    return get


def ids(response) -> list[str]:
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


def page_through(listing, limit: int, **params) -> list[list[str]]:
    """Every page, following next_cursor to the end."""
    pages, cursor = [], None
    while True:
        r = listing(limit=limit, **({"cursor": cursor} if cursor else {}), **params)
        pages.append(ids(r))
        cursor = r.json()["next_cursor"]
        if cursor is None:
            return pages


class TestShape:
    def test_an_item_carries_the_contract_fields_with_z_times(self, listing, seed, clock) -> None:
        s = seed.submission(face="blur", comment="ライン3の朝礼")
        body = listing().json()
        assert body["next_cursor"] is None
        (item,) = body["items"]
        assert item["id"] == s.id
        assert item["code"] == s.code
        assert item["status"] == "new"
        assert item["theme"] == "daily"
        assert item["face"] == "blur"
        assert item["comment"] == "ライン3の朝礼"
        assert item["contributor"] == {"id": s.contributor_id, "display_name": "山田 花子"}
        assert item["created_at"] == "2026-11-27T09:00:00Z"
        assert item["submitted_at"] == "2026-11-27T09:00:00Z"
        (m,) = item["media"]
        assert m["id"] == s.media[0].id
        assert m["kind"] == "image"
        assert m["status"] == "ready"
        assert m["content_type"] == "image/jpeg"
        assert (m["width"], m["height"]) == (640, 480)
        assert m["bytes"] == len(s.media[0].files["original"])
        assert len(m["sha256"]) == 64
        assert m["faces"] == 0
        assert m["face_boxes"] == []
        # blur chosen, no face found: no blurred variant, so nothing of it may leave yet
        assert m["face_check"] == "needs_human_check"
        assert m["face_checked_by"] is None and m["face_checked_at"] is None
        assert m["variants"] == ["original", "thumbnail"]
        assert m["leaves_as"] is None
        assert item["approval_blockers"] == [f"photo 1: {m['face_check_note']}"]

    def test_the_contributor_id_is_ours_not_lines(self, listing, seed) -> None:
        s = seed.submission()
        r = listing()
        assert r.json()["items"][0]["contributor"]["id"] != s.line_user_id
        assert s.line_user_id not in r.text

    def test_drafts_are_never_listed(self, listing, seed) -> None:
        seed.submission(status="draft", comment="not yet")
        shown = seed.submission()
        assert ids(listing()) == [shown.id]


class TestFilters:
    @pytest.mark.parametrize(
        "status", ["new", "in_review", "approved", "published", "rejected", "withdrawn"]
    )
    def test_status(self, listing, seed, status) -> None:
        made = {st: seed.submission(status=st).id for st in sorted({"new", "approved", status})}
        assert ids(listing(status=status)) == [made[status]]

    def test_theme(self, listing, seed) -> None:
        seed.theme("event", "イベント")
        daily = seed.submission(theme="daily")
        event = seed.submission(theme="event")
        assert ids(listing(theme="event")) == [event.id]
        assert ids(listing(theme="daily")) == [daily.id]
        assert ids(listing(theme="no-such-theme")) == []

    @pytest.mark.parametrize("face", ["show", "blur", "no_face"])
    def test_face(self, listing, seed, face) -> None:
        made = {f: seed.submission(face=f).id for f in ("show", "blur", "no_face")}
        seed.submission(face=None, photos=0)
        assert ids(listing(face=face)) == [made[face]]

    def test_face_none_means_comment_only(self, listing, seed) -> None:
        seed.submission(face="show")
        idea = seed.submission(face=None, photos=0, comment="休憩室に観葉植物を")
        (item,) = listing(face="none").json()["items"]
        assert item["id"] == idea.id
        assert item["face"] is None
        assert item["media"] == []

    def test_since_is_inclusive_and_until_exclusive(self, listing, seed, clock) -> None:
        t0 = clock.now
        a = seed.submission(at=t0).id
        b = seed.submission(at=t0 + timedelta(hours=1)).id
        c = seed.submission(at=t0 + timedelta(hours=2)).id
        at_1h = "2026-11-27T10:00:00Z"
        assert ids(listing(since=at_1h)) == [c, b]
        assert ids(listing(until=at_1h)) == [a]
        assert ids(listing(since=at_1h, until="2026-11-27T11:00:00Z")) == [b]
        assert ids(listing(since=at_1h, until=at_1h)) == []

    def test_offsets_are_converted_to_utc(self, listing, seed, clock) -> None:
        seed.submission(at=clock.now)
        later = seed.submission(at=clock.now + timedelta(hours=1)).id
        # 19:00 in Tokyo is 10:00 UTC.
        assert ids(listing(since="2026-11-27T19:00:00+09:00")) == [later]

    @pytest.mark.parametrize(
        "value",
        [
            "2026-11-27T09:00:00",  # no zone
            "2026-11-27",  # a date is not a time
            "1764234000",  # unix seconds are not RFC 3339
            "yesterday",
            "2026-13-01T00:00:00Z",
            "0001-01-01T00:00:00+09:00",  # before year 1 once in UTC
            "9999-12-31T23:59:59-09:00",  # after year 9999 once in UTC
            "",
        ],
    )
    @pytest.mark.parametrize("name", ["since", "until"])
    def test_times_that_are_not_rfc3339_with_a_zone_get_422(
        self, listing, seed, name, value
    ) -> None:
        r = listing(**{name: value})
        assert r.status_code == 422
        assert r.json()["detail"][0]["loc"] == ["query", name]

    def test_q_matches_comment_or_code_case_insensitively(self, listing, seed) -> None:
        by_comment = seed.submission(comment="New Forklift training").id
        by_code = seed.submission(comment="nothing here", code="QXZ-4KM").id
        seed.submission(comment="other")
        assert ids(listing(q="FORKLIFT")) == [by_comment]
        assert ids(listing(q="qxz-4k")) == [by_code]
        assert ids(listing(q="朝礼")) == []
        japanese = seed.submission(comment="今日の朝礼です").id
        assert ids(listing(q="朝礼")) == [japanese]

    @pytest.mark.parametrize("wildcard", ["%", "_"])
    def test_q_takes_percent_and_underscore_literally(self, listing, seed, wildcard) -> None:
        literal = seed.submission(comment=f"100{wildcard} safety").id
        seed.submission(comment="1000 safety")  # would match if the character were a wildcard
        assert ids(listing(q=f"100{wildcard}")) == [literal]
        assert ids(listing(q=wildcard)) == [literal]

    def test_filters_combine(self, listing, seed, clock) -> None:
        seed.theme("event", "イベント")
        t0 = clock.now
        hit = seed.submission(
            at=t0 + timedelta(hours=1), theme="event", face="blur", comment="Summer festival"
        ).id
        seed.submission(at=t0 + timedelta(hours=1), theme="daily", face="blur", comment="festival")
        seed.submission(at=t0 + timedelta(hours=1), theme="event", face="show", comment="festival")
        seed.submission(at=t0, theme="event", face="blur", comment="festival")
        seed.submission(
            at=t0 + timedelta(hours=1),
            theme="event",
            face="blur",
            comment="festival",
            status="rejected",
        )
        seed.submission(at=t0 + timedelta(hours=1), theme="event", face="blur", comment="picnic")
        params = {
            "status": "new",
            "theme": "event",
            "face": "blur",
            "q": "FESTIVAL",
            "since": "2026-11-27T09:30:00Z",
            "until": "2026-11-27T12:00:00Z",
        }
        assert ids(listing(**params)) == [hit]

    @pytest.mark.parametrize(
        ("name", "value"),
        [
            ("status", "draft"),
            ("status", "deleted"),
            ("status", "NEW"),
            ("face", "blurred"),
            ("face", "null"),
            ("face", ""),
        ],
    )
    def test_unknown_enum_values_get_422(self, listing, seed, name, value) -> None:
        r = listing(**{name: value})
        assert r.status_code == 422
        assert r.json()["detail"][0]["loc"] == ["query", name]


class TestLimit:
    def test_the_default_page_is_50(self, listing, seed) -> None:
        seed.ideas(51, step=timedelta(seconds=1))
        body = listing().json()
        assert len(body["items"]) == 50
        assert body["next_cursor"] is not None

    def test_a_limit_over_200_is_clamped_to_200(self, listing, seed) -> None:
        seed.ideas(201, step=timedelta(seconds=1))
        for limit in (201, 100000, 10**30):
            body = listing(limit=limit).json()
            assert len(body["items"]) == 200
            assert body["next_cursor"] is not None
        assert len(listing(limit=200).json()["items"]) == 200

    @pytest.mark.parametrize("limit", ["0", "-1", "abc", "1.5", ""])
    def test_a_limit_below_1_or_not_a_number_gets_422(self, listing, seed, limit) -> None:
        r = listing(limit=limit)
        assert r.status_code == 422
        assert r.json()["detail"][0]["loc"] == ["query", "limit"]

    def test_the_openapi_document_says_limits_are_clamped(self, admin_app) -> None:
        op = admin_app.openapi()["paths"]["/api/v1/submissions"]["get"]
        assert "clamped" in op["description"]
        assert "cursor" in op["description"] and "422" in op["description"]


class TestPaging:
    def test_pages_follow_created_at_then_id_newest_first_across_ties(
        self, listing, seed, clock
    ) -> None:
        t0 = clock.now
        older = seed.ideas(2, at=t0 - timedelta(minutes=5), step=timedelta(minutes=1))
        tied = seed.ideas(5, at=t0)  # all at the same instant: the id breaks the tie
        newer = seed.ideas(2, at=t0 + timedelta(minutes=5), step=timedelta(minutes=1))
        expected = list(reversed(newer)) + sorted(tied, reverse=True) + list(reversed(older))
        pages = page_through(listing, limit=2)
        assert len(pages) == 5
        assert all(len(p) == 2 for p in pages[:-1])
        assert [i for p in pages for i in p] == expected

    def test_new_arrivals_while_paging_neither_repeat_nor_skip_items(
        self, listing, seed, clock, db
    ) -> None:
        t0 = clock.now
        before = seed.ideas(9, at=t0)  # one big tie on created_at
        late = seed.submission(at=t0 - timedelta(hours=1), status="draft")
        first = listing(limit=3)
        seen = ids(first)
        cursor = first.json()["next_cursor"]
        # Arrivals: newer rows, rows tied with the cursor's instant, and a draft started long
        # ago but handed in only now (its created_at is older than every listed row).
        seed.ideas(4, at=t0 + timedelta(minutes=1))
        seed.ideas(2, at=t0)
        with db.write() as s:
            assert drafts.submit(s, draft_id=late.id, contributor_id=late.contributor_id, now=t0)
        while cursor:
            r = listing(limit=3, cursor=cursor)
            seen += ids(r)
            cursor = r.json()["next_cursor"]
        assert len(seen) == len(set(seen)), "an item was repeated"
        assert set(before) <= set(seen), "an item was skipped"
        assert [i for i in seen if i in before] == sorted(before, reverse=True)

    def test_paging_keeps_the_filters(self, listing, seed) -> None:
        wanted = [seed.submission(face="blur").id for _ in range(5)]
        for _ in range(4):
            seed.submission(face="show")
        pages = page_through(listing, limit=2, face="blur")
        assert sorted(i for p in pages for i in p) == sorted(wanted)

    def test_the_last_page_has_no_cursor(self, listing, seed) -> None:
        seed.ideas(4)
        assert listing(limit=4).json()["next_cursor"] is None
        assert listing(limit=3).json()["next_cursor"] is not None

    @pytest.mark.parametrize(
        "cursor",
        [
            "not-a-cursor",
            "!!!",
            base64.urlsafe_b64encode(b"2026-11-27T09:00:00|").decode(),  # no id
            base64.urlsafe_b64encode(b"2026-11-27T09:00:00|X").decode(),  # no zone
            base64.urlsafe_b64encode(b"yesterday|01ABC").decode(),
            base64.urlsafe_b64encode(b"2026-11-27T09:00:00+00:00|\x00bad").decode(),
            base64.urlsafe_b64encode(b"0001-01-01T00:00:00+09:00|01ABC").decode(),
            base64.urlsafe_b64encode(b"\xff\xfe").decode(),
            "A" * 500,
        ],
    )
    def test_an_invalid_cursor_gets_422(self, listing, seed, cursor) -> None:
        seed.ideas(3)
        r = listing(cursor=cursor)
        assert r.status_code == 422
        assert r.json()["detail"][0]["loc"] == ["query", "cursor"]
