"""The numbers of the stats page and API, counted in the company's weeks."""

from __future__ import annotations

import csv
import io
import statistics
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from app.stats.recognition import Recognition, recognise
from storage import stats
from storage.db import Database

DEFAULT_WEEKS = 12
MAX_WEEKS = 104
FACES = ("show", "blur", "no_face", "idea")
OUTCOMES = ("new", "in_review", "approved", "rejected", "published", "withdrawn")
NO_SITE = "(no site picked)"


@dataclass(frozen=True)
class Stats:
    """Everything the stats page shows, JSON-ready."""

    weeks: list[str]  # Mondays, ISO dates, oldest first
    by_theme: dict[str, list[int]]  # theme -> count per week
    by_site: dict[str, list[int]]  # site name when sent -> count per week
    faces: dict[str, int]
    outcomes: dict[str, int]
    reviewed: int
    review_hours_median: float | None
    review_hours_p90: float | None
    active_contributors: list[int]
    total: int
    recognition: Recognition = field(default_factory=Recognition)

    def as_json(self) -> dict[str, object]:
        """A plain dict for the API."""
        return asdict(self)


def _monday(moment: datetime, zone: ZoneInfo) -> date:
    day = moment.astimezone(zone).date()
    return day - timedelta(days=day.weekday())


def compute(db: Database, *, zone: ZoneInfo, now: datetime, weeks: int = DEFAULT_WEEKS) -> Stats:
    """The last `weeks` weeks (this one included) of submissions, reviews and contributors."""
    weeks = max(1, min(weeks, MAX_WEEKS))
    mondays = [_monday(now, zone) - timedelta(weeks=weeks - 1 - i) for i in range(weeks)]
    since = datetime.combine(mondays[0], time(), tzinfo=zone).astimezone(UTC)
    with db.read() as session:
        rows = stats.handed_in_since(session, since)
        credited = stats.credited_since(session, since)
    index = {monday: i for i, monday in enumerate(mondays)}
    by_theme: dict[str, list[int]] = defaultdict(lambda: [0] * weeks)
    by_site: dict[str, list[int]] = defaultdict(lambda: [0] * weeks)
    people: list[set[str]] = [set() for _ in mondays]
    faces: Counter[str] = Counter()
    outcomes: Counter[str] = Counter()
    hours: list[float] = []
    for row in rows:
        i = index.get(_monday(row.submitted_at, zone))
        if i is None:  # a clock moved back: not in any of these weeks
            continue
        by_theme[row.theme or "—"][i] += 1
        by_site[row.site or NO_SITE][i] += 1
        people[i].add(row.contributor_id)
        faces[row.face or "idea"] += 1
        outcomes[row.status] += 1
        if row.first_review_at is not None:
            hours.append((row.first_review_at - row.submitted_at).total_seconds() / 3600)
    return Stats(
        weeks=[m.isoformat() for m in mondays],
        by_theme=dict(sorted(by_theme.items(), key=lambda kv: (-sum(kv[1]), kv[0]))),
        by_site=dict(sorted(by_site.items(), key=lambda kv: (-sum(kv[1]), kv[0]))),
        faces={face: faces[face] for face in FACES},
        outcomes={status: outcomes[status] for status in OUTCOMES},
        reviewed=len(hours),
        review_hours_median=round(statistics.median(hours), 1) if hours else None,
        review_hours_p90=round(_p90(hours), 1) if hours else None,
        active_contributors=[len(p) for p in people],
        total=len(rows),
        recognition=recognise(credited),
    )


def _p90(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))]


def as_csv(numbers: Stats) -> str:
    """The same numbers as CSV rows: section, key, week, value."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["section", "key", "week", "value"])
    for theme, counts in numbers.by_theme.items():
        for week, count in zip(numbers.weeks, counts, strict=True):
            writer.writerow(["submissions_by_theme", _cell(theme), week, count])
    for place, counts in numbers.by_site.items():
        for week, count in zip(numbers.weeks, counts, strict=True):
            writer.writerow(["submissions_by_site", _cell(place), week, count])
    for week, count in zip(numbers.weeks, numbers.active_contributors, strict=True):
        writer.writerow(["active_contributors", "", week, count])
    for face, count in numbers.faces.items():
        writer.writerow(["face", face, "", count])
    for status, count in numbers.outcomes.items():
        writer.writerow(["outcome", status, "", count])
    writer.writerow(["review_hours", "median", "", _blank(numbers.review_hours_median)])
    writer.writerow(["review_hours", "p90", "", _blank(numbers.review_hours_p90)])
    writer.writerow(["review_hours", "reviewed", "", numbers.reviewed])
    # Recognition, only as openly as each contributor allowed (app/stats/recognition.py).
    seen = numbers.recognition
    for person in seen.named:
        writer.writerow(["recognition_name", _cell(str(person["name"])), "", person["submissions"]])
    for site in seen.sites:
        name = _cell(str(site["site"]))
        writer.writerow(["recognition_site", name, "", site["submissions"]])
        writer.writerow(["recognition_site_contributors", name, "", site["contributors"]])
    writer.writerow(["recognition_anonymous", "contributors", "", seen.anonymous])
    writer.writerow(["recognition_not_chosen", "contributors", "", seen.not_chosen])
    return out.getvalue()


def _blank(value: float | None) -> str:
    return "" if value is None else str(value)


def _cell(text: str) -> str:
    """A cell a spreadsheet will not run as a formula (CSV injection)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
