"""Reading indicators: values rolled up from communes to provinces to the country, against targets."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Avg, Max, Q, Sum

from ketnoi.core.roles import DATA_ENTER
from ketnoi.core.scoping import restrict

from .models import DataElement, DataValue, Indicator, Target
from .periods import parse_period

_AGGREGATES = {"sum": Sum, "average": Avg, "max": Max}


def _area_filter(unit) -> Q:
    """A province covers itself and its communes; a commune itself; None the whole country."""
    if unit is None:
        return Q()
    if unit.level == "province":
        return Q(unit__province_id=unit.pk)
    return Q(unit_id=unit.pk)


def _covering(values: list[tuple]) -> list[tuple]:
    """One unit's values (period_start, period_end, value) that do not overlap, longer periods
    first: a quarter's value stands for its months, so a unit that has both (an officer's quarterly
    report beside monthly ones, or values computed from the logs per month and per quarter) is not
    counted twice; months of a quarter without its own value still count."""
    chosen: list[tuple] = []
    for start, end, value in sorted(values, key=lambda v: (v[0] - v[1], v[0])):  # longest first
        if all(end < s or start > e for s, e, _v in chosen):
            chosen.append((start, end, value))
    return chosen


def element_total(element: DataElement, *, period: str, unit=None, disaggregation: str = "") -> Decimal | None:
    spec = parse_period(period)
    values = DataValue.objects.filter(
        _area_filter(unit),
        element=element,
        period_start__gte=spec.start,
        period_end__lte=spec.end,
        disaggregation=disaggregation,
    )
    by_unit: dict[int, list[tuple]] = {}
    for unit_id, start, end, value in values.values_list("unit_id", "period_start", "period_end", "value"):
        by_unit.setdefault(unit_id, []).append((start, end, value))
    if not by_unit:
        return None
    if element.time_aggregation == "last":
        # A stock (e.g. villages): each unit's latest value in the period, then combined across units.
        numbers = [max(_covering(unit_values), key=lambda v: v[1])[2] for unit_values in by_unit.values()]
    else:
        # A flow: each unit's values over the period added up, then combined across units.
        numbers = [sum(v[2] for v in _covering(unit_values)) for unit_values in by_unit.values()]
        if element.aggregation != "sum":
            numbers = [v for unit_values in by_unit.values() for _s, _e, v in _covering(unit_values)]
    if element.aggregation == "average":
        return Decimal(sum(numbers)) / len(numbers)
    return Decimal(max(numbers) if element.aggregation == "max" else sum(numbers))


@dataclass
class IndicatorResult:
    indicator: Indicator
    period: str
    numerator: Decimal | None
    denominator: Decimal | None
    value: Decimal | None
    target: Decimal | None
    baseline: Decimal | None

    @property
    def achievement(self) -> Decimal | None:
        """Share of the target reached (1 = met); for lower-is-better indicators, target / value."""
        if self.value is None or not self.target:
            return None
        if self.indicator.higher_is_better:
            return self.value / self.target
        return self.target / self.value if self.value else None

    @property
    def met(self) -> bool | None:
        ratio = self.achievement
        return None if ratio is None else ratio >= 1


def indicator_result(indicator: Indicator, *, period: str, unit=None, disaggregation: str = "") -> IndicatorResult:
    numerator = element_total(indicator.numerator, period=period, unit=unit, disaggregation=disaggregation)
    denominator = (
        element_total(indicator.denominator, period=period, unit=unit, disaggregation=disaggregation)
        if indicator.denominator_id
        else None
    )
    if numerator is None:
        value = None
    elif indicator.denominator_id:
        value = (numerator / denominator * indicator.factor).quantize(Decimal("0.01")) if denominator else None
    else:
        value = numerator * indicator.factor
    target = Target.objects.filter(
        indicator=indicator,
        unit_key=unit.code if unit else "VN",
        period=parse_period(period).code,
        disaggregation=disaggregation,
    ).first()
    return IndicatorResult(
        indicator,
        parse_period(period).code,
        numerator,
        denominator,
        value,
        target.target_value if target else None,
        target.baseline_value if target else None,
    )


def values_for_user(*, user, period: str | None = None, unit=None):
    values = restrict(DataValue.objects.select_related("element", "unit", "provenance"), user, DATA_ENTER)
    if period:
        values = values.filter(period=parse_period(period).code)
    if unit is not None:
        values = values.filter(unit=unit)
    return values.order_by("element__code", "disaggregation")


def indicator_list():
    return Indicator.objects.select_related("numerator", "denominator").order_by("code")
