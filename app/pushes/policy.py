"""When pushes may go: quiet hours and the monthly budget, in the company's time zone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from app.settings import Settings


@dataclass(frozen=True)
class PushPolicy:
    """The company's zone, its quiet hours (start, end), the monthly push budget (0: none) and
    the day of the month the digest goes out by itself (0: never)."""

    zone: ZoneInfo
    quiet: tuple[int, int] | None
    budget: int
    recheck: timedelta
    digest_day: int = 1

    @classmethod
    def from_settings(cls, settings: Settings) -> PushPolicy:
        """The policy the settings describe."""
        return cls(
            zone=settings.zone,
            quiet=settings.quiet,
            budget=settings.push_monthly_budget,
            recheck=timedelta(seconds=settings.push_budget_recheck_seconds),
            digest_day=settings.digest_day,
        )

    def is_quiet(self, moment: datetime) -> bool:
        """True when `moment` falls in the quiet hours of the company's day."""
        if self.quiet is None:
            return False
        start, end = self.quiet
        hour = moment.astimezone(self.zone).hour
        if start == end:
            return False
        if start < end:
            return start <= hour < end
        return hour >= start or hour < end

    def next_allowed(self, moment: datetime) -> datetime:
        """`moment`, or the end of the quiet hours it falls in (in UTC)."""
        if not self.is_quiet(moment):
            return moment
        assert self.quiet is not None
        local = moment.astimezone(self.zone)
        end = datetime.combine(local.date(), time(self.quiet[1]), tzinfo=self.zone)
        if end <= local:
            end = datetime.combine(local.date() + timedelta(days=1), time(self.quiet[1]), self.zone)
        return end.astimezone(UTC)

    def month_start(self, moment: datetime) -> datetime:
        """The first instant of `moment`'s month in the company's zone (in UTC)."""
        local = moment.astimezone(self.zone)
        return datetime(local.year, local.month, 1, tzinfo=self.zone).astimezone(UTC)

    def next_month_start(self, moment: datetime) -> datetime:
        """The first instant of the following month in the company's zone (in UTC)."""
        local = moment.astimezone(self.zone)
        year, month = (local.year + 1, 1) if local.month == 12 else (local.year, local.month + 1)
        return datetime(year, month, 1, tzinfo=self.zone).astimezone(UTC)

    def month_of(self, moment: datetime) -> str:
        """'YYYY-MM' of `moment` in the company's zone."""
        return moment.astimezone(self.zone).strftime("%Y-%m")
