"""Reading the aggregates for dashboards: a unit's series and a table of units for one period,
scoped to what the user may see (country rows only for national scopes)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from ketnoi.core.roles import PROGRAMMES_VIEW
from ketnoi.core.scoping import restrict
from ketnoi.indicators.periods import parse_period

from .engine import COUNTRY_KEY
from .models import Aggregate

_FIELDS = ("period", "period_start", "unit_id", "value", "n_values", "n_units", "n_legacy", "split_rules")


def _scoped(user):
    return restrict(Aggregate.objects.all(), user, PROGRAMMES_VIEW)


def _period_type(value: str) -> str:
    if value not in Aggregate.PeriodType.values:
        raise ValidationError({"period_type": _("Use month, quarter or year.")})
    return value


def aggregate_series(*, user, element, unit=None, period_type: str, start: str, end: str, disaggregation: str = ""):
    """The values of ``element`` for ``unit`` (None: the country) for every period of ``period_type``
    from ``start`` to ``end`` (period codes), oldest first: a list of dicts."""
    first, last = parse_period(start), parse_period(end)
    rows = _scoped(user).filter(
        element=element,
        unit_key=str(unit.pk) if unit is not None else COUNTRY_KEY,
        period_type=_period_type(period_type),
        disaggregation=disaggregation,
        period_start__gte=first.start,
        period_start__lte=last.end,
        year__gte=first.start.year,  # lets PostgreSQL skip the other years' partitions
        year__lte=last.end.year,
    )
    return list(rows.order_by("period_start").values(*_FIELDS))


def aggregate_table(*, user, element, period: str, level: str, within_unit=None, disaggregation: str = ""):
    """The values of ``element`` in ``period`` for every unit of ``level`` (commune or province)
    inside ``within_unit`` (a province; None: the whole country): a list of dicts with the unit's
    name, largest value first."""
    if level not in ("commune", "province"):
        raise ValidationError({"level": _("Use commune or province.")})
    spec = parse_period(period)
    rows = _scoped(user).filter(
        element=element, period=spec.code, year=spec.start.year, level=level, disaggregation=disaggregation
    )
    if within_unit is not None:
        rows = rows.filter(province_id=within_unit.province_id or within_unit.pk)
    return list(rows.order_by("-value", "unit__sort_key").values(*_FIELDS, "unit__code", "unit__name"))
