"""The aggregation engine (issue 9.2): raw values → commune, province and country aggregates for
months, quarters and years, by each data element's rules; legacy values carried into the current
communes through the crosswalk. docs/analytics.md describes the rules.

* A period P gathers every raw value whose own period lies inside P (as indicators.selectors does):
  a monthly value counts in its month, quarter and year; a quarterly one in its quarter and year.
* Over time: a flow (time_aggregation "sum") uses every value in P; a stock ("last") uses each
  unit's latest values in P only.
* Across units: every contribution has a value v and a weight w (1 for a current value; the share
  of the split for a legacy one). sum → Σ v·w; average → Σ v·w / Σ w (so with current data only,
  the mean of all raw values, as the indicators app's Avg); max → the largest v.
* Communes and provinces are computed from the raw values (a province also takes values entered
  for the province itself); the country is composed from the stored province rows (totals and
  weights add up), so the incremental refresh recomputes one province and the country only.
* Each disaggregation key is its own series; "" is the total as entered (never the sum of keys).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from ketnoi.geo.models import AdminUnit, UnitSuccession
from ketnoi.indicators.models import DataElement, DataValue
from ketnoi.indicators.periods import MONTHLY, QUARTERLY, YEARLY, InvalidPeriod, PeriodSpec, parse_period, period_for

from . import partitions
from .models import Aggregate, DirtyMark, LegacyValue, SuccessionShare

PERIOD_KINDS = (("month", MONTHLY), ("quarter", QUARTERLY), ("year", YEARLY))
COUNTRY_KEY = "VN"
REFORM_DATE = dt.date(2025, 7, 1)  # the current structure applies from this day
SPLIT_RULES = ("population", "area", "equal", "main")
PLACES = Decimal("0.00000001")
ONE = Decimal(1)
FIELDS = ("value", "total", "weight", "n_values", "n_units", "n_legacy", "split_rules")


def containing_periods(code: str) -> list[tuple[str, PeriodSpec]]:
    """The month, quarter and year a raw period counts in (a quarter has no month; a year only itself)."""
    spec = parse_period(code)
    result = []
    for period_type, kind in PERIOD_KINDS:
        coarser = period_for(spec.start, kind)
        if coarser.start <= spec.start and spec.end <= coarser.end:
            result.append((period_type, coarser))
    return result


# --- the crosswalk ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Part:
    current_id: int
    province_id: int
    share: Decimal
    rule: str  # "whole" (not divided), or the split rule used


def split_rules() -> list[str]:
    rules = [rule for rule in getattr(settings, "ANALYTICS_SPLIT_RULES", ()) if rule in SPLIT_RULES]
    return rules or ["equal"]


def crosswalk(rules: list[str] | None = None) -> dict[int, list[Part]]:
    """legacy commune id → the current communes it went to, with the share of each and the rule."""
    rules = rules or split_rules()
    links = defaultdict(list)
    for legacy_id, current_id, province_id, is_default, area in (
        UnitSuccession.objects.filter(current__structure="current")
        .values_list("legacy_id", "current_id", "current__province_id", "is_default", "current__area_km2")
        .order_by("legacy_id", "current_id")
    ):
        links[legacy_id].append((current_id, province_id, is_default, area))
    parts = {
        (legacy, current): (population, area)
        for legacy, current, population, area in (
            SuccessionShare.objects.values_list("legacy_id", "current_id", "population", "area_km2")
        )
    }
    result = {}
    for legacy_id, successors in links.items():
        if len(successors) == 1:
            current_id, province_id, _default, _area = successors[0]
            result[legacy_id] = [Part(current_id, province_id, ONE, "whole")]
        else:
            result[legacy_id] = _split(legacy_id, successors, parts, rules)
    return result


def _measures(legacy_id, successors, parts, rule) -> list | None:
    if rule == "population":
        measures = [parts.get((legacy_id, current_id), (None, None))[0] for current_id, *_rest in successors]
        return measures if all(m is not None for m in measures) else None
    # area: the parts' own areas where all are recorded, else the successor communes' areas
    measures = [parts.get((legacy_id, current_id), (None, None))[1] for current_id, *_rest in successors]
    if all(m is not None for m in measures):
        return measures
    measures = [area for *_rest, area in successors]
    return measures if all(m is not None for m in measures) else None


def _split(legacy_id, successors, parts, rules) -> list[Part]:
    for rule in [*rules, "equal"]:
        if rule == "equal":
            share = ONE / len(successors)
            return [Part(current_id, province_id, share, "equal") for current_id, province_id, *_ in successors]
        if rule == "main":
            mains = [s for s in successors if s[2]]
            if len(mains) == 1:
                return [Part(mains[0][0], mains[0][1], ONE, "main")]
            continue
        measures = _measures(legacy_id, successors, parts, rule)
        if not measures or sum(measures) <= 0:
            continue
        whole = Decimal(str(sum(measures)))
        return [
            Part(current_id, province_id, Decimal(str(measure)) / whole, rule)
            for (current_id, province_id, *_), measure in zip(successors, measures, strict=True)
        ]
    raise AssertionError("unreachable: 'equal' always applies")


# --- accumulating -----------------------------------------------------------------------------


@dataclass
class Contribution:
    source: tuple  # ("v", unit id) for a current value, ("l", legacy unit id) for a legacy one
    target_id: int
    level: str
    province_id: int
    disaggregation: str
    end: dt.date
    value: Decimal
    share: Decimal
    rule: str  # "" for a current value


@dataclass
class Acc:
    total: Decimal = Decimal(0)
    weight: Decimal = Decimal(0)
    maximum: Decimal | None = None
    n_values: int = 0
    n_units: int = 0
    n_legacy: int = 0
    rules: set = field(default_factory=set)
    sources: set = field(default_factory=set)

    def add(self, c: Contribution) -> None:
        self.total += c.value * c.share
        self.weight += c.share
        self.maximum = c.value if self.maximum is None or c.value > self.maximum else self.maximum
        self.n_values += 1
        self.sources.add(c.source)
        if c.rule:
            self.n_legacy += 1
            self.rules.add(c.rule)

    def add_row(self, row: Aggregate) -> None:
        self.total += row.total
        self.weight += row.weight
        self.maximum = row.value if self.maximum is None or row.value > self.maximum else self.maximum
        self.n_values += row.n_values
        self.n_units += row.n_units
        self.n_legacy += row.n_legacy
        self.rules.update(rule for rule in row.split_rules.split(",") if rule)

    def value(self, aggregation: str) -> Decimal:
        if aggregation == "sum":
            return self.total
        if aggregation == "average":
            return self.total / self.weight if self.weight else Decimal(0)
        return self.maximum


def _contributions(element, spec: PeriodSpec, province_id: int | None, xwalk) -> list[Contribution]:
    result = []
    values = DataValue.objects.filter(element=element, period_start__gte=spec.start, period_end__lte=spec.end)
    if province_id is not None:
        values = values.filter(unit__province_id=province_id)
    for unit_id, level, unit_province, key, end, value in values.values_list(
        "unit_id", "unit__level", "unit__province_id", "disaggregation", "period_end", "value"
    ):
        result.append(Contribution(("v", unit_id), unit_id, level, unit_province or unit_id, key, end, value, ONE, ""))
    if spec.start >= REFORM_DATE:
        return result
    legacy = LegacyValue.objects.filter(element=element, period_start__gte=spec.start, period_end__lte=spec.end)
    for legacy_id, key, end, value in legacy.values_list("unit_id", "disaggregation", "period_end", "value"):
        for part in xwalk().get(legacy_id, ()):
            if province_id is None or part.province_id == province_id:
                result.append(
                    Contribution(
                        ("l", legacy_id),
                        part.current_id,
                        "commune",
                        part.province_id,
                        key,
                        end,
                        value,
                        part.share,
                        part.rule,
                    )
                )
    return result


def _latest_only(contributions: list[Contribution]) -> list[Contribution]:
    """A stock: for each unit (and key), only the contributions of its latest date in the period."""
    latest: dict[tuple, dt.date] = {}
    for c in contributions:
        key = (c.target_id, c.disaggregation)
        if key not in latest or c.end > latest[key]:
            latest[key] = c.end
    return [c for c in contributions if c.end == latest[(c.target_id, c.disaggregation)]]


def _row(element, period_type, spec, level, unit_id, key, acc: Acc, now, province_id=None) -> Aggregate:
    return Aggregate(
        element=element,
        period=spec.code,
        period_type=period_type,
        period_start=spec.start,
        period_end=spec.end,
        year=spec.start.year,
        level=level,
        unit_id=unit_id,
        province_id=province_id,
        unit_key=str(unit_id) if unit_id is not None else COUNTRY_KEY,
        disaggregation=key,
        value=Decimal(acc.value(element.aggregation)).quantize(PLACES),
        total=acc.total.quantize(PLACES),
        weight=acc.weight.quantize(PLACES),
        n_values=acc.n_values,
        n_units=acc.n_units or len(acc.sources),
        n_legacy=acc.n_legacy,
        split_rules=",".join(sorted(acc.rules)),
        computed_at=now,
    )


def _compute_units(element, period_type, spec, province_id, xwalk, now) -> list[Aggregate]:
    """Commune and province rows of one period, for one province or (None) all of them."""
    contributions = _contributions(element, spec, province_id, xwalk)
    if element.time_aggregation == "last":
        contributions = _latest_only(contributions)
    communes: dict[tuple, Acc] = defaultdict(Acc)
    provinces: dict[tuple, Acc] = defaultdict(Acc)
    for c in contributions:
        if c.level == "commune":
            communes[(c.target_id, c.province_id, c.disaggregation)].add(c)
        provinces[(c.province_id, c.disaggregation)].add(c)
    rows = [
        _row(element, period_type, spec, "commune", u, k, acc, now, province_id=p)
        for (u, p, k), acc in communes.items()
    ]
    rows += [
        _row(element, period_type, spec, "province", u, k, acc, now, province_id=u) for (u, k), acc in provinces.items()
    ]
    return rows


def _compose_country(element, period_type, spec, province_rows, now) -> list[Aggregate]:
    country: dict[str, Acc] = defaultdict(Acc)
    for row in province_rows:
        country[row.disaggregation].add_row(row)
    return [_row(element, period_type, spec, "country", None, k, acc, now) for k, acc in country.items()]


def _same(old: Aggregate, new: Aggregate) -> bool:
    for name in FIELDS:
        a, b = getattr(old, name), getattr(new, name)
        if isinstance(a, Decimal):
            if abs(Decimal(a) - Decimal(b)) > Decimal("0.000001") * max(ONE, abs(Decimal(b))):
                return False
        elif a != b:
            return False
    return True


def _apply(existing, new_rows: list[Aggregate], counts: dict) -> None:
    """Write only what differs: new rows, changed rows, rows that no longer have values."""
    old = {(r.level, r.unit_key, r.disaggregation): r for r in existing}
    create, update = [], []
    for row in new_rows:
        before = old.pop((row.level, row.unit_key, row.disaggregation), None)
        if before is None:
            create.append(row)
        elif not _same(before, row):
            for name in (*FIELDS, "computed_at"):
                setattr(before, name, getattr(row, name))
            update.append(before)
    if old:
        Aggregate.objects.filter(pk__in=[r.pk for r in old.values()]).delete()
    Aggregate.objects.bulk_create(create, batch_size=1000)
    Aggregate.objects.bulk_update(update, [*FIELDS, "computed_at"], batch_size=500)
    counts["created"] += len(create)
    counts["updated"] += len(update)
    counts["deleted"] += len(old)


def _refresh_period(element, period_type, spec, province_ids, xwalk, now, counts) -> None:
    """Recompute one period of one element: the given provinces (None: all) and the country."""
    base = Aggregate.objects.filter(element=element, period=spec.code, year=spec.start.year)
    if province_ids is None:
        rows = _compute_units(element, period_type, spec, None, xwalk, now)
        province_rows = [r for r in rows if r.level == "province"]
        rows += _compose_country(element, period_type, spec, province_rows, now)
        _apply(base, rows, counts)
        return
    for province_id in sorted(province_ids):
        rows = _compute_units(element, period_type, spec, province_id, xwalk, now)
        scope = base.filter(province_id=province_id)
        _apply(scope, rows, counts)
    province_rows = list(base.filter(level="province"))
    _apply(base.filter(level="country"), _compose_country(element, period_type, spec, province_rows, now), counts)


def _lock(element) -> None:
    """One refresh of an element at a time (PostgreSQL; SQLite serialises writers anyway). NO KEY
    UPDATE does not wait for nor block the data entry that references the element."""
    list(DataElement.objects.select_for_update(no_key=True).filter(pk=element.pk).values_list("pk", flat=True))


class _LazyCrosswalk:
    def __init__(self):
        self._map = None

    def __call__(self):
        if self._map is None:
            self._map = crosswalk()
        return self._map


def _new_counts() -> dict:
    return {"created": 0, "updated": 0, "deleted": 0, "periods": 0, "marks": 0}


# --- the two entry points ---------------------------------------------------------------------


def rebuild(element: DataElement | None = None) -> dict:
    """Recompute every aggregate (of one element or of all) from the raw values; idempotent."""
    counts = _new_counts()
    last_mark = DirtyMark.objects.order_by("-pk").values_list("pk", flat=True).first()
    xwalk = _LazyCrosswalk()
    elements = [element] if element is not None else list(DataElement.objects.order_by("pk"))
    for item in elements:
        now = timezone.now()
        codes = set(DataValue.objects.filter(element=item).values_list("period", flat=True).distinct())
        codes |= set(LegacyValue.objects.filter(element=item).values_list("period", flat=True).distinct())
        specs = set()
        for code in codes:
            try:
                specs.update(containing_periods(code))
            except InvalidPeriod:
                continue
        partitions.ensure_years({spec.start.year for _t, spec in specs})
        with transaction.atomic():
            _lock(item)
            for period_type, spec in sorted(specs, key=lambda s: (s[1].start, s[1].end)):
                _refresh_period(item, period_type, spec, None, xwalk, now, counts)
                counts["periods"] += 1
            stale = Aggregate.objects.filter(element=item).exclude(period__in=[spec.code for _t, spec in specs])
            counts["deleted"] += stale.delete()[0]
    if last_mark is not None:
        marks = DirtyMark.objects.filter(pk__lte=last_mark)
        if element is not None:
            marks = marks.filter(element_ref=element.pk)
        counts["marks"] = marks.delete()[0]
    return counts


def refresh_dirty(limit: int = 10000) -> dict:
    """Fold the changes marked since the last run into the aggregates: for each changed (element,
    unit, period), its commune, its province and the country, in each month/quarter/year the period
    counts in. Idempotent; marks written meanwhile stay for the next run."""
    counts = _new_counts()
    marks = list(DirtyMark.objects.order_by("pk").values_list("pk", "element_ref", "unit_ref", "period")[:limit])
    if not marks:
        return counts
    provinces = dict(AdminUnit.objects.filter(pk__in={m[2] for m in marks}).values_list("pk", "province_id"))
    work: dict[tuple, set | None] = {}
    for _pk, element_id, unit_id, period in marks:
        try:
            periods = containing_periods(period)
        except InvalidPeriod:
            continue
        province_id = provinces.get(unit_id)
        for period_type, spec in periods:
            key = (element_id, period_type, spec)
            if province_id is None:  # the unit is gone: recompute the period everywhere
                work[key] = None
            elif work.get(key, set()) is not None:
                work.setdefault(key, set()).add(province_id)
    elements = DataElement.objects.in_bulk({key[0] for key in work})
    partitions.ensure_years({key[2].start.year for key in work})
    xwalk = _LazyCrosswalk()
    now = timezone.now()
    with transaction.atomic():
        locked = set()
        for (element_id, period_type, spec), province_ids in sorted(
            work.items(), key=lambda item: (item[0][0], item[0][2].start, item[0][2].end)
        ):
            element = elements.get(element_id)
            if element is None:  # deleted: its aggregates went with it
                continue
            if element_id not in locked:
                _lock(element)
                locked.add(element_id)
            _refresh_period(element, period_type, spec, province_ids, xwalk, now, counts)
            counts["periods"] += 1
        counts["marks"] = DirtyMark.objects.filter(pk__in=[m[0] for m in marks]).delete()[0]
    return counts


def mark(element_id: int, unit_id: int, period: str) -> None:
    DirtyMark.objects.create(element_ref=element_id, unit_ref=unit_id, period=period)
