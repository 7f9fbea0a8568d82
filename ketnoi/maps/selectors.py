"""Reads for the maps: the units a user may see, their boundaries, and the values to colour them by."""

from __future__ import annotations

import json
from decimal import Decimal

from django.db.models import Avg, Max, Sum
from django.urls import reverse

from ketnoi.core.roles import PROGRAMMES_VIEW
from ketnoi.core.scoping import restrict
from ketnoi.geo.models import AdminUnit
from ketnoi.indicators.models import DataElement, DataValue
from ketnoi.indicators.periods import parse_period
from ketnoi.indicators.selectors import element_total

from .models import Boundary
from .render import MapItem

_AGGREGATES = {"sum": Sum, "average": Avg, "max": Max}
# Above this many communes the coarse geometry is drawn (a national map of communes).
DETAIL_LIMIT = 400


def units_for_user(user, *, level: str, within: AdminUnit | None = None):
    """Current units of ``level`` in the user's area (the indicators' reading capability)."""
    units = restrict(AdminUnit.objects.filter(structure="current", level=level), user, PROGRAMMES_VIEW)
    if within is not None:
        units = units.filter(province_id=within.pk)
    return units.order_by("sort_key")


def provinces_for_user(user):
    return units_for_user(user, level="province")


def map_values(element: DataElement, *, period: str, units: list[AdminUnit]) -> dict[int, Decimal]:
    """The value of ``element`` in ``period`` for each unit (unit id → value; no entry: no data).

    The one source of the map's numbers: point it at a precomputed aggregate when there is one.
    A province's value is the indicators app's own roll-up (``element_total``); a commune's is the same
    rule (aggregation across the period's values, or the latest value for a stock) computed for all
    communes in one grouped query instead of one query each.
    """
    spec = parse_period(period)
    provinces = [u for u in units if u.level == "province"]
    communes = [u for u in units if u.level != "province"]
    result: dict[int, Decimal] = {}
    for province in provinces:
        value = element_total(element, period=period, unit=province)
        if value is not None:
            result[province.pk] = value
    if not communes:
        return result
    values = DataValue.objects.filter(
        element=element,
        period_start__gte=spec.start,
        period_end__lte=spec.end,
        disaggregation="",
        unit_id__in=[u.pk for u in communes],
    )
    if element.time_aggregation == "last":
        latest: dict[int, tuple] = {}
        for unit_id, end, value in values.values_list("unit_id", "period_end", "value"):
            if unit_id not in latest or end > latest[unit_id][0]:
                latest[unit_id] = (end, value)
        result.update({unit_id: Decimal(value) for unit_id, (_end, value) in latest.items()})
        return result
    rows = values.values("unit_id").annotate(total=_AGGREGATES[element.aggregation]("value"))
    result.update({row["unit_id"]: Decimal(row["total"]) for row in rows if row["total"] is not None})
    return result


def map_items(units: list[AdminUnit], values: dict[int, Decimal], *, detail: bool | None = None) -> list[MapItem]:
    """One item per unit with its value, page link and (when imported) boundary."""
    if detail is None:
        detail = len(units) <= DETAIL_LIMIT
    column = "detail" if detail else "coarse"
    geometries = dict(Boundary.objects.filter(unit_id__in=[u.pk for u in units]).values_list("unit_id", column))
    return [
        MapItem(
            code=unit.code,
            name=unit.name,
            value=values.get(unit.pk),
            href=reverse("unit-detail", args=["current", unit.level, unit.code]),
            geometry=json.loads(geometries[unit.pk]) if unit.pk in geometries else None,
            latitude=unit.latitude,
            longitude=unit.longitude,
        )
        for unit in units
    ]


def boundary_counts() -> dict[str, int]:
    counts = {"province": 0, "commune": 0}
    for level in Boundary.objects.values_list("unit__level", flat=True):
        counts[level] = counts.get(level, 0) + 1
    return counts
