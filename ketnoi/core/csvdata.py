"""Reading the reference CSV files shipped in the package (<app>/data/*.csv)."""

import csv
from pathlib import Path

from .text import normalize_text


def read_rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return [
            {key.strip(): normalize_text(value or "", collapse_spaces=True) for key, value in row.items() if key}
            for row in csv.DictReader(handle)
        ]


def split_list(value: str) -> list[str]:
    return [item.strip() for item in (value or "").split(";") if item.strip()]


def as_date(value: str):
    import datetime as dt

    return dt.date.fromisoformat(value) if value else None
