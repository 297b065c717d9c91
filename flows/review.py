"""The PR team's review moves as a pure table (design.md §7); the admin API maps them to HTTP.

new → in_review | approved | rejected; in_review → approved | rejected; approved → published |
rejected; rejected → in_review. The same status again changes nothing. `withdrawn` comes only from
the worker, and `draft` is never reviewed. `published` needs where it was published.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

from flows.types import SubmissionStatus as S


class ReviewDecision(StrEnum):
    """The answer to a requested move: do it, nothing to do, not allowed, or details missing."""

    OK = "ok"
    UNCHANGED = "unchanged"  # HTTP 200, nothing written
    CONFLICT = "conflict"  # HTTP 409
    MISSING_PUBLICATION = "missing_publication"  # HTTP 422: published needs platform and url


ALLOWED: Mapping[S, frozenset[S]] = {
    S.NEW: frozenset({S.IN_REVIEW, S.APPROVED, S.REJECTED}),
    S.IN_REVIEW: frozenset({S.APPROVED, S.REJECTED}),
    S.APPROVED: frozenset({S.PUBLISHED, S.REJECTED}),
    S.REJECTED: frozenset({S.IN_REVIEW}),
}


def review_move(current: S, target: S, *, has_publication: bool) -> ReviewDecision:
    """Decide whether a reviewer may move a submission from `current` to `target`."""
    if current is target:
        return ReviewDecision.UNCHANGED
    if target not in ALLOWED.get(current, frozenset()):
        # Checked before the publication details: a forbidden move is a conflict either way.
        return ReviewDecision.CONFLICT
    if target is S.PUBLISHED and not has_publication:
        return ReviewDecision.MISSING_PUBLICATION
    return ReviewDecision.OK
