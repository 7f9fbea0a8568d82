"""Write use-cases for villages and classifications: validate, scope-check, one transaction."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from ketnoi.core.roles import VILLAGES_CHANGE
from ketnoi.core.scoping import require
from ketnoi.core.text import fold, normalize_text, vi_sort_key

from .models import AdminUnit, Village

VILLAGE_FIELDS = ("name", "kind", "code", "population", "households", "minority_households", "notes")


def _clean_village_values(values: dict) -> dict:
    cleaned = {}
    for key in VILLAGE_FIELDS:
        if key not in values:
            continue
        value = values[key]
        if isinstance(value, str):
            value = normalize_text(value, collapse_spaces=key != "notes").strip()
        cleaned[key] = value
    if "name" in cleaned and not cleaned["name"]:
        raise ValidationError({"name": _("A village needs a name.")})
    if "kind" in cleaned and cleaned["kind"] not in Village.Kind.values:
        raise ValidationError({"kind": _("Unknown village kind %(kind)s.") % {"kind": cleaned["kind"]}})
    for key in ("population", "households", "minority_households"):
        if cleaned.get(key) == "":
            cleaned[key] = None
        if cleaned.get(key) is not None and int(cleaned[key]) < 0:
            raise ValidationError({key: _("Must not be negative.")})
    return cleaned


def _check_counts(village: Village) -> None:
    if (
        village.households is not None
        and village.minority_households is not None
        and village.minority_households > village.households
    ):
        raise ValidationError({"minority_households": _("Ethnic-minority households cannot exceed all households.")})


def _save(village: Village) -> Village:
    village.search_key = fold(village.name)
    village.sort_key = vi_sort_key(village.name)
    _check_counts(village)
    try:
        with transaction.atomic():
            village.save()
    except IntegrityError:
        raise ValidationError(
            {"name": _("This commune already has a village called %(name)s.") % {"name": village.name}}
        ) from None
    return village


def village_create(*, user, commune: AdminUnit, **values) -> Village:
    if commune.structure != AdminUnit.Structure.CURRENT or commune.level != AdminUnit.Level.COMMUNE:
        raise ValidationError({"commune": _("Villages belong to a commune of the current structure.")})
    require(user, VILLAGES_CHANGE, commune)
    values = _clean_village_values(values)
    return _save(Village(commune=commune, **values))


def village_update(*, user, village: Village, **values) -> Village:
    require(user, VILLAGES_CHANGE, village)
    for key, value in _clean_village_values(values).items():
        setattr(village, key, value)
    return _save(village)


def village_delete(*, user, village: Village) -> None:
    require(user, VILLAGES_CHANGE, village)
    with transaction.atomic():
        village.delete()
