"""Value types shared by the admin schemas and parameters: times, safe text, enums, ids."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated

from fastapi import HTTPException, status
from fastapi.exceptions import RequestValidationError
from pydantic import AfterValidator, AwareDatetime, BeforeValidator, PlainSerializer, WithJsonSchema

from flows.types import Face, SubmissionStatus
from storage.submissions import COMMENT_ONLY

# ---------------------------------------------------------------------------------------------
# Times: RFC 3339 in, RFC 3339 UTC with `Z` out (design.md §7).
# ---------------------------------------------------------------------------------------------

RFC3339 = re.compile(
    r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$", re.ASCII
)


def rfc3339_utc(value: datetime) -> str:
    """`2026-11-27T09:00:00Z` (fractions kept, so a time fed back as `since` still matches)."""
    utc = value.astimezone(UTC) if value.tzinfo is not None else value.replace(tzinfo=UTC)
    return utc.replace(tzinfo=None).isoformat() + "Z"


def _rfc3339_text(value: object) -> object:
    # Pydantic alone would also take unix seconds and bare dates; the contract says RFC 3339.
    if isinstance(value, str) and not RFC3339.match(value):
        raise ValueError("expected an RFC 3339 time with a zone, e.g. 2026-11-27T09:00:00Z")
    return value


def _in_utc(value: datetime) -> datetime:
    try:
        return value.astimezone(UTC)
    except OverflowError as exc:  # e.g. 0001-01-01T00:00:00+09:00 is before year 1 in UTC
        raise ValueError("time out of range") from exc


UtcTime = Annotated[
    datetime,
    PlainSerializer(rfc3339_utc, return_type=str),
    WithJsonSchema({"type": "string", "format": "date-time", "examples": ["2026-11-27T09:00:00Z"]}),
]
"""A time in a response body."""

Rfc3339 = Annotated[AwareDatetime, BeforeValidator(_rfc3339_text), AfterValidator(_in_utc)]
"""A time in a request: RFC 3339 with `Z` or an offset; a time without a zone is refused."""

# ---------------------------------------------------------------------------------------------
# Text that both databases can store.
# ---------------------------------------------------------------------------------------------

# C0 controls but tab, newline and carriage return; PostgreSQL refuses NUL outright.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _safe_text(value: str) -> str:
    if CONTROL.search(value):
        raise ValueError("control characters are not allowed")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:  # a lone surrogate from a JSON "\ud800" escape
        raise ValueError("text must be valid Unicode") from exc
    return value


SafeText = Annotated[str, AfterValidator(_safe_text)]
"""Text without control characters or lone surrogates (they would fail in the database)."""

# ---------------------------------------------------------------------------------------------
# Enumerations the API accepts; anything else is a 422. Each is a vocabulary of flows.types or
# storage.states, or a part of one, so the API cannot drift from what is stored.
# ---------------------------------------------------------------------------------------------

LISTED_STATUSES = tuple(s.value for s in SubmissionStatus if s is not SubmissionStatus.DRAFT)
FACE_FILTERS = (*(f.value for f in Face), COMMENT_ONLY)


def _one_of(allowed: tuple[str, ...], hint: str = "") -> AfterValidator:
    def check(value: str) -> str:
        if value not in allowed:
            raise ValueError(f"expected one of {', '.join(allowed)}{hint}")
        return value

    return AfterValidator(check)


def _enum_schema(allowed: tuple[str, ...]) -> WithJsonSchema:
    return WithJsonSchema({"type": "string", "enum": list(allowed)})


ListedStatus = Annotated[
    SubmissionStatus,
    _one_of(LISTED_STATUSES, " (drafts are never listed)"),
    _enum_schema(LISTED_STATUSES),
]
"""Submission statuses the PR team sees (drafts never leave the bot)."""

FaceFilter = Annotated[str, _one_of(FACE_FILTERS), _enum_schema(FACE_FILTERS)]
"""The `face` filter: a face choice, or `none` for comment-only submissions."""


class VariantName(StrEnum):
    """Downloadable variants of a media item."""

    ORIGINAL = "original"
    THUMBNAIL = "thumbnail"
    BLURRED = "blurred"
    BLURRED_THUMB = "blurred_thumb"


# ---------------------------------------------------------------------------------------------
# Ids in paths and cursors.
# ---------------------------------------------------------------------------------------------

# Our ids are ULIDs; anything outside this shape cannot exist, so it is a 404 without a query
# (and hostile bytes such as NUL never reach the database).
ID = re.compile(r"^[0-9A-Za-z_-]{1,64}$", re.ASCII)


def not_found(what: str) -> HTTPException:
    """A 404 naming the kind of record."""
    return HTTPException(status.HTTP_404_NOT_FOUND, detail=f"{what} not found")


def plausible_id(value: str) -> bool:
    """True when `value` has the shape of one of our ids."""
    return ID.match(value) is not None


def invalid_query(name: str, message: str) -> RequestValidationError:
    """A 422 shaped like FastAPI's own, for checks a parameter type cannot express."""
    return RequestValidationError(
        [{"loc": ("query", name), "msg": message, "type": "value_error", "input": None}]
    )
