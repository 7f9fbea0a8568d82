"""Period codes as DHIS2 writes them: 2025M07 (month), 2025Q3 (quarter), 2025S1 (half-year), 2025 (year)."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

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


class InvalidPeriod(ValidationError, ValueError):
    """A period code that is not one: a ValidationError of the field ``period`` (a 422 in the API, a
    form error on a page), and still a ValueError for callers that catch that."""

    def __init__(self, message: str):
        super().__init__({"period": [message]})
        self.message = message

    def __str__(self) -> str:
        return self.message


def parse_period(code: str) -> PeriodSpec:
    text = (code or "").strip().upper()
    match = _PATTERN.match(text) if len(text) <= 8 else None
    if not match:
        raise InvalidPeriod(
            _("%(code)s is not a period code (use 2025M07, 2025Q3, 2025S1 or 2025).")
            % {"code": repr((code or "")[:20])}
        )
    year = int(match.group(1))
    if year < 1:
        raise InvalidPeriod(
            _("%(code)s is not a period code (use 2025M07, 2025Q3, 2025S1 or 2025).") % {"code": repr(code)}
        )
    if match.group(2):
        month = int(match.group(2))
        if not 1 <= month <= 12:
            raise InvalidPeriod(_("%(code)s is not a month.") % {"code": repr(code)})
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


def period_label(code: str, language: str | None = None) -> str:
    """A period as people write it: "Quý 3/2025", "6 tháng đầu năm 2025", "Tháng 07/2025", "Năm 2025"
    (Buddhist Era years in Thai, as every date shown in Thai)."""
    from django.utils.translation import get_language

    spec = parse_period(code)
    year = spec.start.year + (543 if (language or get_language() or "vi").startswith("th") else 0)
    if spec.kind == MONTHLY:
        return _("Month %(month)02d/%(year)s") % {"month": spec.start.month, "year": year}
    if spec.kind == QUARTERLY:
        return _("Quarter %(quarter)s/%(year)s") % {"quarter": (spec.start.month - 1) // 3 + 1, "year": year}
    if spec.kind == SIX_MONTHLY:
        if spec.start.month == 1:
            return _("First half of %(year)s") % {"year": year}
        return _("Second half of %(year)s") % {"year": year}
    return _("Year %(year)s") % {"year": year}
