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
from ketnoi.core.text import name_keys, normalize_text

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
    parent_id=None,
    province_id=None,
) -> dict:
    name, name_folded, _name_sort = name_keys(name)
    short, short_folded, short_sort = name_keys(short) if short else (name, name_folded, _name_sort)
    row = {
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
        "search_key": name_folded + " | " + short_folded,
        "sort_key": short_sort,
        "valid_from": valid_from,
        "valid_to": valid_to,
    }
    if parent_id is not None:  # issue 7.12: parents resolved in memory before the insert
        row["parent_id"] = parent_id
        row["province_id"] = province_id
    return row


def _province_type(name: str) -> str:
    return "Thành phố" if name.startswith("Thành phố") else "Tỉnh"


def _ids(structure: str, level: str) -> dict[str, int]:
    return dict(AdminUnit.objects.filter(structure=structure, level=level).values_list("code", "id"))


def _provinces_point_to_themselves(structure: str) -> None:
    """A province's ``province`` is itself: one UPDATE for those that differ (none on a rerun)."""
    AdminUnit.objects.filter(structure=structure, level=P).exclude(province_id=F("pk")).update(province_id=F("pk"))


@transaction.atomic
def load_admin_units(db_path: Path | None = None) -> dict[str, UpsertResult]:
    """Both structures, level by level; each level is inserted with its parent and province ids,
    resolved in memory from the level above (issue 7.12). Only the columns used are read."""
    db_path = db_path or source_dir() / "dataset.db"
    con = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    results: dict[str, UpsertResult] = {}
    key_fields = ("structure", "level", "code")

    # Current structure: 34 provinces and 3,321 communes (xã, phường, đặc khu).
    current = con.execute(
        "SELECT provinceCode, province, provinceShort, provinceLat, provinceLon, provinceKey,"
        " wardCode, wardType, ward, wardShort, wardLat, wardLon, wardAreaKm2, wardKey"
        " FROM admin_units ORDER BY provinceCode, wardCode"
    ).fetchall()
    provinces = {}
    for p_code, p_name, p_short, p_lat, p_lon, p_key, *_ward in current:
        if p_code not in provinces:  # built once per province, not once per commune row
            provinces[p_code] = _unit(
                C,
                P,
                p_code,
                _province_type(p_name),
                p_name,
                p_short,
                lat=p_lat,
                lon=p_lon,
                key=p_key,
                valid_from=CURRENT_VALID_FROM,
            )
    results["provinces"] = upsert(AdminUnit, key_fields, provinces.values())
    _provinces_point_to_themselves(C)
    province_ids = _ids(C, P)
    communes = []
    for p_code, _n, _s, _la, _lo, p_key, w_code, w_type, w_name, w_short, w_lat, w_lon, w_area, w_key in current:
        province_id = province_ids[p_code]
        communes.append(
            _unit(
                C,
                X,
                w_code,
                w_type,
                w_name,
                w_short,
                lat=w_lat,
                lon=w_lon,
                area=w_area,
                key=f"{p_key}_{w_key}",
                valid_from=CURRENT_VALID_FROM,
                parent_id=province_id,
                province_id=province_id,
            )
        )
    results["communes"] = upsert(AdminUnit, key_fields, communes)

    # Legacy structure: 63 provinces, 696 districts, 10,035 communes (and 5 island districts
    # that had no commune level).
    legacy = con.execute(
        "SELECT provinceCode, province, provinceShort, provinceLat, provinceLon, provinceKey,"
        " districtCode, districtType, district, districtShort, districtLat, districtLon, districtKey,"
        " wardCode, wardType, ward, wardShort, wardLat, wardLon, wardKey"
        " FROM admin_units_legacy ORDER BY provinceCode, districtCode, wardCode"
    ).fetchall()
    con.close()
    lprov, ldist, district_province = {}, {}, {}
    for row in legacy:
        p_code, p_name, p_short, p_lat, p_lon, p_key, d_code, d_type, d_name, d_short, d_lat, d_lon, d_key = row[:13]
        if p_code not in lprov:
            lprov[p_code] = _unit(
                L,
                P,
                p_code,
                _province_type(p_name),
                p_name,
                p_short,
                lat=p_lat,
                lon=p_lon,
                key=p_key,
                valid_to=LEGACY_VALID_TO,
            )
        if d_code not in ldist:
            ldist[d_code] = (p_code, d_type, d_name, d_short, d_lat, d_lon, f"{p_key}_{d_key}_")
        district_province[d_code] = p_code  # the last row's province, as before
    results["legacy_provinces"] = upsert(AdminUnit, key_fields, lprov.values())
    _provinces_point_to_themselves(L)
    lprov_ids = _ids(L, P)
    ldist_rows = []
    for d_code, (_p, d_type, d_name, d_short, d_lat, d_lon, d_key) in ldist.items():
        province_id = lprov_ids[district_province[d_code]]
        ldist_rows.append(
            _unit(
                L,
                D,
                d_code,
                d_type,
                d_name,
                d_short,
                lat=d_lat,
                lon=d_lon,
                key=d_key,
                valid_to=LEGACY_VALID_TO,
                parent_id=province_id,
                province_id=province_id,
            )
        )
    results["legacy_districts"] = upsert(AdminUnit, key_fields, ldist_rows)
    ldist_ids = _ids(L, D)
    lcomm = []
    for row in legacy:
        p_key, d_code, d_key, w_code, w_type, w_name, w_short, w_lat, w_lon, w_key = row[5], row[6], *row[12:]
        if w_code:
            lcomm.append(
                _unit(
                    L,
                    X,
                    w_code,
                    w_type,
                    w_name,
                    w_short,
                    lat=w_lat,
                    lon=w_lon,
                    key=f"{p_key}_{d_key}_{w_key}",
                    valid_to=LEGACY_VALID_TO,
                    parent_id=ldist_ids[d_code],
                    province_id=lprov_ids[district_province[d_code]],
                )
            )
    results["legacy_communes"] = upsert(AdminUnit, key_fields, lcomm)
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
