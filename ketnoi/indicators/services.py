"""Writes of indicator data: values with validation rules and locking, targets."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ketnoi.core.numbers import parse_number
from ketnoi.core.roles import DATA_ENTER, PROGRAMMES_MANAGE
from ketnoi.core.scoping import require

from .models import DataElement, DataValue, Indicator, Target, ValueProvenance
from .periods import parse_period


def disaggregation_key(*, ethnic_group=None, sex: str = "", language=None, priority: str = "") -> str:
    parts = []
    if ethnic_group is not None:
        parts.append(f"eg={ethnic_group.code_1979}")
    if sex:
        parts.append(f"sex={sex}")
    if language is not None:
        parts.append(f"lang={language.iso639_3}")
    if priority:
        parts.append(f"prio={priority}")
    return ";".join(parts)


def _decimal(value, field: str) -> Decimal:
    try:
        return parse_number(value)  # 1.250 and 1.250,5 the Vietnamese way, 1250.5 the plain way
    except ValueError:
        raise ValidationError({field: _("%(value)r is not a number.") % {"value": value}}) from None


def _check_element_rules(element: DataElement, value: Decimal, field: str) -> None:
    if element.value_type == DataElement.ValueType.INTEGER and value != value.to_integral_value():
        raise ValidationError({field: _("%(name)s takes whole numbers.") % {"name": element.name_vi}})
    if element.value_type == DataElement.ValueType.PERCENTAGE and not (0 <= value <= 100):
        raise ValidationError({field: _("A percentage is between 0 and 100.")})
    if element.value_type == DataElement.ValueType.YES_NO and value not in (0, 1):
        raise ValidationError({field: _("Yes/no takes 1 or 0.")})
    if element.min_value is not None and value < element.min_value:
        raise ValidationError({field: _("At least %(min)s.") % {"min": element.min_value}})
    if element.max_value is not None and value > element.max_value:
        raise ValidationError({field: _("At most %(max)s.") % {"max": element.max_value}})


def _check_numerators(values: list[DataValue]) -> None:
    """numerator ≤ denominator for indicators that require it, on the values as saved together."""
    for saved in values:
        for indicator in Indicator.objects.filter(numerator_le_denominator=True, denominator__isnull=False).filter(
            numerator=saved.element
        ) | Indicator.objects.filter(numerator_le_denominator=True, denominator=saved.element):
            key = {"period": saved.period, "unit": saved.unit, "disaggregation": saved.disaggregation}
            numerator = DataValue.objects.filter(element=indicator.numerator, **key).first()
            denominator = DataValue.objects.filter(element=indicator.denominator, **key).first()
            if numerator and denominator and numerator.value > denominator.value:
                raise ValidationError(
                    {
                        indicator.numerator.code: _(
                            "%(num)s (%(n)s) cannot exceed %(den)s (%(d)s) for indicator %(ind)s."
                        )
                        % {
                            "num": indicator.numerator.name_vi,
                            "n": numerator.value,
                            "den": indicator.denominator.name_vi,
                            "d": denominator.value,
                            "ind": indicator.code,
                        }
                    }
                )


@transaction.atomic
def data_values_save(
    *,
    user,
    unit,
    period: str,
    values: dict[str, object],
    ethnic_group=None,
    sex: str = "",
    language=None,
    comment: str = "",
) -> list[DataValue]:
    """Save a form of values {element code: value} for one unit and period: all or nothing.

    Empty values delete the stored value. Locked (approved) periods refuse every change.
    """
    require(user, DATA_ENTER, unit)
    if unit.structure != "current":
        raise ValidationError({"unit": _("Data are entered for units of the current structure.")})
    try:
        spec = parse_period(period)
    except ValueError as exc:
        raise ValidationError({"period": str(exc)}) from None
    key = disaggregation_key(ethnic_group=ethnic_group, sex=sex, language=language)
    # Saves for one unit wait for each other (its row locked until commit): a value that does not
    # exist yet is then created once, never by two requests at the same moment (issue 11.3).
    list(type(unit).objects.select_for_update().filter(pk=unit.pk).values_list("pk", flat=True))
    elements = {e.code: e for e in DataElement.objects.filter(code__in=values)}
    errors: dict[str, list[str]] = {}
    saved: list[DataValue] = []
    for code, raw in values.items():
        element = elements.get(code)
        if element is None:
            errors.setdefault(code, []).append(_("Unknown data element %(code)s.") % {"code": code})
            continue
        if element.source == "logs":
            errors.setdefault(code, []).append(
                _("%(name)s is computed from the logs and cannot be entered by hand.") % {"name": element.name_vi}
            )
            continue
        for dimension, given in (("ethnic_group", ethnic_group), ("sex", sex), ("language", language)):
            if given and dimension not in element.disaggregations:
                errors.setdefault(code, []).append(
                    _("%(name)s is not broken down by %(dim)s.") % {"name": element.name_vi, "dim": dimension}
                )
        existing = (
            DataValue.objects.select_for_update()
            .filter(element=element, period=spec.code, unit=unit, disaggregation=key)
            .first()
        )
        if existing is not None and existing.locked:
            errors.setdefault(code, []).append(
                _("The period %(period)s is approved and locked.") % {"period": spec.code}
            )
            continue
        if raw in (None, ""):
            if existing is not None:
                existing.delete()
            continue
        try:
            number = _decimal(raw, code)
            _check_element_rules(element, number, code)
        except ValidationError as exc:
            for message in exc.message_dict.get(code, exc.messages):
                errors.setdefault(code, []).append(message)
            continue
        value = existing or DataValue(
            element=element,
            period=spec.code,
            period_start=spec.start,
            period_end=spec.end,
            unit=unit,
            disaggregation=key,
            ethnic_group=ethnic_group,
            sex=sex,
            language=language,
        )
        value.value = number
        value.comment = comment[:500]
        value.save()
        saved.append(value)
    if errors:
        raise ValidationError(errors)
    _check_numerators(saved)
    return saved


@dataclass(frozen=True)
class ComputedValue:
    """One value of an element computed from the logs, and the rows it counts: their number, first
    and last ids and a digest that changes when they change (``row_summary`` makes these from ids)."""

    unit: object
    value: Decimal
    source: str
    query: dict
    rows: int
    first_id: int | None
    last_id: int | None
    digest: str
    language: object = None
    priority: str = ""


def row_summary(row_ids) -> dict:
    ids = sorted(row_ids)
    return {
        "rows": len(ids),
        "first_id": ids[0] if ids else None,
        "last_id": ids[-1] if ids else None,
        "digest": hashlib.sha256(",".join(map(str, ids)).encode()).hexdigest(),
    }


@transaction.atomic
def computed_values_save(*, element: DataElement, period: str, values: list[ComputedValue]) -> dict[str, int]:
    """Make the stored values of a computed element for one period exactly ``values``: a value is
    created, or rewritten when its number or its rows changed, and left alone otherwise (running
    twice writes nothing the second time); a value no longer computed is deleted. Values locked by
    an approved report are kept as they were approved. Called by the job that computes the element,
    never by a person: officers cannot write these elements (data_values_save refuses them)."""
    if element.source != "logs":
        raise ValidationError(
            {"element": _("%(name)s is entered by officers, not computed.") % {"name": element.name_vi}}
        )
    spec = parse_period(period)
    # Two computations of the same element (the hourly job and the console) wait for each other,
    # so a value that does not exist yet is created once.
    list(DataElement.objects.select_for_update().filter(pk=element.pk).values_list("pk", flat=True))
    now = timezone.now()
    counts = {"created": 0, "updated": 0, "unchanged": 0, "deleted": 0, "locked": 0}
    existing = {
        (v.unit_id, v.disaggregation): v
        # lock the values only: their provenance is an outer join, which FOR UPDATE cannot lock
        for v in DataValue.objects.select_for_update(of=("self",))
        .filter(element=element, period=spec.code)
        .select_related("provenance")
    }
    seen = set()
    for computed in values:
        key = disaggregation_key(language=computed.language, priority=computed.priority)
        seen.add((computed.unit.pk, key))
        provenance = {
            "source": computed.source,
            "rows": computed.rows,
            "first_id": computed.first_id,
            "last_id": computed.last_id,
            "query": computed.query,
            "digest": computed.digest,
        }
        value = existing.get((computed.unit.pk, key))
        if value is not None and value.locked:
            counts["locked"] += 1
            continue
        if value is None:
            value = DataValue.objects.create(
                element=element,
                period=spec.code,
                period_start=spec.start,
                period_end=spec.end,
                unit=computed.unit,
                disaggregation=key,
                language=computed.language,
                priority=computed.priority,
                value=computed.value,
            )
            ValueProvenance.objects.create(value=value, computed_at=now, **provenance)
            counts["created"] += 1
            continue
        stored = getattr(value, "provenance", None)
        same_rows = stored is not None and all(getattr(stored, f) == v for f, v in provenance.items())
        if value.value == computed.value and same_rows:
            counts["unchanged"] += 1
            continue
        if value.value != computed.value:
            value.value = computed.value
            value.save()
        ValueProvenance.objects.update_or_create(value=value, defaults={**provenance, "computed_at": now})
        counts["updated"] += 1
    for key, value in existing.items():
        if key in seen:
            continue
        if value.locked:
            counts["locked"] += 1
            continue
        value.delete()
        counts["deleted"] += 1
    return counts


def values_set_locked(*, unit_ids: list[int], period_start, period_end, locked: bool) -> int:
    """Lock (on approval) or unlock (on withdrawal) every value of these units inside the period."""
    return DataValue.objects.filter(
        unit_id__in=unit_ids, period_start__gte=period_start, period_end__lte=period_end
    ).update(locked=locked)


@transaction.atomic
def target_set(
    *,
    user,
    indicator: Indicator,
    period: str,
    target_value,
    unit=None,
    baseline_value=None,
    baseline_period: str = "",
    ethnic_group=None,
    sex: str = "",
    language=None,
    source: str = "",
) -> Target:
    require(user, PROGRAMMES_MANAGE, unit)
    spec = parse_period(period)
    key = disaggregation_key(ethnic_group=ethnic_group, sex=sex, language=language)
    target, _created = Target.objects.update_or_create(
        indicator=indicator,
        unit_key=unit.code if unit else "VN",
        period=spec.code,
        disaggregation=key,
        defaults={
            "unit": unit,
            "ethnic_group": ethnic_group,
            "sex": sex,
            "language": language,
            "target_value": _decimal(target_value, "target_value"),
            "baseline_value": _decimal(baseline_value, "baseline_value") if baseline_value not in (None, "") else None,
            "baseline_period": baseline_period,
            "source": source,
        },
    )
    return target
