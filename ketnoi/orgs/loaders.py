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


def _in_running_text(unit_type: str, name: str) -> str:
    """'Xã Tả Van' → 'xã Tả Van': the type word is lower case inside a longer name."""
    if unit_type and name.startswith(unit_type):
        return unit_type.lower() + name[len(unit_type) :]
    return name


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


def _upsert_with_parents(rows: list[dict], parent_of: dict[str, str], ids: dict[str, int]) -> UpsertResult:
    """Upsert agencies with ``parent_id`` resolved in memory before the insert (issue 7.12), no
    bulk_update of parents afterwards.

    Rows go in file order (so ids follow it), in runs: a run ends before the first row whose parent
    is in that run, not yet inserted. ``ids`` (code → id) holds the agencies in the database and
    grows run by run. A parent that comes later in the file is linked with one UPDATE once it is
    in; a parent that is neither an agency nor among the rows is refused, naming the agency.
    """
    codes = {row["code"] for row in rows}
    for row in rows:
        parent = parent_of.get(row["code"], "")
        if parent and parent not in ids and parent not in codes:
            raise ValueError(f"agency {row['code']}: unknown parent {parent}")
    result = UpsertResult()
    later: list[str] = []  # codes whose parent comes after them in the file
    run: list[dict] = []
    in_run: set[str] = set()

    def flush():
        nonlocal result
        if run:
            result += upsert(Agency, ("code",), run)
            ids.update(Agency.objects.filter(code__in=in_run).values_list("code", "id"))
            run.clear()
            in_run.clear()

    for row in rows:
        parent = parent_of.get(row["code"], "")
        if parent in in_run:
            flush()
        if parent and parent not in ids:
            later.append(row["code"])
        row["parent_id"] = ids.get(parent) if parent else None
        run.append(row)
        in_run.add(row["code"])
    flush()
    for code in later:
        Agency.objects.filter(code=code).update(parent_id=ids[parent_of[code]])
    return result


@transaction.atomic
def load_agencies(data_dir: Path = DATA_DIR) -> dict[str, UpsertResult]:
    central = read_rows(data_dir / "agencies.csv")
    ids = dict(Agency.objects.values_list("code", "id"))
    parent_of = {r["code"]: r.get("parent_code", "") for r in central}
    results = {
        "central": _upsert_with_parents(
            [
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
            ],
            parent_of,
            ids,
        )
    }

    templates = read_rows(data_dir / "provincial_agency_templates.csv")
    units = {"province": [], "commune": []}
    for level, items in units.items():  # the pattern values of each unit, worked out once
        for unit_id, code, name, short_name, unit_type, province_code in AdminUnit.objects.filter(
            structure="current", level=level
        ).values_list("id", "code", "name", "short_name", "unit_type", "province__code"):
            ascii_name = _ascii(name)
            values = _SafeDict(
                code=code,
                name=_in_running_text(unit_type, name),
                short_name=short_name,
                name_ascii=ascii_name,
                name_en=ascii_name,
                province_code=province_code or code,
            )
            items.append((unit_id, values))
    local_rows = []
    for template in templates:
        valid_from, valid_to = as_date(template.get("valid_from", "")), as_date(template.get("valid_to", ""))
        for unit_id, values in units[template["level"]]:
            code = template["code_pattern"].format_map(values)
            local_rows.append(
                _agency_row(
                    code,
                    template["name_vi_pattern"].format_map(values),
                    template["name_en_pattern"].format_map(values),
                    "",
                    template["kind"],
                    valid_from,
                    valid_to,
                    template.get("source", ""),
                    unit_id=unit_id,
                )
            )
            parent_of[code] = template["parent_code"].format_map(values) if template.get("parent_code") else ""
    results["local"] = _upsert_with_parents(local_rows, parent_of, ids)

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
