"""The PR review moves, checked for every pair of statuses."""

from __future__ import annotations

import itertools

import pytest

from flows.review import ReviewDecision, review_move
from flows.types import SubmissionStatus as S

ALLOWED = {
    (S.NEW, S.IN_REVIEW),
    (S.NEW, S.APPROVED),
    (S.NEW, S.REJECTED),
    (S.IN_REVIEW, S.APPROVED),
    (S.IN_REVIEW, S.REJECTED),
    (S.APPROVED, S.PUBLISHED),
    (S.APPROVED, S.REJECTED),
    (S.REJECTED, S.IN_REVIEW),
}
PAIRS = list(itertools.product(S, S))


@pytest.mark.parametrize(("current", "target"), PAIRS)
@pytest.mark.parametrize("has_publication", [True, False])
def test_every_pair(current, target, has_publication):
    decision = review_move(current, target, has_publication=has_publication)
    if current is target:
        expected = ReviewDecision.UNCHANGED
    elif (current, target) not in ALLOWED:
        expected = ReviewDecision.CONFLICT
    elif target is S.PUBLISHED and not has_publication:
        expected = ReviewDecision.MISSING_PUBLICATION
    else:
        expected = ReviewDecision.OK
    assert decision is expected


def test_reviewers_never_withdraw():
    for current in S:
        if current is not S.WITHDRAWN:
            assert (
                review_move(current, S.WITHDRAWN, has_publication=True) is ReviewDecision.CONFLICT
            )


def test_publishing_needs_where():
    assert review_move(S.APPROVED, S.PUBLISHED, has_publication=False) is (
        ReviewDecision.MISSING_PUBLICATION
    )
    assert review_move(S.APPROVED, S.PUBLISHED, has_publication=True) is ReviewDecision.OK


def test_forbidden_publish_is_a_conflict_even_without_details():
    assert review_move(S.NEW, S.PUBLISHED, has_publication=False) is ReviewDecision.CONFLICT


def test_drafts_and_withdrawn_submissions_are_not_reviewed():
    for target in S:
        if target is not S.DRAFT:
            assert review_move(S.DRAFT, target, has_publication=True) is ReviewDecision.CONFLICT
        if target is not S.WITHDRAWN:
            assert review_move(S.WITHDRAWN, target, has_publication=True) is ReviewDecision.CONFLICT
