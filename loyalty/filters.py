"""The filter state shared by all pages and the CLI: period, comparison period and dimensions.

`Filters.params()` gives the bound parameters every metric query understands:
$start, $end (inclusive dates) and $segments, $regions, $channels, $stores (lists; empty = all).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, timedelta

PRESETS = ("last_12_months", "this_year", "previous_year", "last_quarter", "all_data", "custom")
COMPARISONS = ("previous_period", "last_year", "no_comparison")
DIMENSIONS = ("segments", "regions", "channels", "stores")


def _shift_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def month_start(day: date) -> date:
    return day.replace(day=1)


def month_end(day: date) -> date:
    nxt = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return nxt - timedelta(days=1)


def preset_period(preset: str, data_start: date, data_end: date) -> tuple[date, date]:
    """Resolve a preset against the data's date range ('today' is the last day with data)."""
    anchor = data_end
    if preset == "last_12_months":
        start = month_start(_shift_years(anchor, -1) + timedelta(days=1)) if anchor == month_end(anchor) \
            else _shift_years(anchor, -1) + timedelta(days=1)
        return max(start, data_start), anchor
    if preset == "this_year":
        return max(date(anchor.year, 1, 1), data_start), anchor
    if preset == "previous_year":
        return date(anchor.year - 1, 1, 1), date(anchor.year - 1, 12, 31)
    if preset == "last_quarter":
        q_start_month = 3 * ((anchor.month - 1) // 3) + 1
        this_q = date(anchor.year, q_start_month, 1)
        if anchor == month_end(date(anchor.year, q_start_month + 2, 1)):
            return this_q, anchor  # the data ends with a complete quarter: show it
        end = this_q - timedelta(days=1)
        return date(end.year, 3 * ((end.month - 1) // 3) + 1, 1), end
    return data_start, data_end


def comparison_period(start: date, end: date, comparison: str) -> tuple[date, date] | None:
    if comparison == "last_year":
        return _shift_years(start, -1), _shift_years(end, -1)
    if comparison == "previous_period":
        length = (end - start).days + 1
        return start - timedelta(days=length), start - timedelta(days=1)
    return None


@dataclass(frozen=True)
class Filters:
    start: date
    end: date
    comparison: str = "previous_period"
    segments: tuple[str, ...] = field(default=())
    regions: tuple[str, ...] = field(default=())
    channels: tuple[str, ...] = field(default=())
    stores: tuple[str, ...] = field(default=())

    def params(self) -> dict:
        return {
            "start": self.start,
            "end": self.end,
            "segments": list(self.segments),
            "regions": list(self.regions),
            "channels": list(self.channels),
            "stores": list(self.stores),
        }

    def compared(self) -> Filters | None:
        """The same filters over the comparison period, or None without comparison."""
        period = comparison_period(self.start, self.end, self.comparison)
        if period is None:
            return None
        return replace(self, start=period[0], end=period[1])

    @property
    def key(self) -> tuple:
        """Hashable, for caches."""
        return (self.start, self.end, self.comparison, self.segments, self.regions, self.channels, self.stores)
