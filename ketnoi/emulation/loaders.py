"""Emulation data files: award titles (award_titles.csv) and the default score sheet (JSON).

Both are data that an operator edits: the real split of points is set by each emulation bloc, and the
award titles are to be checked against Decree 98/2023/NĐ-CP (rows marked [M]).
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.db import transaction

from ketnoi.core.csvdata import read_rows
from ketnoi.core.loading import UpsertResult, upsert
from ketnoi.core.text import normalize_text

from .models import AwardTitle, BonusRule, CriteriaGroup, Criterion, DeductionRule, ScoreSheet

DATA_DIR = Path(__file__).resolve().parent / "data"
DEFAULT_SHEET = DATA_DIR / "score_sheet_default.json"
AWARD_TITLES = DATA_DIR / "award_titles.csv"


def _points(value, where: str) -> Decimal:
    try:
        points = Decimal(str(value))
    except (InvalidOperation, TypeError):
        raise ValueError(f"{where}: points must be a number, not {value!r}") from None
    if points < 0:
        raise ValueError(f"{where}: points cannot be negative ({value})")
    return points


@transaction.atomic
def load_award_titles(csv_path: Path = AWARD_TITLES) -> UpsertResult:
    rows = read_rows(csv_path)
    records = []
    for number, row in enumerate(rows, start=2):
        where = f"{csv_path.name}, row {number}"
        if not row.get("code") or not row.get("name_vi"):
            raise ValueError(f"{where}: code and name_vi are required")
        if row.get("level") not in AwardTitle.Level.values:
            raise ValueError(f"{where}: level must be individual or collective, not {row.get('level')!r}")
        if row.get("kind") not in AwardTitle.Kind.values:
            raise ValueError(f"{where}: kind must be title or form, not {row.get('kind')!r}")
        records.append(
            {
                "code": row["code"],
                "name_vi": row["name_vi"][:300],
                "name_en": row.get("name_en", "")[:300],
                "level": row["level"],
                "kind": row["kind"],
                "source": row.get("source", "")[:500],
                "order": number,
            }
        )
    return upsert(AwardTitle, ("code",), records)


@transaction.atomic
def load_default_sheet(
    *, programme, year: int, json_path: Path = DEFAULT_SHEET, applies_to: str | None = None
) -> ScoreSheet:
    """Create (or refresh in place) the sheet described by ``json_path`` for a programme and year.

    Idempotent: running it again updates names and points and adds missing rows; rows that users
    added are kept. Raises ValueError naming the place of a bad value.
    """
    spec = json.loads(Path(json_path).read_text(encoding="utf-8"))
    name = json_path.name
    applies_to = applies_to or spec.get("applies_to", ScoreSheet.AppliesTo.UNITS)
    if applies_to not in ScoreSheet.AppliesTo.values:
        raise ValueError(f"{name}: applies_to must be agencies or units, not {applies_to!r}")
    if not 2000 <= int(year) <= 2100:
        raise ValueError(f"{name}: year {year} is out of range")
    deduction_max = spec.get("deduction_max")
    sheet, _created = ScoreSheet.objects.update_or_create(
        programme=programme,
        year=int(year),
        name=normalize_text(spec["name"])[:300],
        defaults={
            "applies_to": applies_to,
            "bonus_max": _points(spec.get("bonus_max", 10), f"{name}: bonus_max"),
            "deduction_max": None if deduction_max is None else _points(deduction_max, f"{name}: deduction_max"),
            "note": normalize_text(spec.get("note", "")),
            "source": normalize_text(spec.get("source", ""))[:500],
            "valid_from": dt.date(int(year), 1, 1),
            "valid_to": dt.date(int(year), 12, 31),
        },
    )
    for g_order, g_spec in enumerate(spec.get("groups", []), start=1):
        where = f"{name}, group {g_spec.get('code')}"
        group_max = _points(g_spec["max_points"], where)
        group, _ = CriteriaGroup.objects.update_or_create(
            sheet=sheet,
            code=g_spec["code"],
            defaults={"name": normalize_text(g_spec["name"])[:300], "max_points": group_max, "order": g_order},
        )
        for c_order, c_spec in enumerate(g_spec.get("criteria", []), start=1):
            c_where = f"{name}, criterion {c_spec.get('code')}"
            kind = c_spec.get("kind", Criterion.Kind.MANUAL)
            source = c_spec.get("source", "") if kind == Criterion.Kind.AUTOMATIC else ""
            if kind not in Criterion.Kind.values:
                raise ValueError(f"{c_where}: kind must be manual or automatic, not {kind!r}")
            if kind == Criterion.Kind.AUTOMATIC and source not in Criterion.Source.values[1:]:
                raise ValueError(f"{c_where}: unknown automatic source {source!r}")
            criterion_max = _points(c_spec["max_points"], c_where)
            if criterion_max > group_max:
                raise ValueError(f"{c_where}: {criterion_max} points exceed the group's {group_max}")
            Criterion.objects.update_or_create(
                group=group,
                code=c_spec["code"],
                defaults={
                    "name": normalize_text(c_spec["name"])[:500],
                    "max_points": criterion_max,
                    "kind": kind,
                    "source": source,
                    "evidence_required": normalize_text(c_spec.get("evidence_required", ""))[:500],
                    "parameters": c_spec.get("parameters", {}),
                    "order": c_order,
                },
            )
    for model, key in ((BonusRule, "bonus_rules"), (DeductionRule, "deduction_rules")):
        for r_spec in spec.get(key, []):
            where = f"{name}, {key} {r_spec.get('code')}"
            cap = r_spec.get("max_points")
            model.objects.update_or_create(
                sheet=sheet,
                code=r_spec["code"],
                defaults={
                    "name": normalize_text(r_spec["name"])[:300],
                    "points": _points(r_spec["points"], where),
                    "max_points": None if cap is None else _points(cap, where),
                    "condition": normalize_text(r_spec.get("condition", "")),
                },
            )
    return sheet
