"""Period codes as DHIS2 writes them: 2025M07 (month), 2025Q3 (quarter), 2025S1 (half-year), 2025 (year)."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

MONTHLY, QUARTERLY, SIX_MONTHLY, YEARLY = "monthly", "quarterly", "six_monthly", "yearly"
_PATTERN = re.compile(r"^(\d{4})(?:M(\d{2})|Q([1-4])|S([12]))?$")


@dataclass(frozen=True, order=True)
class PeriodSpec:
    start: dt.date
    end: dt.date
    code: str
    kind: str

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.end


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def parse_period(code: str) -> PeriodSpec:
    match = _PATTERN.match((code or "").strip().upper())
    if not match:
        raise ValueError(f"not a period code: {code!r} (use 2025M07, 2025Q3, 2025S1 or 2025)")
    year = int(match.group(1))
    if match.group(2):
        month = int(match.group(2))
        if not 1 <= month <= 12:
            raise ValueError(f"not a month: {code!r}")
        return PeriodSpec(dt.date(year, month, 1), _month_end(year, month), f"{year}M{month:02d}", MONTHLY)
    if match.group(3):
        quarter = int(match.group(3))
        first = 3 * (quarter - 1) + 1
        return PeriodSpec(dt.date(year, first, 1), _month_end(year, first + 2), f"{year}Q{quarter}", QUARTERLY)
    if match.group(4):
        half = int(match.group(4))
        first = 1 if half == 1 else 7
        return PeriodSpec(dt.date(year, first, 1), _month_end(year, first + 5), f"{year}S{half}", SIX_MONTHLY)
    return PeriodSpec(dt.date(year, 1, 1), dt.date(year, 12, 31), str(year), YEARLY)


def period_for(day: dt.date, kind: str) -> PeriodSpec:
    if kind == MONTHLY:
        return parse_period(f"{day.year}M{day.month:02d}")
    if kind == QUARTERLY:
        return parse_period(f"{day.year}Q{(day.month - 1) // 3 + 1}")
    if kind == SIX_MONTHLY:
        return parse_period(f"{day.year}S{1 if day.month <= 6 else 2}")
    return parse_period(str(day.year))


def periods_between(start: dt.date, end: dt.date, kind: str) -> list[PeriodSpec]:
    """Every period of ``kind`` that overlaps [start, end], in order."""
    result, day = [], start
    while day <= end:
        spec = period_for(day, kind)
        result.append(spec)
        day = spec.end + dt.timedelta(days=1)
    return result


def parent_periods(code: str) -> list[str]:
    """The coarser periods a period rolls up into: 2025M08 → 2025Q3, 2025S2, 2025."""
    spec = parse_period(code)
    codes = []
    for kind in (QUARTERLY, SIX_MONTHLY, YEARLY):
        coarser = period_for(spec.start, kind)
        if coarser.code != spec.code and coarser.end >= spec.end:
            codes.append(coarser.code)
    return codes
