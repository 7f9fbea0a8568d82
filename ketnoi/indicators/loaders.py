"""Load the indicator catalogue (data elements, indicators) and targets from indicators/data/*.csv."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from django.db import transaction

from ketnoi.core.csvdata import read_rows, split_list
from ketnoi.core.loading import UpsertResult, upsert

from .models import DataElement, Indicator, Target
from .periods import parse_period

DATA_DIR = Path(__file__).resolve().parent / "data"


def _decimal(value: str):
    return Decimal(value) if value not in ("", None) else None


@transaction.atomic
def load_indicator_catalogue(data_dir: Path = DATA_DIR) -> dict[str, UpsertResult]:
    results = {
        "data_elements": upsert(
            DataElement,
            ("code",),
            (
                {
                    "code": r["code"],
                    "name_vi": r["name_vi"],
                    "name_en": r.get("name_en", ""),
                    "value_type": r.get("value_type") or "integer",
                    "aggregation": r.get("aggregation") or "sum",
                    "time_aggregation": r.get("time_aggregation") or "sum",
                    "disaggregations": split_list(r.get("disaggregations", "")),
                    "unit_label": r.get("unit_label", ""),
                    "min_value": _decimal(r.get("min_value", "")),
                    "max_value": _decimal(r.get("max_value", "")),
                    "description": r.get("description", ""),
                    "source": r.get("source") or "entered",
                }
                for r in read_rows(data_dir / "data_elements.csv")
            ),
        )
    }
    elements = dict(DataElement.objects.values_list("code", "id"))
    rows = []
    for r in read_rows(data_dir / "indicators.csv"):
        if r["numerator"] not in elements or (r.get("denominator") and r["denominator"] not in elements):
            raise ValueError(f"indicators.csv, indicator {r['code']}: unknown data element")
        rows.append(
            {
                "code": r["code"],
                "name_vi": r["name_vi"],
                "name_en": r.get("name_en", ""),
                "numerator_id": elements[r["numerator"]],
                "denominator_id": elements[r["denominator"]] if r.get("denominator") else None,
                "factor": int(r.get("factor") or 1),
                "unit_label": r.get("unit_label", ""),
                "higher_is_better": r.get("higher_is_better", "1") != "0",
                "numerator_le_denominator": r.get("numerator_le_denominator", "1") != "0",
                "source": r.get("source", "")[:300],
                "description": r.get("description", ""),
            }
        )
    results["indicators"] = upsert(Indicator, ("code",), rows)
    return results


@transaction.atomic
def load_targets(csv_path: Path) -> UpsertResult:
    from ketnoi.geo.models import AdminUnit

    indicators = dict(Indicator.objects.values_list("code", "id"))
    provinces = dict(AdminUnit.objects.filter(structure="current", level="province").values_list("code", "id"))
    rows = []
    for number, r in enumerate(read_rows(csv_path), start=2):
        if r["indicator"] not in indicators:
            raise ValueError(f"{csv_path.name}, row {number}, field indicator: unknown indicator {r['indicator']}")
        unit_code = r.get("unit", "").zfill(2) if r.get("unit") else ""
        if unit_code and unit_code not in provinces:
            raise ValueError(f"{csv_path.name}, row {number}, field unit: unknown province {unit_code}")
        rows.append(
            {
                "indicator_id": indicators[r["indicator"]],
                "unit_id": provinces.get(unit_code),
                "unit_key": unit_code or "VN",
                "period": parse_period(r["period"]).code,
                "disaggregation": "",
                "target_value": Decimal(r["target_value"]),
                "baseline_value": _decimal(r.get("baseline_value", "")),
                "baseline_period": r.get("baseline_period", ""),
                "source": r.get("source", "")[:300],
            }
        )
    return upsert(Target, ("indicator_id", "unit_key", "period", "disaggregation"), rows)
