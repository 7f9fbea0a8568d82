"""Village and classification imports from CSV/XLSX: validate every row, then write all or nothing."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from ketnoi.core import audit
from ketnoi.core.importing import ImportFailed, RowError, limit_errors, read_table
from ketnoi.core.loading import upsert
from ketnoi.core.roles import CLASSIFICATION_IMPORT, VILLAGES_IMPORT
from ketnoi.core.scoping import user_scope
from ketnoi.core.text import fold, vi_sort_key

from .models import AdminUnit, ClassificationPeriod, CommuneClassification, DifficultVillage, Village

VILLAGE_COLUMNS = ["commune_code", "name"]
VILLAGE_OPTIONAL = ["kind", "code", "population", "households", "minority_households", "notes"]

_KIND_BY_LABEL = {fold(str(label)): value for value, label in Village.Kind.choices} | {
    fold(value): value for value in Village.Kind.values
}


@dataclass
class ImportResult:
    filename: str
    rows: int
    created: int
    updated: int
    unchanged: int


def _int_field(row, name, errors, filename) -> int | None:
    raw = row.get(name).replace(".", "").replace(",", "").replace(" ", "")
    if not raw:
        return None
    if not raw.isdigit():
        errors.append(
            RowError(filename, row.number, name, _("%(value)r is not a whole number") % {"value": row.get(name)})
        )
        return None
    return int(raw)


def import_villages(source, *, user, filename: str | None = None) -> ImportResult:
    table = read_table(
        source, filename=filename, required=VILLAGE_COLUMNS, optional=VILLAGE_OPTIONAL, multiline=("notes",)
    )
    filename = table.filename
    communes = {
        unit.code: unit
        for unit in AdminUnit.objects.filter(structure="current", level="commune").only(
            "id", "code", "province_id", "level"
        )
    }
    scope = user_scope(user, VILLAGES_IMPORT)
    errors: list[RowError] = []
    seen: dict[tuple[int, str], int] = {}
    rows = []
    for row in table.rows:
        code = row.get("commune_code")
        code = code.zfill(5) if code.isdigit() else code
        commune = communes.get(code)
        if commune is None:
            errors.append(
                RowError(
                    filename,
                    row.number,
                    "commune_code",
                    _("unknown commune code %(code)r (current NSO codes, 5 digits)") % {"code": code},
                )
            )
            continue
        if not scope.covers(commune.province_id, commune.id):
            errors.append(
                RowError(
                    filename, row.number, "commune_code", _("commune %(code)s is outside your area") % {"code": code}
                )
            )
            continue
        name = row.get("name")
        if not name:
            errors.append(RowError(filename, row.number, "name", _("a village needs a name")))
            continue
        key = (commune.id, fold(name))
        if key in seen:
            errors.append(
                RowError(
                    filename,
                    row.number,
                    "name",
                    _("duplicate of row %(row)s (same commune and village name)") % {"row": seen[key]},
                )
            )
            continue
        seen[key] = row.number
        kind_label = row.get("kind")
        kind = _KIND_BY_LABEL.get(fold(kind_label), None) if kind_label else Village.Kind.THON
        if kind is None:
            errors.append(
                RowError(filename, row.number, "kind", _("unknown village kind %(kind)r") % {"kind": kind_label})
            )
            continue
        population = _int_field(row, "population", errors, filename)
        households = _int_field(row, "households", errors, filename)
        minority = _int_field(row, "minority_households", errors, filename)
        if households is not None and minority is not None and minority > households:
            errors.append(
                RowError(
                    filename, row.number, "minority_households", _("larger than households (%(h)s)") % {"h": households}
                )
            )
            continue
        values = {
            "commune_id": commune.id,
            "name": name,
            "kind": kind,
            "code": row.get("code"),
            "population": population,
            "households": households,
            "minority_households": minority,
            "notes": row.get("notes"),
        }
        too_large = limit_errors(filename, row.number, Village, values)
        if too_large:
            errors.extend(too_large)
            continue
        rows.append({**values, "search_key": fold(name), "sort_key": vi_sort_key(name)})
    if errors:
        raise ImportFailed(errors)
    # Existing villages are matched by commune and exact name, so a re-import updates in place.
    with transaction.atomic():
        existing_names = {
            (commune_id, fold(name)): name
            for commune_id, name in Village.objects.filter(commune_id__in={r["commune_id"] for r in rows}).values_list(
                "commune_id", "name"
            )
        }
        for r in rows:
            r["name"] = existing_names.get((r["commune_id"], fold(r["name"])), r["name"])
        with audit.suppressed():
            result = upsert(Village, ("commune_id", "name"), rows)
        audit.record(
            audit.AuditEntry.Action.IMPORT,
            model="geo.village",
            object_repr=filename,
            after={"rows": len(rows), "created": result.created, "updated": result.updated},
            scope=_single_scope(rows, communes),
        )
    return ImportResult(filename, len(rows), result.created, result.updated, result.unchanged)


def _single_scope(rows, communes) -> tuple[int | None, int | None]:
    by_id = {c.id: c for c in communes.values()}
    provinces = {by_id[r["commune_id"]].province_id for r in rows}
    commune_ids = {r["commune_id"] for r in rows}
    if len(provinces) != 1:
        return (None, None)
    return (provinces.pop(), commune_ids.pop() if len(commune_ids) == 1 else None)


CLASSIFICATION_COLUMNS = ["commune_code"]
CLASSIFICATION_OPTIONAL = ["area", "village_name", "commune_name"]


def import_classification(source, *, user, period: ClassificationPeriod, filename: str | None = None) -> ImportResult:
    """Rows keyed by legacy commune code: a row with ``area`` (I/II/III) classifies the commune; a
    row with ``village_name`` lists an extremely difficult village of that commune."""
    table = read_table(source, filename=filename, required=CLASSIFICATION_COLUMNS, optional=CLASSIFICATION_OPTIONAL)
    filename = table.filename
    if not user_scope(user, CLASSIFICATION_IMPORT).everywhere:
        raise ImportFailed([RowError(filename, None, None, _("only national administrators import classifications"))])
    legacy = dict(AdminUnit.objects.filter(structure="legacy", level="commune").values_list("code", "id"))
    errors: list[RowError] = []
    areas: dict[int, tuple[str, int]] = {}
    villages: dict[tuple[int, str], int] = {}
    for row in table.rows:
        code = row.get("commune_code")
        code = code.zfill(5) if code.isdigit() else code
        commune_id = legacy.get(code)
        if commune_id is None:
            errors.append(
                RowError(
                    filename, row.number, "commune_code", _("unknown legacy commune code %(code)r") % {"code": code}
                )
            )
            continue
        area = row.get("area").upper().replace("KV", "").replace("KHU VỰC", "").strip()
        village = row.get("village_name")
        if not area and not village:
            errors.append(RowError(filename, row.number, "area", _("give an area (I, II, III) or a village_name")))
            continue
        if area:
            if area not in CommuneClassification.Area.values:
                errors.append(
                    RowError(filename, row.number, "area", _("area must be I, II or III, not %(a)r") % {"a": area})
                )
                continue
            if commune_id in areas and areas[commune_id][0] != area:
                errors.append(
                    RowError(
                        filename,
                        row.number,
                        "area",
                        _("conflicts with row %(row)s for the same commune") % {"row": areas[commune_id][1]},
                    )
                )
                continue
            if commune_id in areas:
                errors.append(
                    RowError(
                        filename,
                        row.number,
                        "commune_code",
                        _("duplicate of row %(row)s") % {"row": areas[commune_id][1]},
                    )
                )
                continue
            areas[commune_id] = (area, row.number)
        if village:
            key = (commune_id, fold(village))
            if key in villages:
                errors.append(
                    RowError(
                        filename, row.number, "village_name", _("duplicate of row %(row)s") % {"row": villages[key]}
                    )
                )
                continue
            too_long = limit_errors(filename, row.number, DifficultVillage, {"village_name": village})
            if too_long:
                errors.extend(too_long)
                continue
            villages[key] = row.number
    if errors:
        raise ImportFailed(errors)
    names = {(r.number): r.get("village_name") for r in table.rows}
    with transaction.atomic():
        result = upsert(
            CommuneClassification,
            ("period_id", "legacy_commune_id"),
            ({"period_id": period.id, "legacy_commune_id": cid, "area": area} for cid, (area, _n) in areas.items()),
        )
        result += upsert(
            DifficultVillage,
            ("period_id", "legacy_commune_id", "village_name"),
            (
                {"period_id": period.id, "legacy_commune_id": cid, "village_name": names[number]}
                for (cid, _k), number in villages.items()
            ),
        )
        audit.record(
            audit.AuditEntry.Action.IMPORT,
            model="geo.communeclassification",
            object_repr=filename,
            after={"period": period.code, "communes": len(areas), "villages": len(villages)},
        )
    return ImportResult(filename, len(table.rows), result.created, result.updated, result.unchanged)
