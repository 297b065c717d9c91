"""Recognition of contributors on the stats page, only as far as each one opted in.

A worker who chose "name" is listed by their LINE display name, one who chose "site" is counted
under their site (or team), and everyone else (anonymous, not chosen yet, or a choice that cannot
be honoured) appears only in a count. The credit line is the one storage renders for exports,
so the stats never name anyone more openly than an export would.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from storage import credits
from storage.stats import Credited


@dataclass(frozen=True)
class Recognition:
    """Who sent material in the period, as openly as each allowed; JSON-ready."""

    named: list[dict[str, object]] = field(default_factory=list)  # name, submissions
    sites: list[dict[str, object]] = field(default_factory=list)  # site, contributors, submissions
    anonymous: int = 0  # contributors who chose anonymous (or whose choice cannot be honoured)
    not_chosen: int = 0  # contributors who have not chosen yet


def recognise(rows: Sequence[Credited]) -> Recognition:
    """Group the period's submissions by how their contributors may be credited."""
    latest: dict[str, Credited] = {}
    sent: Counter[str] = Counter()
    for row in rows:  # oldest first: the latest submission's site names the contributor's
        latest[row.contributor_id] = row
        sent[row.contributor_id] += 1
    named: Counter[str] = Counter()
    site_people: defaultdict[str, int] = defaultdict(int)
    site_sent: Counter[str] = Counter()
    anonymous = not_chosen = 0
    for who, row in latest.items():
        line = credits.credit_line(
            row.credit,
            display_name=row.display_name,
            site_name=row.site_name,
            current_site=row.current_site,
        )
        if row.credit not in credits.CHOICES:
            not_chosen += 1
        elif line == credits.ANONYMOUS_LINE:
            anonymous += 1
        elif row.credit == credits.NAME:
            named[line] += sent[who]
        else:
            site_people[line] += 1
            site_sent[line] += sent[who]
    return Recognition(
        named=[
            {"name": name, "submissions": count}
            for name, count in sorted(named.items(), key=lambda kv: (-kv[1], kv[0]))
        ],
        sites=[
            {"site": site, "contributors": site_people[site], "submissions": count}
            for site, count in sorted(site_sent.items(), key=lambda kv: (-kv[1], kv[0]))
        ],
        anonymous=anonymous,
        not_chosen=not_chosen,
    )
