"""What an admin sends to edit themes and the guideline: the request bodies and their checks.

Every body refuses unknown fields (422), text with control characters, languages the bot has no
catalogue for, and periods that end before they start, each with a message saying which.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictBool, model_validator

from app.admin.fields import SafeText

# The worker languages (webhooks/locales); a translation in any other is refused.
LANGUAGES = frozenset({"ja", "ja-x-easy", "en", "vi", "pt-BR", "id", "tl", "zh-Hans"})
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")
MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def _languages(value: dict[str, object]) -> dict[str, object]:
    unknown = sorted(set(value) - LANGUAGES)
    if unknown:
        raise ValueError(f"unknown languages {unknown}: use {sorted(LANGUAGES)}")
    return value


def _slug(value: str) -> str:
    if not SLUG.match(value):
        raise ValueError("a slug is 1-40 of a-z, 0-9 and '-', starting with a letter or digit")
    return value


def _month(value: str) -> str:
    if not MONTH.match(value):
        raise ValueError('month must be "YYYY-MM"')
    return value


Slug = Annotated[str, AfterValidator(_slug)]
Title = Annotated[SafeText, Field(min_length=1, max_length=100)]
Long = Annotated[SafeText, Field(max_length=2000)]
Titles = Annotated[dict[str, Title], AfterValidator(_languages)]
Longs = Annotated[dict[str, Long], AfterValidator(_languages)]
Month = Annotated[str, AfterValidator(_month)]


class _Period(BaseModel):
    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="after")
    def _ends_after_start(self) -> _Period:
        starts, ends = getattr(self, "starts_on", None), getattr(self, "ends_on", None)
        if starts is not None and ends is not None and ends < starts:
            raise ValueError("ends_on is before starts_on")
        return self


class ThemeCreate(_Period):
    """A new theme. Titles and descriptions per language; the period in the company's zone."""

    slug: Slug
    title: Title = Field(description="The title in Japanese (the company's language)")
    translations: Titles = Field(default_factory=dict, description="Titles in other languages")
    description: Long = Field("", description="What to send, in Japanese")
    descriptions: Longs = Field(default_factory=dict, description="What to send, per language")
    examples: Longs = Field(default_factory=dict, description="An example, per language")
    month: Month | None = Field(None, description='"YYYY-MM": the theme of that month')
    starts_on: date | None = Field(None, description="First day offered (company time zone)")
    ends_on: date | None = Field(None, description="Last day offered (company time zone)")
    active: StrictBool = True
    sort_order: int = Field(0, ge=-1_000_000, le=1_000_000)


class ThemeChange(_Period):
    """A change to a theme: only the fields sent change; `active: false` retires it."""

    title: Title | None = None
    translations: Titles | None = None
    description: Long | None = None
    descriptions: Longs | None = None
    examples: Longs | None = None
    month: Month | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    active: StrictBool | None = None
    sort_order: int | None = Field(None, ge=-1_000_000, le=1_000_000)


class EntryTexts(BaseModel):
    """One entry's words in one language."""

    model_config = ConfigDict(extra="forbid")

    title: Title
    body: Annotated[SafeText, Field(min_length=1, max_length=1000)]
    keywords: list[Annotated[SafeText, Field(min_length=1, max_length=40)]] = Field(
        default_factory=list, max_length=30
    )


def _has_japanese(value: dict[str, EntryTexts]) -> dict[str, EntryTexts]:
    _languages(dict(value))
    if "ja" not in value:
        raise ValueError("the Japanese text (ja) is required: it is every other's fallback")
    return value


class EntryPut(BaseModel):
    """A guideline entry, created or replaced whole."""

    model_config = ConfigDict(extra="forbid")

    category: Slug
    texts: Annotated[dict[str, EntryTexts], AfterValidator(_has_japanese)]
    sort_order: int | None = Field(None, ge=-1_000_000, le=1_000_000)


class CategoryPut(BaseModel):
    """A guideline category, created or replaced."""

    model_config = ConfigDict(extra="forbid")

    titles: Titles
    sort_order: int | None = Field(None, ge=-1_000_000, le=1_000_000)

    @model_validator(mode="after")
    def _japanese(self) -> CategoryPut:
        if "ja" not in self.titles:
            raise ValueError("the Japanese title (ja) is required")
        return self
