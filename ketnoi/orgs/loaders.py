"""Load agencies: central ones from orgs/data/agencies.csv, and one agency per current province or
commune for each row of orgs/data/provincial_agency_templates.csv."""

from __future__ import annotations

from pathlib import Path

from django.db import transaction

from ketnoi.core.csvdata import as_date, read_rows, split_list
from ketnoi.core.loading import UpsertResult, upsert
from ketnoi.core.text import fold, vi_sort_key
from ketnoi.geo.models import AdminUnit

from .models import Agency, AgencySuccession

DATA_DIR = Path(__file__).resolve().parent / "data"


class _SafeDict(dict):
    def __missing__(self, key):
        return "{" + key + "}"


def _in_running_text(unit) -> str:
    """'Xã Tả Van' → 'xã Tả Van': the type word is lower case inside a longer name."""
    if unit.unit_type and unit.name.startswith(unit.unit_type):
        return unit.unit_type.lower() + unit.name[len(unit.unit_type) :]
    return unit.name


def _ascii(text: str) -> str:
    """Unit name without diacritics for English patterns (keeps capitals: 'Xa Ta Van')."""
    import unicodedata

    text = text.replace("Đ", "D").replace("đ", "d")
    return "".join(ch for ch in unicodedata.normalize("NFD", text) if unicodedata.category(ch) != "Mn")


def _agency_row(code, name_vi, name_en, short_name, kind, valid_from, valid_to, source, unit_id=None) -> dict:
    return {
        "code": code,
        "name_vi": name_vi,
        "name_en": name_en,
        "short_name": short_name,
        "kind": kind,
        "valid_from": valid_from,
        "valid_to": valid_to,
        "source": source[:500],
        "unit_id": unit_id,
        "search_key": " | ".join(fold(n) for n in (name_vi, name_en, short_name, code) if n),
        "sort_key": vi_sort_key(name_vi),
    }


@transaction.atomic
def load_agencies(data_dir: Path = DATA_DIR) -> dict[str, UpsertResult]:
    central = read_rows(data_dir / "agencies.csv")
    results = {
        "central": upsert(
            Agency,
            ("code",),
            (
                _agency_row(
                    r["code"],
                    r["name_vi"],
                    r.get("name_en", ""),
                    r.get("short_name", ""),
                    r["kind"],
                    as_date(r.get("valid_from", "")),
                    as_date(r.get("valid_to", "")),
                    r.get("source", ""),
                )
                for r in central
            ),
        )
    }

    templates = read_rows(data_dir / "provincial_agency_templates.csv")
    units = {
        level: list(
            AdminUnit.objects.filter(structure="current", level=level).only(
                "id", "code", "name", "short_name", "unit_type"
            )
        )
        for level in ("province", "commune")
    }
    province_code_of = dict(
        AdminUnit.objects.filter(structure="current", level="commune").values_list("code", "province__code")
    )
    local_rows, local_parents = [], {}
    for template in templates:
        for unit in units[template["level"]]:
            values = _SafeDict(
                code=unit.code,
                name=_in_running_text(unit),
                short_name=unit.short_name,
                name_ascii=_ascii(unit.name),
                name_en=_ascii(unit.name),
                province_code=province_code_of.get(unit.code, unit.code),
            )
            code = template["code_pattern"].format_map(values)
            local_rows.append(
                _agency_row(
                    code,
                    template["name_vi_pattern"].format_map(values),
                    template["name_en_pattern"].format_map(values),
                    "",
                    template["kind"],
                    as_date(template.get("valid_from", "")),
                    as_date(template.get("valid_to", "")),
                    template.get("source", ""),
                    unit_id=unit.id,
                )
            )
            if template.get("parent_code"):
                local_parents[code] = template["parent_code"].format_map(values)
    results["local"] = upsert(Agency, ("code",), local_rows)

    ids = dict(Agency.objects.values_list("code", "id"))
    parent_of = {r["code"]: r.get("parent_code", "") for r in central} | local_parents
    changed = []
    for agency in Agency.objects.filter(code__in=parent_of).only("id", "code", "parent_id"):
        parent_id = ids.get(parent_of[agency.code]) if parent_of[agency.code] else None
        if parent_of[agency.code] and parent_id is None:
            raise ValueError(f"agency {agency.code}: unknown parent {parent_of[agency.code]}")
        if agency.parent_id != parent_id:
            agency.parent_id = parent_id
            changed.append(agency)
    Agency.objects.bulk_update(changed, ["parent_id"], batch_size=2000)

    links = []
    for r in central:
        for successor in split_list(r.get("successor_codes", "")):
            if successor not in ids:
                raise ValueError(f"agency {r['code']}: unknown successor {successor}")
            links.append(
                {
                    "predecessor_id": ids[r["code"]],
                    "successor_id": ids[successor],
                    "effective": _day_after(as_date(r.get("valid_to", ""))),
                    "note": r.get("succession_note", "")[:500],
                }
            )
    results["successions"] = upsert(AgencySuccession, ("predecessor_id", "successor_id"), links)
    return results


def _day_after(day):
    import datetime as dt

    return day + dt.timedelta(days=1) if day else None
