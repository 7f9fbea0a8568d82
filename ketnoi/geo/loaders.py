"""Load administrative units (current and legacy) and the crosswalk from vietnamadminunits.

Source: the MIT-licensed PyPI package ``vietnamadminunits`` (1.0.4), which ships the NSO unit
lists as an SQLite file (``data/dataset.db``) and the 2025 old→new conversion table
(``data/converter_2025.json``). Nothing here is typed by hand; see docs/data-sources.md.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path

from django.db import transaction
from django.db.models import F

from ketnoi.core.loading import UpsertResult, upsert
from ketnoi.core.text import fold, normalize_text, vi_sort_key

from .models import AdminUnit, ClassificationPeriod, UnitSuccession

CURRENT_VALID_FROM = dt.date(2025, 7, 1)  # NQ 202/2025/QH15: two-tier local government
LEGACY_VALID_TO = dt.date(2025, 6, 30)

C, L = AdminUnit.Structure.CURRENT, AdminUnit.Structure.LEGACY
P, D, X = AdminUnit.Level.PROVINCE, AdminUnit.Level.DISTRICT, AdminUnit.Level.COMMUNE


def source_dir() -> Path:
    # The package's data folder, found without importing it (its import builds parsers: half a second).
    from importlib.util import find_spec

    spec = find_spec("vietnamadminunits")
    if spec is None or spec.origin is None:
        raise ImportError("vietnamadminunits is not installed")
    return Path(spec.origin).resolve().parent / "data"


def source_version() -> str:
    from importlib.metadata import version

    return f"vietnamadminunits {version('vietnamadminunits')}"


def _unit(
    structure,
    level,
    code,
    unit_type,
    name,
    short,
    *,
    lat=None,
    lon=None,
    area=None,
    key="",
    valid_from=None,
    valid_to=None,
) -> dict:
    name = normalize_text(name, collapse_spaces=True)
    short = normalize_text(short or name, collapse_spaces=True)
    return {
        "structure": structure,
        "level": level,
        "code": code,
        "unit_type": normalize_text(unit_type),
        "name": name,
        "short_name": short,
        "latitude": lat,
        "longitude": lon,
        "area_km2": area,
        "source_key": key,
        "search_key": fold(name) + " | " + fold(short),
        "sort_key": vi_sort_key(short),
        "valid_from": valid_from,
        "valid_to": valid_to,
    }


def _province_type(name: str) -> str:
    return "Thành phố" if name.startswith("Thành phố") else "Tỉnh"


def _ids(structure: str, level: str) -> dict[str, int]:
    return dict(AdminUnit.objects.filter(structure=structure, level=level).values_list("code", "id"))


def _with_parent(row: dict, parent_id: int, province_id: int) -> dict:
    """Issue 7.12: parents are resolved in memory before the insert (no CASE-per-row bulk_update after it)."""
    return {**row, "parent_id": parent_id, "province_id": province_id}


def _provinces_point_to_themselves(structure: str) -> None:
    """A province's ``province`` is itself: one UPDATE for those that differ (none on a rerun)."""
    AdminUnit.objects.filter(structure=structure, level=P).exclude(province_id=F("pk")).update(province_id=F("pk"))


@transaction.atomic
def load_admin_units(db_path: Path | None = None) -> dict[str, UpsertResult]:
    db_path = db_path or source_dir() / "dataset.db"
    con = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    con.row_factory = sqlite3.Row
    results: dict[str, UpsertResult] = {}

    # Current structure: 34 provinces and 3,321 communes (xã, phường, đặc khu).
    current = con.execute("SELECT * FROM admin_units ORDER BY provinceCode, wardCode").fetchall()
    provinces = {}
    for r in current:
        if r["provinceCode"] in provinces:  # built once per province, not once per commune row
            continue
        provinces[r["provinceCode"]] = _unit(
            C,
            P,
            r["provinceCode"],
            _province_type(r["province"]),
            r["province"],
            r["provinceShort"],
            lat=r["provinceLat"],
            lon=r["provinceLon"],
            key=r["provinceKey"],
            valid_from=CURRENT_VALID_FROM,
        )
    results["provinces"] = upsert(AdminUnit, ("structure", "level", "code"), provinces.values())
    _provinces_point_to_themselves(C)
    province_ids = _ids(C, P)
    communes = [
        _with_parent(
            _unit(
                C,
                X,
                r["wardCode"],
                r["wardType"],
                r["ward"],
                r["wardShort"],
                lat=r["wardLat"],
                lon=r["wardLon"],
                area=r["wardAreaKm2"],
                key=f"{r['provinceKey']}_{r['wardKey']}",
                valid_from=CURRENT_VALID_FROM,
            ),
            *(province_ids[r["provinceCode"]],) * 2,
        )
        for r in current
    ]
    results["communes"] = upsert(AdminUnit, ("structure", "level", "code"), communes)

    # Legacy structure: 63 provinces, 696 districts, 10,035 communes (and 5 island districts
    # that had no commune level).
    legacy = con.execute("SELECT * FROM admin_units_legacy ORDER BY provinceCode, districtCode, wardCode").fetchall()
    lprov, ldist, lcomm = {}, {}, []
    for r in legacy:
        if r["provinceCode"] not in lprov:
            lprov[r["provinceCode"]] = _unit(
                L,
                P,
                r["provinceCode"],
                _province_type(r["province"]),
                r["province"],
                r["provinceShort"],
                lat=r["provinceLat"],
                lon=r["provinceLon"],
                key=r["provinceKey"],
                valid_to=LEGACY_VALID_TO,
            )
        if r["districtCode"] not in ldist:
            ldist[r["districtCode"]] = _unit(
                L,
                D,
                r["districtCode"],
                r["districtType"],
                r["district"],
                r["districtShort"],
                lat=r["districtLat"],
                lon=r["districtLon"],
                key=f"{r['provinceKey']}_{r['districtKey']}_",
                valid_to=LEGACY_VALID_TO,
            )
        if r["wardCode"]:
            lcomm.append(
                (
                    r["districtCode"],
                    _unit(
                        L,
                        X,
                        r["wardCode"],
                        r["wardType"],
                        r["ward"],
                        r["wardShort"],
                        lat=r["wardLat"],
                        lon=r["wardLon"],
                        key=f"{r['provinceKey']}_{r['districtKey']}_{r['wardKey']}",
                        valid_to=LEGACY_VALID_TO,
                    ),
                )
            )
    results["legacy_provinces"] = upsert(AdminUnit, ("structure", "level", "code"), lprov.values())
    _provinces_point_to_themselves(L)
    lprov_ids = _ids(L, P)
    district_province = {r["districtCode"]: r["provinceCode"] for r in legacy}
    ldist_rows = [_with_parent(row, *(lprov_ids[district_province[code]],) * 2) for code, row in ldist.items()]
    results["legacy_districts"] = upsert(AdminUnit, ("structure", "level", "code"), ldist_rows)
    ldist_ids = _ids(L, D)
    lcomm = [_with_parent(row, ldist_ids[district], lprov_ids[district_province[district]]) for district, row in lcomm]
    results["legacy_communes"] = upsert(AdminUnit, ("structure", "level", "code"), lcomm)
    con.close()
    return results


@transaction.atomic
def load_crosswalk(json_path: Path | None = None) -> UpsertResult:
    """Link each legacy commune (or commune-less island district) to its current commune(s)."""
    json_path = json_path or source_dir() / "converter_2025.json"
    data = json.loads(Path(json_path).read_text(encoding="utf-8"))
    legacy_ids = dict(AdminUnit.objects.filter(structure=L).exclude(level=P).values_list("source_key", "id"))
    current_ids = dict(AdminUnit.objects.filter(structure=C, level=X).values_list("source_key", "id"))
    links: dict[tuple[int, int], dict] = {}
    missing: list[str] = []

    def link(old_key: str, new_key: str, *, default: bool, divided: bool):
        old_id, new_id = legacy_ids.get(old_key), current_ids.get(new_key)
        if old_id is None or new_id is None:
            missing.append(f"{old_key} -> {new_key}")
            return
        links[(old_id, new_id)] = {"legacy_id": old_id, "current_id": new_id, "is_default": default, "divided": divided}

    for province_key, wards in data["DICT_PROVINCE_WARD_NO_DIVIDED"].items():
        for ward_key, old_keys in wards.items():
            for old_key in old_keys:
                link(old_key, f"{province_key}_{ward_key}", default=True, divided=False)
    for province_key, old_wards in data["DICT_PROVINCE_WARD_DIVIDED"].items():
        for old_key, new_wards in old_wards.items():
            for new in new_wards:
                link(
                    old_key, f"{province_key}_{new['newWardKey']}", default=bool(new["isDefaultNewWard"]), divided=True
                )
    if missing and len(missing) > 0.01 * (len(links) + len(missing)):
        raise ValueError(f"crosswalk: {len(missing)} links do not resolve, e.g. {missing[:3]}")
    return upsert(UnitSuccession, ("legacy_id", "current_id"), links.values())


def load_classification_periods(csv_path: Path | None = None) -> UpsertResult:
    """Periods (with their deciding documents) from geo/data/classification_periods.csv.

    The lists themselves (QĐ 861/QĐ-TTg communes, QĐ 612/QĐ-UBDT villages) are imported with
    `ketnoi import-classification`, since no machine-readable official copy ships with a package.
    """
    from ketnoi.core.csvdata import as_date, read_rows

    csv_path = csv_path or Path(__file__).resolve().parent / "data" / "classification_periods.csv"
    return upsert(
        ClassificationPeriod,
        ("code",),
        (
            {
                "code": r["code"],
                "name": r["name"],
                "valid_from": as_date(r["valid_from"]),
                "valid_to": as_date(r["valid_to"]),
                "criteria_decision": r["criteria_decision"],
                "commune_decision": r["commune_decision"],
                "village_decision": r["village_decision"],
            }
            for r in read_rows(csv_path)
        ),
    )
