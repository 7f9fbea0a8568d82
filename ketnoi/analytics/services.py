"""Writes of the analytics: legacy values (reported for the structure before 1 July 2025)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ketnoi.core.numbers import parse_number
from ketnoi.core.roles import DATA_ENTER
from ketnoi.core.scoping import require
from ketnoi.core.text import normalize_text
from ketnoi.indicators.periods import parse_period

from .engine import REFORM_DATE
from .models import LegacyValue


@transaction.atomic
def legacy_value_set(*, user, element, unit, period: str, value, disaggregation: str = "", source: str = ""):
    """Record (or replace) a value of a legacy commune; national data-entry scope only (legacy
    units are outside every current scope). An empty value deletes it."""
    require(user, DATA_ENTER, None)
    if unit.structure != "legacy" or unit.level != "commune":
        raise ValidationError({"unit": _("Legacy values are recorded for communes of the legacy structure.")})
    spec = parse_period(period)
    if spec.end >= REFORM_DATE:
        raise ValidationError({"period": _("Legacy values are for periods that ended before 1 July 2025.")})
    key = {"element": element, "period": spec.code, "unit": unit, "disaggregation": normalize_text(disaggregation)}
    if value in (None, ""):
        LegacyValue.objects.filter(**key).delete()
        return None
    try:
        number = parse_number(value)
    except ValueError:
        raise ValidationError({"value": _("%(value)r is not a number.") % {"value": value}}) from None
    saved, _created = LegacyValue.objects.update_or_create(
        **key,
        defaults={
            "period_start": spec.start,
            "period_end": spec.end,
            "value": number,
            "source": normalize_text(source)[:300],
        },
    )
    return saved
