"""Idempotent bulk upsert used by the reference-data loaders."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import models

BATCH = 2000


@dataclass
class UpsertResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def __add__(self, other: UpsertResult) -> UpsertResult:
        return UpsertResult(
            self.created + other.created, self.updated + other.updated, self.unchanged + other.unchanged
        )


def upsert(model: type[models.Model], key_fields: tuple[str, ...], rows: Iterable[dict]) -> UpsertResult:
    """Create missing rows and update changed ones, matching on ``key_fields``.

    Rows are plain dicts of field attnames. Running it twice with the same rows changes nothing.
    """
    rows = list(rows)
    if not rows:
        return UpsertResult()
    fields = sorted({name for row in rows for name in row} - set(key_fields))
    existing = {
        tuple(values[: len(key_fields)]): values for values in model.objects.values_list(*key_fields, "pk", *fields)
    }
    to_create, to_update = [], []
    unchanged = 0
    for row in rows:
        key = tuple(row[k] for k in key_fields)
        current = existing.get(key)
        if current is None:
            to_create.append(model(**row))
            continue
        stored = dict(zip(fields, current[len(key_fields) + 1 :], strict=True))
        if all(stored.get(f) == row.get(f) for f in fields if f in row):
            unchanged += 1
            continue
        obj = model(pk=current[len(key_fields)], **row)
        to_update.append(obj)
    model.objects.bulk_create(to_create, batch_size=BATCH)
    if to_update:
        model.objects.bulk_update(to_update, fields, batch_size=BATCH)
    return UpsertResult(len(to_create), len(to_update), unchanged)
