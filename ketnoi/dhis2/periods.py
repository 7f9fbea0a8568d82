"""Kết Nối period codes ↔ DHIS2 period ids and ADX (ISO 8601) intervals.

Kết Nối   DHIS2     ADX
2025M07   202507    2025-07-01/P1M
2025Q3    2025Q3    2025-07-01/P3M
2025S1    2025S1    2025-01-01/P6M
2025      2025      2025-01-01/P1Y
"""

import datetime as dt
import re

from django.utils.translation import gettext as _

from ketnoi.indicators.periods import MONTHLY, QUARTERLY, SIX_MONTHLY, YEARLY, InvalidPeriod, parse_period

_DHIS2 = re.compile(r"^(\d{4})(?:(\d{2})|Q([1-4])|S([12]))?$")
_ADX = re.compile(r"^(\d{4})-(\d{2})-(\d{2})/P(\d{1,2})([MY])$")
_MONTHS = {MONTHLY: 1, QUARTERLY: 3, SIX_MONTHLY: 6, YEARLY: 12}


def to_dhis2(code: str) -> str:
    spec = parse_period(code)
    if spec.kind == MONTHLY:
        return f"{spec.start.year}{spec.start.month:02d}"
    return spec.code


def from_dhis2(text: str) -> str:
    """A DHIS2 period id (202507, 2025Q3, 2025S1, 2025) as a Kết Nối period code."""
    match = _DHIS2.match((text or "").strip())
    if not match:
        raise InvalidPeriod(
            _("%(period)s is not a DHIS2 period (use 202507, 2025Q3, 2025S1 or 2025).") % {"period": repr(text)[:30]}
        )
    year, month, quarter, half = match.groups()
    if month:
        return parse_period(f"{year}M{month}").code
    if quarter:
        return f"{year}Q{quarter}"
    if half:
        return f"{year}S{half}"
    return parse_period(year).code


def to_adx(code: str) -> str:
    spec = parse_period(code)
    duration = "P1Y" if spec.kind == YEARLY else f"P{_MONTHS[spec.kind]}M"
    return f"{spec.start.isoformat()}/{duration}"


def from_adx(text: str) -> str:
    """An ADX period (start/duration, 2025-07-01/P1M) as a Kết Nối period code: a month, a quarter,
    a half-year or a year that starts where the calendar period does."""
    message = _(
        "%(period)s is not an ADX period Kết Nối keeps (a month, quarter, half-year or year: "
        "2025-07-01/P1M, 2025-07-01/P3M, 2025-01-01/P6M, 2025-01-01/P1Y)."
    ) % {"period": repr(text)[:40]}
    match = _ADX.match((text or "").strip())
    if not match:
        raise InvalidPeriod(message)
    year, month, day, count, unit = match.groups()
    try:
        start = dt.date(int(year), int(month), int(day))
    except ValueError:
        raise InvalidPeriod(message) from None
    months = int(count) * (12 if unit == "Y" else 1)
    kind = {months_: kind_ for kind_, months_ in _MONTHS.items()}.get(months)
    if kind is None or start.day != 1 or (start.month - 1) % months:
        raise InvalidPeriod(message)
    if kind == MONTHLY:
        return f"{start.year}M{start.month:02d}"
    if kind == QUARTERLY:
        return f"{start.year}Q{(start.month - 1) // 3 + 1}"
    if kind == SIX_MONTHLY:
        return f"{start.year}S{1 if start.month == 1 else 2}"
    return str(start.year)
