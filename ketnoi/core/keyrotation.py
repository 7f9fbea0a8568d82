"""Re-encrypt every encrypted field under the first key of KETNOI_FIELD_KEYS (`ketnoi rotate-keys`).

Idempotent: a value already under the first key is left as it is (only its blind index is put
right if the index key changed), so a second run changes nothing. Rows are read and written with
raw SQL (the field class would decrypt them) in batches by id, each batch in one transaction with
its rows locked on PostgreSQL, so a value saved by the application meanwhile is never overwritten
with an older one. One summary entry per field goes to the audit log.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection, transaction

from . import audit, crypto
from .fields import encrypted_fields
from .models import AuditEntry

DEFAULT_BATCH = 500


@dataclass
class FieldRotation:
    field: str
    rotated: int = 0
    current: int = 0
    reindexed: int = 0


def _batch(model, field, after_pk: int, size: int) -> tuple[int | None, FieldRotation]:
    qn = connection.ops.quote_name
    table, column, pk = qn(model._meta.db_table), qn(field.column), qn(model._meta.pk.column)
    index = qn(model._meta.get_field(field.blind_index).column) if field.blind_index else None
    columns = f"{pk}, {column}" + (f", {index}" if index else "")
    lock = " FOR UPDATE" if connection.vendor == "postgresql" else ""
    result = FieldRotation(field="")
    last = None
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {columns} FROM {table} WHERE {pk} > %s ORDER BY {pk} LIMIT %s{lock}",  # noqa: S608
            [after_pk, size],
        )
        for row in cursor.fetchall():
            last, value = row[0], row[1]
            if value is None or value == "":
                continue
            updates = {}
            if crypto.is_current(value):
                result.current += 1
                plain = None
            else:
                plain = crypto.decrypt(value)
                updates[column] = crypto.rotate(value)
                result.rotated += 1
            if index:
                plain = crypto.decrypt(value) if plain is None else plain
                wanted = crypto.blind_index(plain, field.normalise)
                if row[2] != wanted:
                    updates[index] = wanted
                    result.reindexed += 1
            if updates:
                assignments = ", ".join(f"{name} = %s" for name in updates)
                cursor.execute(
                    f"UPDATE {table} SET {assignments} WHERE {pk} = %s",  # noqa: S608
                    [*updates.values(), last],
                )
    return last, result


def rotate_all(*, batch_size: int = DEFAULT_BATCH) -> list[FieldRotation]:
    """Re-encrypt every stored value of every encrypted field; returns what was done per field."""
    crypto.check_keys_valid()
    results = []
    for field in encrypted_fields():
        model = field.model
        total = FieldRotation(field=f"{model._meta.label_lower}.{field.name}")
        after = 0
        while True:
            last, done = _batch(model, field, after, batch_size)
            total.rotated += done.rotated
            total.current += done.current
            total.reindexed += done.reindexed
            if last is None:
                break
            after = last
        if total.rotated or total.reindexed:
            audit.record(
                AuditEntry.Action.UPDATE,
                model=model._meta.label_lower,
                object_repr=f"{field.name}: re-encrypted under the first key",
                after={"field": field.name, "re_encrypted": total.rotated, "reindexed": total.reindexed},
            )
        results.append(total)
    return results
