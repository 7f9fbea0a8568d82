"""Read queries for administrative units, villages and classifications."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from ketnoi.core.roles import VILLAGES_VIEW
from ketnoi.core.scoping import restrict
from ketnoi.core.text import fold

from .models import (
    AdminUnit,
    ClassificationPeriod,
    CommuneClassification,
    DifficultVillage,
    UnitSuccession,
    Village,
)


def unit_search(
    *, query: str = "", structure: str = "current", level: str | None = None, province_code: str | None = None
) -> QuerySet[AdminUnit]:
    """Diacritic-insensitive search: "lao cai" finds "Lào Cai", "uy ban" finds "Ủy ban"."""
    units = AdminUnit.objects.filter(structure=structure).select_related("parent", "province")
    if level:
        units = units.filter(level=level)
    if province_code:
        units = units.filter(province__code=province_code)
    for word in fold(query).split():
        units = units.filter(search_key__contains=word)
    return units.order_by("sort_key", "code")


def unit_get(*, structure: str, level: str, code: str) -> AdminUnit:
    return AdminUnit.objects.select_related("parent__parent", "province").get(
        structure=structure, level=level, code=code
    )


def province_list(*, structure: str = "current") -> QuerySet[AdminUnit]:
    return (
        AdminUnit.objects.filter(structure=structure, level=AdminUnit.Level.PROVINCE)
        .annotate(
            commune_count=Count("children__children", filter=Q(structure="legacy"))
            if structure == "legacy"
            else Count("children")
        )
        .order_by("sort_key")
    )


def unit_children(*, unit: AdminUnit) -> QuerySet[AdminUnit]:
    return unit.children.order_by("sort_key", "code")


def unit_successors(*, unit: AdminUnit) -> list[UnitSuccession]:
    return list(unit.successions.select_related("current__province").order_by("-is_default", "current__sort_key"))


def unit_predecessors(*, unit: AdminUnit) -> list[UnitSuccession]:
    return list(unit.predecessions.select_related("legacy__parent__parent").order_by("legacy__sort_key"))


def village_list_for_user(*, user, commune: AdminUnit | None = None, query: str = "") -> QuerySet[Village]:
    villages = restrict(Village.objects.select_related("commune__province"), user, VILLAGES_VIEW)
    if commune is not None:
        villages = villages.filter(commune=commune)
    for word in fold(query).split():
        villages = villages.filter(search_key__contains=word)
    return villages.order_by("commune__sort_key", "sort_key")


def village_get_for_user(*, user, pk: int) -> Village:
    return village_list_for_user(user=user).get(pk=pk)


@dataclass
class ClassificationPart:
    period: ClassificationPeriod
    legacy_commune: AdminUnit
    area: str | None
    difficult_villages: list[str]


def classification_of(*, unit: AdminUnit, period: ClassificationPeriod | None = None) -> list[ClassificationPart]:
    """Classification of a commune. For a current commune, every legacy part through the crosswalk:
    a merged commune may hold an Area III part and an Area I part — all are shown."""
    if unit.level != AdminUnit.Level.COMMUNE:
        return []
    if unit.structure == AdminUnit.Structure.CURRENT:
        legacy_ids = list(unit.predecessions.values_list("legacy_id", flat=True))
    else:
        legacy_ids = [unit.pk]
    periods = [period] if period else list(ClassificationPeriod.objects.all())
    parts: list[ClassificationPart] = []
    for p in periods:
        areas = dict(
            CommuneClassification.objects.filter(period=p, legacy_commune_id__in=legacy_ids).values_list(
                "legacy_commune_id", "area"
            )
        )
        villages: dict[int, list[str]] = {}
        for commune_id, name in DifficultVillage.objects.filter(period=p, legacy_commune_id__in=legacy_ids).values_list(
            "legacy_commune_id", "village_name"
        ):
            villages.setdefault(commune_id, []).append(name)
        for legacy in AdminUnit.objects.filter(pk__in=set(areas) | set(villages)).select_related("parent"):
            parts.append(ClassificationPart(p, legacy, areas.get(legacy.pk), sorted(villages.get(legacy.pk, []))))
    return sorted(parts, key=lambda part: (part.period.code, part.legacy_commune.sort_key))


def reference_counts() -> dict[str, int]:
    units = AdminUnit.objects
    return {
        "provinces": units.filter(structure="current", level="province").count(),
        "communes": units.filter(structure="current", level="commune").count(),
        "legacy_provinces": units.filter(structure="legacy", level="province").count(),
        "legacy_districts": units.filter(structure="legacy", level="district").count(),
        "legacy_communes": units.filter(structure="legacy", level="commune").count(),
        "crosswalk_links": UnitSuccession.objects.count(),
        "villages": Village.objects.count(),
        "classified_communes": CommuneClassification.objects.count(),
    }
